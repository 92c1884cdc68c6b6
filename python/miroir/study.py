"""The validated mirror study: :class:`Study`, :func:`load_study`, :func:`synthetic_study`."""

from __future__ import annotations

import functools
import os
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar, cast, overload

import polars as pl

from miroir import _core
from miroir import analysis as _analysis
from miroir._args import PathLike as PathLike
from miroir._args import _int_arg, _options, _path_arg, _table
from miroir._core import DataQualityWarning, Schema
from miroir._folder import _TABLES, _optional_file, _read_units, _read_verbatims, write_study
from miroir._frames import invalid_argument, invalid_argument_type, InvalidArgumentTypeError
from miroir._schemas import SCHEMA_FILE as SCHEMA_FILE
from miroir._schemas import SCHEMA_HEADER as SCHEMA_HEADER
from miroir._schemas import _check_schema, _schema_arg
from miroir._schemas import canonical_schema as canonical_schema
from miroir._study_base import StudyBase
from miroir._study_base import summary_total as summary_total
from miroir._units import _with_unit_attributes
from miroir._units import unit_attributes as unit_attributes
from miroir.text.codebook import Codebook, Coding

_F = TypeVar("_F", bound=Callable[..., Any])


def _method(func: _F) -> _F:
    """The analysis ``func`` as a :class:`Study` method, with its signature and return type; an
    unknown option is refused by name with the options it takes (``InvalidArgumentTypeError``)."""

    @functools.wraps(func)
    def method(self: Study, **options: Any) -> Any:
        return func(self, **_options(func, options))

    method.__doc__ = f":func:`miroir.{func.__name__}` on this study (the same options; see there)."
    method.__qualname__ = f"Study.{func.__name__}"
    return cast(_F, method)


class Study(StudyBase):
    """A mirror study: employees, customers and (optionally) coded mentions, validated once.

    Parameters
    ----------
    employees, customers : polars or pandas DataFrame
        One row per respondent, with the columns of the data model (or mapped onto them by
        ``schema``).
    mentions : polars or pandas DataFrame, optional
        One row per coded verbatim mention.
    schema : Schema, optional
        Column mapping, scales, thresholds and suppression limits; defaults to ``Schema()``.
    units : polars or pandas DataFrame, optional
        The units' attributes, one row per unit: ``study``, ``unit`` and any attribute columns
        (region, network, format). They are joined to both respondent tables (after their
        validation, on the data model's ``study`` and ``unit``), so that every analysis can be
        cut by them (``by="region"``, :meth:`filter`). A unit of the respondents without a row
        gets missing attributes (with a warning); rows for units nobody answered in are ignored.
    verbatims : polars or pandas DataFrame, optional
        One row per answer to an open question (``study, side, respondent_id, question,
        text`` and optionally ``language``; DESIGN.md "verbatims"), validated against the
        respondents: the question each side is asked (employees ``best`` /
        ``most_frustrating``, customers ``comment`` / ``liked`` / ``disliked``), one answer per
        respondent and question, every respondent found. :meth:`code` turns them into mentions.

    Raises
    ------
    MissingColumnError, DtypeError, MissingValueError, OutOfRangeError, DuplicateIdError,
    UnknownCategoryError, OrphanMentionError, EmptyTableError
        With a message naming the table, the column and the first offending rows.

    Warns
    -----
    DataQualityWarning
        Units present on one side only (they cannot enter the linkage); units without a row in
        ``units``.

    Examples
    --------
    >>> import polars as pl
    >>> import miroir
    >>> employees = pl.DataFrame({
    ...     "study": ["acme"] * 4, "unit": ["north", "north", "south", "south"],
    ...     "employee_id": ["e1", "e2", "e3", "e4"],
    ...     "customer_facing": [True, False, True, False],
    ...     "engagement": [55.0, 70.0, 48.0, 66.0],
    ... })
    >>> customers = pl.DataFrame({
    ...     "study": ["acme"] * 3, "unit": ["north", "south", "south"],
    ...     "customer_id": ["c1", "c2", "c3"], "satisfaction": [8.0, 6.0, 9.0],
    ... })
    >>> study = miroir.Study(employees, customers)
    >>> study.summary().select("study", "units", "employees", "customers")
    shape: (1, 4)
    ┌───────┬───────┬───────────┬───────────┐
    │ study ┆ units ┆ employees ┆ customers │
    │ ---   ┆ ---   ┆ ---       ┆ ---       │
    │ str   ┆ u64   ┆ u64       ┆ u64       │
    ╞═══════╪═══════╪═══════════╪═══════════╡
    │ acme  ┆ 2     ┆ 4         ┆ 3         │
    └───────┴───────┴───────────┴───────────┘

    A value out of range is refused with the table, the column and the rows:

    >>> bad = employees.with_columns(engagement=pl.Series([55.0, 170.0, 48.0, 66.0]))
    >>> miroir.Study(bad, customers)
    Traceback (most recent call last):
    ...
    miroir.OutOfRangeError: table 'employees', column 'engagement': values outside [0, 100] (e.g. 170): 1 row (first at row index 1)

    The analyses of :mod:`miroir.analysis` are methods too, with the same options
    (``study.linkage(...)`` is :func:`miroir.linkage` of the study):

    >>> big = miroir.synthetic_study(studies=3, employees=1_500, customers=6_000, seed=1)
    >>> big.linkage(method="kendall").table.equals(miroir.linkage(big, method="kendall").table)
    True
    """

    def __init__(
        self,
        employees: Any,
        customers: Any,
        mentions: Any | None = None,
        schema: Schema | None = None,
        *,
        units: Any | None = None,
        verbatims: Any | None = None,
    ) -> None:
        _check_schema(schema)
        emp = _table(employees, "employees")
        cus = _table(customers, "customers")
        men = None if mentions is None else _table(mentions, "mentions")
        inner = _core.Study(emp, cus, men, schema)
        if units is None:
            self._set(inner)
        else:
            for message in inner.warnings:
                warnings.warn(message, DataQualityWarning, stacklevel=2)
            rebuilt = _with_unit_attributes(inner, _table(units, "units"))
            self._set(rebuilt, already=inner.warnings)
        if verbatims is not None:
            self._attach_verbatims(_table(verbatims, "verbatims"))

    def _attach_verbatims(self, verbatims: pl.DataFrame) -> Study:
        """Validates ``verbatims`` against this study's respondents and keeps them."""
        clean, notes = _core.clean_verbatims(verbatims, self._inner)
        for message in notes:
            warnings.warn(message, DataQualityWarning, stacklevel=3)
        self._verbatims = clean
        return self

    def code(self, codebook: Codebook, *, language: str | None = None, valence: Any = "lexicon",
             keep_mentions: bool = False) -> Study:
        """This study with its verbatims coded into mentions by ``codebook``
        (:func:`miroir.text.code`, whose ``language`` and ``valence`` it takes: ``"lexicon"``,
        ``"learned"`` from the study's own liked / disliked and best / most frustrating answers,
        or a fitted classifier; the coding is kept as :attr:`coding`).

        The coded mentions (with their audit columns: ``method``, ``rule``, ``span_start``,
        ``span_end``, ``confidence``, ``valence_source``...) replace the study's mentions, or,
        with ``keep_mentions=True``, are added to the hand-coded ones (``method = "hand"``).
        A coded mention without a valence (a customer comment whose clause says neither good
        nor bad, of a theme that declares no valence) cannot enter the moments: it is left out,
        and counted in a :class:`DataQualityWarning`.

        Raises
        ------
        InvalidArgumentError
            The study has no verbatims, or ``codebook`` is not a :class:`miroir.text.Codebook`.

        Examples
        --------
        >>> import polars as pl
        >>> import miroir
        >>> from miroir.text import Codebook
        >>> employees = pl.DataFrame({
        ...     "study": ["acme"] * 2, "unit": ["north", "south"], "employee_id": ["e1", "e2"],
        ...     "customer_facing": [True, True], "engagement": [55.0, 70.0]})
        >>> customers = pl.DataFrame({
        ...     "study": ["acme"] * 2, "unit": ["north", "south"], "customer_id": ["c1", "c2"],
        ...     "satisfaction": [9.0, 4.0]})
        >>> verbatims = pl.DataFrame({
        ...     "study": ["acme"] * 3, "side": ["employee", "customer", "customer"],
        ...     "respondent_id": ["e1", "c1", "c2"], "question": ["most_frustrating", "liked", "disliked"],
        ...     "text": ["Trop d'attente pour les clients", "Aucune attente !", "Une attente interminable"]})
        >>> study = miroir.Study(employees, customers, verbatims=verbatims)
        >>> book = Codebook.from_dict([{"id": "wait", "label": "waiting time", "fr": ["attente"]}])
        >>> coded = study.code(book)
        >>> coded.mentions.select("side", "respondent_id", "theme", "valence", "rule").rows()
        [('employee', 'e1', 'waiting time', 'negative', 'attente'), ('customer', 'c1', 'waiting time', 'positive', 'attente'), ('customer', 'c2', 'waiting time', 'negative', 'attente')]
        >>> coded.coding.coverage.select("side", "question", "verbatims", "coded").rows()
        [('customer', 'disliked', 1, 1), ('customer', 'liked', 1, 1), ('employee', 'most_frustrating', 1, 1)]
        """
        from miroir.text import Codebook as _Codebook
        from miroir.text import code

        if self._verbatims is None:
            raise invalid_argument(
                "study", "the study has no verbatims table to code (give "
                "verbatims= to Study, or a verbatims.* file beside the tables for load_study)"
            )
        if not isinstance(codebook, _Codebook):
            raise invalid_argument(
                "codebook", f"expected a miroir.text.Codebook, got {type(codebook).__name__}"
            )
        if not isinstance(keep_mentions, bool):
            raise invalid_argument_type(
                "keep_mentions", f"expected True or False, got {type(keep_mentions).__name__}"
            )
        coding = code(self._verbatims, codebook, language=language, valence=valence)
        mentions = coding.mentions.filter(pl.col("valence").is_not_null())
        lost = coding.mentions.height - mentions.height
        if lost:
            warnings.warn(
                f"table 'mentions': {lost} coded mention(s) without a valence (customer comments "
                "neither positive nor negative, of themes that declare no valence) left out; "
                "they are in study.coding.mentions",
                DataQualityWarning, stacklevel=2,
            )
        if keep_mentions and self.mentions is not None:
            hand = self.mentions.with_columns(pl.lit("hand").alias("method"))
            mentions = pl.concat([hand, mentions], how="diagonal_relaxed")
        new = Study(self.employees, self.customers, mentions if mentions.height else None,
                    canonical_schema(self.schema))
        new._verbatims = self._verbatims
        new._coding = coding
        return new

    @classmethod
    def _from_core(cls, inner: _core.Study) -> Study:
        study = cls.__new__(cls)
        study._set(inner)
        return study

    def _set(self, inner: _core.Study, already: list[str] | None = None) -> None:
        self._inner = inner
        for message in inner.warnings:
            if already is None or message not in already:
                warnings.warn(message, DataQualityWarning, stacklevel=3)

    def write(self, folder: PathLike, format: str = "parquet", *, overwrite: bool = False) -> Path:
        """Write the ``employees``, ``customers``, ``mentions`` and ``verbatims`` tables to ``folder``.

        The folder is created if needed; :func:`load_study` reads it back. Each file is written
        to a temporary file in the folder, then renamed over its target, so that a reader never
        sees a half-written file. ``schema.toml`` is written beside the tables: the scales and
        limits of this study (satisfaction scale, threshold, suppression sizes), so that
        :func:`load_study` and the ``miroir`` commands read the tables on the right scale. The
        tables are written in the data model's names, with constants, missing codes and the
        engagement index already applied, so that file holds no column mapping.

        Parameters
        ----------
        folder : str or path
        format : {"parquet", "csv"}
        overwrite : bool
            Whether files of this format already in the folder (``employees.parquet``, ...) are
            replaced, like :meth:`polars.DataFrame.write_parquet` does; by default they are
            refused. With ``overwrite=True`` a ``mentions`` file of this format is removed when
            the study has no mentions, so that the folder holds this study and nothing else.

        Returns
        -------
        pathlib.Path
            The folder.

        Raises
        ------
        FileError
            ``folder`` is a file, or cannot be created or written; a target file exists and
            ``overwrite`` is False; or the folder holds a file of the other format for one of
            the tables (``employees.csv`` when writing Parquet): the folder would then hold two
            versions of the table, and it is refused whatever ``overwrite`` says (remove it, or
            write to another folder).
        """
        return write_study(self, folder, format, overwrite)

    # -- analyses: the functions of miroir.analysis on this study -----------------------------

    linkage = _method(_analysis.linkage)
    linkage_units = _method(_analysis.linkage_units)
    exposure_gap = _method(_analysis.exposure_gap)
    moments = _method(_analysis.moments)
    moment_effects = _method(_analysis.moment_effects)
    indicators = _method(_analysis.indicators)
    report = _method(_analysis.report)

    # -- subsets -------------------------------------------------------------------------------

    def filter(
        self,
        *predicates: pl.Expr,
        employees: pl.Expr | None = None,
        customers: pl.Expr | None = None,
    ) -> Study:
        """A subset of the study, validated like any study: a region, a network, some units,
        a tenure band.

        Parameters
        ----------
        *predicates : polars expressions
            Applied to both respondent tables, so they use columns both have (``study``,
            ``unit``, ``sector``, or a unit attribute present on both sides), e.g.
            ``pl.col("unit").is_in(["agence-001", "agence-002"])``.
        employees, customers : polars expression, optional
            Applied to one side only (``employees=pl.col("tenure_months") >= 24``); the other
            side keeps its respondents.

        Returns
        -------
        Study
            The kept respondents and the mentions and verbatims of the kept respondents (they
            follow their respondent), with this study's scales and suppression sizes. An analysis of the
            subset equals the same analysis of a study built from the filtered tables.

        Raises
        ------
        InvalidArgumentError
            A predicate names a column a table does not have, or is not a boolean expression.
        InvalidArgumentTypeError
            A predicate that is not a polars expression.
        EmptyTableError
            Nothing left on a side.

        Examples
        --------
        >>> import polars as pl
        >>> import miroir
        >>> study = miroir.synthetic_study(studies=3, employees=1_500, customers=6_000, seed=1)
        >>> hotel = study.filter(pl.col("study") == "hotel-01")
        >>> hotel.summary().select("study", "employees", "customers").rows()
        [('hotel-01', 591, 2205)]
        >>> study[pl.col("study") == "hotel-01"].summary().equals(hotel.summary())
        True
        >>> senior = study.filter(employees=pl.col("tenure_months") >= 24)
        >>> senior.customers.height == study.customers.height
        True
        """
        both = list(predicates)
        for name, expr in [("predicates", e) for e in both] + [("employees", employees), ("customers", customers)]:
            if expr is not None and not isinstance(expr, pl.Expr):
                raise invalid_argument_type(
                    name, f"expected a polars expression (pl.col(...) ...), got "
                    f"{type(expr).__name__}"
                )
        side_filters = {"employees": both + ([employees] if employees is not None else []),
                        "customers": both + ([customers] if customers is not None else [])}
        tables = {}
        for name, exprs in side_filters.items():
            df = getattr(self, name)
            tables[name] = df if not exprs else _filtered(df, name, exprs)
            if tables[name].height == 0:
                raise _core.EmptyTableError(
                    f"table '{name}': the filter leaves no {name[:-1]} ({df.height:,} before): "
                    "a study needs respondents on both sides"
                )
        mentions = self.mentions
        kept = pl.concat([
            tables["employees"].select("study", pl.lit("employee").alias("side"),
                                       pl.col("employee_id").alias("respondent_id")),
            tables["customers"].select("study", pl.lit("customer").alias("side"),
                                       pl.col("customer_id").alias("respondent_id")),
        ])
        if mentions is not None:
            mentions = mentions.join(kept, on=["study", "side", "respondent_id"], how="semi",
                                     maintain_order="left")
        subset = Study(tables["employees"], tables["customers"], mentions, canonical_schema(self.schema))
        if self._verbatims is not None:
            subset._verbatims = self._verbatims.join(kept, on=["study", "side", "respondent_id"], how="semi",
                                                     maintain_order="left")
        return subset

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        """Pickling (to another process: multiprocessing, a Dask worker): the validated tables,
        the schema (its scales and limits; the tables are already in the data model's names),
        the verbatims and the coding; unpickling validates them again, quietly (the warnings
        were given when the study was first built). A streamed study's tables are read back
        from their files to be pickled."""
        return (_unpickle_study, (self.employees, self.customers, self.mentions, canonical_schema(self.schema),
                                  self._verbatims, self._coding))

    def __getitem__(self, predicate: pl.Expr) -> Study:
        """``study[pl.col("study") == "bank-01"]``: :meth:`filter` with one predicate."""
        return self.filter(predicate)

    def __repr__(self) -> str:
        # the counts come from the summary: a streamed study's tables are not in memory, and
        # `.employees.height` would read its files back
        s = self.summary()
        return (
            f"<miroir.Study: {s.height} studies, {summary_total(s, 'units')} units, "
            f"{summary_total(s, 'employees')} employees, {summary_total(s, 'customers')} "
            f"customers, {summary_total(s, 'mentions')} mentions>"
        )


def _filtered(df: pl.DataFrame, name: str, exprs: list[pl.Expr]) -> pl.DataFrame:
    """``df`` filtered by every expression, polars' errors in our words (table and column)."""
    try:
        return df.filter(*exprs)
    except pl.exceptions.ColumnNotFoundError as e:
        first = (str(e).strip().splitlines() or ["a column"])[0].split(";")[0]
        raise invalid_argument(
            "filter", f"table '{name}' has no such column ({first}); its columns: "
            f"{', '.join(df.columns)}"
        ) from None
    except (pl.exceptions.InvalidOperationError, pl.exceptions.SchemaError,
            pl.exceptions.ComputeError) as e:
        raise invalid_argument(
            "filter", f"on table '{name}': {' '.join(str(e).split())[:300]} "
            "(a filter must be a yes/no expression, e.g. pl.col('unit') == 'agence-001')"
        ) from None


def _unpickle_study(employees: pl.DataFrame, customers: pl.DataFrame, mentions: pl.DataFrame | None,
                    schema: Schema, verbatims: pl.DataFrame | None, coding: Coding | None) -> Study:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        study = Study(employees, customers, mentions, schema)
    study._verbatims = verbatims
    study._coding = coding
    return study


def load_study(
    path: PathLike | None = None,
    *,
    employees: PathLike | None = None,
    customers: PathLike | None = None,
    mentions: PathLike | None = None,
    units: PathLike | None = None,
    verbatims: PathLike | None = None,
    schema: Schema | PathLike | None = None,
    streaming: bool | None = None,
    batch_rows: int | None = None,
) -> Study:
    """Read and validate a study from CSV or Parquet files.

    Either ``path``, a folder holding ``employees.*``, ``customers.*`` and optionally
    ``mentions.*``, ``units.*`` and ``verbatims.*`` (``.parquet``, ``.csv``, ``.xlsx``, SPSS),
    or explicit ``employees=``/``customers=`` (and ``mentions=``, ``units=``, ``verbatims=``)
    file paths. A units table (``study``, ``unit``, attribute columns; ``study`` may be left out
    of a one-company export) is joined to both respondent tables: see ``units`` in
    :class:`Study`. A verbatims table (answers to the open questions, mapped by the schema's
    ``verbatims`` columns) is validated against the respondents: see ``verbatims`` in
    :class:`Study` and :meth:`Study.code`.

    Parameters
    ----------
    schema : Schema or path, optional
        How the files map onto the data model (column names, scales, CSV options, missing
        codes, constants), or the path of a schema TOML file (a ``[schema]`` table, as in a
        reproduce spec). By default, the folder's ``schema.toml`` when there is one (written by
        :meth:`Study.write`), else the default schema.
    streaming : bool, optional
        ``True`` validates the Parquet files by a streaming scan, slice by slice, keeping only
        what the analyses need (about 24 bytes per customer, the employees' columns besides
        their keys, and codes for the mentions), so that a study larger than memory can be
        reported on; ``False`` reads the files whole (faster below a few million customers);
        ``None`` (default) streams when the customers file is Parquet with more than 2 million
        rows. Results are identical; an error in a streamed file counts the offending rows read
        up to the slice that has them. The tables of a streamed study are read back from their
        files when asked for (``study.customers``, ``.employees``, ``.mentions``).
    batch_rows : int, optional
        Rows per slice of the streaming scan (default 524,288).

    Raises
    ------
    FileError
        A folder or file is missing or unreadable.
    """
    if not isinstance(schema, (str, os.PathLike)):
        _check_schema(schema)
    if streaming is not None:
        if not isinstance(streaming, bool) and type(streaming).__name__ != "bool_":
            raise invalid_argument_type(
                "streaming", f"expected True, False or None, got "
                f"{type(streaming).__name__}"
            )
        streaming = bool(streaming)
    if batch_rows is not None:
        batch_rows = _int_arg(batch_rows, "batch_rows", minimum=1)
    if path is not None:
        if any(p is not None for p in (employees, customers, mentions, units, verbatims)):
            raise invalid_argument(
                "path", "give either a folder or explicit file paths, not both"
            )
        folder = _path_arg(path, "path")
        if folder.exists() and not folder.is_dir():
            raise _core.FileError(
                f"{folder}: not a folder (a file): give the folder that holds employees.* and "
                "customers.*, or the files as employees=..., customers=..."
            )
        schema = _schema_arg(schema, folder)
        emp, cus, men = _core.study_paths(folder)  # SPSS files found too, read below
        unit_file = _optional_file(folder, "units")
        verbatim_file = _optional_file(folder, "verbatims")
    else:
        schema = _schema_arg(schema, None)
        if employees is None or customers is None:
            raise _core.InvalidArgumentError(
                "invalid argument 'employees'/'customers': both files are required "
                "(or give a folder as the first argument)"
            )
        emp, cus = _path_arg(employees, "employees"), _path_arg(customers, "customers")
        men = None if mentions is None else _path_arg(mentions, "mentions")
        unit_file = None if units is None else _path_arg(units, "units")
        verbatim_file = None if verbatims is None else _path_arg(verbatims, "verbatims")
    from miroir import spss

    if any(spss.is_spss(p) for p in (emp, cus, men) if p is not None):
        study = _load_with_spss(emp, cus, men, schema)
    else:
        study = Study._from_core(_core.load_study(emp, cus, men, schema, streaming, batch_rows))
    if unit_file is not None:
        study = Study._from_core(_with_unit_attributes(study._inner, _read_units(unit_file)))
    if verbatim_file is not None:
        study._attach_verbatims(_read_verbatims(verbatim_file, schema))
    return study


def _load_with_spss(emp: Path, cus: Path, men: Path | None, schema: Schema | None) -> Study:
    """A study some of whose files are SPSS: those read by :mod:`miroir.spss` (user-defined
    missing values made missing, and counted in a :class:`DataQualityWarning`), the others by
    miroir's readers, then validated as one study."""
    from miroir import spss

    frames = spss.load_frames_with_spss(emp, cus, men, schema)
    tables = []
    for name, given in zip(_TABLES, (frames.employees, frames.customers, frames.mentions)):
        if isinstance(given, Path):
            given = _core.read_table_for(given, name, schema)
        tables.append(given)
    for name, about in frames.info.items():
        for column, n in about.missing.items():
            if n > 0:
                warnings.warn(
                    f"table '{name}', column '{column}': {n} answer(s) declared missing in the SPSS "
                    "file (user-defined missing values) counted as missing",
                    DataQualityWarning, stacklevel=3,
                )
    return Study(tables[0], tables[1], tables[2], schema)


@overload
def synthetic_study(
    studies: int = ..., employees: int = ..., customers: int = ..., seed: int = ..., *, waves: None = ...,
    verbatims: bool = ...,
) -> Study: ...


@overload
def synthetic_study(
    studies: int = ..., employees: int = ..., customers: int = ..., seed: int = ..., *, waves: int,
    verbatims: bool = ...,
) -> dict[str, Study]: ...


def synthetic_study(
    studies: int = 20, employees: int = 20_000, customers: int = 100_000, seed: int = 0, *,
    waves: int | None = None, verbatims: bool = False,
) -> Study | dict[str, Study]:
    """Generate the embedded synthetic mirror study (a generative model, seeded).

    The defaults reproduce the published figures of the seed article (72% can contribute, 89%
    satisfied where engagement is high, front-line gap up to 20 points, ...) within 2 points.
    The same seed gives the same tables, byte for byte, whatever the number of threads. Units
    carry two attributes on both respondent tables: ``sector`` and ``region`` (``Nord``,
    ``Sud``, ``Est``, ``Ouest``, dealt in turn within each study).

    Parameters
    ----------
    waves : int, optional
        Generate a barometer of ``waves`` waves instead of one study: ``{"W1": Study, "W2":
        ...}``, the same companies and units surveyed again (other respondents), with known
        changes planted from the second wave on: the units of region ``Nord`` gain 8 engagement
        points per wave (their customers' satisfaction follows through the model; the other
        regions do not move), and the theme ``"commercial gesture confirmed by SMS and
        letter"`` moves from ``pain`` to ``win_win`` (its employees now cite it as a best
        interaction). ``W1`` is the study generated without ``waves``.
    verbatims : bool
        Also generate the raw answers to the open questions (:attr:`Study.verbatims`, French
        and English, paraphrased, with typos and several themes per comment), written from the
        study's coded mentions, which stay as the truth: ``study.code(miroir.synthetic_codebook())``
        codes them back (:func:`miroir.synth_text.synthetic_verbatims` gives the truth per
        verbatim). The other tables are the same as without.

    Examples
    --------
    >>> import miroir
    >>> study = miroir.synthetic_study(studies=3, employees=600, customers=3_000, seed=1)
    >>> study.summary().height
    3
    >>> study.employees.columns[:5]
    ['study', 'unit', 'employee_id', 'customer_facing', 'engagement']
    >>> waves = miroir.synthetic_study(studies=3, employees=600, customers=3_000, seed=1, waves=2)
    >>> sorted(waves), waves["W1"].customers.equals(study.customers)
    (['W1', 'W2'], True)
    """
    args = (_int_arg(studies, "studies"), _int_arg(employees, "employees"),
            _int_arg(customers, "customers"), _int_arg(seed, "seed"))
    if not isinstance(verbatims, bool):
        raise invalid_argument_type(
            "verbatims", f"expected True or False, got {type(verbatims).__name__}")

    def one(wave: int) -> Study:
        if not verbatims:
            return Study._from_core(_core.synthetic_study(*args, wave=wave))
        inner, raw, _truth = _core.synthetic_study_with_verbatims(*args, wave=wave)
        return Study._from_core(inner)._attach_verbatims(raw)

    if waves is None:
        return one(0)
    n = _int_arg(waves, "waves", minimum=1, maximum=20)
    return {f"W{w + 1}": one(w) for w in range(n)}
