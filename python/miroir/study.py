"""The validated mirror study: :class:`Study`, :func:`load_study`, :func:`synthetic_study`."""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any

import polars as pl

from miroir import _core
from miroir._core import DataQualityWarning, Schema
from miroir._frames import to_polars_frame
from miroir.results import (
    ExposureGapResult,
    IndicatorsResult,
    LinkageResult,
    MomentEffectsResult,
    MomentsResult,
    Report,
    UnitsResult,
)

PathLike = str | os.PathLike[str]


class Study:
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

    Raises
    ------
    MissingColumnError, DtypeError, MissingValueError, OutOfRangeError, DuplicateIdError,
    UnknownCategoryError, OrphanMentionError, EmptyTableError
        With a message naming the table, the column and the first offending rows.

    Warns
    -----
    DataQualityWarning
        Units present on one side only (they cannot enter the linkage).

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
    """

    _inner: _core.Study

    def __init__(
        self,
        employees: Any,
        customers: Any,
        mentions: Any | None = None,
        schema: Schema | None = None,
    ) -> None:
        emp = to_polars_frame(employees, "employees")
        cus = to_polars_frame(customers, "customers")
        men = None if mentions is None else to_polars_frame(mentions, "mentions")
        self._set(_core.Study(emp, cus, men, schema))

    @classmethod
    def _from_core(cls, inner: _core.Study) -> Study:
        study = cls.__new__(cls)
        study._set(inner)
        return study

    def _set(self, inner: _core.Study) -> None:
        self._inner = inner
        for message in inner.warnings:
            warnings.warn(message, DataQualityWarning, stacklevel=3)

    @property
    def employees(self) -> pl.DataFrame:
        """The validated employees table (canonical columns first). For a study loaded by a
        streaming scan (``streamed``) it is read back from its file on first access."""
        return self._inner.employees

    @property
    def customers(self) -> pl.DataFrame:
        """The validated customers table (canonical columns first). For a study loaded by a
        streaming scan (``streamed``) it is read back from its file on first access."""
        return self._inner.customers

    @property
    def streamed(self) -> bool:
        """Whether the study was validated by a streaming scan of its Parquet files and its
        tables are not held in memory (see :func:`load_study`)."""
        return self._inner.streamed

    @property
    def mentions(self) -> pl.DataFrame | None:
        """The validated mentions table, or None when the study has no coded mentions (read back
        from its file on first access for a ``streamed`` study)."""
        return self._inner.mentions

    @property
    def schema(self) -> Schema:
        """The schema the study was validated with."""
        return self._inner.schema

    @property
    def warnings(self) -> list[str]:
        """Data-quality warnings found at validation."""
        return self._inner.warnings

    def summary(self) -> pl.DataFrame:
        """One row per study: sector, units, employees, customers, mentions and headline means."""
        return self._inner.summary()

    def write(self, folder: PathLike, format: str = "parquet") -> Path:
        """Write ``employees``, ``customers`` and ``mentions`` tables to ``folder``."""
        if format not in ("parquet", "csv"):
            raise _core.InvalidArgumentError(
                f"invalid argument 'format': expected 'parquet' or 'csv', got {format!r}"
            )
        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        tables = {"employees": self.employees, "customers": self.customers}
        if self.mentions is not None:
            tables["mentions"] = self.mentions
        for name, df in tables.items():
            path = out / f"{name}.{format}"
            if format == "parquet":
                df.write_parquet(path)
            else:
                df.write_csv(path)
        return out

    # -- analyses (see miroir.analysis) ------------------------------------------------------

    def linkage(self, **options: Any) -> LinkageResult:
        """:func:`miroir.linkage` on this study.

        Parameters
        ----------
        **options
            ``method, by, threshold, top_share, outcome, n_resamples, seed, confidence``.

        Returns
        -------
        LinkageResult

        Examples
        --------
        >>> import miroir
        >>> study = miroir.synthetic_study(studies=3, employees=1_500, customers=6_000, seed=1)
        >>> res = study.linkage(method="kendall")
        >>> res.table.equals(miroir.linkage(study, method="kendall").table)
        True
        >>> res.headline.split(";")[1]
        ' pooled τ = 0.66 [0.49, 0.78] (95% CI), p < 0.001'
        """
        from miroir.analysis import linkage

        return linkage(self, **options)

    def linkage_units(self) -> UnitsResult:
        """:func:`miroir.linkage_units` on this study.

        Returns
        -------
        UnitsResult

        Examples
        --------
        >>> import miroir
        >>> study = miroir.synthetic_study(studies=3, employees=1_500, customers=6_000, seed=1)
        >>> study.linkage_units().columns[:4]
        ['study', 'unit', 'n_employees', 'mean_engagement']
        """
        from miroir.analysis import linkage_units

        return linkage_units(self)

    def exposure_gap(self, **options: Any) -> ExposureGapResult:
        """:func:`miroir.exposure_gap` on this study.

        Parameters
        ----------
        **options
            ``by, covariates, confidence``.

        Returns
        -------
        ExposureGapResult

        Examples
        --------
        >>> import miroir
        >>> study = miroir.synthetic_study(studies=3, employees=1_500, customers=6_000, seed=1)
        >>> gap = study.exposure_gap(by=None)
        >>> gap.height, round(gap["gap"][0], 1)
        (1, 12.5)
        """
        from miroir.analysis import exposure_gap

        return exposure_gap(self, **options)

    def moments(self, **options: Any) -> MomentsResult:
        """:func:`miroir.moments` on this study.

        Parameters
        ----------
        **options
            ``alpha, silence_rate, min_mentions, by``.

        Returns
        -------
        MomentsResult

        Raises
        ------
        InvalidArgumentError
            The study has no mentions table.

        Examples
        --------
        >>> import miroir
        >>> study = miroir.synthetic_study(studies=3, employees=1_500, customers=6_000, seed=1)
        >>> res = study.moments(alpha=0.01)
        >>> res.filter(res["moment"] == "win_win").height
        3
        """
        from miroir.analysis import moments

        return moments(self, **options)

    def moment_effects(self, **options: Any) -> MomentEffectsResult:
        """:func:`miroir.moment_effects` on this study.

        Parameters
        ----------
        **options
            ``alpha, silence_rate, min_mentions``.

        Returns
        -------
        MomentEffectsResult

        Raises
        ------
        InvalidArgumentError
            The study has no mentions table.

        Examples
        --------
        >>> import miroir
        >>> study = miroir.synthetic_study(studies=3, employees=1_500, customers=6_000, seed=1)
        >>> study.moment_effects()["side"].unique(maintain_order=True).to_list()
        ['customer', 'employee']
        """
        from miroir.analysis import moment_effects

        return moment_effects(self, **options)

    def indicators(self, **options: Any) -> IndicatorsResult:
        """:func:`miroir.indicators` on this study.

        Parameters
        ----------
        **options
            ``ci_method, confidence, n_resamples, seed``.

        Returns
        -------
        IndicatorsResult

        Examples
        --------
        >>> import miroir
        >>> study = miroir.synthetic_study(studies=3, employees=1_500, customers=6_000, seed=1)
        >>> res = study.indicators(ci_method="clopper_pearson")
        >>> res.row(0, named=True)["method"]
        'Clopper-Pearson exact interval'
        """
        from miroir.analysis import indicators

        return indicators(self, **options)

    def report(self, **options: Any) -> Report:
        """:func:`miroir.report` on this study.

        Parameters
        ----------
        **options
            ``n_resamples, seed``.

        Returns
        -------
        Report

        Examples
        --------
        >>> import miroir
        >>> study = miroir.synthetic_study(studies=3, employees=1_500, customers=6_000, seed=1)
        >>> study.report().headline
        'miroir report: 3 studies, 76 units, 1,500 employees, 6,000 customers'
        """
        from miroir.analysis import report

        return report(self, **options)

    def __repr__(self) -> str:
        s = self.summary()
        n_mentions = 0 if self.mentions is None else self.mentions.height
        return (
            f"<miroir.Study: {s.height} studies, {int(s['units'].sum())} units, "
            f"{self.employees.height} employees, {self.customers.height} customers, "
            f"{n_mentions} mentions>"
        )


def load_study(
    path: PathLike | None = None,
    *,
    employees: PathLike | None = None,
    customers: PathLike | None = None,
    mentions: PathLike | None = None,
    schema: Schema | None = None,
    streaming: bool | None = None,
    batch_rows: int | None = None,
) -> Study:
    """Read and validate a study from CSV or Parquet files.

    Either ``path``, a folder holding ``employees.*``, ``customers.*`` and optionally
    ``mentions.*`` (``.parquet`` or ``.csv``), or explicit ``employees=``/``customers=``
    (and ``mentions=``) file paths.

    Parameters
    ----------
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
    if path is not None:
        if employees is not None or customers is not None or mentions is not None:
            raise _core.InvalidArgumentError(
                "invalid argument 'path': give either a folder or explicit file paths, not both"
            )
        emp, cus, men = _core.study_paths(Path(path))
    else:
        if employees is None or customers is None:
            raise _core.InvalidArgumentError(
                "invalid argument 'employees'/'customers': both files are required "
                "(or give a folder as the first argument)"
            )
        emp, cus = Path(employees), Path(customers)
        men = None if mentions is None else Path(mentions)
    return Study._from_core(_core.load_study(emp, cus, men, schema, streaming, batch_rows))


def synthetic_study(
    studies: int = 20, employees: int = 20_000, customers: int = 100_000, seed: int = 0
) -> Study:
    """Generate the embedded synthetic mirror study (a generative model, seeded).

    The defaults reproduce the published figures of the seed article (72% can contribute, 89%
    satisfied where engagement is high, front-line gap up to 20 points, ...) within 2 points.
    The same seed gives the same tables, byte for byte, whatever the number of threads.

    Examples
    --------
    >>> import miroir
    >>> study = miroir.synthetic_study(studies=3, employees=600, customers=3_000, seed=1)
    >>> study.summary().height
    3
    >>> study.employees.columns[:5]
    ['study', 'unit', 'employee_id', 'customer_facing', 'engagement']
    """
    return Study._from_core(_core.synthetic_study(studies, employees, customers, seed))
