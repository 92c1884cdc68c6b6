"""Agreement between codings: Cohen's kappa, Krippendorff's alpha and per-theme precision / recall
/ F1. Kernel: ``src/stats/agreement.rs`` (formulas and references in its documentation)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl

from miroir import _core
from miroir._frames import invalid_argument, to_label_series, to_polars_frame

__all__ = ["agreement", "cohen_kappa", "krippendorff_alpha"]


def _categories(values: list[pl.Series], labels: Sequence[Any] | None) -> pl.Series:
    """The categories of ``values`` in their order: ``labels`` when given (each once), otherwise
    the distinct values sorted (numbers numerically, anything else as text)."""
    if labels is not None:
        cats = to_label_series(list(labels), "labels")
        if cats.null_count() or cats.n_unique() != cats.len():
            raise invalid_argument("labels", "each category must be given once, not null")
        return cats
    if all(s.dtype.is_numeric() or s.dtype == pl.Boolean for s in values):
        both = pl.concat([s.cast(pl.Float64) for s in values])
    else:
        both = pl.concat([s.cast(pl.String) for s in values])
    distinct: pl.Series = both.drop_nulls().unique().sort()
    return distinct


def _codes(s: pl.Series, cats: pl.Series, name: str) -> pl.Series:
    """``s`` as codes 0..k-1 of ``cats``; a missing value or one outside ``cats`` is refused."""
    if s.null_count():
        raise invalid_argument(
            name, f"{s.null_count()} missing values (drop the units either rater left out)"
        )
    if s.dtype.is_float() and s.is_nan().any():
        raise invalid_argument(
            name, f"{int(s.is_nan().sum())} NaN values (drop the units either rater left out)"
        )
    same: pl.Series = s.cast(cats.dtype, strict=False) if cats.dtype != s.dtype else s
    unknown = ~same.is_in(cats.implode()) | same.is_null()
    if unknown.any():
        first = s.filter(unknown)[0]
        raise invalid_argument(
            name, f"{int(unknown.sum())} values are not in 'labels' (first: {first!r})"
        )
    codes: pl.Series = same.replace_strict(cats, pl.Series(range(cats.len()), dtype=pl.UInt32), return_dtype=pl.UInt32)
    return codes


def cohen_kappa(
    a: Any,
    b: Any,
    *,
    weights: str | None = None,
    labels: Sequence[Any] | None = None,
    confidence: float = 0.95,
) -> pl.DataFrame:
    """Cohen's kappa between two raters who gave one category to each of the same units (``a[i]``
    and ``b[i]`` for unit ``i``), as scikit-learn's ``cohen_kappa_score(a, b, weights=weights)``.

    ``weights``: ``None`` (every disagreement counts the same), ``"linear"`` or ``"quadratic"``
    (disagreement ``|i - j|`` or ``(i - j)**2`` between the positions of the two categories in
    their order). The order is ``labels`` when given (every value must be in it), otherwise the
    distinct values sorted — numerically for numbers, alphabetically for text, as scikit-learn:
    pass ``labels=["low", "medium", "high"]`` for an ordinal scale written in words.

    Standard error (column ``se``) and the interval ``estimate ± z·se``: the large-sample variance
    of Fleiss, Cohen & Everitt (1969), statsmodels' ``cohens_kappa(table, wt=...).std_kappa``
    and SAS's ASE. ``statistic`` and ``p_value`` test kappa = 0 with the variance under
    independence (``se_null``, statsmodels' ``std_kappa0``; two-sided normal). Extras ``se``,
    ``se_null``, ``p_observed``, ``p_expected``, ``n_categories``. ``n`` = units.

    Lengths that differ or fewer than 2 units raise :class:`miroir.StatsError`; missing values
    raise :class:`miroir.InvalidArgumentError`. Both raters giving every unit one same category
    leaves kappa undefined: NaN with a ``note``.

    Examples
    --------
    >>> import polars as pl
    >>> import miroir.stats as ms
    >>> human = ["wait", "price", "staff", "staff", "wait", "price", "wait", "staff",
    ...          "wait", "price", "staff", "wait", "price", "staff", "wait", "wait"]
    >>> model = ["wait", "price", "staff", "wait", "wait", "price", "price", "staff",
    ...          "wait", "price", "staff", "wait", "staff", "staff", "wait", "price"]
    >>> k = ms.cohen_kappa(human, model)
    >>> k.select(pl.col("estimate", "se", "ci_low", "ci_high", "p_value").round(4))
    shape: (1, 5)
    ┌──────────┬────────┬────────┬─────────┬─────────┐
    │ estimate ┆ se     ┆ ci_low ┆ ci_high ┆ p_value │
    │ ---      ┆ ---    ┆ ---    ┆ ---     ┆ ---     │
    │ f64      ┆ f64    ┆ f64    ┆ f64     ┆ f64     │
    ╞══════════╪════════╪════════╪═════════╪═════════╡
    │ 0.6213   ┆ 0.1626 ┆ 0.3025 ┆ 0.9401  ┆ 0.0004  │
    └──────────┴────────┴────────┴─────────┴─────────┘
    """
    sa, sb = to_label_series(a, "a"), to_label_series(b, "b")
    cats = _categories([sa, sb], labels)
    return _core.stats_cohen_kappa(
        _codes(sa, cats, "a"), _codes(sb, cats, "b"), cats.len(), "none" if weights is None else weights, confidence
    )


def krippendorff_alpha(data: Any, *, level: str = "nominal", coders: str = "rows") -> pl.DataFrame:
    """Krippendorff's alpha of a coders x units table with missing values (None / NaN: the unit
    was not coded by that coder), as the package ``krippendorff``'s
    ``alpha(reliability_data=data, level_of_measurement=level)``.

    ``data``: a 2-D list, numpy array, polars or pandas DataFrame; by default one row per coder
    and one column per unit (``coders="rows"``, the package's layout); ``coders="columns"`` for a
    table with one row per unit and one column per coder. ``level``: ``"nominal"`` (categories,
    which may then be text), ``"ordinal"``, ``"interval"`` or ``"ratio"`` (numbers).

    Computed from the coincidence matrix of the values that occur (Krippendorff 2011); units
    coded by fewer than two coders are not pairable and left out. ``n`` = pairable values; extras
    ``n_units`` (pairable units), ``n_coders``, ``d_observed``, ``d_expected``; no interval.
    Fewer than 2 coders, every value missing, or no unit coded twice raise
    :class:`miroir.StatsError`; one single value in all the data gives NaN with a ``note``.

    Examples
    --------
    Krippendorff's (2011) worked example: 4 coders, 12 units, published alpha 0.743 (nominal)
    and 0.849 (interval).

    >>> import miroir.stats as ms
    >>> n = None
    >>> data = [[1, 2, 3, 3, 2, 1, 4, 1, 2, n, n, n],
    ...         [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, n, 3],
    ...         [n, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, n],
    ...         [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, n]]
    >>> round(ms.krippendorff_alpha(data)["estimate"][0], 3)
    0.743
    >>> round(ms.krippendorff_alpha(data, level="interval")["estimate"][0], 3)
    0.849
    """
    if coders not in ("rows", "columns"):
        raise invalid_argument("coders", f"expected 'rows' or 'columns', got {coders!r}")
    if isinstance(data, (pl.DataFrame, pl.LazyFrame)) or type(data).__module__.startswith("pandas"):
        frame = to_polars_frame(data, "data")
        columns = [frame[c] for c in frame.columns]
        if coders == "rows":
            # one Series per unit: regroup as one list of values per coder
            rows = list(zip(*(c.to_list() for c in columns))) if columns else []
            columns = [pl.Series(f"coder{i}", list(r), strict=False) for i, r in enumerate(rows)]
    else:
        if isinstance(data, (str, bytes)) or not hasattr(data, "__len__"):
            raise invalid_argument("data", "expected a 2-D table (coders x units)")
        table = [list(r) for r in data]
        if not table:
            raise invalid_argument("data", "no coder (expected a 2-D table, coders x units)")
        if any(len(r) != len(table[0]) for r in table):
            raise invalid_argument("data", "every coder needs one value per unit")
        if coders == "columns":
            table = [list(r) for r in zip(*table)]
        columns = [pl.Series(f"coder{i}", r, strict=False) for i, r in enumerate(table)]
    numeric = all(c.dtype.is_numeric() or c.dtype == pl.Null for c in columns)
    if not numeric:
        if level != "nominal":
            raise invalid_argument(
                "data", f"level '{level}' needs numbers; text categories are nominal"
            )
        cats = pl.concat([c.cast(pl.String) for c in columns]).drop_nulls().unique().sort()
        columns = [c.cast(pl.String).replace_strict(cats, range(cats.len()), default=None, return_dtype=pl.Float64) for c in columns]
    frame = pl.DataFrame({f"coder{i}": c.cast(pl.Float64).fill_null(float("nan")) for i, c in enumerate(columns)})
    return _core.stats_krippendorff_alpha(frame, level)


def _key_columns(coded: pl.DataFrame, reference: pl.DataFrame, on: str | Sequence[str] | None) -> list[str]:
    if on is None:
        keys: list[str] = [c for c in ("study", "side", "respondent_id", "question") if c in coded.columns and c in reference.columns]
        if not keys:
            raise invalid_argument(
                "on", "the tables share none of study, side, respondent_id, question; "
                "name the columns that identify a verbatim"
            )
        return keys
    keys = [on] if isinstance(on, str) else [str(k) for k in on]
    for table, frame in (("coded", coded), ("reference", reference)):
        missing = [k for k in keys if k not in frame.columns]
        if missing:
            raise _core.MissingColumnError(f"table '{table}': missing required column '{missing[0]}'")
    return keys


def agreement(
    coded: Any,
    reference: Any,
    *,
    on: str | Sequence[str] | None = None,
    label: str | Sequence[str] = "theme",
) -> pl.DataFrame:
    """Per-theme precision, recall, F1 and support of a coding against a reference coding of the
    same verbatims (a model against a human coder, or two human coders): the multi-label scores
    of scikit-learn's ``precision_recall_fscore_support`` on the two theme-indicator matrices,
    with ``zero_division=np.nan``.

    ``coded`` and ``reference`` are mention tables (one row per theme found in a verbatim, a
    verbatim may carry several). ``on``: the columns that identify a verbatim (default: those of
    ``study, side, respondent_id, question`` present in both). ``label``: the column(s) compared,
    ``"theme"`` by default; ``["theme", "valence"]`` scores theme and valence together.

    One row per label (``label``, ``average`` null) with ``precision = tp/(tp+fp)``,
    ``recall = tp/(tp+fn)``, ``f1 = 2tp/(2tp+fp+fn)``, ``support = tp+fn`` (verbatims of the
    reference with that theme), ``tp, fp, fn``; then a row ``average = "macro"`` (unweighted mean
    over themes, macro-F1) and a row ``"micro"`` (pooled counts). An undefined ratio (a theme the
    coding never gave has no precision) is NaN and left out of the macro mean, never a 0.
    ``n_items`` = verbatims with a theme in either coding; verbatims neither coded change nothing.

    Examples
    --------
    >>> import polars as pl
    >>> import miroir.stats as ms
    >>> human = pl.DataFrame({"respondent_id": ["c1", "c1", "c2", "c3"],
    ...                       "theme": ["wait", "staff", "wait", "price"]})
    >>> model = pl.DataFrame({"respondent_id": ["c1", "c2", "c3", "c3"],
    ...                       "theme": ["wait", "wait", "price", "staff"]})
    >>> ms.agreement(model, human).select("label", "average", "precision", "recall", "f1", "support")
    shape: (5, 6)
    ┌───────┬─────────┬───────────┬──────────┬──────────┬─────────┐
    │ label ┆ average ┆ precision ┆ recall   ┆ f1       ┆ support │
    │ ---   ┆ ---     ┆ ---       ┆ ---      ┆ ---      ┆ ---     │
    │ str   ┆ str     ┆ f64       ┆ f64      ┆ f64      ┆ u64     │
    ╞═══════╪═════════╪═══════════╪══════════╪══════════╪═════════╡
    │ price ┆ null    ┆ 1.0       ┆ 1.0      ┆ 1.0      ┆ 1       │
    │ staff ┆ null    ┆ 0.0       ┆ 0.0      ┆ 0.0      ┆ 1       │
    │ wait  ┆ null    ┆ 1.0       ┆ 1.0      ┆ 1.0      ┆ 2       │
    │ null  ┆ macro   ┆ 0.666667  ┆ 0.666667 ┆ 0.666667 ┆ 4       │
    │ null  ┆ micro   ┆ 0.75      ┆ 0.75     ┆ 0.75     ┆ 4       │
    └───────┴─────────┴───────────┴──────────┴──────────┴─────────┘
    """
    c, r = to_polars_frame(coded, "coded"), to_polars_frame(reference, "reference")
    keys = _key_columns(c, r, on)
    labels = [label] if isinstance(label, str) else list(label)
    for table, frame in (("coded", c), ("reference", r)):
        for col in labels:
            if col not in frame.columns:
                raise _core.MissingColumnError(f"table '{table}': missing required column '{col}'")
        for col in keys + labels:
            if frame[col].null_count():
                raise _core.MissingValueError(
                    f"table '{table}', column '{col}': {frame[col].null_count()} missing values"
                )

    def text(frame: pl.DataFrame, cols: list[str]) -> pl.Series:
        # one string per row; the unit separator cannot occur in an id or a theme typed by a person
        return frame.select(pl.concat_str([pl.col(x).cast(pl.String) for x in cols], separator="\x1f")).to_series()

    ck, rk, cl, rl = text(c, keys), text(r, keys), text(c, labels), text(r, labels)
    items = pl.concat([ck, rk]).unique().sort()
    names = pl.concat([cl, rl]).unique().sort()
    def code(s: pl.Series, cats: pl.Series) -> pl.Series:
        codes: pl.Series = s.replace_strict(cats, pl.Series(range(cats.len()), dtype=pl.UInt64), return_dtype=pl.UInt64)
        return codes

    return _core.stats_agreement(
        code(ck, items), code(cl, names), code(rk, items), code(rl, names),
        [n.replace("\x1f", " / ") for n in names.to_list()],
    )
