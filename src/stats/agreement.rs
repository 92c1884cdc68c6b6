//! Agreement between codings: Cohen's kappa (two raters, one label per unit, optionally weighted),
//! Krippendorff's alpha (any number of coders, missing values, four levels of measurement), and
//! per-label precision / recall / F1 between two multi-label codings of the same items (a model
//! against a human, or two humans coding the same verbatims).
//!
//! Categories arrive as dense codes `0..k` in their order (the order matters only for weighted
//! kappa); the Python layer turns labels into codes.

use super::dist::{norm_ppf, norm_sf};
use super::error::{StatsError, StatsResult};
use super::result::{check_confidence, Alternative, TestResult};
use super::names::parse;
use std::str::FromStr;

// ---- Cohen's kappa ----------------------------------------------------------------------------

/// Disagreement weights of Cohen's kappa between categories `i` and `j` (codes in order); named
/// `"none"` (also read as `"unweighted"`; Python's `None`), `"linear"`, `"quadratic"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, strum::EnumIter, strum::IntoStaticStr, strum::Display)]
#[strum(serialize_all = "lowercase")]
pub enum KappaWeights {
    /// Every disagreement counts the same (Cohen 1960).
    #[default]
    #[strum(serialize = "none")]
    Unweighted,
    /// `|i - j|` (Cicchetti & Allison 1971).
    Linear,
    /// `(i - j)²` (Fleiss & Cohen 1973).
    Quadratic,
}

impl KappaWeights {
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// Agreement weight `w_ij` in [0, 1], `w_ii = 1`: one minus the disagreement weight divided
    /// by its largest value (kappa does not change under this rescaling; the variance formula of
    /// Fleiss, Cohen & Everitt is written for agreement weights with `w_ii = 1`).
    fn agreement(self, i: usize, j: usize, k: usize) -> f64 {
        let d = i.abs_diff(j) as f64;
        let top = (k.max(2) - 1) as f64;
        match self {
            KappaWeights::Unweighted => f64::from(u8::from(i == j)),
            KappaWeights::Linear => 1.0 - d / top,
            KappaWeights::Quadratic => 1.0 - (d * d) / (top * top),
        }
    }
}

impl FromStr for KappaWeights {
    type Err = StatsError;
    /// The refusal names Python's `None` rather than `'none'` (the binding's default).
    fn from_str(s: &str) -> StatsResult<Self> {
        let name = if s == "unweighted" { "none" } else { s };
        parse(name).map_err(|_| {
            StatsError::argument("weights", format!("expected None, 'linear' or 'quadratic', got '{s}'"))
        })
    }
}

fn check_codes(argument: &'static str, codes: &[usize], k: usize) -> StatsResult<()> {
    match codes.iter().position(|&c| c >= k) {
        Some(i) => Err(StatsError::data(
            argument,
            format!("category code {} at index {i} is not below the number of categories {k}", codes[i]),
        )),
        None => Ok(()),
    }
}

/// Cohen's kappa between two raters who each gave one of `k` categories (codes `0..k`) to the
/// same `n` units, `a[i]` and `b[i]` for unit `i`.
///
/// With `p_ij` the share of units rated `i` by `a` and `j` by `b`, margins `p_i.`, `p_.j`, and
/// agreement weights `w_ij` (`w_ii = 1`; see [`KappaWeights`]):
/// `p_o = Σ w_ij p_ij`, `p_e = Σ w_ij p_i. p_.j`, `κ = (p_o - p_e)/(1 - p_e)` — equal to
/// scikit-learn's `cohen_kappa_score(a, b, weights=...)`, whose linear and quadratic weights are
/// also distances between the positions of the categories in their order.
///
/// Standard error: the large-sample variance of Fleiss, Cohen & Everitt (1969), not the null
/// variance of Cohen (1960): with `w̄_i. = Σ_j p_.j w_ij`, `w̄_.j = Σ_i p_i. w_ij`,
/// `var(κ) = [Σ p_ij (w_ij - (w̄_i. + w̄_.j)(1 - κ))² - (κ - p_e(1 - κ))²] / (n (1 - p_e)²)`;
/// the interval is `κ ± z·se` (Wald). The test of `κ = 0` uses their variance under
/// independence, `var₀ = [Σ p_i. p_.j (w_ij - (w̄_i. + w̄_.j))² - p_e²] / (n (1 - p_e)²)`,
/// `statistic = κ/se₀`, two-sided normal p-value. Both are statsmodels'
/// `cohens_kappa(table, wt=...)` (`std_kappa`, `std_kappa0`, `z_value`, `pvalue_two_sided`) and
/// SAS PROC FREQ's ASE.
///
/// `n` = units. Extras: `se`, `se_null`, `p_observed`, `p_expected`, `n_categories`.
/// Errors: lengths differ, fewer than 2 units, a code not below `k`, confidence outside (0, 1).
/// `p_e = 1` (both raters used one and the same category for every unit) leaves kappa
/// undefined: NaN with a note (scikit-learn also gives NaN).
pub fn cohen_kappa(
    a: &[usize],
    b: &[usize],
    k: usize,
    weights: KappaWeights,
    confidence: f64,
) -> StatsResult<TestResult> {
    let confidence = check_confidence(confidence)?;
    if a.len() != b.len() {
        return Err(StatsError::data(
            "b",
            format!("the two ratings must cover the same units, got {} and {} values", a.len(), b.len()),
        ));
    }
    if a.len() < 2 {
        return Err(StatsError::data("a", format!("needs at least 2 rated units, got {}", a.len())));
    }
    check_codes("a", a, k)?;
    check_codes("b", b, k)?;
    let n = a.len();
    let nf = n as f64;
    let mut table = vec![0.0; k * k];
    for (&i, &j) in a.iter().zip(b) {
        table[i * k + j] += 1.0;
    }
    let p: Vec<f64> = table.iter().map(|c| c / nf).collect();
    let row: Vec<f64> = (0..k).map(|i| (0..k).map(|j| p[i * k + j]).sum()).collect();
    let col: Vec<f64> = (0..k).map(|j| (0..k).map(|i| p[i * k + j]).sum()).collect();
    let w = |i: usize, j: usize| weights.agreement(i, j, k);
    let (mut po, mut pe) = (0.0, 0.0);
    for i in 0..k {
        for j in 0..k {
            po += w(i, j) * p[i * k + j];
            pe += w(i, j) * row[i] * col[j];
        }
    }
    let method = match weights {
        KappaWeights::Unweighted => "Cohen's kappa".to_string(),
        other => format!("Cohen's kappa ({other} weights)"),
    };
    let mut r = TestResult::new(method, Alternative::TwoSided, n as u64);
    r.extra.extend([
        ("se", f64::NAN),
        ("se_null", f64::NAN),
        ("p_observed", po),
        ("p_expected", pe),
        ("n_categories", k as f64),
    ]);
    if !(1.0 - pe > 1e-12) {
        r.push_note("both raters gave every unit the same single category: kappa is undefined");
        return Ok(r);
    }
    let kappa = (po - pe) / (1.0 - pe);
    r.estimate = kappa;
    let w_row: Vec<f64> = (0..k).map(|i| (0..k).map(|j| col[j] * w(i, j)).sum()).collect();
    let w_col: Vec<f64> = (0..k).map(|j| (0..k).map(|i| row[i] * w(i, j)).sum()).collect();
    let (mut s, mut s0) = (0.0, 0.0);
    for i in 0..k {
        for j in 0..k {
            let m = w_row[i] + w_col[j];
            s += p[i * k + j] * (w(i, j) - m * (1.0 - kappa)).powi(2);
            s0 += row[i] * col[j] * (w(i, j) - m).powi(2);
        }
    }
    let denom = nf * (1.0 - pe).powi(2);
    // rounding can push a variance that is 0 in exact arithmetic (perfect agreement) below 0
    let var = ((s - (kappa - pe * (1.0 - kappa)).powi(2)) / denom).max(0.0);
    let var0 = ((s0 - pe * pe) / denom).max(0.0);
    let (se, se0) = (var.sqrt(), var0.sqrt());
    r.extra[0].1 = se;
    r.extra[1].1 = se0;
    let z = norm_ppf(1.0 - (1.0 - confidence) / 2.0);
    (r.ci_low, r.ci_high) = (kappa - z * se, kappa + z * se);
    if se0 > 0.0 {
        let stat = kappa / se0;
        r.statistic = stat;
        r.set_p(2.0 * norm_sf(stat.abs()));
    } else {
        r.push_note("the variance of kappa under independence is 0: no test");
    }
    Ok(r)
}

// ---- Krippendorff's alpha ---------------------------------------------------------------------

/// Level of measurement of Krippendorff's alpha: which difference function `δ²(c, k)` it uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, strum::EnumIter, strum::IntoStaticStr, strum::Display)]
#[strum(serialize_all = "lowercase")]
pub enum AlphaLevel {
    #[default]
    Nominal,
    Ordinal,
    Interval,
    Ratio,
}

impl AlphaLevel {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

impl FromStr for AlphaLevel {
    type Err = StatsError;
    fn from_str(s: &str) -> StatsResult<Self> {
        parse(s).map_err(|e| StatsError::argument("level", e))
    }
}

/// Krippendorff's alpha of `coders[c][u]`, the value coder `c` gave unit `u` (NaN = not coded),
/// every coder a slice of the same length (the units).
///
/// Computed from the coincidence matrix (Krippendorff 2011, "Computing Krippendorff's
/// alpha-reliability"): over the values `v_1 < ... < v_V` that occur, a unit coded by `m_u ≥ 2`
/// coders, `n_uc` of them with value `c`, adds `n_uc (n_uk - [c = k]) / (m_u - 1)` to `o_ck`
/// (units coded by fewer than 2 coders are not pairable and add nothing); `n_c = Σ_k o_ck`,
/// `n = Σ n_c`, and
/// `α = 1 - (n - 1) Σ o_ck δ²(c, k) / Σ n_c n_k δ²(c, k)`
/// with `δ²` nominal `[c ≠ k]`, ordinal `(Σ_{g=c..k} n_g - (n_c + n_k)/2)²`, interval
/// `(v_c - v_k)²`, ratio `((v_c - v_k)/(v_c + v_k))²`. The same as the Python package
/// `krippendorff`'s `alpha(reliability_data, level_of_measurement=...)` (coders in rows) with
/// the value domain taken from the data.
///
/// `n` = pairable values; extras `n_units` (pairable units), `n_coders`, `d_observed`
/// (`Σ o δ²/n`), `d_expected` (`Σ n_c n_k δ²/(n(n-1))`). No interval (a bootstrap is
/// Krippendorff's suggestion; not implemented). Errors: no coder, coders of different lengths,
/// infinite values, every value missing, no unit coded by at least 2 coders, a ratio level with a
/// negative value. A single value in all the data (`d_expected = 0`) gives NaN with a note.
pub fn krippendorff_alpha(coders: &[&[f64]], level: AlphaLevel) -> StatsResult<TestResult> {
    if coders.len() < 2 {
        return Err(StatsError::data(
            "data",
            format!("needs at least 2 coders (rows), got {}", coders.len()),
        ));
    }
    let units = coders[0].len();
    for (c, row) in coders.iter().enumerate() {
        if row.len() != units {
            return Err(StatsError::data(
                "data",
                format!("coder {c} has {} values, coder 0 has {units} (one value per unit each)", row.len()),
            ));
        }
        if let Some(u) = row.iter().position(|v| v.is_infinite()) {
            return Err(StatsError::data("data", format!("infinite value for coder {c}, unit {u}")));
        }
    }
    let mut values: Vec<f64> = coders.iter().flat_map(|r| r.iter().copied()).filter(|v| !v.is_nan()).collect();
    if values.is_empty() {
        return Err(StatsError::data("data", "every value is missing"));
    }
    if level == AlphaLevel::Ratio {
        if let Some(v) = values.iter().find(|v| **v < 0.0) {
            return Err(StatsError::data("data", format!("ratio level needs values >= 0, found {v}")));
        }
    }
    values.sort_by(f64::total_cmp);
    values.dedup();
    let nv = values.len();
    let index = |x: f64| values.binary_search_by(|v| v.total_cmp(&x)).expect("value of the domain");
    let mut o = vec![0.0; nv * nv];
    let mut counts = vec![0.0f64; nv];
    let mut seen: Vec<usize> = Vec::with_capacity(coders.len());
    let mut pairable_units = 0usize;
    for u in 0..units {
        seen.clear();
        for row in coders {
            let x = row[u];
            if !x.is_nan() {
                let i = index(x);
                if counts[i] == 0.0 {
                    seen.push(i);
                }
                counts[i] += 1.0;
            }
        }
        let m: f64 = seen.iter().map(|&i| counts[i]).sum();
        if m >= 2.0 {
            pairable_units += 1;
            for &c in &seen {
                for &k in &seen {
                    let same = if c == k { 1.0 } else { 0.0 };
                    o[c * nv + k] += counts[c] * (counts[k] - same) / (m - 1.0);
                }
            }
        }
        for &i in &seen {
            counts[i] = 0.0;
        }
    }
    if pairable_units == 0 {
        return Err(StatsError::data(
            "data",
            "no unit was coded by at least 2 coders: there is nothing to compare",
        ));
    }
    let nc: Vec<f64> = (0..nv).map(|c| (0..nv).map(|k| o[c * nv + k]).sum()).collect();
    let n: f64 = nc.iter().sum();
    // cumulative sums of n_c for the ordinal distance: Σ_{g=c..k} n_g = cum[k+1] - cum[c]
    let mut cum = vec![0.0; nv + 1];
    for c in 0..nv {
        cum[c + 1] = cum[c] + nc[c];
    }
    let delta2 = |c: usize, k: usize| -> f64 {
        if c == k {
            return 0.0;
        }
        match level {
            AlphaLevel::Nominal => 1.0,
            AlphaLevel::Ordinal => {
                let (lo, hi) = (c.min(k), c.max(k));
                (cum[hi + 1] - cum[lo] - (nc[c] + nc[k]) / 2.0).powi(2)
            }
            AlphaLevel::Interval => (values[c] - values[k]).powi(2),
            AlphaLevel::Ratio => {
                let s = values[c] + values[k];
                ((values[c] - values[k]) / s).powi(2)
            }
        }
    };
    let (mut num, mut den) = (0.0, 0.0);
    for c in 0..nv {
        for k in 0..nv {
            let d = delta2(c, k);
            if d != 0.0 {
                num += o[c * nv + k] * d;
                den += nc[c] * nc[k] * d;
            }
        }
    }
    let mut r = TestResult::new(format!("Krippendorff's alpha ({level})"), Alternative::TwoSided, n.round() as u64);
    let d_obs = num / n;
    let d_exp = den / (n * (n - 1.0));
    r.extra.extend([
        ("n_units", pairable_units as f64),
        ("n_coders", coders.len() as f64),
        ("d_observed", d_obs),
        ("d_expected", d_exp),
    ]);
    if den > 0.0 {
        r.estimate = 1.0 - (n - 1.0) * num / den;
    } else {
        r.push_note("every pairable value is the same: the expected disagreement is 0 and alpha undefined");
    }
    Ok(r)
}

// ---- precision, recall and F1 of two multi-label codings ---------------------------------------

/// Agreement on one label between a coding and a reference coding of the same items.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelAgreement {
    /// Items both codings gave this label.
    pub tp: u64,
    /// Items only the coding gave it.
    pub fp: u64,
    /// Items only the reference gave it.
    pub fn_: u64,
    /// `tp/(tp + fp)`; NaN when the coding never gave the label.
    pub precision: f64,
    /// `tp/(tp + fn)`; NaN when the reference never gave it.
    pub recall: f64,
    /// `2tp/(2tp + fp + fn)`; NaN when neither gave it.
    pub f1: f64,
    /// Items of the reference with this label (`tp + fn`).
    pub support: u64,
}

/// The per-label table and its averages.
#[derive(Debug, Clone, PartialEq)]
pub struct MultiLabelAgreement {
    /// One row per label code `0..n_labels`.
    pub labels: Vec<LabelAgreement>,
    /// Unweighted means over labels of precision, recall and F1, each over the labels where it is
    /// defined (NaN when it is defined for none).
    pub macro_precision: f64,
    pub macro_recall: f64,
    pub macro_f1: f64,
    /// Precision, recall and F1 of the pooled counts.
    pub micro: LabelAgreement,
    /// Distinct items in either coding.
    pub n_items: u64,
}

fn ratio(num: u64, den: u64) -> f64 {
    if den == 0 {
        f64::NAN
    } else {
        num as f64 / den as f64
    }
}

fn label_row(tp: u64, fp: u64, fn_: u64) -> LabelAgreement {
    LabelAgreement {
        tp,
        fp,
        fn_,
        precision: ratio(tp, tp + fp),
        recall: ratio(tp, tp + fn_),
        f1: ratio(2 * tp, 2 * tp + fp + fn_),
        support: tp + fn_,
    }
}

fn nan_mean(x: impl Iterator<Item = f64>) -> f64 {
    let (s, k) = x.filter(|v| !v.is_nan()).fold((0.0, 0usize), |(s, k), v| (s + v, k + 1));
    if k == 0 {
        f64::NAN
    } else {
        s / k as f64
    }
}

/// Per-label agreement of two multi-label codings of the same items: `coded` and `reference`
/// are (item, label) pairs, item codes any `usize`, label codes `0..n_labels`; an item may carry
/// several labels, and a pair given twice counts once.
///
/// For each label, `tp` counts the items both codings gave it, `fp` those only `coded` gave it,
/// `fn` those only `reference` gave it; precision `tp/(tp+fp)`, recall `tp/(tp+fn)`,
/// F1 `2tp/(2tp+fp+fn)`, support `tp+fn`. Macro averages are unweighted means over labels of
/// the values that are defined, micro the same ratios of pooled counts: scikit-learn's
/// `precision_recall_fscore_support` on the two label-indicator matrices with
/// `zero_division=np.nan` (an undefined ratio is NaN and left out of the mean, never counted as 0).
///
/// Items that neither coding gave any label do not change any of these numbers.
/// Errors: a label code not below `n_labels`; no pair at all in either coding.
pub fn multilabel_agreement(
    coded: &[(usize, usize)],
    reference: &[(usize, usize)],
    n_labels: usize,
) -> StatsResult<MultiLabelAgreement> {
    for (argument, pairs) in [("coded", coded), ("reference", reference)] {
        if let Some(i) = pairs.iter().position(|&(_, l)| l >= n_labels) {
            return Err(StatsError::data(
                argument,
                format!("label code {} at index {i} is not below the number of labels {n_labels}", pairs[i].1),
            ));
        }
    }
    if coded.is_empty() && reference.is_empty() {
        return Err(StatsError::data("coded", "neither coding holds any label"));
    }
    let dedup = |pairs: &[(usize, usize)]| {
        let mut v = pairs.to_vec();
        v.sort_unstable();
        v.dedup();
        v
    };
    let (c, r) = (dedup(coded), dedup(reference));
    let (mut tp, mut fp, mut fn_) = (vec![0u64; n_labels], vec![0u64; n_labels], vec![0u64; n_labels]);
    // merge of two sorted lists of pairs
    let (mut i, mut j) = (0, 0);
    while i < c.len() || j < r.len() {
        match (c.get(i), r.get(j)) {
            (Some(x), Some(y)) if x == y => {
                tp[x.1] += 1;
                i += 1;
                j += 1;
            }
            (Some(x), Some(y)) if x < y => {
                fp[x.1] += 1;
                i += 1;
            }
            (Some(x), None) => {
                fp[x.1] += 1;
                i += 1;
            }
            (_, Some(y)) => {
                fn_[y.1] += 1;
                j += 1;
            }
            (None, None) => unreachable!(),
        }
    }
    let labels: Vec<LabelAgreement> = (0..n_labels).map(|l| label_row(tp[l], fp[l], fn_[l])).collect();
    let micro = label_row(tp.iter().sum(), fp.iter().sum(), fn_.iter().sum());
    let mut items: Vec<usize> = c.iter().chain(&r).map(|p| p.0).collect();
    items.sort_unstable();
    items.dedup();
    Ok(MultiLabelAgreement {
        macro_precision: nan_mean(labels.iter().map(|l| l.precision)),
        macro_recall: nan_mean(labels.iter().map(|l| l.recall)),
        macro_f1: nan_mean(labels.iter().map(|l| l.f1)),
        labels,
        micro,
        n_items: items.len() as u64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;

    /// Codes of a 2-way table given as counts `table[i][j]`.
    fn from_table(table: &[&[usize]]) -> (Vec<usize>, Vec<usize>) {
        let (mut a, mut b) = (Vec::new(), Vec::new());
        for (i, row) in table.iter().enumerate() {
            for (j, &c) in row.iter().enumerate() {
                a.extend(std::iter::repeat_n(i, c));
                b.extend(std::iter::repeat_n(j, c));
            }
        }
        (a, b)
    }

    #[test]
    fn kappa_of_a_two_by_two_table_by_hand() {
        // p_o = 0.7, margins (0.5, 0.5) and (0.6, 0.4): p_e = 0.5, kappa = 0.4
        let (a, b) = from_table(&[&[20, 5], &[10, 15]]);
        let r = cohen_kappa(&a, &b, 2, KappaWeights::Unweighted, 0.95).unwrap();
        assert_abs_diff_eq!(r.estimate, 0.4, epsilon = 1e-14);
        assert_abs_diff_eq!(r.get("p_observed").unwrap(), 0.7, epsilon = 1e-14);
        assert_abs_diff_eq!(r.get("p_expected").unwrap(), 0.5, epsilon = 1e-14);
        // Fleiss-Cohen-Everitt by hand: diag terms 0.4(1-1.1·0.6)² + 0.3(1-0.9·0.6)²,
        // off-diagonal (0.6)²[p_12 (p_.1 + p_2.)² + p_21 (p_.2 + p_1.)²] = (0.6)²[0.1·1.1² + 0.2·0.9²],
        // minus (0.4 - 0.5·0.6)²
        let s = 0.4 * (1.0f64 - 1.1 * 0.6).powi(2) + 0.3 * (1.0f64 - 0.9 * 0.6).powi(2)
            + 0.36 * (0.1 * 1.21 + 0.2 * 0.81)
            - 0.01;
        let se = (s / (50.0 * 0.25)).sqrt();
        assert_abs_diff_eq!(r.get("se").unwrap(), se, epsilon = 1e-14);
        assert_abs_diff_eq!(r.ci_high - r.estimate, 1.959963984540054 * se, epsilon = 1e-12);
    }

    #[test]
    fn perfect_agreement_and_undefined_kappa() {
        let a = [0, 1, 2, 1, 0];
        let r = cohen_kappa(&a, &a, 3, KappaWeights::Quadratic, 0.95).unwrap();
        assert_abs_diff_eq!(r.estimate, 1.0, epsilon = 1e-14);
        assert_abs_diff_eq!(r.get("se").unwrap(), 0.0, epsilon = 1e-7);
        let one = [1, 1, 1];
        let r = cohen_kappa(&one, &one, 2, KappaWeights::Unweighted, 0.95).unwrap();
        assert!(r.estimate.is_nan() && r.note.is_some());
    }

    #[test]
    fn linear_weights_on_a_three_point_scale() {
        // a = b except one unit off by 2: disagreement Σ v p = 2/4, expected Σ v p_i p_j
        let a = [0, 1, 2, 0];
        let b = [0, 1, 2, 2];
        let r = cohen_kappa(&a, &b, 3, KappaWeights::Linear, 0.95).unwrap();
        // margins a (1/2, 1/4, 1/4), b (1/4, 1/4, 1/2): expected |i-j| = Σ p_i q_j |i-j|
        let (pa, pb) = ([0.5, 0.25, 0.25], [0.25, 0.25, 0.5]);
        let mut e = 0.0;
        for i in 0..3 {
            for j in 0..3 {
                e += pa[i] * pb[j] * (i as f64 - j as f64).abs();
            }
        }
        assert_abs_diff_eq!(r.estimate, 1.0 - 0.5 / e, epsilon = 1e-14);
    }

    #[test]
    fn kappa_errors_are_typed() {
        assert!(matches!(
            cohen_kappa(&[0, 1], &[0], 2, KappaWeights::Unweighted, 0.95),
            Err(StatsError::InvalidData { argument: "b", .. })
        ));
        assert!(cohen_kappa(&[0], &[0], 2, KappaWeights::Unweighted, 0.95).is_err());
        assert!(matches!(
            cohen_kappa(&[0, 1], &[0, 1], 2, KappaWeights::Unweighted, 1.5),
            Err(StatsError::InvalidArgument { argument: "confidence", .. })
        ));
        assert!("cubic".parse::<KappaWeights>().is_err());
    }

    /// Krippendorff (2011), "Computing Krippendorff's alpha-reliability", section C: 4 coders,
    /// 12 units, missing values; published alphas 0.743 (nominal), 0.815 (ordinal),
    /// 0.849 (interval), 0.797 (ratio).
    #[test]
    fn krippendorff_published_example() {
        let m = f64::NAN;
        let a = [1., 2., 3., 3., 2., 1., 4., 1., 2., m, m, m];
        let b = [1., 2., 3., 3., 2., 2., 4., 1., 2., 5., m, 3.];
        let c = [m, 3., 3., 3., 2., 3., 4., 2., 2., 5., 1., m];
        let d = [1., 2., 3., 3., 2., 4., 4., 1., 2., 5., 1., m];
        let data: [&[f64]; 4] = [&a, &b, &c, &d];
        for (level, published) in [
            (AlphaLevel::Nominal, 0.743),
            (AlphaLevel::Ordinal, 0.815),
            (AlphaLevel::Interval, 0.849),
            (AlphaLevel::Ratio, 0.797),
        ] {
            let r = krippendorff_alpha(&data, level).unwrap();
            assert_abs_diff_eq!(r.estimate, published, epsilon = 5e-4);
            // unit 12 has a single value: 11 pairable units, 40 pairable values
            assert_eq!(r.get("n_units"), Some(11.0));
            assert_eq!(r.n, 40);
        }
    }

    #[test]
    fn krippendorff_errors_and_undefined() {
        let m = f64::NAN;
        assert!(krippendorff_alpha(&[&[1.0, 2.0]], AlphaLevel::Nominal).is_err());
        assert!(krippendorff_alpha(&[&[m, m], &[m, m]], AlphaLevel::Nominal).is_err());
        assert!(krippendorff_alpha(&[&[1.0, m], &[m, 2.0]], AlphaLevel::Nominal).is_err());
        assert!(krippendorff_alpha(&[&[1.0, 2.0], &[1.0]], AlphaLevel::Nominal).is_err());
        assert!(krippendorff_alpha(&[&[-1.0, 2.0], &[1.0, 2.0]], AlphaLevel::Ratio).is_err());
        let r = krippendorff_alpha(&[&[3.0, 3.0], &[3.0, 3.0]], AlphaLevel::Interval).unwrap();
        assert!(r.estimate.is_nan() && r.note.is_some());
    }

    #[test]
    fn multilabel_counts_by_hand() {
        // items 0..3; labels 0, 1, 2 (label 2 only in the reference)
        let coded = [(0, 0), (0, 1), (1, 0), (2, 1), (2, 1)];
        let reference = [(0, 0), (1, 1), (2, 1), (3, 2)];
        let m = multilabel_agreement(&coded, &reference, 3).unwrap();
        let l0 = &m.labels[0];
        assert_eq!((l0.tp, l0.fp, l0.fn_, l0.support), (1, 1, 0, 1));
        assert_abs_diff_eq!(l0.precision, 0.5);
        assert_abs_diff_eq!(l0.f1, 2.0 / 3.0, epsilon = 1e-15);
        let l1 = &m.labels[1];
        assert_eq!((l1.tp, l1.fp, l1.fn_), (1, 1, 1));
        let l2 = &m.labels[2];
        assert!(l2.precision.is_nan());
        assert_eq!(l2.recall, 0.0);
        assert_eq!(l2.f1, 0.0);
        // macro precision over the two defined labels
        assert_abs_diff_eq!(m.macro_precision, 0.5, epsilon = 1e-15);
        assert_abs_diff_eq!(m.macro_f1, (2.0 / 3.0 + 0.5 + 0.0) / 3.0, epsilon = 1e-15);
        assert_eq!((m.micro.tp, m.micro.fp, m.micro.fn_), (2, 2, 2));
        assert_eq!(m.n_items, 4);
        assert!(multilabel_agreement(&[(0, 3)], &[], 3).is_err());
        assert!(multilabel_agreement(&[], &[], 3).is_err());
    }
}
