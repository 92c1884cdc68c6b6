"""Sizes: negative, zero, huge and overflowing integers for every size argument, tiny and
degenerate studies. A size is bounded with a typed error before anything is allocated for it:
never an OverflowError, an abort ('memory allocation of N bytes failed') or a hang."""

from __future__ import annotations

from harness import OK, add_case, arg_error, case, ok_or, raises

BIG = 10**12
HUGE = 2**64 + 1  # beyond any Rust integer argument


def _m():
    import miroir

    return miroir


def _ms():
    import miroir.stats as ms

    return ms


X20 = list(range(20))
Y20 = [x * x for x in range(20)]

# -- resample counts ---------------------------------------------------------------------------

RESAMPLE_CALLS = {
    "bootstrap_pearson": lambda ctx, n: _ms().bootstrap_pearson(X20, Y20, n_resamples=n),
    "permutation_pearson": lambda ctx, n: _ms().permutation_pearson(X20, Y20, n_resamples=n),
    "linkage": lambda ctx, n: _m().linkage(ctx.study(), n_resamples=n),
    "report": lambda ctx, n: _m().report(ctx.study(), n_resamples=n),
}

for _fn, _call in RESAMPLE_CALLS.items():
    for _label, _n in (("negative", -1), ("huge", BIG), ("overflow", HUGE)):
        if _label == "overflow" and _fn not in ("bootstrap_pearson", "report"):
            continue
        if _label == "negative" and _fn == "linkage":
            continue
        add_case(f"{_fn}_n_resamples_{_label}", "sizes",
                 (lambda call, n: lambda ctx: call(ctx, n))(_call, _n),
                 arg_error("n_resamples"),
                 doc=f"{_fn}(n_resamples={_n if _n != HUGE else '2**64+1'}): InvalidArgumentError naming "
                 "n_resamples, before any allocation (no abort, no hang)")

for _fn in ("linkage",):
    add_case(f"{_fn}_n_resamples_below_100", "sizes",
             (lambda call: lambda ctx: call(ctx, 50))(RESAMPLE_CALLS[_fn]),
             arg_error("n_resamples"),
             doc=f"{_fn}(n_resamples=50): InvalidArgumentError (documented: 0 or at least 100)")


@case("sizes", arg_error("n_resamples"))
def bootstrap_n_resamples_bool(ctx):
    """bootstrap_pearson(n_resamples=True): refused (a bool is not a count)."""
    _ms().bootstrap_pearson(X20, Y20, n_resamples=True)


# -- seeds ------------------------------------------------------------------------------------


def _seed_case(call):
    def run(ctx):
        a, b = call(ctx, -1), call(ctx, -1)
        assert a.equals(b), "the same negative seed gave two results"

    return run


for _fn, _call in {
    "bootstrap_pearson": lambda ctx, s: _ms().bootstrap_pearson(X20, Y20, n_resamples=999, seed=s),
}.items():
    add_case(f"{_fn}_seed_negative", "sizes", _seed_case(_call), ok_or("InvalidArgumentError", "seed"),
             doc=f"{_fn}(seed=-1): reproducible, or InvalidArgumentError naming seed (not OverflowError)")
    add_case(f"{_fn}_seed_overflow", "sizes", (lambda call: lambda ctx: call(ctx, HUGE))(_call),
             arg_error("seed"), doc=f"{_fn}(seed=2**64+1): InvalidArgumentError naming seed")


# -- counts of the proportion and table tests ---------------------------------------------------

for _name, _call, _arg in (
    ("proportion_ci_negative_k", lambda: _ms().proportion_ci(-1, 10), "k"),
    ("proportion_ci_overflow", lambda: _ms().proportion_ci(HUGE, HUGE + 1), ("k", "n")),
    ("binom_test_p_above_one", lambda: _ms().binom_test(3, 10, p=1.5), "p"),
    ("fisher_exact_negative_count", lambda: _ms().fisher_exact([[10, -3], [5, 8]]), "table"),
):
    add_case(_name, "sizes", (lambda call: lambda ctx: call())(_call),
             arg_error(_arg),
             doc=f"miroir.stats: {_name.replace('_', ' ')}: InvalidArgumentError naming the argument")


@case("sizes", raises(("StatsError", "InvalidArgumentError"), "k"))
def proportion_ci_k_above_n(ctx):
    """proportion_ci(11, 10): refused (more successes than trials)."""
    _ms().proportion_ci(11, 10)


@case("sizes", raises(("StatsError", "InvalidArgumentError"), "table"))
def chi2_negative_count(ctx):
    """chi2_independence([[10, -3], [5, 8]]): refused naming the table."""
    _ms().chi2_independence([[10, -3], [5, 8]])


@case("sizes", ok_or(("StatsError", "InvalidArgumentError")), timeout=20)
def fisher_exact_huge_counts(ctx):
    """fisher_exact([[10**15, 1], [1, 10**15]]): a result or a typed error within seconds (no
    summation over 10**15 terms)."""
    r = _ms().fisher_exact([[10**15, 1], [1, 10**15]])
    p = r["p_value"][0]
    assert p is not None and 0 <= p <= 1e-6, f"p = {p}"


@case("sizes", raises(("StatsError", "InvalidArgumentError"), "n"))
def proportion_ci_zero_n(ctx):
    """proportion_ci(0, 0): a typed error (undefined), not a division by zero."""
    _ms().proportion_ci(0, 0)


@case("sizes", OK)
def proportion_ci_big_counts(ctx):
    """proportion_ci(10**15, 2*10**15): 0.5 with a tiny interval (no overflow)."""
    r = _ms().proportion_ci(10**15, 2 * 10**15)
    assert abs(r["estimate"][0] - 0.5) < 1e-12 and r["ci_high"][0] - r["ci_low"][0] < 1e-6


@case("sizes", arg_error("scale_points"))
def rwg_zero_scale_points(ctx):
    """rwg(..., scale_points=0): InvalidArgumentError naming scale_points."""
    _ms().rwg([1, 2, 3, 4], ["a", "a", "b", "b"], 0)


# -- study and loader sizes ----------------------------------------------------------------------

for _name, _kw, _arg in (
    ("synthetic_zero_studies", dict(studies=0), "studies"),
    ("synthetic_negative_employees", dict(employees=-1), "employees"),
    ("synthetic_huge_customers", dict(customers=BIG), "customers"),
    ("synthetic_negative_seed", dict(seed=-5, studies=1, employees=100, customers=500), "seed"),
):
    _expect = ok_or("InvalidArgumentError", _arg) if _arg == "seed" else arg_error(_arg)
    add_case(_name, "sizes", (lambda kw: lambda ctx: _m().synthetic_study(**kw))(_kw), _expect,
             doc=f"synthetic_study({', '.join(f'{k}={v}' for k, v in _kw.items())}): "
             + ("generated, or InvalidArgumentError" if _arg == "seed" else f"InvalidArgumentError naming {_arg}"))

for _label, _rows in (("negative", -1), ("overflow", HUGE)):
    add_case(f"load_batch_rows_{_label}", "sizes",
             (lambda rows: lambda ctx: _m().load_study(ctx.parquet, streaming=True, batch_rows=rows))(_rows),
             arg_error("batch_rows"),
             doc=f"load_study(streaming=True, batch_rows={_rows if _rows != HUGE else '2**64+1'}): InvalidArgumentError")


@case("sizes", OK, weight=2)
def load_batch_rows_one(ctx):
    """load_study(streaming=True, batch_rows=1): one row per slice, the same report."""
    from ._util import assert_same_tables, report_tables

    m = _m()
    a = m.load_study(ctx.parquet, streaming=True, batch_rows=1)
    assert_same_tables(report_tables(a), report_tables(m.load_study(ctx.parquet)))


@case("sizes", ok_or("InvalidArgumentError", "batch_rows"))
def load_batch_rows_huge(ctx):
    """load_study(streaming=True, batch_rows=10**12): one slice (nothing allocated for 10**12
    rows), or InvalidArgumentError."""
    from ._util import assert_same_tables, report_tables

    m = _m()
    a = m.load_study(ctx.parquet, streaming=True, batch_rows=BIG)
    assert_same_tables(report_tables(a), report_tables(m.load_study(ctx.parquet)))


for _name, _kw, _arg in (
    ("schema_min_group_size_negative", dict(min_group_size=-1), "min_group_size"),
    ("schema_min_text_group_size_negative", dict(min_text_group_size=-1), "min_text_group_size"),
    ("schema_scale_reversed", dict(satisfaction_scale=(10, 0)), "satisfaction_scale"),
    ("schema_threshold_nan", dict(satisfied_threshold=float("nan")), "satisfied_threshold"),
):
    add_case(_name, "sizes", (lambda kw: lambda ctx: _m().Schema(**kw))(_kw),
             raises(("SchemaError", "InvalidArgumentError"), _arg),
             doc=f"Schema({', '.join(f'{k}={v!r}' for k, v in _kw.items())}): refused naming {_arg} "
             "(as min_group_size=0 is), never OverflowError")


@case("sizes", OK)
def tiny_study_reports(ctx):
    """A study of 6 employees and 5 customers in two units: every analysis returns (suppressed
    rows and NaN with notes), no panic."""
    import polars as pl

    m = _m()
    emp = pl.DataFrame({
        "study": ["acme"] * 6, "unit": ["north"] * 3 + ["south"] * 3,
        "employee_id": [f"e{i}" for i in range(6)], "customer_facing": [True, False] * 3,
        "engagement": [55.0, 70.0, 61.5, 48.0, 66.0, 72.0],
    })
    cus = pl.DataFrame({
        "study": ["acme"] * 5, "unit": ["north", "north", "south", "south", "south"],
        "customer_id": [f"c{i}" for i in range(5)], "satisfaction": [8.0, 6.0, 9.0, 10.0, 3.0],
    })
    s = m.Study(emp, cus)
    try:
        m.report(s)
    except m.DataError:
        pass  # nothing linkable in so small a study is a data problem, said so


@case("sizes", ok_or("MiroirError"))
def one_respondent_each(ctx):
    """One employee and one customer: a typed error or a report, never a panic."""
    import polars as pl

    m = _m()
    emp = pl.DataFrame({"study": ["a"], "unit": ["u"], "employee_id": ["e"], "customer_facing": [True], "engagement": [50.0]})
    cus = pl.DataFrame({"study": ["a"], "unit": ["u"], "customer_id": ["c"], "satisfaction": [8.0]})
    m.report(m.Study(emp, cus), n_resamples=0)


@case("sizes", ok_or("MiroirError"))
def all_employees_customer_facing(ctx):
    """Every employee customer-facing (no comparison group): exposure gap NaN with a note or a
    typed error, never a panic."""
    import polars as pl

    m = _m()
    emp, cus, men = ctx.tables()
    import math

    s = m.Study(emp.with_columns(customer_facing=pl.lit(True)), cus, men)
    gaps = m.exposure_gap(s).table["gap"].to_list()
    assert all(g is None or math.isnan(g) for g in gaps), f"a gap without a comparison group: {gaps}"
    m.report(s, n_resamples=0)


@case("sizes", ok_or("MiroirError"))
def constant_engagement(ctx):
    """Every employee's engagement 50 (zero variance): correlations NaN with notes or a typed
    error, never a panic, never a fake 0."""
    import math

    import polars as pl

    m = _m()
    emp, cus, men = ctx.tables()
    s = m.Study(emp.with_columns(engagement=pl.lit(50.0)), cus, men)
    res = m.linkage(s, n_resamples=0).table
    est = [v for v in res["estimate"].to_list()]
    assert all(v is None or math.isnan(v) for v in est), f"correlation of a constant reported as {est}"


@case("sizes", ok_or("MiroirError"))
def one_unit_per_study(ctx):
    """Each study collapsed to a single unit: linkage undefined (NaN + note) or a typed error."""
    import polars as pl

    m = _m()
    emp, cus, men = ctx.tables()
    s = m.Study(emp.with_columns(unit=pl.lit("only")), cus.with_columns(unit=pl.lit("only")), men)
    m.report(s, n_resamples=0)
