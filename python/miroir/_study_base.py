"""What every analysis reads of a study: :class:`StudyBase`, the validated core study and its
tables, which :class:`miroir.Study` extends (construction, coding, subsets, writing, the analysis
methods); :func:`core_study`, the check that an analysis was given a study."""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from miroir import _core
from miroir._core import Schema
from miroir._frames import invalid_argument_type, InvalidArgumentTypeError
from miroir._units import unit_attributes

if TYPE_CHECKING:
    from miroir.text.codebook import Coding


class StudyBase:
    """The validated tables of a study (the base of :class:`miroir.Study`)."""

    _inner: _core.Study
    _verbatims: pl.DataFrame | None = None
    _coding: Coding | None = None

    @property
    def verbatims(self) -> pl.DataFrame | None:
        """The validated verbatims table (answers to the open questions), or None."""
        return self._verbatims

    @property
    def coding(self) -> Coding | None:
        """The :class:`miroir.text.Coding` that made this study's mentions (:meth:`code`):
        its coverage, the uncoded verbatims and the skipped matches; None for a study whose
        mentions were not coded by miroir."""
        return self._coding

    @property
    def units(self) -> pl.DataFrame:
        """The units and their attributes, one row per (study, unit): the columns both
        respondent tables have that are constant within each unit (``sector``, ``region``, the
        columns of a ``units`` table), besides the keys and ``weight``.

        Examples
        --------
        >>> import miroir
        >>> study = miroir.synthetic_study(studies=3, employees=600, customers=3_000, seed=1)
        >>> study.units.columns
        ['study', 'unit', 'sector', 'region']
        >>> study.units.group_by("region").len().sort("region").rows()
        [('Est', 8), ('Nord', 8), ('Ouest', 6), ('Sud', 8)]
        """
        return unit_attributes(self.employees, self.customers)

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
        """One row per study: sector, units, employees, customers, mentions, headline means, and
        ``customers_dropped`` (customers without a satisfaction answer left out at load, with
        ``missing_satisfaction="drop"``); with engagement items, ``engagement_alpha`` (Cronbach's
        alpha of the items, reverse-coded ones reversed, on the employees who answered every
        item; null when it is undefined) and ``alpha_complete_cases`` (their count)."""
        return self._inner.summary()


def core_study(study: object) -> _core.Study:
    """The core study of ``study``, refusing anything that is not a :class:`miroir.Study`."""
    if not isinstance(study, StudyBase):
        raise invalid_argument_type(
            "study", "expected a miroir.Study (miroir.Study(...), "
            f"miroir.load_study(...) or miroir.synthetic_study(...)), got {type(study).__name__}"
        )
    return study._inner


def summary_total(summary: pl.DataFrame, column: str) -> int:
    """The total of a count column of :meth:`Study.summary` (0 when it is absent or null)."""
    if column not in summary.columns:
        return 0
    total = summary[column].sum()
    return 0 if total is None else int(total)
