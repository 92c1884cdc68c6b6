# Type stub of the compiled extension miroir._core (Rust, src/bindings/*.rs).
#
# Checked against the built module by `python -m mypy.stubtest miroir._core`
# (tests/python/test_typing.py). Parameters shown with a default of `...` have a default the
# extension cannot spell in its text signature (a tuple, a list or `Some(..)`); the actual value
# is given in a comment.

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TypeAlias, final

import polars as pl

__all__ = [
    "MiroirError",
    "SchemaError",
    "MissingColumnError",
    "DtypeError",
    "DataError",
    "MissingValueError",
    "OutOfRangeError",
    "DuplicateIdError",
    "UnknownCategoryError",
    "OrphanMentionError",
    "EmptyTableError",
    "InsufficientDataError",
    "InvalidArgumentError",
    "StatsError",
    "FileError",
    "DataQualityWarning",
    "SpecError",
    "version",
    "Schema",
    "Study",
    "load_study",
    "study_paths",
    "read_table",
    "read_table_for",
    "clean_verbatims",
    "synthetic_study",
    "stats_pearson",
    "stats_spearman",
    "stats_kendall",
    "stats_weighted_pearson",
    "stats_welch_t",
    "stats_student_t",
    "stats_hedges_g",
    "stats_mann_whitney",
    "stats_bootstrap_pearson",
    "stats_permutation_pearson",
    "stats_proportion_ci",
    "stats_binom_test",
    "stats_two_proportions",
    "stats_chi2_independence",
    "stats_fisher_exact",
    "stats_adjust_pvalues",
    "stats_cronbach_alpha",
    "stats_icc",
    "stats_rwg",
    "stats_rwg_j",
    "stats_meta_correlations",
    "stats_meta_random",
    "stats_ols",
    "stats_mixed_lm",
    "linkage",
    "linkage_units",
    "exposure_gap",
    "moments",
    "moment_effects",
    "indicators",
    "report",
    "moment_taxonomy",
    "analysis_defaults",
    "published_inside_ci",
    "linkage_corrected",
    "multilevel_gap",
    "reproduce_spec",
    "reproduce_statistics",
    "stats_meta_hunter_schmidt",
    "stats_power_correlation",
    "plan_linkage",
]

# A path argument: the extension takes anything `os.fspath` turns into a str.
_StrPath: TypeAlias = str | os.PathLike[str]

# -- exceptions (errors.rs) --------------------------------------------------------------------

class MiroirError(ValueError):
    table: str | None
    column: str | None
    rows: list[int] | None
    total: int | None
    argument: str | None
    file: str | None
    line: int | None
    key: str | None
    expected: str | None
    found: str | None
class SchemaError(MiroirError): ...
class MissingColumnError(SchemaError): ...
class DtypeError(SchemaError): ...
class DataError(MiroirError): ...
class MissingValueError(DataError): ...
class OutOfRangeError(DataError): ...
class DuplicateIdError(DataError): ...
class UnknownCategoryError(DataError): ...
class OrphanMentionError(DataError): ...
class EmptyTableError(DataError): ...
class InsufficientDataError(DataError): ...
class InvalidArgumentError(MiroirError): ...
class StatsError(MiroirError): ...
class FileError(MiroirError): ...
class SpecError(MiroirError): ...
class DataQualityWarning(UserWarning): ...

def version() -> str: ...

# -- data (data.rs) ------------------------------------------------------------------------------

@final
class Schema:
    def __new__(
        cls,
        *,
        employees: dict[str, str] | None = None,
        customers: dict[str, str] | None = None,
        mentions: dict[str, str] | None = None,
        verbatims: dict[str, str] | None = None,
        satisfaction_scale: tuple[float, float] = ...,  # (0.0, 10.0)
        satisfied_threshold: float = 7.0,
        engagement_items: Sequence[str] | None = None,
        item_scale: tuple[float, float] = ...,  # (1.0, 5.0)
        min_group_size: int = 5,
        min_text_group_size: int = 10,
        csv: Mapping[str, str | bool | None] | None = ...,
        missing_codes: Sequence[float | str] | Mapping[str, Sequence[float | str]] | None = ...,
        constants: Mapping[str, str] | None = None,
        item_scales: Mapping[str, tuple[float, float]] | None = None,
        reverse_items: Sequence[str] | None = None,
        min_items_answered: int | None = None,
        missing_satisfaction: str = "drop",
        excel: Mapping[str, str | int] | None = None,
        recode: Mapping[str, Mapping[str | float, float | str | bool]] | None = ...,
    ) -> Schema: ...
    @property
    def recode(self) -> dict[str, dict[str, float | str]]: ...
    @property
    def excel(self) -> dict[str, str | int]: ...
    def to_toml(self) -> str: ...
    @staticmethod
    def from_toml(path: str | os.PathLike[str]) -> Schema: ...
    @staticmethod
    def from_toml_text(text: str) -> Schema: ...
    def __reduce__(self) -> tuple[Any, tuple[str]]: ...
    @property
    def csv(self) -> dict[str, str | bool | None]: ...
    @property
    def constants(self) -> dict[str, str]: ...
    @property
    def missing_codes(self) -> dict[str, list[float | str]]: ...
    @property
    def missing_satisfaction(self) -> str: ...
    @property
    def reverse_items(self) -> list[str]: ...
    @property
    def item_scales(self) -> dict[str, tuple[float, float]]: ...
    @property
    def min_items_answered(self) -> int | None: ...
    @property
    def columns(self) -> dict[str, dict[str, str]]: ...
    @property
    def satisfaction_scale(self) -> tuple[float, float]: ...
    @property
    def satisfied_threshold(self) -> float: ...
    @property
    def engagement_items(self) -> list[str] | None: ...
    @property
    def item_scale(self) -> tuple[float, float] | None: ...
    @property
    def min_group_size(self) -> int: ...
    @property
    def min_text_group_size(self) -> int: ...

@final
class Study:
    def __new__(
        cls,
        employees: pl.DataFrame,
        customers: pl.DataFrame,
        mentions: pl.DataFrame | None = None,
        schema: Schema | None = None,
    ) -> Study: ...
    @property
    def employees(self) -> pl.DataFrame: ...
    @property
    def streamed(self) -> bool: ...
    @property
    def customers(self) -> pl.DataFrame: ...
    @property
    def mentions(self) -> pl.DataFrame | None: ...
    @property
    def schema(self) -> Schema: ...
    @property
    def warnings(self) -> list[str]: ...
    def summary(self) -> pl.DataFrame: ...

def load_study(
    employees: _StrPath,
    customers: _StrPath,
    mentions: _StrPath | None = None,
    schema: Schema | None = None,
    streaming: bool | None = None,
    batch_rows: int | None = None,
) -> Study: ...
def study_paths(dir: _StrPath) -> tuple[Path, Path, Path | None]: ...
def read_table_for(path: str | os.PathLike[str], table: str, schema: Schema | None = None) -> pl.DataFrame: ...
def clean_verbatims(verbatims: pl.DataFrame, study: Study) -> tuple[pl.DataFrame, list[str]]: ...
def read_table(path: _StrPath) -> pl.DataFrame: ...
def synthetic_study(
    studies: int = 20, employees: int = 20000, customers: int = 100000, seed: int = 0, wave: int = 0
) -> Study: ...

# -- statistical kernel (stats.rs): Series in, tidy one-row DataFrames out ----------------------

def stats_pearson(x: pl.Series, y: pl.Series, alternative: str, confidence: float) -> pl.DataFrame: ...
def stats_spearman(x: pl.Series, y: pl.Series, alternative: str, confidence: float) -> pl.DataFrame: ...
def stats_kendall(
    x: pl.Series, y: pl.Series, alternative: str, method: str, confidence: float
) -> pl.DataFrame: ...
def stats_weighted_pearson(
    x: pl.Series, y: pl.Series, w: pl.Series, alternative: str, confidence: float
) -> pl.DataFrame: ...
def stats_welch_t(a: pl.Series, b: pl.Series, alternative: str, confidence: float) -> pl.DataFrame: ...
def stats_student_t(a: pl.Series, b: pl.Series, alternative: str, confidence: float) -> pl.DataFrame: ...
def stats_hedges_g(a: pl.Series, b: pl.Series, confidence: float) -> pl.DataFrame: ...
def stats_mann_whitney(
    a: pl.Series, b: pl.Series, alternative: str, method: str, use_continuity: bool
) -> pl.DataFrame: ...
def stats_bootstrap_pearson(
    x: pl.Series,
    y: pl.Series,
    n_resamples: int,
    method: str,
    seed: int,
    confidence: float,
    clusters: pl.Series | None = None,
) -> pl.DataFrame: ...
def stats_permutation_pearson(
    x: pl.Series, y: pl.Series, n_resamples: int, seed: int, alternative: str
) -> pl.DataFrame: ...
def stats_proportion_ci(k: int, n: int, method: str, confidence: float) -> pl.DataFrame: ...
def stats_binom_test(k: int, n: int, p: float, alternative: str, confidence: float) -> pl.DataFrame: ...
def stats_two_proportions(
    k1: int, n1: int, k2: int, n2: int, alternative: str, confidence: float
) -> pl.DataFrame: ...
def stats_chi2_independence(table: Sequence[Sequence[float]], correction: bool) -> pl.DataFrame: ...
def stats_fisher_exact(
    table: Sequence[Sequence[int]], alternative: str, confidence: float
) -> pl.DataFrame: ...
def stats_adjust_pvalues(p: pl.Series, method: str) -> pl.Series: ...
def stats_cronbach_alpha(items: pl.DataFrame, confidence: float) -> pl.DataFrame: ...
def stats_icc(values: pl.Series, groups: pl.Series) -> pl.DataFrame: ...
def stats_rwg(values: pl.Series, groups: pl.Series, scale_points: float) -> pl.DataFrame: ...
def stats_rwg_j(items: pl.DataFrame, groups: pl.Series, scale_points: float) -> pl.DataFrame: ...
def stats_meta_correlations(r: pl.Series, n: pl.Series, method: str, confidence: float) -> pl.DataFrame: ...
def stats_meta_random(yi: pl.Series, vi: pl.Series, method: str, confidence: float) -> pl.DataFrame: ...
def stats_ols(
    y: pl.Series,
    x: pl.DataFrame,
    intercept: bool,
    confidence: float,
    cluster: pl.Series | None = None,
) -> pl.DataFrame: ...

# -- mirror analyses (analysis.rs) ---------------------------------------------------------------

# The analyses take every option (no defaults here): their defaults are stated once, in the core's
# options structs, and read by the Python signatures through analysis_defaults().
def analysis_defaults() -> dict[str, dict[str, Any]]: ...

# Whether a published value lies inside [ci_low, ci_high] up to rounding; None when any is NaN.
def published_inside_ci(published: float, ci_low: float, ci_high: float) -> bool | None: ...
def linkage(
    study: Study,
    method: str,
    by: str | None,
    threshold: float | None,
    top_share: float,
    outcome: str,
    n_resamples: int,
    seed: int,
    confidence: float,
) -> pl.DataFrame: ...
def linkage_units(study: Study) -> pl.DataFrame: ...
def exposure_gap(study: Study, by: str | None, covariates: Sequence[str], confidence: float) -> pl.DataFrame: ...
def moments(
    study: Study, alpha: float, silence_rate: float, min_mentions: int, by: str | None
) -> pl.DataFrame: ...
def moment_effects(study: Study, alpha: float, silence_rate: float, min_mentions: int) -> pl.DataFrame: ...
def indicators(study: Study, ci_method: str, confidence: float, n_resamples: int, seed: int) -> pl.DataFrame: ...

# Keys summary, indicators, linkage, units, exposure_gap (DataFrames), moments, moment_effects
# (DataFrame, or None without mentions) and warnings (list[str]).
def report(study: Study, n_resamples: int, seed: int) -> dict[str, Any]: ...
def moment_taxonomy() -> list[tuple[str, str, str, list[tuple[str, str, str, str]]]]: ...

# -- distributed report (partial.rs) -------------------------------------------------------------

__all__ += ["partial_file_studies", "partial_report", "merge_partials", "finish_report"]

_PartFile = tuple[str, bytes | None, list[tuple[str, str]]]

def partial_file_studies(
    name: str, table: str, schema: Schema, data: bytes | None, constants: list[tuple[str, str]]
) -> list[tuple[str | None, int]]: ...
def partial_report(
    employees: list[_PartFile], customers: list[_PartFile], mentions: list[_PartFile], studies: list[str],
    schema: Schema, n_resamples: int, seed: int,
) -> bytes: ...
def merge_partials(a: bytes, b: bytes) -> bytes: ...
def finish_report(part: bytes, n_resamples: int, seed: int) -> dict[str, Any]: ...

# -- reproduce (reproduce.rs) --------------------------------------------------------------------

def reproduce_spec(
    text: str,
    path: str,
    base_dir: _StrPath,
    study: Study | None = None,
    data_dir: _StrPath | None = None,
) -> tuple[str | None, pl.DataFrame]: ...
def reproduce_statistics() -> list[str]: ...

# -- planning (planning.rs) ----------------------------------------------------------------------

def stats_meta_hunter_schmidt(
    r: pl.Series,
    n: pl.Series,
    rxx: pl.Series | None,
    ryy: pl.Series | None,
    confidence: float,
    credibility: float,
    correct_bias: bool,
) -> pl.DataFrame: ...
def stats_power_correlation(
    r: float, n: float | None, alpha: float, power: float | None, alternative: str
) -> pl.DataFrame: ...

# (one-row summary, table over respondents per unit)
def plan_linkage(
    r_true: float,
    icc1: float,
    respondents_per_unit: float,
    customer_icc1: float,
    customers_per_unit: float,
    alpha: float,
    power: float,
    alternative: str,
    table_sizes: Sequence[float] | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]: ...

# -- mixed models (mixed.rs) ---------------------------------------------------------------------

def stats_mixed_lm(
    y: pl.Series,
    x: pl.DataFrame,
    groups: pl.Series,
    intercept: bool,
    method: str,
    confidence: float,
    se: str,
) -> pl.DataFrame: ...

# -- corrected linkage and multilevel exposure gap (analysis.rs) ---------------------------------

def linkage_corrected(study: Study, outcome: str, confidence: float, credibility: float) -> pl.DataFrame: ...
def multilevel_gap(study: Study, by: str | None, confidence: float) -> pl.DataFrame: ...

# -- relative importance and dominance (relimp.rs) -----------------------------------------------

__all__ += [
    "RELIMP_MAX_EXACT_PREDICTORS",
    "RELIMP_DEFAULT_PERMUTATIONS",
    "stats_relimp_covariance",
    "stats_relative_importance",
    "stats_dominance",
]

RELIMP_MAX_EXACT_PREDICTORS: int
RELIMP_DEFAULT_PERMUTATIONS: int

# (names, rows of the covariance matrix, number of rows of positive weight)
def stats_relimp_covariance(
    columns: pl.DataFrame, weights: pl.Series | None = None
) -> tuple[list[str], list[list[float]], int]: ...
def stats_relative_importance(
    matrix: Sequence[Sequence[float]],
    names: Sequence[str],
    y: str,
    x: Sequence[str],
    groups: Sequence[tuple[str, Sequence[str]]],
    always: Sequence[str],
    methods: Sequence[str],
    exact: bool | None,
    n_permutations: int,
    seed: int,
    n_obs: int | None = None,
) -> pl.DataFrame: ...

# (general, conditional, complete, r2, r2_always)
def stats_dominance(
    matrix: Sequence[Sequence[float]],
    names: Sequence[str],
    y: str,
    x: Sequence[str],
    groups: Sequence[tuple[str, Sequence[str]]],
    always: Sequence[str],
    n_obs: int | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, float, float]: ...

# -- drivers (analysis/drivers.rs) ---------------------------------------------------------------

__all__ += ["drivers", "seed_drivers"]

def drivers(
    study: Study,
    outcome: str,
    drivers: Sequence[str] | None,
    controls: Sequence[str],
    level: str | None,
    adjust_for_study: bool,
    n_resamples: int,
    seed: int,
    confidence: float,
) -> pl.DataFrame: ...

# (column, English label, French label, seed article)
def seed_drivers() -> list[tuple[str, str, str, str]]: ...

# -- paired samples (paired.rs) ------------------------------------------------------------------

__all__ += ["stats_paired_t", "stats_wilcoxon"]

def stats_paired_t(a: pl.Series, b: pl.Series, alternative: str, confidence: float) -> pl.DataFrame: ...
def stats_wilcoxon(a: pl.Series, b: pl.Series, alternative: str, method: str) -> pl.DataFrame: ...

# -- agreement between codings (agreement.rs) ----------------------------------------------------

__all__ += ["stats_agreement", "stats_cohen_kappa", "stats_krippendorff_alpha"]

def stats_cohen_kappa(
    a: pl.Series, b: pl.Series, n_categories: int, weights: str, confidence: float
) -> pl.DataFrame: ...
def stats_krippendorff_alpha(coders: pl.DataFrame, level: str) -> pl.DataFrame: ...
def stats_agreement(
    coded_items: pl.Series,
    coded_labels: pl.Series,
    reference_items: pl.Series,
    reference_labels: pl.Series,
    labels: Sequence[str],
) -> pl.DataFrame: ...

# -- verbatim coding (src/text, bindings/text.rs) ------------------------------------------------

__all__ += ["Codebook", "text_code"]

@final
class Codebook:
    @staticmethod
    def from_toml(text: str, path: str = "<codebook>") -> Codebook: ...
    @property
    def source(self) -> str: ...
    # (id, label, valence or None)
    @property
    def themes(self) -> list[tuple[str, str, str | None]]: ...
    # (theme id, language, pattern, exclude, line)
    @property
    def patterns(self) -> list[tuple[str, str, str, bool, int]]: ...
    def __len__(self) -> int: ...

def text_code(
    codebook: Codebook,
    texts: pl.Series,
    languages: pl.Series | None = None,
    text_valence: pl.Series | None = None,
    threshold: float | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]: ...

# -- text valence (src/text/sentiment.rs, bindings/text_sentiment.rs) -------------------------------
__all__ += ["text_sentiment", "text_clauses"]

def text_sentiment(
    texts: pl.Series, languages: pl.Series | None = None, threshold: float | None = None
) -> pl.DataFrame: ...
def text_clauses(
    texts: pl.Series, languages: pl.Series | None = None, threshold: float | None = None
) -> pl.DataFrame: ...

# -- text models (src/text/{tfidf,classifier,cluster}.rs, bindings/text_model.rs) ------------------
__all__ += ["TextClassifier", "text_cross_validate", "text_stratified_folds", "text_suggest_themes", "text_terms"]

@final
class TextClassifier:
    @staticmethod
    def fit(
        texts: pl.Series,
        labels: pl.Series,
        *,
        languages: pl.Series | None,
        language: str | None,
        seed: int,
        c: float,
        tol: float,
        max_iter: int,
        class_weight: str | None,
        ngram_range: tuple[int, int],
        min_df: int | float,
        max_df: int | float,
        max_features: int | None,
        sublinear_tf: bool,
    ) -> TextClassifier: ...
    def predict_proba(self, texts: pl.Series, languages: pl.Series | None = None) -> pl.DataFrame: ...
    def predict(self, texts: pl.Series, languages: pl.Series | None = None) -> pl.Series: ...
    # row, label, confidence, margin
    def uncertain(self, texts: pl.Series, n: int, languages: pl.Series | None = None) -> pl.DataFrame: ...
    # row, column, term, weight
    def transform(self, texts: pl.Series, languages: pl.Series | None = None) -> pl.DataFrame: ...
    def terms(self, texts: pl.Series, languages: pl.Series | None = None) -> list[list[str]]: ...
    # label, rank, term, weight
    def top_terms(self, n: int) -> pl.DataFrame: ...
    def to_bytes(self) -> bytes: ...
    @staticmethod
    def from_bytes(data: bytes, path: str = "<bytes>") -> TextClassifier: ...
    @property
    def labels(self) -> list[str]: ...
    @property
    def multi_label(self) -> bool: ...
    @property
    def vocabulary(self) -> list[str]: ...
    @property
    def idf(self) -> list[float]: ...
    @property
    def n_docs(self) -> int: ...
    @property
    def n_iter(self) -> list[int]: ...
    @property
    def converged(self) -> bool: ...
    @property
    def language(self) -> str | None: ...
    @property
    def seed(self) -> int: ...
    # the keyword arguments of fit, with "C" for c
    @property
    def settings(self) -> dict[str, Any]: ...

def text_terms(
    texts: pl.Series,
    *,
    languages: pl.Series | None = None,
    language: str | None = None,
    ngram_range: tuple[int, int] = ...,  # (1, 2)
    stop_words: bool = False,
) -> list[list[str]]: ...
def text_stratified_folds(labels: pl.Series, folds: int, seed: int) -> pl.Series: ...
# fold, n_train, n_test, accuracy, macro_f1, kappa (then a "mean" row)
def text_cross_validate(
    texts: pl.Series,
    labels: pl.Series,
    folds: pl.Series,
    *,
    languages: pl.Series | None,
    language: str | None,
    seed: int,
    c: float,
    tol: float,
    max_iter: int,
    class_weight: str | None,
    ngram_range: tuple[int, int],
    min_df: int | float,
    max_df: int | float,
    max_features: int | None,
    sublinear_tf: bool,
) -> pl.DataFrame: ...
# (themes, assignments, inertia, n_iter, converged)
def text_suggest_themes(
    texts: pl.Series,
    k: int,
    *,
    languages: pl.Series | None,
    respondents: pl.Series | None,
    language: str | None,
    seed: int,
    n_init: int,
    max_iter: int,
    n_keywords: int,
    n_examples: int,
    min_text_group_size: int,
    ngram_range: tuple[int, int],
    min_df: int | float,
    max_df: int | float,
    stop_words: bool,
) -> tuple[pl.DataFrame, pl.DataFrame, float, int, bool]: ...

# -- synthetic verbatims (src/synth/verbatims.rs, bindings/synth_verbatims.rs) --------------------
__all__ += ["synthetic_verbatims", "synthetic_codebook_toml", "synthetic_study_with_verbatims"]

# (verbatims, truth): verbatims `study, side, respondent_id, question, text, language`; truth
# `study, side, respondent_id, question, theme, valence`, one row per true code
def synthetic_verbatims(
    studies: int = 20,
    employees: int = 20000,
    customers: int = 100000,
    seed: int = 0,
    wave: int = 0,
    paraphrases: str = "seen",
) -> tuple[pl.DataFrame, pl.DataFrame]: ...
def synthetic_codebook_toml() -> str: ...
def synthetic_study_with_verbatims(
    studies: int = 20, employees: int = 20_000, customers: int = 100_000, seed: int = 0, wave: int = 0
) -> tuple[Study, pl.DataFrame, pl.DataFrame]: ...
