"""Barometer waves: this year against last year on the same company's units (issue 18).

Two waves of a mirror study survey different respondents but the same units. So the change of a
respondent-level figure (mean engagement, share satisfied, the front-line gap) compares two
independent samples, while the change of a *unit* is paired: each unit is measured in both
waves. :func:`compare_waves` gives both, per study and pooled, and lists the units present in
one wave only. Confidentiality holds in the differences: a unit suppressed in either wave is
suppressed in the change (its values are not shown and it stays out of the paired tests).

The waves are separate :class:`miroir.Study` objects (the same ids may be surveyed in both
waves): :func:`load_waves` reads one folder per wave, or one folder whose tables carry a
``wave`` column; :func:`split_waves` splits tables with a ``wave`` column; and
:func:`compare_waves` also takes one study with a ``wave`` column (its ids unique across waves).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from statistics import NormalDist
from typing import Any

import numpy as np
import polars as pl

from miroir import _core
from miroir._frames import invalid_argument, invalid_argument_type, InvalidArgumentTypeError
from miroir.i18n import format_number, p_phrase, text
from miroir.results import MOMENT_ORDER
from miroir._defaults import REPORT as _REPORT

__all__ = ["WavesComparison", "compare_waves", "load_waves", "split_waves"]

#: The moments proper (a theme in one of them has a significant place in the matrix).
_CELLS = MOMENT_ORDER


def split_waves(
    employees: Any,
    customers: Any,
    mentions: Any | None = None,
    *,
    units: Any | None = None,
    schema: Any | None = None,
    column: str = "wave",
) -> dict[str, Any]:
    """One :class:`miroir.Study` per value of the ``wave`` column of the tables (the same ids
    may come back in every wave: each wave is validated on its own).

    Every table given (employees, customers, mentions) must have the column; each wave must be
    present in the employees and the customers. ``units`` (the units' attributes) applies to
    every wave. The keys are the waves' values as text, sorted.

    Examples
    --------
    >>> import polars as pl, miroir
    >>> from miroir.waves import split_waves
    >>> w = miroir.synthetic_study(studies=2, employees=600, customers=2_000, seed=3, waves=2)
    >>> emp = pl.concat([w[k].employees.with_columns(wave=pl.lit(k)) for k in w])
    >>> cus = pl.concat([w[k].customers.with_columns(wave=pl.lit(k)) for k in w])
    >>> waves = split_waves(emp, cus)
    >>> sorted(waves), waves["W2"].employees.equals(w["W2"].employees)
    (['W1', 'W2'], True)
    """
    from miroir._args import _table
    from miroir.study import Study

    if not isinstance(column, str):
        raise invalid_argument_type("column", f"expected a column name, got {type(column).__name__}")
    tables = {"employees": _table(employees, "employees"), "customers": _table(customers, "customers")}
    if mentions is not None:
        tables["mentions"] = _table(mentions, "mentions")
    values: dict[str, set[str]] = {}
    for name, df in tables.items():
        if column not in df.columns:
            raise _core.MissingColumnError(
                f"table '{name}': missing column '{column}' (the wave of each row; every table of a barometer "
                f"carries it, or read one folder per wave with load_waves)"
            )
        nulls = df.select(pl.col(column).is_null().arg_true()).to_series()
        if nulls.len():
            raise _core.MissingValueError(
                f"table '{name}', column '{column}': the wave is missing for {nulls.len()} row(s) (first at row "
                f"index {', '.join(map(str, nulls.head(5).to_list()))})"
            )
        tables[name] = df.with_columns(pl.col(column).cast(pl.String))
        values[name] = set(tables[name][column].to_list())
    for name in ("employees", "customers"):
        other = "customers" if name == "employees" else "employees"
        alone = sorted(values[name] - values[other])
        if alone:
            raise _core.InsufficientDataError(
                f"table '{other}', column '{column}': no row for wave {', '.join(map(repr, alone))} "
                f"(present in the {name}): every wave needs both sides"
            )
    waves: dict[str, Any] = {}
    for wave in sorted(values["employees"]):
        part = {name: df.filter(pl.col(column) == wave).drop(column) for name, df in tables.items()}
        waves[wave] = Study(part["employees"], part["customers"], part.get("mentions"), schema, units=units)
    return waves


def load_waves(folders: Mapping[str, str | Path] | str | Path, **options: Any) -> dict[str, Any]:
    """One :class:`miroir.Study` per wave: from ``{label: folder}``, each folder read with
    :func:`miroir.load_study` (``options`` passed on: ``schema=``, ``streaming=``), or from one
    folder whose tables carry a ``wave`` column (read whole, then :func:`split_waves`; its
    ``units.*`` applies to every wave). The keys are the waves' labels (``"2023"``).

    Examples
    --------
    >>> import tempfile, miroir
    >>> from miroir.waves import load_waves
    >>> d = tempfile.mkdtemp()
    >>> for seed, wave in ((1, "2023"), (2, "2024")):
    ...     _ = miroir.synthetic_study(studies=2, employees=600, customers=2_000, seed=seed).write(f"{d}/{wave}")
    >>> waves = load_waves({"2023": f"{d}/2023", "2024": f"{d}/2024"})
    >>> sorted(waves)
    ['2023', '2024']
    """
    from miroir._args import _path_arg
    from miroir._folder import _optional_file, _read_units
    from miroir._schemas import _schema_arg
    from miroir.study import load_study

    if isinstance(folders, (str, Path)):
        folder = _path_arg(folders, "folders")
        if not folder.is_dir():
            raise _core.FileError(f"{folder}: not a folder")
        schema = _schema_arg(options.pop("schema", None), folder)
        if options:
            raise _core.InvalidArgumentError(
                f"invalid argument {sorted(options)[0]!r}: one folder of waves is read whole (schema= only)")
        paths = _core.study_paths(folder)
        frames = [None if p is None else _core.read_table_for(p, name, schema)
                  for p, name in zip(paths, ("employees", "customers", "mentions"))]
        unit_file = _optional_file(folder, "units")
        return split_waves(frames[0], frames[1], frames[2], schema=schema,
                           units=None if unit_file is None else _read_units(unit_file))
    if not isinstance(folders, Mapping) or not folders:
        raise invalid_argument_type(
            "folders", "expected a mapping {wave label: folder}, e.g. "
            "{'2023': 'exports/2023', '2024': 'exports/2024'}, or one folder whose tables have a 'wave' column"
        )
    return {str(label): load_study(folder, **options) for label, folder in folders.items()}


@dataclass(frozen=True)
class WavesComparison:
    """Result of :func:`compare_waves`.

    ``changes``: per study and pooled (``level``, ``study``), one row per ``metric``
    (``mean_engagement``, ``share_satisfied``, ``frontline_gap``): ``baseline``, ``current``,
    ``change`` (current − baseline) with ``ci_low, ci_high, p_value``, ``n_baseline,
    n_current`` (respondents), ``method``. ``units``: the units of both waves (matched or not)
    with their values in each wave and the change; ``suppressed`` when suppressed in either wave.
    ``paired``: per study and pooled, for ``mean_engagement`` and ``share_satisfied`` of the
    matched units: the paired t test (``change``, ``ci_low, ci_high, p_value``) and the
    Wilcoxon signed-rank test (``wilcoxon_statistic, wilcoxon_p_value``). ``unmatched``: units
    in one wave only. ``linkage``: per study and pooled, the Pearson r of unit mean engagement
    with the unit share satisfied over the matched units in each wave, ``change`` and its
    percentile interval from a seeded bootstrap of the matched units (stratified by study for
    the pooled row). ``moments``: per theme, its moment in each wave with both q-values,
    ``moved`` (its classification differs, ``undetermined`` included) and ``changed_cell`` (it
    moved from one of the six moments to another: significant in both waves); None when a wave
    has no coded mentions. ``indicators``: the seed's figures of both waves side by side.
    """

    baseline: str
    current: str
    changes: pl.DataFrame
    units: pl.DataFrame
    paired: pl.DataFrame
    unmatched: pl.DataFrame
    linkage: pl.DataFrame
    moments: pl.DataFrame | None
    #: The seed's published figures (:func:`miroir.indicators`) of both waves side by side:
    #: ``id, label``, then ``estimate, ci_low, ci_high, n`` with ``_baseline`` and ``_current``,
    #: and ``change`` (current − baseline; the intervals are each wave's, not of the change).
    indicators: pl.DataFrame | None = None

    @property
    def headline(self) -> str:
        """The comparison in one sentence, in English (:meth:`headline_in` for French)."""
        return self.headline_in("en")

    def headline_in(self, lang: str) -> str:
        """The comparison in one sentence in ``lang`` (``"en"`` or ``"fr"``), from the message
        catalogue, numbers formatted for the language.

        Examples
        --------
        >>> import miroir
        >>> waves = miroir.synthetic_study(studies=2, employees=800, customers=3_000, seed=3, waves=2)
        >>> cmp = miroir.compare_waves(waves, "W1", "W2", n_resamples=0)
        >>> cmp.headline_in("fr").startswith("Vagues W1 -> W2 : ")
        True
        """
        pooled = self.changes.filter((pl.col("level") == "pooled") & (pl.col("metric") == "mean_engagement"))

        def change(r: dict[str, Any]) -> str:
            return format_number(r["change"], lang, 1, signed=True)

        def ci(r: dict[str, Any]) -> str:
            low, high = (format_number(r[k], lang, 1, signed=True) for k in ("ci_low", "ci_high"))
            return f"[{low} ; {high}]" if lang == "fr" else f"[{low}, {high}]"

        # French typography: a space before the semicolon and the colon
        sep = " ; " if lang == "fr" else "; "
        if "segment" in self.changes.columns:
            colon = " : " if lang == "fr" else ": "
            parts = [f"{r['segment_column']} = {r['segment']}{colon}"
                     + (text("waves.segment_suppressed", lang) if r["segment_suppressed"] else f"{change(r)} {ci(r)}")
                     for r in pooled.iter_rows(named=True)]
            return text("waves.by_segment", lang, baseline=self.baseline, current=self.current, parts=sep.join(parts))
        n_matched = self.units.filter(pl.col("matched")).height
        line = text("waves.headline", lang, baseline=self.baseline, current=self.current,
                    matched=format_number(n_matched, lang, 0), unmatched=format_number(self.unmatched.height, lang, 0))
        if pooled.height:
            r = pooled.row(0, named=True)
            line += sep + text("waves.engagement_change", lang, change=change(r), ci=ci(r), p=p_phrase(r["p_value"], lang))
        return line

    def __repr__(self) -> str:
        return f"<miroir.WavesComparison: {self.headline}>"


def _waves_of(study: Any) -> dict[str, Any]:
    """The waves of one study whose respondent tables have a ``wave`` column."""
    import warnings

    for name in ("employees", "customers"):
        if "wave" not in getattr(study, name).columns:
            raise _core.MissingColumnError(
                f"table '{name}': missing column 'wave': compare_waves takes one study with a 'wave' column "
                "in both respondent tables, or a mapping {label: Study}"
            )
    labels = sorted(set(study.employees["wave"].cast(pl.String).to_list()))
    out = {}
    for label in labels:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # one-sided units of a wave are reported by the comparison
            out[label] = study.filter(pl.col("wave").cast(pl.String) == label)
    return out


def _wave(waves: Mapping[str, Any], label: str, name: str) -> Any:
    from miroir.study import Study

    if label not in waves:
        raise invalid_argument(
            name, f"no wave '{label}' (waves: {', '.join(map(str, waves))})"
        )
    study = waves[label]
    if not isinstance(study, Study):
        raise invalid_argument_type(
            "waves", f"wave '{label}' is {type(study).__name__}, expected a miroir.Study"
        )
    return study


def _welch(a: np.ndarray, b: np.ndarray, confidence: float) -> tuple[float, float, float, float, float]:
    """(estimate, ci_low, ci_high, p, se) of mean(a) - mean(b), Welch."""
    from miroir import stats as ms

    if len(a) < 2 or len(b) < 2:
        return (math.nan,) * 5
    r = ms.welch_t(a, b, confidence=confidence).row(0, named=True)
    return r["estimate"], r["ci_low"], r["ci_high"], r["p_value"], r["se"]


def _stratified_var(df: pl.DataFrame, value: pl.Expr) -> tuple[float, float]:
    """(mean, variance of the mean) of ``value`` over the rows of ``df``, the rows a sample
    stratified by (study, unit): ``Σ_h n_h s_h² / n²``; a unit of one row takes the pooled
    within-unit variance."""
    per = df.group_by("study", "unit").agg(n=pl.len(), m=value.mean(), v=value.var(ddof=1)).sort("study", "unit")
    n = per["n"].cast(pl.Float64).to_numpy()
    v = per["v"].fill_null(np.nan).to_numpy()
    several = n > 1
    if not several.any():
        return float((per["m"].to_numpy() * n).sum() / n.sum()), math.nan
    pooled = float(((n[several] - 1) * v[several]).sum() / (n[several] - 1).sum())
    v = np.where(several, v, pooled)
    total = n.sum()
    return float((per["m"].to_numpy() * n).sum() / total), float((n * v).sum() / total**2)


def _stratified_change(b: pl.DataFrame, c: pl.DataFrame, value: pl.Expr,
                       confidence: float) -> tuple[float, float, float, float]:
    """(change, ci_low, ci_high, p) of the mean of ``value`` from ``b`` to ``c``, each wave a
    sample stratified by unit (:func:`_stratified_var`)."""
    mb, vb = _stratified_var(b, value)
    mc, vc = _stratified_var(c, value)
    d = mc - mb
    lo, hi, p = _normal(d, math.sqrt(vb + vc), confidence)
    return d, lo, hi, p


def _normal(d: float, se: float, confidence: float) -> tuple[float, float, float]:
    """Normal interval and two-sided p of ``d`` with standard error ``se`` (the p-value from the
    complementary error function, so that a tiny p does not round to 0)."""
    if not (math.isfinite(d) and math.isfinite(se) and se > 0):
        return math.nan, math.nan, math.nan
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    return d - z * se, d + z * se, math.erfc(abs(d / se) / math.sqrt(2))


def compare_waves(
    waves: Mapping[str, Any] | Any,
    baseline: str,
    current: str,
    *,
    by: str | list[str] | None = None,
    design: str = "units",
    confidence: float = 0.95,
    n_resamples: int = _REPORT["n_resamples"],
    seed: int = _REPORT["seed"],
) -> WavesComparison:
    """Compare two waves of the same company's mirror study.

    Respondent-level changes: the respondents of the two waves are different people, sampled
    within the same units. With ``design="units"`` (default) the change of mean engagement and
    of the share satisfied is the difference of the two waves' respondent means, its variance
    that of a sample stratified by unit in each wave, ``Σ_h n_h s_h² / n²`` (``s_h²`` the
    within-unit variance, ddof 1; a unit of one respondent takes the wave's pooled within-unit
    variance), with a normal interval and z test: the test is conditional on the units, so a
    change of the units themselves (a manager replaced) counts as change. With
    ``design="independent"``, two independent simple random samples: Welch's t interval of the
    difference, and Newcombe's hybrid-score interval with the two-proportion z test
    (:func:`miroir.stats.two_proportions`) — conservative when the same units are surveyed in
    both waves (the between-unit variance counted twice). Front-line gap (the difference of the two waves' Welch
    gaps, other − customer-facing, with a normal interval on ``sqrt(se_b² + se_c²)``). Unit-level
    changes (paired, matched units not suppressed in either wave): paired t test
    (:func:`miroir.stats.paired_t`) and Wilcoxon signed-rank test (:func:`miroir.stats.wilcoxon`)
    of unit mean engagement and unit share satisfied. Studies are matched by name, units by
    (study, unit). Weights are not used (a note says so when a wave has them).

    Parameters
    ----------
    waves : mapping or Study
        ``{label: Study}`` (e.g. from :func:`load_waves`), or one study with a ``wave`` column
        in both respondent tables (its ids unique across waves).
    baseline, current : str
        The labels compared (change = current − baseline).
    by : str or list of str, optional
        Segment column(s) (unit attributes: ``"region"``): the comparison of each segment, every
        table stacked with ``segment_column`` and ``segment`` first. A segment group suppressed
        in either wave (:func:`miroir.segments.protect_segments`, on the cuts of ``by`` together)
        is blanked in the changes, the paired tests and the linkage (``segment_suppressed``).
    design : {"units", "independent"}
        How the respondent-level changes are tested (above).
    confidence : float
        Level of every interval.
    n_resamples, seed : int
        The bootstrap of the linkage change (matched units resampled with replacement, within
        their study; numpy's PCG64 seeded with ``seed``); ``n_resamples=0`` skips it.

    Returns
    -------
    WavesComparison

    Examples
    --------
    >>> import polars as pl, miroir
    >>> from miroir.waves import compare_waves
    >>> a = miroir.synthetic_study(studies=2, employees=1_000, customers=4_000, seed=1)
    >>> b = miroir.synthetic_study(studies=2, employees=900, customers=3_500, seed=1)  # the same companies
    >>> cmp = compare_waves({"2023": a, "2024": b}, "2023", "2024")
    >>> cmp.changes.filter(pl.col("level") == "pooled")["metric"].to_list()
    ['mean_engagement', 'share_satisfied', 'frontline_gap']
    """
    from miroir.study import Study

    if isinstance(waves, Study):
        waves = _waves_of(waves)
    if not isinstance(waves, Mapping):
        raise invalid_argument_type(
            "waves", "expected a mapping {label: Study} or a Study with a 'wave' column")
    if baseline == current:
        raise invalid_argument("current", "the same wave as 'baseline'")
    if design not in ("units", "independent"):
        raise invalid_argument(
            "design", f"expected 'units' or 'independent', got {design!r}")
    if not (isinstance(confidence, float | int) and 0 < confidence < 1):
        raise invalid_argument("confidence", f"must lie in (0, 1), got {confidence!r}")
    wb, wc = _wave(waves, baseline, "baseline"), _wave(waves, current, "current")
    if by is not None:
        return _by_segments(wb, wc, baseline, current, by, design=design, confidence=confidence,
                            n_resamples=n_resamples, seed=seed)
    studies_b = set(wb.summary()["study"].to_list())
    studies_c = set(wc.summary()["study"].to_list())
    common = sorted(studies_b & studies_c)
    if not common:
        raise _core.InsufficientDataError(
            f"waves '{baseline}' and '{current}' have no study in common "
            f"({', '.join(sorted(studies_b))} vs {', '.join(sorted(studies_c))})"
        )
    weighted = any("weight" in w.employees.columns or "weight" in w.customers.columns for w in (wb, wc))
    note = "unweighted (the waves' weights are not used)" if weighted else None

    changes = _respondent_changes(wb, wc, common, design, confidence, note)
    units, unmatched = _matched_units(wb, wc, common, baseline, current)
    usable = units.filter(pl.col("matched") & ~pl.col("suppressed"))
    paired = _paired_tests(usable, common, confidence)
    linkage = _linkage_change(usable, common, confidence, n_resamples, seed)
    moments = _moment_change(wb, wc)
    return WavesComparison(str(baseline), str(current), changes, units, paired, unmatched, linkage, moments,
                           _indicators_side_by_side(wb, wc, confidence, seed))


def _respondent_changes(wb: Any, wc: Any, common: list[str], design: str, confidence: float,
                        note: str | None) -> pl.DataFrame:
    """The respondent-level changes of :func:`compare_waves`, per study and pooled: mean
    engagement, share satisfied and the front-line gap."""
    from miroir import stats as ms

    rows: list[dict[str, Any]] = []
    for level, names in [("study", [[s] for s in common]), ("pooled", [common])]:
        for group in names:
            label = group[0] if level == "study" else "all"
            eb = wb.employees.filter(pl.col("study").is_in(group))
            ec = wc.employees.filter(pl.col("study").is_in(group))
            cb = wb.customers.filter(pl.col("study").is_in(group))
            cc = wc.customers.filter(pl.col("study").is_in(group))
            xb, xc = eb["engagement"].to_numpy(), ec["engagement"].to_numpy()
            if design == "units":
                d, lo, hi, p = _stratified_change(eb, ec, pl.col("engagement"), confidence)
                method = "difference of means, variance stratified by unit, normal interval"
            else:
                d, lo, hi, p, _ = _welch(xc, xb, confidence)
                method = "Welch t"
            rows.append(dict(level=level, study=label, metric="mean_engagement", baseline=float(xb.mean()),
                             current=float(xc.mean()), change=d, ci_low=lo, ci_high=hi, p_value=p,
                             n_baseline=len(xb), n_current=len(xc), method=method, note=note))
            kb = int((cb["satisfaction"] >= wb.schema.satisfied_threshold).sum())
            kc = int((cc["satisfaction"] >= wc.schema.satisfied_threshold).sum())
            if design == "units":
                satisfied = (pl.col("satisfaction") >= wb.schema.satisfied_threshold).cast(pl.Float64)
                d, lo, hi, p = _stratified_change(cb, cc, satisfied, confidence)
                t = dict(estimate=d, ci_low=lo, ci_high=hi, p_value=p,
                         method="difference of shares, variance stratified by unit, normal interval")
            else:
                t = ms.two_proportions(kc, cc.height, kb, cb.height, confidence=confidence).row(0, named=True)
            rows.append(dict(level=level, study=label, metric="share_satisfied", baseline=kb / cb.height,
                             current=kc / cc.height, change=t["estimate"], ci_low=t["ci_low"],
                             ci_high=t["ci_high"], p_value=t["p_value"], n_baseline=cb.height,
                             n_current=cc.height, method=t["method"], note=note))
            gaps = []
            for e in (eb, ec):
                other = e.filter(~pl.col("customer_facing"))["engagement"].to_numpy()
                facing = e.filter(pl.col("customer_facing"))["engagement"].to_numpy()
                gaps.append(_welch(other, facing, confidence))
            (gb, *_, seb), (gc, *_, sec) = gaps
            d = gc - gb
            lo, hi, p = _normal(d, math.sqrt(seb**2 + sec**2), confidence)
            rows.append(dict(level=level, study=label, metric="frontline_gap", baseline=gb, current=gc,
                             change=d, ci_low=lo, ci_high=hi, p_value=p, n_baseline=eb.height,
                             n_current=ec.height, method="difference of Welch gaps, normal interval",
                             note=note))
    return pl.DataFrame(rows, schema_overrides={"note": pl.String}, infer_schema_length=None)



def _matched_units(wb: Any, wc: Any, common: list[str], baseline: str,
                   current: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The units of the two waves, matched by (study, unit) or not: every unit with its changes
    (suppressed in either wave: blanked), and those in one wave only, with the wave they are in."""
    from miroir.analysis import linkage_units

    keep = ["study", "unit", "mean_engagement", "share_satisfied", "suppressed"]
    ub = linkage_units(wb).table.filter(pl.col("study").is_in(common)).select(keep)
    uc = linkage_units(wc).table.filter(pl.col("study").is_in(common)).select(keep)
    both = ub.join(uc, on=["study", "unit"], how="full", coalesce=True, suffix="_current").rename(
        {"mean_engagement": "mean_engagement_baseline", "share_satisfied": "share_satisfied_baseline",
         "suppressed": "suppressed_baseline"}
    )
    in_b = pl.col("suppressed_baseline").is_not_null()
    in_c = pl.col("suppressed_current").is_not_null()
    hidden = pl.col("suppressed_baseline").fill_null(False) | pl.col("suppressed_current").fill_null(False)
    values = ["mean_engagement_baseline", "mean_engagement_current", "share_satisfied_baseline",
              "share_satisfied_current"]
    units = both.with_columns(matched=in_b & in_c, suppressed=hidden).with_columns(
        [pl.when(pl.col("suppressed")).then(None).otherwise(pl.col(c)).alias(c) for c in values]
    ).with_columns(
        engagement_change=pl.col("mean_engagement_current") - pl.col("mean_engagement_baseline"),
        satisfied_change=pl.col("share_satisfied_current") - pl.col("share_satisfied_baseline"),
    ).select("study", "unit", "matched", "suppressed", *values, "engagement_change", "satisfied_change"
             ).sort("study", "unit")
    if not units["matched"].any():
        raise _core.InsufficientDataError(
            f"waves '{baseline}' and '{current}' have no unit in common (units are matched by study and "
            "unit name): check that the units are named alike in both waves"
        )
    # a unit absent from one wave is listed with the wave it is in (suppressed ones included)
    unmatched = units.filter(~pl.col("matched")).join(
        ub.select("study", "unit", pl.lit(baseline).alias("wave")), on=["study", "unit"], how="left"
    ).select("study", "unit", pl.col("wave").fill_null(current))
    return units, unmatched


def _paired_tests(usable: pl.DataFrame, common: list[str], confidence: float) -> pl.DataFrame:
    """Paired t and Wilcoxon tests of the unit changes, per study and pooled, on the matched
    units not suppressed (``usable``)."""
    from miroir import stats as ms

    prow: list[dict[str, Any]] = []
    for level, names in [("study", [[s] for s in common]), ("pooled", [common])]:
        for group in names:
            sub = usable.filter(pl.col("study").is_in(group))
            for metric, b_col, c_col in [("mean_engagement", "mean_engagement_baseline", "mean_engagement_current"),
                                         ("share_satisfied", "share_satisfied_baseline", "share_satisfied_current")]:
                pair = sub.select(b_col, c_col).drop_nulls()
                row: dict[str, Any] = dict(level=level, study=group[0] if level == "study" else "all",
                                           metric=metric, n_units=pair.height, change=math.nan,
                                           ci_low=math.nan, ci_high=math.nan, p_value=math.nan,
                                           wilcoxon_statistic=math.nan, wilcoxon_p_value=math.nan, note=None)
                if pair.height < 2:
                    row["note"] = f"{pair.height} matched unit(s) not suppressed: no paired test"
                else:
                    c, b = pair[c_col].to_numpy(), pair[b_col].to_numpy()
                    t = ms.paired_t(c, b, confidence=confidence).row(0, named=True)
                    row.update(change=t["estimate"], ci_low=t["ci_low"], ci_high=t["ci_high"], p_value=t["p_value"],
                               note=t.get("note"))
                    try:
                        w = ms.wilcoxon(c, b).row(0, named=True)
                        row.update(wilcoxon_statistic=w["statistic"], wilcoxon_p_value=w["p_value"])
                    except _core.StatsError as e:
                        row["note"] = "; ".join(x for x in (row["note"], f"Wilcoxon: {e}") if x)
                prow.append(row)
    return pl.DataFrame(prow, schema_overrides={"note": pl.String}, infer_schema_length=None)


def _indicators_side_by_side(wb: Any, wc: Any, confidence: float, seed: int) -> pl.DataFrame:
    from miroir.analysis import indicators

    keep = ["id", "label", "estimate", "ci_low", "ci_high", "n"]
    tb = indicators(wb, confidence=confidence, n_resamples=0, seed=seed).table.select(keep)
    tc = indicators(wc, confidence=confidence, n_resamples=0, seed=seed).table.select(keep)
    both = tb.join(tc.drop("label"), on="id", how="left", suffix="_current", maintain_order="left")
    both = both.rename({c: f"{c}_baseline" for c in ("estimate", "ci_low", "ci_high", "n")})
    return both.with_columns(change=pl.col("estimate_current") - pl.col("estimate_baseline"))


def _by_segments(wb: Any, wc: Any, baseline: str, current: str, by: str | list[str],
                 **options: Any) -> WavesComparison:
    import warnings

    from miroir.segments import _blank_suppressed, _protect, segment_columns

    columns = segment_columns(wb, by, "compare_waves")[0]
    segment_columns(wc, columns, "compare_waves")
    groups = [_protect(w, columns, False) for w in (wb, wc)]
    keys = ["segment_column", "segment", "study"]
    hidden = groups[0].join(groups[1], on=keys, how="full", coalesce=True, suffix="_current").select(
        *keys, (pl.col("suppressed").fill_null(False) | pl.col("suppressed_current").fill_null(False)).alias("suppressed"))
    parts: dict[str, list[pl.DataFrame]] = {}
    for column in columns:
        values = sorted(set(wb.employees[column].cast(pl.String).to_list()) | set(wc.employees[column].cast(pl.String).to_list()))
        for value in values:
            expr = pl.col(column).cast(pl.String) == value
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    one = compare_waves({baseline: wb.filter(expr), current: wc.filter(expr)}, baseline, current, **options)
            except (_core.InsufficientDataError, _core.EmptyTableError) as e:
                raise type(e)(f"segment {column} = {value}: {e}") from None
            for name in ("changes", "units", "paired", "unmatched", "linkage", "moments", "indicators"):
                frame = getattr(one, name)
                if frame is not None:
                    parts.setdefault(name, []).append(
                        frame.select(pl.lit(column).alias("segment_column"), pl.lit(value).alias("segment"), pl.all()))
    stacked = {name: pl.concat(frames, how="diagonal_relaxed") for name, frames in parts.items()}
    for name in ("changes", "paired", "linkage"):
        stacked[name] = _blank_suppressed(stacked[name], hidden)
    # a segment's indicators are its pooled figures: blanked with its pooled group
    indicators = _blank_suppressed(stacked["indicators"].with_columns(study=pl.lit("all")), hidden).drop("study")
    return WavesComparison(str(baseline), str(current), stacked["changes"], stacked["units"], stacked["paired"],
                           stacked["unmatched"], stacked["linkage"], stacked.get("moments"), indicators)


def _pearson_rows(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Pearson r of each row of ``x`` with the same row of ``y`` (NaN where a row is constant)."""
    xc = x - x.mean(axis=-1, keepdims=True)
    yc = y - y.mean(axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray((xc * yc).sum(axis=-1) / np.sqrt((xc * xc).sum(axis=-1) * (yc * yc).sum(axis=-1)))


def _linkage_change(usable: pl.DataFrame, common: list[str], confidence: float, n_resamples: int,
                    seed: int) -> pl.DataFrame:
    if not (isinstance(n_resamples, int) and not isinstance(n_resamples, bool) and 0 <= n_resamples <= 1_000_000):
        raise invalid_argument(
            "n_resamples", f"an integer from 0 to 1,000,000, got {n_resamples!r}")
    cols = ["mean_engagement_baseline", "share_satisfied_baseline", "mean_engagement_current", "share_satisfied_current"]
    data = usable.drop_nulls(cols)
    rows: list[dict[str, Any]] = []
    for level, group in [("study", [s]) for s in common] + [("pooled", common)]:
        sub = data.filter(pl.col("study").is_in(group))
        row: dict[str, Any] = dict(level=level, study=group[0] if level == "study" else "all", n_units=sub.height,
                                   r_baseline=math.nan, r_current=math.nan, change=math.nan,
                                   ci_low=math.nan, ci_high=math.nan, n_resamples=n_resamples, note=None)
        if sub.height < 4:
            row["note"] = f"{sub.height} matched units: too few for a correlation's change (4 or more)"
            rows.append(row)
            continue
        v = {c: sub[c].to_numpy() for c in cols}
        rb = float(_pearson_rows(v[cols[0]], v[cols[1]]))
        rc = float(_pearson_rows(v[cols[2]], v[cols[3]]))
        row.update(r_baseline=rb, r_current=rc, change=rc - rb)
        if n_resamples > 0:
            rng = np.random.default_rng(seed)
            strata = [np.flatnonzero(sub["study"].to_numpy() == s) for s in group]
            idx = np.concatenate([st[rng.integers(0, len(st), size=(n_resamples, len(st)))] for st in strata if len(st)],
                                 axis=1)
            d = _pearson_rows(v[cols[2]][idx], v[cols[3]][idx]) - _pearson_rows(v[cols[0]][idx], v[cols[1]][idx])
            d = d[np.isfinite(d)]
            if len(d):
                a = (1 - confidence) / 2
                row.update(ci_low=float(np.quantile(d, a)), ci_high=float(np.quantile(d, 1 - a)))
            if len(d) < n_resamples:
                row["note"] = f"{n_resamples - len(d)} resamples with a constant unit column skipped"
        else:
            row["note"] = "no interval (n_resamples = 0)"
        rows.append(row)
    return pl.DataFrame(rows, schema_overrides={"note": pl.String}, infer_schema_length=None)


def _moment_change(wb: Any, wc: Any) -> pl.DataFrame | None:
    """Each theme's moment in both waves (themes of either wave), and whether it moved."""
    from miroir.analysis import moments

    if wb.mentions is None or wc.mentions is None:
        return None
    keep = ["theme", "moment", "q_value"]
    mb = moments(wb).table.select(keep)
    mc = moments(wc).table.select(keep)
    both = mb.join(mc, on="theme", how="full", coalesce=True, suffix="_current").rename(
        {"moment": "moment_baseline", "q_value": "q_value_baseline"})
    cells = pl.Series(_CELLS)
    return both.with_columns(
        moved=pl.col("moment_baseline").fill_null("absent") != pl.col("moment_current").fill_null("absent"),
        changed_cell=pl.col("moment_baseline").is_in(cells.implode()) & pl.col("moment_current").is_in(cells.implode())
        & (pl.col("moment_baseline") != pl.col("moment_current")),
    ).sort("changed_cell", "moved", "theme", descending=[True, True, False])
