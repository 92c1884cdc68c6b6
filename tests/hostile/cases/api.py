"""API misuse: wrong types and out-of-domain options to every public function, objects of
the wrong kind, degenerate regressions, JSON of non-finite results, specs and the CLI."""

from __future__ import annotations

import json
import subprocess
import sys

from harness import OK, add_case, arg_error, case, ok_or, raises

ARGS = [1.0, 2.0, 3.5, 4.0, 5.5, 6.0, 7.5, 8.0]
ARGS2 = [2.0, 1.0, 4.0, 3.5, 6.0, 5.0, 8.5, 7.0]


def _m():
    import miroir

    return miroir


def _ms():
    import miroir.stats as ms

    return ms


# -- options of the analyses ---------------------------------------------------------------------

ANALYSIS_MISUSE = {
    # name: (call on a study, argument named in the message)
    "linkage_top_share_text": (lambda m, s: m.linkage(s, top_share="x"), "top_share"),
    "linkage_confidence_two": (lambda m, s: m.linkage(s, confidence=2), "confidence"),
    "linkage_method_unknown": (lambda m, s: m.linkage(s, method="pearsons"), "method"),
    "linkage_threshold_text": (lambda m, s: m.linkage(s, threshold="high"), "threshold"),
    "exposure_gap_unknown_covariate": (lambda m, s: m.exposure_gap(s, covariates=["nope"]), "nope"),
    "exposure_gap_outcome_as_covariate": (lambda m, s: m.exposure_gap(s, covariates=["engagement"]), "engagement"),
    "moments_alpha_two": (lambda m, s: m.moments(s, alpha=2.0), "alpha"),
    "moments_min_mentions_negative": (lambda m, s: m.moments(s, min_mentions=-1), "min_mentions"),
    "indicators_ci_method_unknown": (lambda m, s: m.indicators(s, ci_method="wilsom"), "ci_method"),
    "report_seed_text": (lambda m, s: m.report(s, seed="zero"), "seed"),
    "report_unknown_keyword": (lambda m, s: m.report(s, resamples=10), "resamples"),
    "study_method_unknown_option": (lambda m, s: s.linkage(metod="kendall"), "metod"),
}

for _name, (_call, _arg) in ANALYSIS_MISUSE.items():
    add_case(_name, "api", (lambda call: lambda ctx: call(_m(), ctx.study()))(_call), arg_error(_arg),
             doc=f"{_name.replace('_', ' ')}: InvalidArgumentError (or TypeError for a wrong type) naming '{_arg}'")


# -- the statistical kernel --------------------------------------------------------------------

KERNEL_MISUSE = {
    "pearson_alternative_sideways": (lambda ms: ms.pearson(ARGS, ARGS2, alternative="sideways"), "alternative"),
    "pearson_confidence_two": (lambda ms: ms.pearson(ARGS, ARGS2, confidence=2), "confidence"),
    "kendall_method_unknown": (lambda ms: ms.kendall(ARGS, ARGS2, method="fast"), "method"),
    "bootstrap_method_unknown": (lambda ms: ms.bootstrap_pearson(ARGS, ARGS2, method="bc", n_resamples=199), "method"),
    "proportion_ci_method_unknown": (lambda ms: ms.proportion_ci(5, 10, method="wilsom"), "method"),
    "pearson_text_values": (lambda ms: ms.pearson(["a", "b", "c"], [1, 2, 3]), "x"),


}

for _name, (_call, _arg) in KERNEL_MISUSE.items():
    add_case(_name, "api", (lambda call: lambda ctx: call(_ms()))(_call), arg_error(_arg),
             doc=f"miroir.stats {_name.replace('_', ' ')}: InvalidArgumentError (or TypeError) naming it, "
             "like the analyses' options (StatsError is for data a statistic cannot be computed from)")

# data that do not fit together: a StatsError (the kernel's data error) or an InvalidArgumentError
KERNEL_BAD_DATA = {
    "pearson_length_mismatch": (lambda ms: ms.pearson([1.0, 2.0, 3.0], [1.0, 2.0]), ("x", "y")),
    "rwg_groups_length_mismatch": (lambda ms: ms.rwg([1, 2, 3], ["a", "b"], 5), "groups"),
}

for _name, (_call, _arg) in KERNEL_BAD_DATA.items():
    add_case(_name, "api", (lambda call: lambda ctx: call(_ms()))(_call),
             raises(("StatsError", "InvalidArgumentError"), _arg),
             doc=f"miroir.stats {_name.replace('_', ' ')}: StatsError (or InvalidArgumentError) naming the input")

KERNEL_DEGENERATE = {
    "pearson_empty": lambda ms: ms.pearson([], []),
    "pearson_with_nan": lambda ms: ms.pearson([1.0, float("nan"), 3.0, 4.0], [1.0, 2.0, 3.0, 4.0]),
    "ols_constant_regressor": lambda ms: ms.ols(__import__("polars").DataFrame({"y": ARGS, "a": [1.0] * 8}), y="y", x=["a"]),
}

for _name, _call in KERNEL_DEGENERATE.items():
    def _check(ctx, call=_call, name=_name):
        import math

        r = call(_ms())
        values = [v for v in r.row(0, named=True).values() if isinstance(v, float)]
        note = r["note"][0] if "note" in r.columns else None
        assert any(math.isnan(v) for v in values) and note, f"{name}: a result without NaN and note: {r.row(0, named=True)}"

    add_case(_name, "api", _check, ok_or(("StatsError", "InvalidArgumentError")),
             doc=f"miroir.stats {_name.replace('_', ' ')}: a StatsError, or NaN with a note (never a number)")


@case("api", raises("InvalidArgumentError", "y"))
def ols_outcome_among_regressors(ctx):
    """ms.ols(df, y='y', x=['y', 'a']): refused (R^2 = 1 would be silently wrong)."""
    import polars as pl

    df = pl.DataFrame({"y": ARGS, "a": ARGS2})
    r = _ms().ols(df, y="y", x=["y", "a"])
    raise AssertionError(f"fitted y on itself: r2 = {r['r2'][0]}")


@case("api", raises(("InvalidArgumentError", "StatsError"), "a"))
def ols_duplicated_regressor(ctx):
    """ms.ols(df, y='y', x=['a', 'a']): refused (collinear), not a number."""
    import polars as pl

    df = pl.DataFrame({"y": ARGS, "a": ARGS2})
    _ms().ols(df, y="y", x=["a", "a"])


@case("api", raises(("InvalidArgumentError", "TypeError", "DtypeError"), "name"))
def ols_text_regressor(ctx):
    """ms.ols with a text column in x: a typed error naming it (not polars' InvalidOperationError)."""
    import polars as pl

    df = pl.DataFrame({"y": ARGS, "name": list("abcdefgh")})
    _ms().ols(df, y="y", x=["name"])


@case("api", raises(("InvalidArgumentError", "StatsError"), "y"))
def ols_missing_outcome(ctx):
    """ms.ols with a null in y: refused (missing values are not dropped silently)."""
    import polars as pl

    df = pl.DataFrame({"y": [None, *ARGS[1:]], "a": ARGS2})
    _ms().ols(df, y="y", x=["a"])


# -- objects of the wrong kind -------------------------------------------------------------------


@case("api", raises("TypeError", "df"))
def study_where_a_frame_is_expected(ctx):
    """ms.ols(study, ...): TypeError naming 'df'."""
    _ms().ols(ctx.study(), y="engagement", x=["tenure_months"])


@case("api", raises("TypeError", "employees"))
def studies_as_tables(ctx):
    """miroir.Study(study, study): TypeError naming 'employees'."""
    s = ctx.study()
    _m().Study(s, s)


@case("api", raises(("TypeError", "InvalidArgumentError"), "study"))
def frame_where_a_study_is_expected(ctx):
    """miroir.linkage(a DataFrame): TypeError naming 'study' (not AttributeError '_inner')."""
    _m().linkage(ctx.study().employees)


@case("api", raises(("TypeError", "InvalidArgumentError"), "study"))
def none_as_study(ctx):
    """miroir.report(None): TypeError naming 'study'."""
    _m().report(None)


@case("api", raises(("TypeError", "InvalidArgumentError"), "study"))
def folder_as_study(ctx):
    """miroir.indicators('some/folder'): TypeError naming 'study' (load it first)."""
    _m().indicators(str(ctx.parquet))


@case("api", raises(("TypeError", "InvalidArgumentError"), "schema"))
def dict_as_schema(ctx):
    """miroir.Study(..., schema={'employees': {...}}): refused naming 'schema'."""
    emp, cus, men = ctx.tables()
    _m().Study(emp, cus, men, schema={"employees": {"a": "unit"}})


@case("api", raises(("TypeError", "InvalidArgumentError"), "path"))
def load_study_with_a_number(ctx):
    """load_study(123): a typed error naming 'path'."""
    _m().load_study(123)


@case("api", raises("InvalidArgumentError", "path"))
def load_study_folder_and_files(ctx):
    """load_study(folder, employees=...): InvalidArgumentError (give one or the other)."""
    _m().load_study(ctx.parquet, employees=ctx.parquet / "employees.parquet")


@case("api", raises("InvalidArgumentError", "customers"))
def load_study_without_customers(ctx):
    """load_study(employees=...) alone: InvalidArgumentError naming 'customers'."""
    _m().load_study(employees=ctx.parquet / "employees.parquet")


@case("api", raises("InvalidArgumentError", "format"))
def write_unknown_format(ctx):
    """Study.write(folder, format='xlsx'): InvalidArgumentError naming 'format'."""
    ctx.study().write(ctx.work / "out", format="xlsx")


@case("api", ok_or(("InvalidArgumentError", "FileError"), ("Parquet", "parquet", "csv")))
def streamed_csv(ctx):
    """load_study(csv folder, streaming=True): streaming reads Parquet: a typed error saying
    so, or the CSV study read correctly (whole)."""
    from ._util import assert_same_tables, report_tables

    s = _m().load_study(ctx.csv, streaming=True)
    assert_same_tables(report_tables(s), report_tables(_m().load_study(ctx.csv)))


@case("api", ok_or("TypeError"))
def pickle_a_study(ctx):
    """pickle.dumps(study): works (and round-trips to the same report) or a TypeError; never a crash."""
    import pickle

    from ._util import assert_same_tables, report_tables

    s = ctx.study()
    t = pickle.loads(pickle.dumps(s))
    assert_same_tables(report_tables(t), report_tables(s))


@case("api", OK)
def mutating_returned_tables(ctx):
    """Changing the DataFrame a study returns does not change the study."""
    import polars as pl

    m = _m()
    s = ctx.study()
    before = m.exposure_gap(s).table
    emp = s.employees
    emp = emp.with_columns(engagement=pl.lit(0.0))
    del emp
    assert m.exposure_gap(s).table.equals(before)


@case("api", raises("InvalidArgumentError", "mentions"))
def moments_without_mentions(ctx):
    """moments() on a study without mentions: InvalidArgumentError saying so (documented)."""
    s = ctx.study()
    with ctx.setup():
        bare = _m().Study(s.employees, s.customers)
    _m().moments(bare)


# -- schemas ---------------------------------------------------------------------------------


@case("api", raises("SchemaError", "not_a_column"))
def schema_maps_to_unknown_canonical(ctx):
    """Schema(employees={'Agence': 'not_a_column'}): SchemaError naming it."""
    _m().Schema(employees={"Agence": "not_a_column"})


@case("api", raises(("TypeError", "SchemaError", "InvalidArgumentError"), "employees"))
def schema_mapping_not_a_dict(ctx):
    """Schema(employees='Matricule'): refused naming 'employees'."""
    _m().Schema(employees="Matricule")


@case("api", raises("MissingColumnError", "Matricule"))
def schema_maps_absent_column(ctx):
    """A schema mapping 'Matricule' that the file lacks: MissingColumnError naming it."""
    _m().load_study(ctx.parquet, schema=_m().Schema(employees={"Matricule": "employee_id"}))


@case("api", raises("SchemaError", "employee_id"))
def schema_mapping_collides(ctx):
    """Mapping 'unit' onto 'employee_id' while the file has an 'employee_id': SchemaError."""
    _m().load_study(ctx.parquet, schema=_m().Schema(employees={"unit": "employee_id"}))


# -- JSON of non-finite results -----------------------------------------------------------------


def _infinite_uplift_study(ctx):
    """Every employee outside the most satisfied units has engagement 0, so the engagement
    uplift of the top units is infinite."""
    import polars as pl

    m = _m()
    emp, cus, men = ctx.tables()
    best = (cus.group_by("study", "unit").agg(pl.col("satisfaction").mean().alias("s"))
            .sort("s", descending=True).group_by("study", maintain_order=True).head(1))
    cus = cus.join(best.select("study", "unit", top=pl.lit(True)), on=["study", "unit"], how="left")
    cus = cus.with_columns(satisfaction=pl.when(pl.col("top")).then(10.0).otherwise(pl.col("satisfaction"))).drop("top")
    emp = emp.join(best.select("study", "unit", top=pl.lit(True)), on=["study", "unit"], how="left")
    emp = emp.with_columns(engagement=pl.when(pl.col("top")).then(80.0).otherwise(0.0)).drop("top")
    return m.Study(emp, cus, men), emp, cus, men


def _strict_json(text: str):
    def refuse(token):
        raise ValueError(f"non-standard JSON token {token}")

    return json.loads(text, parse_constant=refuse)


@case("api", OK)
def report_json_with_infinite_uplift(ctx):
    """Report.to_json() when a study's uplift is infinite: valid JSON (null plus a note), not
    ValueError 'Out of range float'."""
    m = _m()
    s = _infinite_uplift_study(ctx)[0]
    rep = m.report(s, n_resamples=0)
    ups = rep.linkage.table["uplift"].to_list()
    assert any(u is not None and u == float("inf") for u in ups) or any(u is None for u in ups), f"setup: uplift {ups}"
    doc = _strict_json(rep.to_json())
    for row in doc["linkage"]:
        assert row["uplift"] is None, f"uplift written as {row['uplift']!r}"
        assert row["note"] and ("inf" in row["note"] or "uplift" in row["note"]), \
            f"an infinite uplift written as null without a note saying so: {row['note']!r}"


@case("api", OK)
def cli_report_json_with_infinite_uplift(ctx):
    """`miroir report DIR --json -` on a study with an infinite uplift: exit 0, valid JSON."""
    _, emp, cus, men = _infinite_uplift_study(ctx)
    folder = ctx.with_tables("parquet", employees=emp, customers=cus, mentions=men)
    out = subprocess.run([sys.executable, "-m", "miroir.cli", "report", str(folder), "--json", "-"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, f"exit {out.returncode}: {out.stderr[-300:]}"
    _strict_json(out.stdout)


# -- reproduce specs -----------------------------------------------------------------------------


def _spec(ctx, body: str) -> str:
    return f'[data]\ndir = "{ctx.parquet}"\n\n' + body


INDICATOR = '[[indicator]]\nid = "never"\nstatistic = "never_asked"\npublished = 0.5\ntolerance = 0.5\n'

SPEC_MISUSE = {
    "spec_unknown_key": ('[[indicator]]\nid = "x"\nstatistic = "never_asked"\npublished = 0.5\ntolerence = 0.1\n', ("figures.toml:8", "tolerence")),
    "spec_not_toml": ("[[indicator\nid = ", ("figures.toml:4",)),
    "spec_negative_resamples": ("[options]\nn_resamples = -1\n\n" + INDICATOR, ("n_resamples",)),
    "spec_synthetic_huge": ("", ()),
}

for _name, (_body, _needles) in SPEC_MISUSE.items():
    def _run(ctx, body=_body, name=_name):
        if name == "spec_synthetic_huge":
            text = "[data]\nsynthetic = { studies = 2, employees = 100, customers = 1000000000000, seed = 0 }\n\n" + INDICATOR
        else:
            text = _spec(ctx, body)
        path = ctx.work / "figures.toml"
        path.write_text(text, encoding="utf-8")
        _m().reproduce(path)

    add_case(_name, "api", _run, raises(("SpecError", "InvalidArgumentError") if _name == "spec_synthetic_huge" else "SpecError",
                                        "figures.toml" if _name != "spec_synthetic_huge" else "customers", *_needles),
             doc=f"a spec with {_name[5:].replace('_', ' ')}: SpecError naming the file and what is wrong")


@case("api", raises("SpecError", "missing.toml"))
def spec_missing_file(ctx):
    """reproduce('missing.toml'): SpecError naming the file."""
    _m().reproduce(ctx.work / "missing.toml")


# -- the command line ----------------------------------------------------------------------------


def _cli(*args: str, code: str | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-c", code, *args] if code else [sys.executable, "-m", "miroir.cli", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


@case("api", OK)
def cli_validate_bad_folder_exits_2(ctx):
    """`miroir validate` on a folder whose customers are invalid: exit 2, a one-line error, no
    traceback."""
    import polars as pl

    emp, cus, men = ctx.tables()
    folder = ctx.with_tables("parquet", customers=cus.with_columns(satisfaction=pl.lit(12.0)))
    out = _cli("validate", str(folder))
    assert out.returncode == 2, f"exit {out.returncode}"
    assert "Traceback" not in out.stderr and "OutOfRangeError" in out.stderr, out.stderr[-300:]


@case("api", OK)
def cli_validate_missing_folder_exits_2(ctx):
    """`miroir validate no-such-folder`: exit 2, FileError on stderr."""
    out = _cli("validate", str(ctx.work / "no-such-folder"))
    assert out.returncode == 2 and "FileError" in out.stderr, f"exit {out.returncode}: {out.stderr[-300:]}"


@case("api", OK)
def cli_validate_good_folder_exits_0(ctx):
    """`miroir validate` on the shared study: exit 0."""
    out = _cli("validate", str(ctx.parquet))
    assert out.returncode == 0, f"exit {out.returncode}: {out.stderr[-300:]}"


@case("api", OK)
def cli_internal_error_has_its_own_exit_code(ctx):
    """An internal error (a bug: here a ZeroDivisionError injected in the report) exits with its
    own status, neither 0, 1 (an indicator failed) nor 2 (invalid input), without a traceback."""
    code = (
        "import sys, miroir, miroir.cli\n"
        "miroir.report = lambda *a, **k: 1 / 0\n"
        "sys.exit(miroir.cli.main(sys.argv[1:]))\n"
    )
    out = _cli("report", str(ctx.parquet), code=code)
    assert out.returncode not in (0, 1, 2) and out.returncode > 0, f"exit {out.returncode}"
    assert "Traceback" not in out.stderr, "a traceback by default"


@case("api", OK)
def cli_reproduce_failing_figure_exits_1(ctx):
    """`miroir reproduce` with a figure that does not reproduce: exit 1 (and 2 for a bad spec)."""
    spec = ctx.work / "figures.toml"
    spec.write_text(_spec(ctx, INDICATOR.replace("tolerance = 0.5", "tolerance = 0.0001").replace("0.5", "0.99", 1)))
    out = _cli("reproduce", str(spec))
    assert out.returncode == 1, f"exit {out.returncode}: {out.stderr[-300:]}"
    spec.write_text(_spec(ctx, INDICATOR + "bogus = 1\n"))
    out = _cli("reproduce", str(spec))
    assert out.returncode == 2, f"bad spec: exit {out.returncode}"


@case("api", OK)
def cli_synth_negative_size(ctx):
    """`miroir synth --customers -5`: exit 2 with a usage error, no traceback."""
    out = _cli("synth", "--customers", "-5", "--out", str(ctx.work / "o"))
    assert out.returncode == 2 and "Traceback" not in out.stderr, f"exit {out.returncode}: {out.stderr[-300:]}"
