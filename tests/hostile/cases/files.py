"""Files: CSV and Parquet as users really export them, folder layouts, names, links."""

from __future__ import annotations

import os
import unicodedata

from harness import OK, POLARS_ADVICE, case, ok_or, raises

from ._util import assert_frames_equal, assert_same_tables, record_warnings, report_tables


def _miroir():
    import miroir

    return miroir


# -- round trips ----------------------------------------------------------------------------


@case("files", OK)
def csv_study_reports_like_parquet(ctx):
    """The shared study written as CSV loads and reports exactly like its Parquet twin."""
    m = _miroir()
    a, b = m.load_study(ctx.csv), m.load_study(ctx.parquet)
    assert_same_tables(report_tables(a), report_tables(b), "csv vs parquet report")


# -- identifiers in CSV ---------------------------------------------------------------------


def _zero_padded(ctx, *, employees: bool, customers: bool, width: int = 7):
    """The shared tables with all-digit, zero-padded ids on the chosen sides (mentions follow)."""
    import polars as pl

    emp, cus, men = ctx.tables()
    maps = {}
    if employees:
        maps["employee"] = {old: f"{i + 1:0{width}d}" for i, old in enumerate(emp["employee_id"])}
        emp = emp.with_columns(pl.col("employee_id").replace_strict(maps["employee"]))
    if customers:
        maps["customer"] = {old: f"{i + 1:0{width}d}" for i, old in enumerate(cus["customer_id"])}
        cus = cus.with_columns(pl.col("customer_id").replace_strict(maps["customer"]))
    rid = pl.col("respondent_id")
    expr = rid
    for side, mapping in maps.items():
        expr = pl.when(pl.col("side") == side).then(rid.replace(mapping)).otherwise(expr)
    men = men.with_columns(respondent_id=expr)
    return emp, cus, men


@case("files", OK)
def csv_ids_with_leading_zeros(ctx):
    """All-digit ids '0000001'... on both sides: kept as text ('0000007' stays '0000007')."""
    m = _miroir()
    emp, cus, men = _zero_padded(ctx, employees=True, customers=True)
    folder = ctx.with_tables("csv", employees=emp, customers=cus, mentions=men)
    s = m.load_study(folder)
    assert s.customers["customer_id"].to_list() == cus["customer_id"].to_list(), \
        f"customer ids rewritten: {s.customers['customer_id'].head(3).to_list()}"
    assert s.employees["employee_id"].to_list() == emp["employee_id"].to_list(), \
        f"employee ids rewritten: {s.employees['employee_id'].head(3).to_list()}"
    assert s.mentions is not None and s.mentions.height == men.height
    assert_same_tables(report_tables(s), report_tables(m.load_study(ctx.parquet)))


@case("files", OK)
def csv_leading_zero_ids_one_side(ctx):
    """Customer ids all digits ('0000007'), employee ids not: mentions still find '0000007'."""
    m = _miroir()
    emp, cus, men = _zero_padded(ctx, employees=False, customers=True)
    folder = ctx.with_tables("csv", employees=emp, customers=cus, mentions=men)
    s = m.load_study(folder)
    assert "0000007" in s.customers["customer_id"].to_list(), "'0000007' lost its zeros"
    assert s.mentions is not None and s.mentions.height == men.height
    assert_same_tables(report_tables(s), report_tables(m.load_study(ctx.parquet)))


@case("files", OK)
def csv_unit_codes_with_leading_zeros(ctx):
    """Unit codes '001', '002', ... stay '001' (not 1), on both sides."""
    import polars as pl

    m = _miroir()
    emp, cus, men = ctx.tables()
    units = sorted(set(emp["unit"]) | set(cus["unit"]))
    codes = {u: f"{i + 1:03d}" for i, u in enumerate(units)}
    emp = emp.with_columns(pl.col("unit").replace_strict(codes))
    cus = cus.with_columns(pl.col("unit").replace_strict(codes))
    s = m.load_study(ctx.with_tables("csv", employees=emp, customers=cus))
    got = set(m.linkage_units(s)["unit"].to_list())
    assert got == set(codes.values()), f"unit codes rewritten, e.g. {sorted(got)[:3]}"


@case("files", OK)
def csv_numeric_study_codes(ctx):
    """Study codes that look like years or numbers ('2024', '007') stay text, unchanged."""
    import polars as pl

    m = _miroir()
    emp, cus, men = ctx.tables()
    names = sorted(set(emp["study"]))
    codes = dict(zip(names, ["2024", "007", "1e3"]))
    tables = {k: v.with_columns(pl.col("study").replace_strict(codes)) for k, v in
              {"employees": emp, "customers": cus, "mentions": men}.items()}
    s = m.load_study(ctx.with_tables("csv", **tables))
    got = sorted(s.summary()["study"].to_list())
    assert got == sorted(codes.values()), f"study codes rewritten: {got}"


@case("files", OK)
def csv_twenty_digit_ids(ctx):
    """20-digit customer ids (beyond 64 bits; what a SIRET-like export gives) stay exact text."""
    import polars as pl

    m = _miroir()
    emp, cus, men = ctx.tables()
    ids = {old: str(10**19 + 12345678901 * i) for i, old in enumerate(cus["customer_id"])}
    cus = cus.with_columns(pl.col("customer_id").replace_strict(ids))
    rid = pl.col("respondent_id")
    men = men.with_columns(respondent_id=pl.when(pl.col("side") == "customer").then(rid.replace(ids)).otherwise(rid))
    s = m.load_study(ctx.with_tables("csv", customers=cus, mentions=men))
    assert s.customers["customer_id"].to_list() == cus["customer_id"].to_list()


@case("files", OK)
def csv_float_looking_ids(ctx):
    """Ids written '1.0', '2.0' (an export that went through a spreadsheet) stay text, distinct."""
    import polars as pl

    m = _miroir()
    emp, cus, men = ctx.tables()
    ids = {old: f"{i + 1}.0" for i, old in enumerate(cus["customer_id"])}
    cus = cus.with_columns(pl.col("customer_id").replace_strict(ids))
    rid = pl.col("respondent_id")
    men = men.with_columns(respondent_id=pl.when(pl.col("side") == "customer").then(rid.replace(ids)).otherwise(rid))
    s = m.load_study(ctx.with_tables("csv", customers=cus, mentions=men))
    assert s.customers["customer_id"].to_list() == cus["customer_id"].to_list()


# -- headers, delimiters, encodings ----------------------------------------------------------


@case("files", raises(("SchemaError", "FileError"), "engagement", "employees"))
def csv_duplicated_header(ctx):
    """Two 'engagement' columns in employees.csv: refused, naming the column (not '_duplicated_0')."""
    lines = ctx.csv_lines("employees")
    header = lines[0].split(",")
    j = header.index("engagement")
    out = [line + "," + line.split(",")[j] if i else line + ",engagement" for i, line in enumerate(lines)]
    # the duplicate holds other values, so using either silently would be a guess
    out = [out[0]] + [l.rsplit(",", 1)[0] + ",1.0" for l in out[1:]]
    _miroir().load_study(ctx.csv_with(employees="\n".join(out) + "\n"))


@case("files", raises(("SchemaError", "FileError"), "comment", "customers"))
def csv_duplicated_extra_header(ctx):
    """Two extra 'comment' columns in customers.csv: refused too (one rule for every column)."""
    lines = ctx.csv_lines("customers")
    out = [lines[0] + ",comment,comment"] + [l + ",a,b" for l in lines[1:]]
    _miroir().load_study(ctx.csv_with(customers="\n".join(out) + "\n"))


@case("files", OK)
def csv_utf8_bom(ctx):
    """A UTF-8 byte-order mark (Excel's 'CSV UTF-8') does not hide the first column 'study'."""
    m = _miroir()
    text = (ctx.csv / "customers.csv").read_bytes()
    s = m.load_study(ctx.csv_with(customers=b"\xef\xbb\xbf" + text))
    assert_frames_equal(s.customers, m.load_study(ctx.csv).customers, "customers with BOM")


@case("files", OK)
def csv_crlf_line_endings(ctx):
    """Windows line endings (CRLF) give the same study."""
    m = _miroir()
    texts = {t: (ctx.csv / f"{t}.csv").read_bytes().replace(b"\n", b"\r\n")
             for t in ("employees", "customers", "mentions")}
    s = m.load_study(ctx.csv_with(**texts))
    assert_same_tables(report_tables(s), report_tables(m.load_study(ctx.csv)))


@case("files", ok_or("FileError", "customers.csv", ("UTF-16", "utf-16", "encoding", "UTF-8", "utf-8")))
def csv_utf16(ctx):
    """customers.csv saved as UTF-16 (Excel 'Unicode text'): decoded, or a FileError naming the
    file and the encoding, never garbage column names."""
    m = _miroir()
    text = (ctx.csv / "customers.csv").read_text(encoding="utf-8")
    s = m.load_study(ctx.csv_with(customers=text.encode("utf-16")))
    assert_frames_equal(s.customers, m.load_study(ctx.csv).customers, "UTF-16 customers")


@case("files", OK)
def csv_latin1_accents(ctx):
    """A Latin-1 file with accented unit names ('Agence Évry' as byte 0xC9): the encoding is
    detected (issue 15) and the names read right, never as mojibake: the same customers as the
    UTF-8 file of the same text."""
    m = _miroir()
    lines = ctx.csv_lines("customers")
    lines = [lines[0]] + [l.replace(",", ",Évry-", 1) if i % 2 else l for i, l in enumerate(lines[1:])]
    text = "\n".join(lines) + "\n"
    # units changed on one side only: a warning, not the point here
    latin1, _ = record_warnings(lambda: m.load_study(ctx.csv_with(customers=text.encode("latin-1"))))
    utf8, _ = record_warnings(lambda: m.load_study(ctx.csv_with(customers=text.encode("utf-8"))))
    assert_frames_equal(latin1.customers, utf8.customers, "Latin-1 customers")
    assert any(u.startswith("Évry-") for u in latin1.customers["unit"].to_list())


@case("files", OK)
def csv_semicolon_delimited(ctx):
    """A semicolon-separated export (French Excel): the separator is detected (issue 15) and the
    study read is the one of the comma file."""
    m = _miroir()
    text = (ctx.csv / "customers.csv").read_text(encoding="utf-8").replace(",", ";")
    s = m.load_study(ctx.csv_with(customers=text))
    assert_frames_equal(s.customers, m.load_study(ctx.csv).customers, "semicolon customers")


@case("files", raises("FileError", "customers.csv", ("line 1002", "row 1000", "row index 1000"), absent=POLARS_ADVICE))
def csv_ragged_line(ctx):
    """Line 1002 of customers.csv has an extra field: FileError naming the file and the line,
    without polars' advice (truncate_ragged_lines...)."""
    lines = ctx.csv_lines("customers")
    lines[1001] += ",surplus"
    _miroir().load_study(ctx.csv_with(customers="\n".join(lines) + "\n"))


@case("files", raises(("FileError", "MissingValueError"), "customers", ("line 502", "line 501", "row 500", "row index 500"),
                      absent=POLARS_ADVICE))
def csv_short_line(ctx):
    """Line 502 of customers.csv lacks its last fields: refused naming the line (or the row
    whose value is missing), never loaded with a silent null."""
    lines = ctx.csv_lines("customers")
    lines[501] = ",".join(lines[501].split(",")[:2])
    _miroir().load_study(ctx.csv_with(customers="\n".join(lines) + "\n"))


@case("files", raises("FileError", "mentions.csv", "line", absent=POLARS_ADVICE))
def csv_unclosed_quote(ctx):
    """The last line of mentions.csv opens a quote it never closes: FileError naming the file
    and the line."""
    import csv
    import io

    lines = ctx.csv_lines("mentions")
    last = next(csv.reader(io.StringIO(lines[-1])))
    lines[-1] = f'{last[0]},{last[1]},{last[2]},"{last[3]},{last[4]},plain text'
    _miroir().load_study(ctx.csv_with(mentions="\n".join(lines) + "\n"))


@case("files", ok_or("FileError", "mentions.csv"))
def csv_nul_byte_in_text(ctx):
    """A NUL byte inside a quoted mention text: loaded with the text intact (or a FileError)."""
    import polars as pl

    m = _miroir()
    emp, cus, men = ctx.tables()
    texts = men["text"].to_list()
    texts[3] = "before\x00after"
    men = men.with_columns(text=pl.Series(texts))
    s = m.load_study(ctx.with_tables("csv", mentions=men))
    assert s.mentions is not None and s.mentions["text"][3] == "before\x00after"


@case("files", raises(("FileError", "EmptyTableError"), "customers"))
def csv_empty_file(ctx):
    """A 0-byte customers.csv: FileError (or EmptyTableError) naming it."""
    _miroir().load_study(ctx.csv_with(customers=""))


@case("files", raises("EmptyTableError", "customers"))
def csv_header_only(ctx):
    """customers.csv with its header and no row: EmptyTableError naming the table."""
    _miroir().load_study(ctx.csv_with(customers=ctx.csv_lines("customers")[0] + "\n"))


@case("files", raises("FileError", "customers.csv"))
def csv_binary_garbage(ctx):
    """Random bytes (seeded) named customers.csv: FileError naming it."""
    import random

    rng = random.Random(7)
    data = bytes(rng.randrange(256) for _ in range(20_000)) + b"\xff\xfe\xff"
    _miroir().load_study(ctx.csv_with(customers=data))


@case("files", raises("FileError", "customers.parquet"))
def csv_text_named_parquet(ctx):
    """A CSV file renamed customers.parquet: FileError naming it."""
    folder = ctx.copy("parquet")
    (folder / "customers.parquet").write_bytes((ctx.csv / "customers.csv").read_bytes())
    _miroir().load_study(folder)


# -- folder layout ----------------------------------------------------------------------------


@case("files", OK)
def streamed_load_equals_whole(ctx):
    """The control of every streamed case: the shared study streamed (small slices) gives the
    in-memory study's report and tables."""
    m = _miroir()
    a, b = m.load_study(ctx.parquet, streaming=True, batch_rows=1000), m.load_study(ctx.parquet)
    assert a.streamed
    assert_same_tables(report_tables(a), report_tables(b), "streamed vs whole")
    for t in ("employees", "customers", "mentions"):
        assert getattr(a, t).equals(getattr(b, t)), f"{t} read back differs"


@case("files", ok_or("FileError", "employees.parquet", "employees.csv"))
def parquet_and_csv_of_one_table(ctx):
    """employees.parquet AND employees.csv in one folder: FileError naming both, or a warning
    naming both (never a silent choice)."""
    import polars as pl

    m = _miroir()
    folder = ctx.copy("parquet")
    emp = pl.read_parquet(folder / "employees.parquet")
    emp.head(300).write_csv(folder / "employees.csv")  # a different, older export
    s, messages = record_warnings(lambda: m.load_study(folder))
    said = [w for w in messages + list(s.warnings) if "employees.parquet" in w and "employees.csv" in w]
    assert said, f"employees.parquet silently chosen over employees.csv ({s.employees.height} employees)"


@case("files", OK)
def upper_case_file_names(ctx):
    """EMPLOYEES.CSV, CUSTOMERS.CSV, MENTIONS.CSV (a Windows export): found, same study."""
    m = _miroir()
    folder = ctx.folder()
    for t in ("employees", "customers", "mentions"):
        (folder / f"{t.upper()}.CSV").write_bytes((ctx.csv / f"{t}.csv").read_bytes())
    s = m.load_study(folder)
    assert s.mentions is not None, "MENTIONS.CSV not found"
    assert_same_tables(report_tables(s), report_tables(m.load_study(ctx.csv)))


@case("files", raises("FileError", "employees.csv", "EMPLOYEES.CSV"))
def two_spellings_of_one_file(ctx):
    """employees.csv and EMPLOYEES.CSV side by side (a case-sensitive disk): ambiguous, refused."""
    folder = ctx.copy("csv")
    (folder / "EMPLOYEES.CSV").write_bytes((folder / "employees.csv").read_bytes())
    _miroir().load_study(folder)


@case("files", raises("FileError", "employees.csv", ("loop", "symbolic link", "symlink", "Too many levels")))
def symlink_loop(ctx):
    """employees.csv is a symbolic link to itself: FileError saying so (not 'no such file')."""
    folder = ctx.copy("csv")
    (folder / "employees.csv").unlink()
    os.symlink("employees.csv", folder / "employees.csv")
    _miroir().load_study(folder)


@case("files", raises("FileError", "no-such-folder"))
def missing_folder(ctx):
    """A folder that does not exist: FileError naming it."""
    _miroir().load_study(ctx.work / "no-such-folder")


@case("files", raises("FileError", "employees"))
def empty_folder(ctx):
    """An empty folder: FileError naming the missing employees file."""
    _miroir().load_study(ctx.folder("empty"))


@case("files", OK)
def folder_without_mentions(ctx):
    """Mentions are optional: no mentions file -> a study without mentions, moments refused."""
    m = _miroir()
    folder = ctx.copy("parquet")
    (folder / "mentions.parquet").unlink()
    s = m.load_study(folder)
    assert s.mentions is None
    rep = m.report(s, n_resamples=0)
    assert rep.moments is None and rep.moment_effects is None


@case("files", raises("FileError", "customers.parquet", ("not a folder", "is a file", "not a directory")))
def path_is_a_file(ctx):
    """load_study(a_file) instead of a folder: FileError naming it."""
    _miroir().load_study(ctx.parquet / "customers.parquet")


@case("files", raises("FileError", "customers.csv"))
def directory_named_customers_csv(ctx):
    """A directory called customers.csv: FileError naming it."""
    folder = ctx.copy("csv")
    (folder / "customers.csv").unlink()
    (folder / "customers.csv").mkdir()
    _miroir().load_study(folder)


@case("files", raises("FileError", "customers.csv"))
def path_through_a_file(ctx):
    """customers=folder/customers.csv/part.csv (a path through a file, ENOTDIR): FileError."""
    folder = ctx.copy("csv")
    _miroir().load_study(employees=folder / "employees.csv", customers=folder / "customers.csv" / "part.csv")


@case("files", OK)
def path_with_spaces_and_unicode(ctx):
    """A folder named 'Études 2024 / vague=2' (spaces, accents, '='): loads."""
    m = _miroir()
    folder = ctx.work / "Études 2024" / "vague=2"
    folder.mkdir(parents=True)
    for f in ctx.parquet.iterdir():
        (folder / f.name).write_bytes(f.read_bytes())
    assert m.load_study(folder).customers.height == 3000


@case("files", OK)
def spec_path_containing_equals(ctx):
    """reproduce('wave=2024/figures.toml'): the path is read as a path, not parsed as TOML."""
    m = _miroir()
    folder = ctx.work / "wave=2024"
    folder.mkdir()
    (folder / "figures.toml").write_text(
        f'[data]\ndir = "{ctx.parquet}"\n\n[[indicator]]\nid = "never"\nstatistic = "never_asked"\n'
        'published = 0.5\ntolerance = 0.5\n', encoding="utf-8")
    os.chdir(ctx.work)
    table = m.reproduce("wave=2024/figures.toml")
    assert table.height == 1 and table["passed"][0]


@case("files", OK)
def study_write_then_load_csv(ctx):
    """Study.write(format='csv') then load_study: the same report (the CSV writer's own output)."""
    m = _miroir()
    s = ctx.study()
    out = s.write(ctx.work / "out", format="csv")
    assert_same_tables(report_tables(m.load_study(out)), report_tables(s))


@case("files", raises("FileError", "employees"))
def study_write_into_a_file(ctx):
    """Study.write(path_of_an_existing_file): FileError (not FileExistsError)."""
    m = _miroir()
    target = ctx.work / "employees"
    target.write_text("I am a file\n")
    ctx.study().write(target)


@case("files", ok_or("FileError", "employees.parquet"))
def study_write_into_existing_folder(ctx):
    """Study.write(folder) into a folder already holding a study's files: refused naming a file
    (nothing half-replaced), or replaced: the folder then loads as the written study."""
    import polars as pl

    m = _miroir()
    folder = ctx.copy("parquet")
    with ctx.setup():
        other = m.synthetic_study(studies=2, employees=200, customers=1000, seed=5)
    other.write(folder)
    assert m.load_study(folder).customers.equals(other.customers), "the folder mixes the two studies"
    assert pl.read_parquet(folder / "employees.parquet").height == other.employees.height


@case("files", ok_or("FileError"))
def study_write_over_stale_mentions(ctx):
    """Writing (overwrite=True) a study without mentions into a folder that holds an older
    study's mentions: refused, or the folder then loads as the new study (no stale mentions)."""
    m = _miroir()
    folder = ctx.copy("parquet")
    with ctx.setup():
        s = m.load_study(ctx.parquet)
        bare = m.Study(s.employees, s.customers)
    bare.write(folder, overwrite=True)
    again = m.load_study(folder)
    assert again.mentions is None, "the new study loads with the old study's mentions.parquet"


@case("files", raises("FileError", (".csv", ".parquet")))
def study_write_parquet_over_csv(ctx):
    """Writing Parquet into a folder holding CSV files of another study: refused, or the
    folder's ambiguity is refused at load (never a silent mix of the two studies)."""
    m = _miroir()
    folder = ctx.copy("csv")
    with ctx.setup():
        other = m.synthetic_study(studies=2, employees=200, customers=1000, seed=5)
    other.write(folder, overwrite=True)
    m.load_study(folder)
    raise AssertionError("load_study chose silently between the .csv and .parquet files")


# -- keys: spaces and Unicode forms ------------------------------------------------------------


@case("files", OK)
def unit_names_with_trailing_spaces(ctx):
    """'Agence ' and 'Agence' are one unit: half the customers' unit names end with a space."""
    import polars as pl

    m = _miroir()
    emp, cus, men = ctx.tables()
    cus = cus.with_columns(unit=pl.when(pl.int_range(pl.len()) % 2 == 0)
                           .then(pl.col("unit") + " ").otherwise(pl.col("unit")))
    s, messages = record_warnings(lambda: m.load_study(ctx.with_tables("csv", customers=cus)))
    base = m.load_study(ctx.parquet)
    assert m.linkage_units(s).height == m.linkage_units(base).height, "trailing spaces made new units"
    assert any("unit" in w and ("normalis" in w or "normaliz" in w) for w in messages + s.warnings), \
        f"the normalisation of the unit names is not said: {messages}"
    assert_same_tables(report_tables(s, skip=("summary",)), report_tables(base, skip=("summary",)))


@case("files", OK)
def unit_names_nfc_vs_nfd(ctx):
    """'Agence Élysée' with É as one code point (employees) or E + combining accent
    (customers) is one unit."""
    import polars as pl

    m = _miroir()
    emp, cus, men = ctx.tables()
    nfc = lambda u: unicodedata.normalize("NFC", f"Élysée {u}")  # noqa: E731
    nfd = lambda u: unicodedata.normalize("NFD", f"Élysée {u}")  # noqa: E731
    emp = emp.with_columns(pl.col("unit").map_elements(nfc, return_dtype=pl.String))
    cus = cus.with_columns(pl.col("unit").map_elements(nfd, return_dtype=pl.String))
    s, messages = record_warnings(lambda: m.load_study(ctx.with_tables("parquet", employees=emp, customers=cus)))
    base = m.load_study(ctx.parquet)
    assert m.linkage_units(s).height == m.linkage_units(base).height, "NFD names made new units"
    assert any("unit" in w and ("normalis" in w or "normaliz" in w) for w in messages + s.warnings), \
        f"the normalisation of the unit names is not said: {messages}"
    a, b = m.linkage(s, n_resamples=0).table, m.linkage(base, n_resamples=0).table
    assert a["estimate"].to_list() == b["estimate"].to_list()


@case("files", OK)
def respondent_ids_nfd_and_spaces(ctx):
    """Mentions' respondent ids in NFD and with a trailing space match the customers' NFC ids."""
    import polars as pl

    m = _miroir()
    emp, cus, men = ctx.tables()
    cus = cus.with_columns(pl.format("Zoé-{}", pl.col("customer_id")).alias("customer_id"))
    rid = pl.col("respondent_id")
    men = men.with_columns(respondent_id=pl.when(pl.col("side") == "customer")
                           .then(pl.format("Zoe\u0301-{} ", rid)).otherwise(rid))
    s = m.load_study(ctx.with_tables("csv", customers=cus, mentions=men))
    assert s.mentions is not None and s.mentions.height == men.height


@case("files", raises("DuplicateIdError", "customers", "customer_id"))
def ids_equal_after_trimming(ctx):
    """'c1' and 'c1 ' are the same customer once keys are trimmed: DuplicateIdError."""
    import polars as pl

    emp, cus, men = ctx.tables()
    ids = cus["customer_id"].to_list()
    ids[10] = ids[9] + " "
    cus = cus.with_columns(customer_id=pl.Series(ids))
    _miroir().load_study(ctx.with_tables("csv", customers=cus, mentions=None))


# -- odd but valid contents ---------------------------------------------------------------------


@case("files", OK)
def mention_text_of_100k_chars(ctx):
    """One mention text of 100,000 characters (quotes, commas, newlines inside): loads from
    CSV, text intact, report runs."""
    import polars as pl

    m = _miroir()
    emp, cus, men = ctx.tables()
    long = ('He said "no", then, later,\nyes. ' * 3100)[:100_000]
    texts = men["text"].to_list()
    texts[0] = long
    men = men.with_columns(text=pl.Series(texts))
    s = m.load_study(ctx.with_tables("csv", mentions=men))
    assert s.mentions is not None and s.mentions["text"][0] == long
    m.report(s, n_resamples=0)


@case("files", OK)
def very_long_column_name(ctx):
    """An extra column whose name has 10,000 characters: kept."""
    import polars as pl

    m = _miroir()
    name = "x" * 10_000
    emp, cus, men = ctx.tables()
    s = m.load_study(ctx.with_tables("csv", employees=emp.with_columns(pl.lit(1).alias(name))))
    assert name in s.employees.columns


@case("files", OK, weight=3)
def ten_thousand_extra_columns(ctx):
    """employees.csv with 10,000 extra columns: loads (in seconds), analyses unchanged."""
    import polars as pl

    m = _miroir()
    emp, cus, men = ctx.tables()
    extra = pl.DataFrame({f"q{i}": pl.repeat(i % 7, emp.height, eager=True) for i in range(10_000)})
    folder = ctx.with_tables("csv", employees=pl.concat([emp, extra], how="horizontal"))
    s = m.load_study(folder)
    assert s.employees.width >= 10_000 + len(emp.columns) - 1
    base = m.load_study(ctx.parquet)
    assert m.exposure_gap(s).table.equals(m.exposure_gap(base).table)
