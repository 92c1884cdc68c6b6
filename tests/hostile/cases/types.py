"""Types and values: dtypes polars, pandas and SQL exports produce, non-finite numbers in every
numeric column, booleans and categories as text, weights at the ends of the float range,
duplicate and orphan ids."""

from __future__ import annotations

from harness import OK, add_case, case, ok_or, raises

from ._util import close, record_warnings

ROW = 123  # the offending row of the frame cases
ROW_NEEDLE = (f"row index {ROW}", f"row {ROW}")


def _m():
    import miroir

    return miroir


def _set(df, column: str, row: int, value, dtype=None):
    """``df`` with one cell replaced (the column is created, as 50.0 everywhere, if absent)."""
    import polars as pl

    if column not in df.columns:
        df = df.with_columns(pl.lit(50.0 if column != "weight" else 1.0).alias(column))
    values = df[column].to_list()
    values[row] = value
    return df.with_columns(pl.Series(column, values, dtype=dtype or df[column].dtype, strict=False))


def _study(emp, cus, men=None, **kw):
    return _m().Study(emp, cus, men, **kw)


# -- non-finite and huge numbers in every numeric column --------------------------------------

NUMERIC = {
    # column: (table, required, integer)
    "engagement": ("employees", True, False),
    "informed": ("employees", False, False),
    "manager_support": ("employees", False, False),
    "tenure_months": ("employees", False, True),
    "satisfaction": ("customers", True, False),
    "nps": ("customers", False, True),
    "weight": ("both", False, False),
}


def _numeric_case(column: str, table: str, value: float, refuse: bool = False):
    def run(ctx):
        import polars as pl

        emp, cus, men = ctx.tables()
        target = "customers" if table == "customers" else "employees"
        if column == "tenure_months" or column == "nps":
            frame = emp if target == "employees" else cus
            if column not in frame.columns:
                frame = frame.with_columns(pl.lit(5, dtype=pl.Int64).alias(column))
            frame = frame.with_columns(pl.col(column).cast(pl.Float64))
        else:
            frame = emp if target == "employees" else cus
        frame = _set(frame, column, ROW, value, pl.Float64)
        emp, cus = (frame, cus) if target == "employees" else (emp, frame)
        # a missing satisfaction is refused only with missing_satisfaction="refuse" (issue 15:
        # by default the customer is left out, see satisfaction_nan_dropped)
        s = _study(emp, cus, men, schema=_m().Schema(missing_satisfaction="refuse")) if refuse else _study(emp, cus, men)
        got = getattr(s, target)[column][ROW]
        assert got is None, f"{target}.{column} = {value!r} at row {ROW} loaded as {got!r}"

    return run


MINUS_INF = ("tenure_months", "satisfaction")  # -inf too where issue 12 found it slipping through
HUGE = ("engagement", "tenure_months")  # 1e300
NAN = ("engagement", "satisfaction", "tenure_months", "nps")  # required (refused) and optional (missing)

for _col, (_table, _required, _int) in NUMERIC.items():
    for _table_name in (("employees", "customers") if _table == "both" else (_table,)):
        _suffix = "" if _table != "both" else f"_{_table_name}"
        for _label, _value in (("inf", float("inf")), ("minus_inf", float("-inf"))):
            if _label == "minus_inf" and _col not in MINUS_INF:
                continue
            add_case(f"{_col}{_suffix}_{_label}", "types", _numeric_case(_col, _table_name, _value),
                     raises("OutOfRangeError", _table_name, _col, ROW_NEEDLE),
                     doc=f"{_table_name}.{_col} = {_value} at row {ROW}: OutOfRangeError naming the "
                     "column and the row (one rule for every numeric column)")
        if _col in HUGE:
            add_case(f"{_col}_huge", "types", _numeric_case(_col, _table_name, 1e300),
                     raises("OutOfRangeError", _table_name, _col, ROW_NEEDLE),
                     doc=f"{_table_name}.{_col} = 1e300 at row {ROW}: OutOfRangeError (not a silent null)")
        if _col in NAN:
            add_case(f"{_col}_nan", "types", _numeric_case(_col, _table_name, float("nan"), refuse=_col == "satisfaction"),
                     raises("MissingValueError", _table_name, _col, ROW_NEEDLE) if _required else OK,
                     doc=f"{_table_name}.{_col} = NaN at row {ROW}: " +
                     ("MissingValueError (a required value)" if _required else "a missing value (null), kept as such"))


@case("types", OK)
def satisfaction_nan_dropped(ctx):
    """customers.satisfaction = NaN at row 123, default schema (missing_satisfaction="drop"):
    the customer is left out with their mentions, counted in a warning and in the summary."""
    import polars as pl

    emp, cus, men = ctx.tables()
    blank = _set(cus.with_columns(pl.col("satisfaction").cast(pl.Float64)), "satisfaction", ROW, float("nan"))
    s, caught = record_warnings(lambda: _study(emp, blank, men))
    lost = cus["customer_id"][ROW]
    assert s.customers.height == cus.height - 1 and lost not in s.customers["customer_id"].to_list()
    assert s.summary()["customers_dropped"].sum() == 1
    assert any("1 customer(s) without a satisfaction answer left out" in w for w in caught), caught


@case("types", raises("OutOfRangeError", "nps", ROW_NEEDLE))
def nps_fractional(ctx):
    """nps = 7.5 at row 123 (a 0-10 whole-number scale): OutOfRangeError."""
    import polars as pl

    emp, cus, men = ctx.tables()
    if "nps" not in cus.columns:
        cus = cus.with_columns(nps=pl.lit(7.0))
    _study(emp, _set(cus.with_columns(pl.col("nps").cast(pl.Float64)), "nps", ROW, 7.5), men)


# -- weights at the ends of the float range ---------------------------------------------------


def _indicators(s):
    return _m().indicators(s, n_resamples=0).table


def _assert_same_ci(a, b, what: str) -> None:
    for ra, rb in zip(a.iter_rows(named=True), b.iter_rows(named=True)):
        for k in ("estimate", "ci_low", "ci_high"):
            assert close(ra[k], rb[k], 1e-9), f"{what}: {ra['id']} {k} = {ra[k]} instead of {rb[k]}"


def _weight_case(table: str, scale: float, varying: bool):
    def run(ctx):
        import polars as pl

        emp, cus, men = ctx.tables()
        frame = emp if table == "employees" else cus
        base = (pl.int_range(pl.len()) % 3 + 1).cast(pl.Float64) if varying else pl.lit(1.0)
        ref = frame.with_columns(weight=base)
        big = frame.with_columns(weight=base * scale)
        pair = [(ref, cus), (big, cus)] if table == "employees" else [(emp, ref), (emp, big)]
        a, b = (_indicators(_study(e, c, men)) for e, c in pair)
        _assert_same_ci(b, a, f"{table} weights x {scale:g}")

    return run


for _table, _scale, _varying in (("employees", 1e160, False), ("employees", 1e-170, False),
                                 ("employees", 1e160, True),
                                 ("customers", 1e308, False), ("customers", 1e-300, True)):
    add_case(f"weights_{_table}_{'varying' if _varying else 'equal'}_{_scale:.0e}".replace("+", ""),
             "types", _weight_case(_table, _scale, _varying), OK,
             doc=f"{_table} weights {'(1, 2, 3) x' if _varying else 'all'} {_scale:g}: the same "
             "estimates and CIs as the unscaled weights (the estimators are scale-invariant)")


@case("types", raises("OutOfRangeError", "weight", ROW_NEEDLE))
def weight_negative(ctx):
    """An employee weight of -1 at row 123: OutOfRangeError."""
    emp, cus, men = ctx.tables()
    _study(_set(emp, "weight", ROW, -1.0), cus, men)


@case("types", raises("OutOfRangeError", "weight", ROW_NEEDLE))
def weight_zero(ctx):
    """A customer weight of 0 at row 123 (weights are positive): OutOfRangeError."""
    emp, cus, men = ctx.tables()
    _study(emp, _set(cus, "weight", ROW, 0.0), men)


@case("types", raises("MissingValueError", "weight", ROW_NEEDLE))
def weight_nan(ctx):
    """An employee weight of NaN at row 123: the weighted figures refuse it naming the row (at
    load or when computed), never a silently smaller or NaN estimate."""
    emp, cus, men = ctx.tables()
    s = _study(_set(emp, "weight", ROW, float("nan")), cus, men)
    _m().indicators(s, n_resamples=0)


# -- dtypes from polars, pandas, SQL -----------------------------------------------------------


@case("types", ok_or("DtypeError", "satisfaction"))
def parquet_decimal_satisfaction(ctx):
    """satisfaction stored as decimal128(6,2) in customers.parquet (a SQL export): read as the
    same numbers, or a DtypeError naming the column; never a panic."""
    import polars as pl

    m = _m()
    emp, cus, men = ctx.tables()
    dec = cus.with_columns(pl.col("satisfaction").round(2).cast(pl.Decimal(6, 2)))
    s = m.load_study(ctx.with_tables("parquet", customers=dec))
    want = cus["satisfaction"].round(2).to_list()
    got = s.customers["satisfaction"].cast(pl.Float64).to_list()
    assert all(close(a, b) for a, b in zip(got, want)), "decimal satisfaction read as other numbers"


@case("types", ok_or("DtypeError", "satisfaction"))
def parquet_decimal_satisfaction_streaming(ctx):
    """The same decimal satisfaction, streamed."""
    import polars as pl

    m = _m()
    emp, cus, men = ctx.tables()
    dec = cus.with_columns(pl.col("satisfaction").round(2).cast(pl.Decimal(6, 2)))
    folder = ctx.with_tables("parquet", customers=dec)
    s = m.load_study(folder, streaming=True)
    m.report(s, n_resamples=0)
    want = cus["satisfaction"].round(2).to_list()
    got = s.customers["satisfaction"].cast(pl.Float64).to_list()
    assert all(close(a, b) for a, b in zip(got, want))


@case("types", OK)
def parquet_extra_decimal_column(ctx):
    """An extra decimal(12,2) column 'salary' in employees.parquet: loaded and kept."""
    import polars as pl

    m = _m()
    emp, cus, men = ctx.tables()
    emp = emp.with_columns(salary=(pl.int_range(pl.len()) * 10 + 2000).cast(pl.Decimal(12, 2)))
    s = m.load_study(ctx.with_tables("parquet", employees=emp))
    assert "salary" in s.employees.columns
    assert s.employees["salary"].cast(pl.Float64).to_list() == emp["salary"].cast(pl.Float64).to_list()


@case("types", OK)
def parquet_extra_decimal_column_streaming(ctx):
    """The same extra decimal column, streamed, then read back."""
    import polars as pl

    m = _m()
    emp, cus, men = ctx.tables()
    emp = emp.with_columns(salary=(pl.int_range(pl.len()) * 10 + 2000).cast(pl.Decimal(12, 2)))
    s = m.load_study(ctx.with_tables("parquet", employees=emp), streaming=True)
    m.report(s, n_resamples=0)
    assert s.employees["salary"].cast(pl.Float64).to_list() == emp["salary"].cast(pl.Float64).to_list()


@case("types", OK)
def pandas_decimal_objects(ctx):
    """A pandas column of decimal.Decimal (what SQL drivers give) as an extra column: kept."""
    import decimal

    m = _m()
    emp, cus, men = ctx.tables()
    pdf = emp.to_pandas()
    pdf["bonus"] = [decimal.Decimal(f"{i}.25") for i in range(len(pdf))]
    s = m.Study(pdf, cus, men)
    assert "bonus" in s.employees.columns


@case("types", ok_or("DtypeError", "siret"))
def int128_extra_column(ctx):
    """An extra pl.Int128 column of 20-digit numbers (what pl.read_csv infers): kept with its
    values, or a DtypeError naming it; never a panic."""
    import polars as pl

    m = _m()
    emp, cus, men = ctx.tables()
    emp = emp.with_columns(siret=pl.Series([10**19 + i for i in range(emp.height)], dtype=pl.Int128))
    s = m.Study(emp, cus, men)
    assert [int(v) for v in s.employees["siret"].to_list()] == [10**19 + i for i in range(emp.height)]


@case("types", ok_or("DtypeError", "employee_id"))
def int128_ids(ctx):
    """employee_id as pl.Int128 (20 digits): ids kept exactly (as text), or a DtypeError."""
    import polars as pl

    m = _m()
    emp, cus, men = ctx.tables()
    ids = [10**19 + 7 * i for i in range(emp.height)]
    mapping = dict(zip(emp["employee_id"].to_list(), map(str, ids)))
    emp = emp.with_columns(employee_id=pl.Series(ids, dtype=pl.Int128))
    rid = pl.col("respondent_id")
    men = men.with_columns(respondent_id=pl.when(pl.col("side") == "employee").then(rid.replace(mapping)).otherwise(rid))
    s = m.Study(emp, cus, men)
    assert s.employees["employee_id"].cast(pl.String).to_list() == list(map(str, ids))


@case("types", OK)
def uint64_ids(ctx):
    """customer_id as pl.UInt64 above 2^63: kept exactly as text, mentions still match."""
    import polars as pl

    m = _m()
    emp, cus, men = ctx.tables()
    ids = [2**63 + 11 * i for i in range(cus.height)]
    mapping = dict(zip(cus["customer_id"].to_list(), map(str, ids)))
    cus = cus.with_columns(customer_id=pl.Series(ids, dtype=pl.UInt64))
    rid = pl.col("respondent_id")
    men = men.with_columns(respondent_id=pl.when(pl.col("side") == "customer").then(rid.replace(mapping)).otherwise(rid))
    s = m.Study(emp, cus, men)
    assert s.customers["customer_id"].cast(pl.String).to_list() == list(map(str, ids))
    assert s.mentions is not None and s.mentions.height == men.height


@case("types", raises("DtypeError", "customer_id"))
def float_ids(ctx):
    """customer_id as Float64 (1.0, 2.0, ...): DtypeError naming the column (an id is not a
    measurement; 1.0 vs '1' would be a guess)."""
    import polars as pl

    emp, cus, men = ctx.tables()
    _study(emp, cus.with_columns(customer_id=pl.int_range(pl.len()).cast(pl.Float64)), None)


@case("types", ok_or("DtypeError", "blob"))
def object_column(ctx):
    """An extra pl.Object column (Python objects): DtypeError naming it, or kept as those
    objects; never raw pointer bytes."""
    import polars as pl

    class Thing:
        def __init__(self, i):
            self.i = i

        def __repr__(self):
            return f"Thing({self.i})"

    m = _m()
    emp, cus, men = ctx.tables()
    things = [Thing(i) for i in range(emp.height)]
    emp = emp.with_columns(pl.Series("blob", things, dtype=pl.Object))
    s = m.Study(emp, cus, men)
    if "blob" in s.employees.columns:
        col = s.employees["blob"]
        if col.dtype == pl.Object:
            assert col.to_list() == things, "object column changed"
        else:
            assert col.cast(pl.String).to_list() == [repr(t) for t in things], f"object column kept as {col.dtype}: {col.head(2).to_list()}"


@case("types", raises("DtypeError", "code"))
def pandas_mixed_ints_and_strings(ctx):
    """A pandas column 'code' mixing ints and strings: DtypeError naming it (not pyarrow's
    ArrowTypeError)."""
    emp, cus, men = ctx.tables()
    pdf = emp.to_pandas()
    pdf["code"] = [i if i % 2 else f"c{i}" for i in range(len(pdf))]
    _m().Study(pdf, cus, men)


@case("types", raises("DtypeError", "unit"))
def pandas_mixed_unit_column(ctx):
    """The pandas unit column mixing ints and strings: DtypeError naming 'unit'."""
    emp, cus, men = ctx.tables()
    pdf = emp.to_pandas()
    pdf["unit"] = [i if i % 5 == 0 else u for i, u in enumerate(pdf["unit"])]
    _m().Study(pdf, cus, men)


@case("types", raises(("SchemaError", "InvalidArgumentError"), "engagement"))
def pandas_duplicate_column_names(ctx):
    """A pandas frame with two columns named 'engagement' (pandas allows it): refused naming
    the column (not polars' DuplicateError)."""
    import pandas as pd

    emp, cus, men = ctx.tables()
    pdf = emp.to_pandas()
    pdf = pd.concat([pdf, pdf[["engagement"]] * 0 + 1.0], axis=1)
    _m().Study(pdf, cus, men)


@case("types", raises("MissingValueError", "engagement", ROW_NEEDLE))
def pandas_nullable_int_with_na(ctx):
    """pandas nullable Int64 engagement with pd.NA at row 123: MissingValueError."""
    import pandas as pd

    emp, cus, men = ctx.tables()
    pdf = emp.to_pandas()
    values = pdf["engagement"].round().astype("Int64")
    values.iloc[ROW] = pd.NA
    pdf["engagement"] = values
    _m().Study(pdf, cus, men)


@case("types", OK)
def pandas_categorical_and_datetime(ctx):
    """pandas with a categorical unit, a datetime and a timezone-aware extra column: loads,
    same analyses as polars."""
    import pandas as pd

    m = _m()
    emp, cus, men = ctx.tables()
    pdf = emp.to_pandas()
    pdf["unit"] = pdf["unit"].astype("category")
    pdf["answered"] = pd.Timestamp("2024-03-01") + pd.to_timedelta(range(len(pdf)), unit="min")
    pdf["answered_tz"] = pdf["answered"].dt.tz_localize("Europe/Paris")
    s = m.Study(pdf, cus.to_pandas(), men.to_pandas())
    base = m.Study(emp, cus, men)
    assert m.exposure_gap(s).table.equals(m.exposure_gap(base).table)


@case("types", raises("DtypeError", "satisfaction"))
def satisfaction_as_booleans(ctx):
    """satisfaction given as booleans: DtypeError naming the column."""
    import polars as pl

    emp, cus, men = ctx.tables()
    _study(emp, cus.with_columns(satisfaction=pl.col("satisfaction") > 6), men)


@case("types", OK)
def odd_extra_dtypes(ctx):
    """Extra columns of List, Struct, Binary, Date, Duration, Enum, Array and Null dtypes: kept."""
    import datetime as dt

    import polars as pl

    m = _m()
    emp, cus, men = ctx.tables()
    n = emp.height
    emp = emp.with_columns(
        tags=pl.Series([["a", "b"]] * n),
        meta=pl.Series([{"k": 1, "v": "x"}] * n),
        raw=pl.Series([b"\x00\xff"] * n),
        day=pl.Series([dt.date(2024, 1, 1)] * n),
        took=pl.Series([dt.timedelta(minutes=5)] * n),
        level=pl.Series(["lo"] * n, dtype=pl.Enum(["lo", "hi"])),
        vec=pl.Series([[1.0, 2.0]] * n, dtype=pl.Array(pl.Float64, 2)),
        nothing=pl.Series([None] * n, dtype=pl.Null),
    )
    s = m.Study(emp, cus, men)
    for col in ("tags", "meta", "raw", "day", "took", "level", "vec", "nothing"):
        assert col in s.employees.columns, f"extra column '{col}' dropped"
    m.report(s, n_resamples=0)


# -- yes/no columns --------------------------------------------------------------------------


@case("types", OK)
def booleans_as_words(ctx):
    """customer_facing as text in every accepted spelling (TRUE, yes, Oui, 1, ' y ', vrai /
    FALSE, no, Non, 0, ' n ', faux): the same study as the booleans."""
    import polars as pl

    m = _m()
    emp, cus, men = ctx.tables()
    yes = ["TRUE", "yes", "Oui", "1", " y ", "vrai"]
    no = ["FALSE", "no", "Non", "0", " n ", "faux"]
    words = [(yes if v else no)[i % 6] for i, v in enumerate(emp["customer_facing"])]
    a = m.Study(emp.with_columns(customer_facing=pl.Series(words)), cus, men)
    b = m.Study(emp, cus, men)
    assert a.employees["customer_facing"].to_list() == b.employees["customer_facing"].to_list()


@case("types", raises(("DtypeError", "UnknownCategoryError"), "customer_facing", "maybe"))
def boolean_word_unknown(ctx):
    """customer_facing 'maybe' at row 123 among yes/no: refused, showing 'maybe'."""
    import polars as pl

    emp, cus, men = ctx.tables()
    words = ["yes" if v else "no" for v in emp["customer_facing"]]
    words[ROW] = "maybe"
    _study(emp.with_columns(customer_facing=pl.Series(words)), cus, men)


@case("types", ok_or("DtypeError", "customer_facing"))
def booleans_as_integers(ctx):
    """customer_facing as Int64 0/1 (an SPSS export): read as no/yes, or a DtypeError."""
    import polars as pl

    m = _m()
    emp, cus, men = ctx.tables()
    a = m.Study(emp.with_columns(pl.col("customer_facing").cast(pl.Int64)), cus, men)
    assert a.employees["customer_facing"].to_list() == emp["customer_facing"].to_list()


@case("types", OK)
def optional_yes_no_all_null(ctx):
    """An optional yes/no column (has_ideas) entirely null: accepted like an all-null numeric
    column; its figure is undefined, not an error."""
    import polars as pl

    m = _m()
    emp, cus, men = ctx.tables()
    s = m.Study(emp.with_columns(has_ideas=pl.lit(None, dtype=pl.Boolean)), cus, men)
    _assert_undefined(m.indicators(s, n_resamples=0).table, "has_ideas")


@case("types", OK)
def optional_yes_no_all_empty_csv(ctx):
    """The same in CSV: an all-empty has_ideas column (read as text) is accepted."""
    import polars as pl

    m = _m()
    emp, cus, men = ctx.tables()
    s = m.load_study(ctx.with_tables("csv", employees=emp.with_columns(has_ideas=pl.lit(None, dtype=pl.String))))
    assert s.employees["has_ideas"].null_count() == s.employees.height
    _assert_undefined(m.indicators(s, n_resamples=0).table, "has_ideas")


def _assert_undefined(table, figure: str) -> None:
    """The figure of an all-missing column is undefined (null or NaN, with a note), never 0."""
    import math

    row = table.filter(table["id"] == figure).row(0, named=True)
    est = row["estimate"]
    assert est is None or math.isnan(est), f"{figure} of an all-missing column reported as {est}"
    assert row["note"], f"{figure}: undefined without a note"


@case("types", OK)
def optional_numeric_all_empty_csv(ctx):
    """An all-empty optional numeric CSV column (informed): accepted as missing."""
    import polars as pl

    m = _m()
    emp, cus, men = ctx.tables()
    s = m.load_study(ctx.with_tables("csv", employees=emp.with_columns(informed=pl.lit(None, dtype=pl.String))))
    assert s.employees["informed"].null_count() == s.employees.height


@case("types", raises("MissingValueError", "customers", "satisfaction"))
def required_column_all_empty_csv(ctx):
    """An all-empty satisfaction column in customers.csv, missing_satisfaction="refuse":
    MissingValueError (not 'found text'). (Refuse since issue 15: the default leaves the
    customers out, see required_column_all_empty_csv_dropped.)"""
    import polars as pl

    emp, cus, men = ctx.tables()
    _m().load_study(ctx.with_tables("csv", customers=cus.with_columns(satisfaction=pl.lit(None, dtype=pl.String))),
                    schema=_m().Schema(missing_satisfaction="refuse"))


@case("types", raises("EmptyTableError", "customers", "satisfaction"))
def required_column_all_empty_csv_dropped(ctx):
    """The same with the default missing_satisfaction="drop": every customer is left out, an
    EmptyTableError naming the customers and their satisfaction (not a panic, not 'found text')."""
    import polars as pl

    emp, cus, men = ctx.tables()
    _m().load_study(ctx.with_tables("csv", customers=cus.with_columns(satisfaction=pl.lit(None, dtype=pl.String))))


# -- satisfaction as text a human typed (CSV) ------------------------------------------------

CSV_ROW = 1234  # 0-based data row; line 1236 of the file

for _label, _text in (("NA", "NA"), ("decimal_comma", '"7,5"'), ("fraction", "8/10"), ("percent", "75 %")):
    _shown = _text.strip('"')

    def _run(ctx, text=_text):
        _m().load_study(ctx.csv_with(customers=ctx.set_csv_cell("customers", CSV_ROW, "satisfaction", text)))

    _classes = ("DtypeError", "MissingValueError") if _label == "NA" else ("DtypeError",)
    add_case(f"csv_satisfaction_{_label}", "types", _run,
             raises(_classes, "satisfaction", _shown, (f"row index {CSV_ROW}", f"row {CSV_ROW}", f"line {CSV_ROW + 2}"))
             if _label != "NA" else
             raises(_classes, "satisfaction", (f"row index {CSV_ROW}", f"row {CSV_ROW}", f"line {CSV_ROW + 2}")),
             doc=f"satisfaction '{_shown}' at data row {CSV_ROW} of customers.csv: refused showing the value and the row")


# -- categories, duplicates, orphans -------------------------------------------------------


@case("types", raises("UnknownCategoryError", "side", "client"))
def mention_unknown_side(ctx):
    """A mention whose side is 'client': UnknownCategoryError showing the value."""
    emp, cus, men = ctx.tables()
    _study(emp, cus, _set(men, "side", ROW, "client"))


@case("types", raises("UnknownCategoryError", "valence", "neutral"))
def mention_unknown_valence(ctx):
    """A mention whose valence is 'neutral': UnknownCategoryError showing the value."""
    emp, cus, men = ctx.tables()
    _study(emp, cus, _set(men, "valence", ROW, "neutral"))


@case("types", raises("UnknownCategoryError", "asked_about_customers", "monthly"))
def asked_unknown_category(ctx):
    """asked_about_customers 'monthly': UnknownCategoryError showing the value."""
    import polars as pl

    emp, cus, men = ctx.tables()
    if "asked_about_customers" not in emp.columns:
        emp = emp.with_columns(asked_about_customers=pl.lit("never"))
    _study(_set(emp, "asked_about_customers", ROW, "monthly"), cus, men)


@case("types", raises("OrphanMentionError", "nobody-42"))
def mention_orphan(ctx):
    """A customer mention by 'nobody-42', who is not a customer: OrphanMentionError naming it."""
    import polars as pl

    emp, cus, men = ctx.tables()
    men = _set(men, "respondent_id", ROW, "nobody-42")
    men = _set(men, "side", ROW, "customer")
    _study(emp, cus, men.with_columns(pl.col("respondent_id")))


@case("types", raises("OrphanMentionError", "customer"))
def mention_by_wrong_side(ctx):
    """A mention marked side 'customer' whose id is an employee's: OrphanMentionError."""
    emp, cus, men = ctx.tables()
    men = _set(men, "side", ROW, "customer")
    men = _set(men, "respondent_id", ROW, emp["employee_id"][0])
    _study(emp, cus, men)


@case("types", raises("DuplicateIdError", "employee_id"))
def duplicate_employee_id_in_a_study(ctx):
    """Two employees of one study with the same id: DuplicateIdError naming the id column."""
    emp, cus, men = ctx.tables()
    _study(_set(emp, "employee_id", ROW, emp["employee_id"][ROW - 1]), cus, None)


@case("types", OK)
def same_ids_in_two_studies(ctx):
    """The same customer ids reused by two studies (allowed: ids are per study): loads, and
    each study's mentions match its own customers."""
    import polars as pl

    m = _m()
    emp, cus, men = ctx.tables()
    cus = cus.with_columns(customer_id=pl.format("c{}", pl.int_range(pl.len()).over("study")))
    old = ctx.tables()[1]
    mapping = dict(zip(zip(old["study"], old["customer_id"]), cus["customer_id"]))
    new_ids = [mapping.get((st, r), r) if side == "customer" else r
               for st, side, r in zip(men["study"], men["side"], men["respondent_id"])]
    men = men.with_columns(respondent_id=pl.Series(new_ids))
    s = m.Study(emp, cus, men)
    assert cus["customer_id"].n_unique() < cus.height  # the ids do repeat across studies
    rep_a, rep_b = m.moments(s).table, m.moments(m.Study(*ctx.tables())).table
    assert rep_a.equals(rep_b), "moments changed when ids were renamed per study"


@case("types", OK)
def units_on_one_side_warn(ctx):
    """A unit with customers but no employee: a DataQualityWarning naming it, and the unit stays
    out of the linkage."""
    import polars as pl

    m = _m()
    emp, cus, men = ctx.tables()
    cus = cus.with_columns(unit=pl.when(pl.int_range(pl.len()) < 40).then(pl.lit("ghost-unit")).otherwise(pl.col("unit")))
    s, messages = record_warnings(lambda: m.Study(emp, cus, men))
    assert any("ghost-unit" in w for w in messages + s.warnings), f"no warning naming 'ghost-unit': {messages}"


@case("types", raises("DataError", ("unit", "linkable")))
def no_linkable_unit(ctx):
    """Employees and customers in disjoint units: linkage() is a DataError (a data problem),
    not an InvalidArgumentError about 'study'."""
    import polars as pl

    m = _m()
    emp, cus, men = ctx.tables()
    cus = cus.with_columns(unit=pl.format("other-{}", pl.col("unit")))
    with __import__("warnings").catch_warnings():
        __import__("warnings").simplefilter("ignore")
        s = m.Study(emp, cus, None)
    m.linkage(s, n_resamples=0)
