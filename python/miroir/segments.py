"""Segments: any analysis cut by a unit attribute or a respondent column, confidentiality held
across every segmentation published together (issue 18).

A segment is a validated study (:meth:`miroir.Study.filter`), so each analysis of a segment is
the analysis of that smaller study, groups below the suppression size suppressed within it.
Publishing several cuts at once (by region *and* by network) opens a second door: a group can be
recovered by subtracting published totals (the Nord region minus the networks it holds, the
study minus the other regions). :func:`protect_segments` closes it.

The rule
--------
Every published figure of a segment is a mean or a share, so with its count it gives a *sum*
over the segment's respondents. Cut the respondents of each side into **atoms**: the cells of
study × every segmentation published together. A published group (a study total, a segment of
a study, a segment pooled over the studies) is a union of atoms, and an attacker who knows the
published sums knows the sum of every combination ``Σ c_g · group_g``: exactly the vectors of
the row space of the groups × atoms incidence matrix. A set of fewer than ``min_group_size``
respondents is recoverable when its indicator lies in that row space. So:

1. **primary**: a segment group with fewer than ``min_group_size`` employees or customers is
   suppressed;
2. **complementary**, repeated until nothing is recoverable: for every set of atoms with
   between 1 and ``min_group_size − 1`` respondents on a side (found by a pruned search over the
   small atoms) whose indicator lies in the span of the published groups (least-squares
   projection, tolerance 1e-9), the smallest published segment group that a combination giving
   it uses (the least-squares one) is suppressed. Unions of whole studies are not protected: study totals are published (the
   confidentiality rule applies below the study).

Counts stay visible (as for units): the sums are what is protected.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import polars as pl

from miroir import _core
from miroir._frames import invalid_argument, invalid_argument_type, InvalidArgumentTypeError
from miroir._study_base import StudyBase

__all__ = ["EMPLOYEE_SIDE", "protect_segments", "segment_columns", "segments"]

#: Analyses that read the employees only: a segment may be an employee attribute (tenure band,
#: job family) for them; the others need a column both respondent tables have.
EMPLOYEE_SIDE = ("exposure_gap", "multilevel_gap")

#: Columns that identify a row of a segmented table and stay visible when its segment is
#: suppressed (with the counts, ``n_*``).
_IDENTITY = ("segment_column", "segment", "level", "study", "unit", "theme", "metric", "side",
             "predictor", "driver", "name", "indicator", "segment_suppressed")

#: Above this many candidate sets the search for recoverable small groups stops with an error
#: rather than run for minutes (many tiny atoms: publish fewer cuts together).
MAX_CANDIDATES = 2_000_000


def segment_columns(study: Any, by: object, analysis: str) -> tuple[list[str], bool]:
    """Checks ``by`` against the study's tables for ``analysis``: the columns, and whether the
    cut applies to the employees only (an employee column for an employee-side analysis)."""
    columns = [by] if isinstance(by, str) else list(by) if isinstance(by, (list, tuple)) else None
    if not columns or not all(isinstance(c, str) for c in columns):
        raise invalid_argument_type(
            "by", f"expected a column name or a list of column names, got {by!r}"
        )
    if len(set(columns)) != len(columns):
        raise invalid_argument("by", f"a column given twice ({', '.join(columns)})")
    emp, cus = study.employees.columns, study.customers.columns
    employee_only = False
    for column in columns:
        on_emp, on_cus = column in emp, column in cus
        if not on_emp and not on_cus:
            raise invalid_argument(
                "by", f"'{column}' is a column of neither the employees nor the customers "
                f"table (unit attributes: {', '.join(study.units.columns[2:]) or 'none'})"
            )
        if on_emp and on_cus:
            continue
        if on_emp and analysis in EMPLOYEE_SIDE:
            employee_only = True
            continue
        where = "the employees" if on_emp else "the customers"
        raise invalid_argument(
            "by", f"'{column}' is a column of {where} only; {analysis} reads both sides, so a "
            f"segment must be a column of both tables (a unit attribute, see Study(units=...)), or use an "
            f"employee-side analysis ({', '.join(EMPLOYEE_SIDE)})"
        )
    if employee_only and len(columns) > 1:
        raise invalid_argument(
            "by", "an employee-only column is cut alone (one column at a time)"
        )
    tables = [("employees", study.employees)] + ([] if employee_only else [("customers", study.customers)])
    for column in columns:
        for table, df in tables:
            nulls = df.select(pl.col(column).is_null().arg_true())
            if nulls.height:
                rows = ", ".join(map(str, nulls.to_series().head(5).to_list()))
                raise _core.MissingValueError(
                    f"table '{table}', column '{column}': the segment is missing for {nulls.height} row(s) "
                    f"(first at row index {rows}): fill it or filter them out"
                )
    return columns, employee_only


def _atoms(df: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    return df.group_by("study", *columns).len("n").with_columns(pl.col(columns).cast(pl.String))


def protect_segments(study: Any, by: str | Sequence[str], *, analysis: str = "linkage") -> pl.DataFrame:
    """Which segment groups to suppress when the cuts ``by`` are published together.

    Parameters
    ----------
    study : Study
    by : str or list of str
        The segmentations published together (unit attributes, or one employee column for an
        employee-side analysis).
    analysis : str
        The analysis the cuts are for (which sides are counted; see :data:`EMPLOYEE_SIDE`).

    Returns
    -------
    polars.DataFrame
        One row per published segment group: ``segment_column, segment, study`` (``"all"``
        for the segment pooled over the studies), ``n_employees, n_customers``,
        ``suppressed`` and ``reason`` (``primary``: below ``min_group_size``;
        ``complementary``: protects a small set from subtraction; null when published).

    Examples
    --------
    >>> import polars as pl, miroir
    >>> from miroir.segments import protect_segments
    >>> study = miroir.synthetic_study(studies=3, employees=1_500, customers=6_000, seed=1)
    >>> groups = protect_segments(study, ["region", "sector"])
    >>> groups.filter(pl.col("study") == "all").select("segment_column", "segment", "suppressed").head(3).rows()
    [('region', 'Est', False), ('region', 'Nord', False), ('region', 'Ouest', False)]
    """
    columns, employee_only = segment_columns(study, by, analysis)
    return _protect(study, columns, employee_only)


def _protect(study: Any, columns: list[str], employee_only: bool) -> pl.DataFrame:
    """:func:`protect_segments` on cuts already checked by :func:`segment_columns`."""
    k = int(study.schema.min_group_size)
    sides = {"employees": _atoms(study.employees, columns)}
    if not employee_only:
        sides["customers"] = _atoms(study.customers, columns)
    # atoms: the cells of study x segmentations present on either side
    atoms = pl.concat([a.drop("n") for a in sides.values()]).unique().sort(pl.all())
    counts = {name: atoms.join(a, on=["study", *columns], how="left", nulls_equal=True)["n"].fill_null(0).to_numpy()
              for name, a in sides.items()}
    studies = atoms["study"].to_numpy()
    groups: list[dict[str, Any]] = []
    masks: list[np.ndarray] = []
    for column in columns:
        values = atoms[column].to_numpy()
        for value in sorted(set(values.tolist()), key=str):
            in_value = values == value
            for s in [*sorted(set(studies.tolist())), "all"]:
                mask = in_value & (studies == s) if s != "all" else in_value
                if not mask.any():
                    continue
                n = {name: int(c[mask].sum()) for name, c in counts.items()}
                groups.append(dict(segment_column=column, segment=str(value), study=s,
                                   n_employees=n["employees"], n_customers=n.get("customers"),
                                   suppressed=min(n.values()) < k, reason="primary" if min(n.values()) < k else None))
                masks.append(mask)
    study_masks = [studies == s for s in sorted(set(studies.tolist()))]  # totals: always published
    incidence = np.array(masks, dtype=float).reshape(len(masks), len(atoms))
    totals = np.array(study_masks, dtype=float).reshape(len(study_masks), len(atoms))
    while True:
        published = np.flatnonzero([not g["suppressed"] for g in groups])
        matrix = np.vstack([totals, incidence[published]])
        found = _recoverable(matrix, counts, k, studies)
        if found is None:
            break
        side, atoms_found = found
        # which published groups the subtraction uses: a least-squares combination giving the set
        # (on the atoms the side has respondents in); the smallest of them is suppressed
        live = counts[side] > 0
        target = np.zeros(len(atoms))
        target[atoms_found] = 1.0
        coef, *_ = np.linalg.lstsq(matrix[:, live].T, target[live], rcond=None)
        used = [int(published[j - len(totals)]) for j in np.flatnonzero(np.abs(coef) > 1e-9) if j >= len(totals)]
        if not used:  # a union of whole studies: published by design
            break
        smallest = min(used, key=lambda i: (min(v for v in (groups[i]["n_employees"], groups[i]["n_customers"])
                                                if v is not None), i))
        groups[smallest].update(suppressed=True, reason="complementary")
    return pl.DataFrame(groups, schema={"segment_column": pl.String, "segment": pl.String, "study": pl.String,
                                        "n_employees": pl.Int64, "n_customers": pl.Int64,
                                        "suppressed": pl.Boolean, "reason": pl.String})


def _recoverable(published: np.ndarray, counts: dict[str, np.ndarray], k: int,
                 studies: np.ndarray) -> tuple[str, np.ndarray] | None:
    """Atom indices of a set with 1 to k−1 respondents on a side whose sum the published groups
    give (its indicator, on the atoms that side has respondents in, lies in the row space of
    ``published`` restricted to those atoms: what the attacker puts on an atom without
    respondents adds nothing) and that is not a union of whole studies: (side, atom indices),
    or None."""
    tried = 0
    for side, n in counts.items():
        live = np.flatnonzero(n > 0)
        matrix = published[:, live]
        if matrix.size == 0:
            continue
        _, sv, vt = np.linalg.svd(matrix, full_matrices=False)
        rank = int((sv > sv.max(initial=0.0) * max(matrix.shape) * np.finfo(float).eps).sum())
        basis = vt[:rank]
        off_span = np.eye(len(live)) - basis.T @ basis  # projector off the row space
        position = {int(a): i for i, a in enumerate(live)}
        small = [int(i) for i in live if n[i] < k]
        members = {s: set(np.flatnonzero((studies == s) & (n > 0)).tolist()) for s in set(studies.tolist())}
        for size in range(1, k):
            for combo in itertools.combinations(small, size):
                tried += 1
                if tried > MAX_CANDIDATES:
                    raise _core.InsufficientDataError(
                        f"the cuts published together have {len(small)} cells below {k} respondents: too many to "
                        "check every subtraction; publish fewer segmentations together"
                    )
                index = list(combo)
                if n[index].sum() >= k:
                    continue
                if np.linalg.norm(off_span[:, [position[a] for a in index]].sum(axis=1)) > 1e-9:
                    continue
                chosen = set(index)
                if all(members[s] <= chosen for s in set(studies[index].tolist())):
                    continue  # whole studies: their totals are published
                return side, np.array(index)
    return None


def _blank_suppressed(table: pl.DataFrame, groups: pl.DataFrame) -> pl.DataFrame:
    """The rows of suppressed segment groups with their statistics nulled (counts and the
    identifying columns kept), and a ``segment_suppressed`` column."""
    hidden = groups.filter(pl.col("suppressed")).select("segment_column", "segment", "study")
    study_col = "study" in table.columns
    marked = table.with_columns(pl.lit(False).alias("segment_suppressed"))
    if hidden.height == 0:
        return marked
    whole = hidden.filter(pl.col("study") == "all").select("segment_column", "segment")
    one = hidden.filter(pl.col("study") != "all")
    flag = pl.struct("segment_column", "segment").is_in(whole.to_struct().implode())
    if study_col:
        flag = flag | pl.struct("segment_column", "segment", "study").is_in(one.to_struct().implode())
    marked = marked.with_columns(flag.alias("segment_suppressed"))
    keep = [c for c in table.columns if c in _IDENTITY or c.startswith("n_")]
    return marked.with_columns(
        [pl.when(pl.col("segment_suppressed")).then(None).otherwise(pl.col(c)).alias(c)
         for c in table.columns if c not in keep]
    )


def segment_tables(study: Any, by: object, analysis: str,
                   run: Callable[[Any], Any]) -> tuple[dict[str, pl.DataFrame | None], pl.DataFrame]:
    """Runs ``run`` (an analysis of a study, returning a table or a mapping of tables) on every
    segment of every cut in ``by``; stacks each table over the segments (``segment_column,
    segment`` first) with the suppressed groups blanked. Returns the stacked tables (one key
    ``"table"`` when ``run`` returns one table) and :func:`protect_segments`' groups."""
    columns, employee_only = segment_columns(study, by, analysis)
    groups = _protect(study, columns, employee_only)
    parts: dict[str, list[pl.DataFrame]] = {}
    names: list[str] = []
    for column in columns:
        values = sorted(set(study.employees[column].cast(pl.String).to_list())
                        | (set() if employee_only else set(study.customers[column].cast(pl.String).to_list())))
        for value in values:
            expr = pl.col(column).cast(pl.String) == value
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # a segment's one-sided units: expected
                sub = study.filter(employees=expr) if employee_only else study.filter(expr)
            out = run(sub)
            tables = out if isinstance(out, dict) else {"table": out}
            for name, frame in tables.items():
                if name not in names:
                    names.append(name)
                if frame is None:
                    continue
                frame = getattr(frame, "table", frame)
                parts.setdefault(name, []).append(
                    frame.select(pl.lit(column).alias("segment_column"), pl.lit(value).alias("segment"), pl.all()))
    stacked: dict[str, pl.DataFrame | None] = {}
    for name in names:
        if name not in parts:
            stacked[name] = None
            continue
        stacked[name] = _blank_suppressed(pl.concat(parts[name], how="diagonal_relaxed"), groups)
    return stacked, groups


def segments(study: Any, by: str | Sequence[str], analysis: Any, **options: Any) -> pl.DataFrame:
    """One analysis per segment, stacked: ``analysis(study.filter(pl.col(by) == value),
    **options).table`` for each value of each column of ``by``, with first columns
    ``segment_column`` and ``segment``, and ``segment_suppressed`` (the group's statistics
    blanked by :func:`protect_segments`). The same as ``analysis(study, by=by, **options)``.

    ``by`` is a column (or a list: cuts published together) of both respondent tables (a unit
    attribute: region, network, sector, or ``unit``), or, for the analyses that read the
    employees only (:data:`EMPLOYEE_SIDE`: ``exposure_gap``, ``multilevel_gap``), a column of the
    employees (tenure band, job family).

    Examples
    --------
    >>> import polars as pl, miroir
    >>> from miroir.segments import segments
    >>> study = miroir.synthetic_study(studies=3, employees=1_500, customers=6_000, seed=1)
    >>> t = segments(study, "sector", miroir.linkage)
    >>> t.filter(pl.col("level") == "pooled").select("segment", "n_units").rows()
    [('car_repair', 28), ('hotel', 30), ('utility', 18)]
    """
    if not isinstance(study, StudyBase):
        raise invalid_argument_type("study", f"expected a miroir.Study, got {type(study).__name__}")
    name = getattr(analysis, "__name__", None)
    if not callable(analysis) or name is None:
        raise invalid_argument_type("analysis", "expected a miroir analysis (miroir.linkage, ...)")
    result = analysis(study, by=by, **options)
    table: pl.DataFrame = getattr(result, "table", result)
    return table

