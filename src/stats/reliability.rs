//! Reliability and within-group agreement: Cronbach's alpha, ICC(1)/ICC(2) from a one-way
//! ANOVA, and the rwg / rwg(j) agreement indices.

use super::descriptive::{check_finite, mean_ss, variance};
use super::dist::f_sf;
use super::error::{StatsError, StatsResult};
use super::dist::beta_quantile;
use super::result::{check_confidence, Alternative, TestResult};

/// Quantile of F(d1, d2) with upper-tail probability `upper` (scipy's `f.isf(upper, d1, d2)`):
/// `(d2/d1)·x/(1-x)` with `x` the matching quantile of Beta(d1/2, d2/2).
fn f_isf(upper: f64, d1: f64, d2: f64) -> f64 {
    let x = beta_quantile(d1 / 2.0, d2 / 2.0, upper, false);
    (d2 / d1) * x / (1.0 - x)
}

fn check_items(items: &[&[f64]]) -> StatsResult<usize> {
    if items.is_empty() {
        return Err(StatsError::data("items", "no item columns given"));
    }
    let n = items[0].len();
    for (j, col) in items.iter().enumerate() {
        if col.len() != n {
            return Err(StatsError::data(
                "items",
                format!(
                    "item {j} has {} values, item 0 has {n} (columns must have equal length)",
                    col.len()
                ),
            ));
        }
        check_finite("items", col)?;
    }
    Ok(n)
}

/// Cronbach's alpha of `k` items (columns of equal length, one row per respondent).
///
/// `α = k/(k-1)·(1 - Σ s²_j / s²_total)` with sample variances (denominator n - 1) of the items
/// and of the row totals (Cronbach 1951).
///
/// Interval: Feldt's F-based interval (Feldt 1965; Feldt, Woodruff & Salih 1987), from
/// `(1-α)/(1-α̂) ~ F(n-1, (n-1)(k-1))`: `[1 - (1-α̂)·F_{1-γ/2}, 1 - (1-α̂)·F_{γ/2}]`, `γ = 1 - confidence`,
/// the interval also used by pingouin's `cronbach_alpha`. It assumes compound symmetry
/// (essentially τ-equivalent, normal items) and is exact then.
///
/// Test: Feldt's F test of `H0: α = 0`, `statistic = 1/(1-α̂)` on `df = n-1` and
/// `df2 = (n-1)(k-1)` degrees of freedom, upper tail (`alternative` = greater).
///
/// `n` = respondents; extras `k_items`, `df2`. Missing values are an error (drop incomplete
/// rows first: listwise deletion is the usual convention). A zero total variance gives NaN
/// with a note.
pub fn cronbach_alpha(items: &[&[f64]], confidence: f64) -> StatsResult<TestResult> {
    let confidence = check_confidence(confidence)?;
    let n = check_items(items)?;
    let k = items.len();
    if k < 2 {
        return Err(StatsError::data(
            "items",
            format!("needs at least 2 items, got {k}"),
        ));
    }
    if n < 2 {
        return Err(StatsError::data(
            "items",
            format!("needs at least 2 respondents, got {n}"),
        ));
    }
    let kf = k as f64;
    let sum_item_var: f64 = items.iter().map(|c| variance(c, 1)).sum();
    let totals: Vec<f64> = (0..n).map(|i| items.iter().map(|c| c[i]).sum()).collect();
    let var_total = variance(&totals, 1);
    let mut r = TestResult::new(
        "Cronbach's alpha (Feldt interval)",
        Alternative::Greater,
        n as u64,
    );
    let (d1, d2) = ((n - 1) as f64, ((n - 1) * (k - 1)) as f64);
    r.df = d1;
    if var_total > 0.0 {
        let alpha = kf / (kf - 1.0) * (1.0 - sum_item_var / var_total);
        r.estimate = alpha;
        let g = 1.0 - confidence;
        r.ci_low = 1.0 - (1.0 - alpha) * f_isf(g / 2.0, d1, d2);
        r.ci_high = 1.0 - (1.0 - alpha) * f_isf(1.0 - g / 2.0, d1, d2);
        let f = 1.0 / (1.0 - alpha);
        r.statistic = f;
        r.set_p(if f > 0.0 { f_sf(f, d1, d2) } else { 1.0 });
    } else {
        r.note = Some("the total score has zero variance: alpha is undefined".into());
    }
    Ok(r.with_extra("k_items", kf).with_extra("df2", d2))
}

/// Groups as (code, member indices), non-empty groups only, in increasing code order.
fn group_members(groups: &[usize]) -> Vec<(usize, Vec<usize>)> {
    let max = groups.iter().copied().max().unwrap_or(0);
    let mut members: Vec<Vec<usize>> =
        vec![Vec::new(); if groups.is_empty() { 0 } else { max + 1 }];
    for (i, &g) in groups.iter().enumerate() {
        members[g].push(i);
    }
    members
        .into_iter()
        .enumerate()
        .filter(|(_, m)| !m.is_empty())
        .collect()
}

/// ICC(1) and ICC(2) from the one-way ANOVA of `values` on `groups` (codes 0..k; codes with no
/// member are ignored), as R multilevel's `ICC1(aov(y ~ as.factor(g)))` and `ICC2(...)`
/// (Bliese 2000; Bartko 1976):
///
/// `ICC(1) = (MSB - MSW) / (MSB + (k̄ - 1)·MSW)` with `k̄ = N/G` the mean group size,
/// `ICC(2) = (MSB - MSW) / MSB`, `F = MSB/MSW` on `(G-1, N-G)` degrees of freedom.
///
/// `estimate` = ICC(1) (it can be negative, as R's: no truncation), `statistic` = F, `df` = G - 1,
/// `p_value` = `P(F > F_obs)` (H0: no group effect), `n` = N. Extras `icc2`, `df_within`,
/// `ms_between`, `ms_within`, `mean_group_size`, `n_groups`. No interval (NaN; the
/// McGraw–Wong interval needs balanced groups). Note: multilevel's `mult.icc` and the ICC of a
/// random-intercept model (lme) differ from these ANOVA estimators when groups are unbalanced.
pub fn icc(values: &[f64], groups: &[usize]) -> StatsResult<TestResult> {
    if values.len() != groups.len() {
        return Err(StatsError::data(
            "groups",
            format!("has {} codes for {} values", groups.len(), values.len()),
        ));
    }
    check_finite("values", values)?;
    let moments: Vec<GroupMoments> = group_moments(values, groups).into_iter().map(|(_, m)| m).collect();
    icc_from_groups(&moments, || mean_ss(values).0)
}

/// A group's count, mean and sum of squared deviations from its mean (the compensated two-pass
/// [`mean_ss`] of its values, in order): what the one-way ANOVA of [`icc`] reads of a group.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct GroupMoments {
    pub n: u64,
    pub mean: f64,
    pub ss: f64,
}

/// The [`GroupMoments`] of each non-empty group of `values` (codes in `groups`, of the same
/// length), with its code, in increasing code order.
pub fn group_moments(values: &[f64], groups: &[usize]) -> Vec<(usize, GroupMoments)> {
    group_members(groups)
        .into_iter()
        .map(|(code, idx)| {
            let x: Vec<f64> = idx.iter().map(|&i| values[i]).collect();
            let (mean, ss) = mean_ss(&x);
            (code, GroupMoments { n: x.len() as u64, mean, ss })
        })
        .collect()
}

/// ICC(1) and ICC(2) of [`icc`] from the groups' moments (non-empty groups, in group order)
/// and the grand mean `grand` of all values (called once the groups are checked):
/// `SSW = Σ_g ss_g`, `SSB = Σ_g n_g·(m_g - grand)²`, then the ANOVA of [`icc`]. With the
/// groups of [`group_moments`] and `grand` the [`mean_ss`] mean of the values it is [`icc`] to
/// the bit; from summaries of parts (`grand = Σ n_g·m_g / N`) it differs only by the rounding
/// of the grand mean, which enters SSB at second order (`Σ n_g (m_g - grand) = 0`).
pub fn icc_from_groups(groups: &[GroupMoments], grand: impl FnOnce() -> f64) -> StatsResult<TestResult> {
    let n = groups.iter().map(|m| m.n).sum::<u64>() as usize;
    let g = groups.len();
    if g < 2 {
        return Err(StatsError::data(
            "groups",
            format!("needs at least 2 non-empty groups, got {g}"),
        ));
    }
    if n <= g {
        return Err(StatsError::data(
            "values",
            format!("needs more observations ({n}) than groups ({g}) for a within-group variance"),
        ));
    }
    let grand = grand();
    let (mut ssb, mut ssw) = (0.0, 0.0);
    for m in groups {
        ssw += m.ss;
        ssb += m.n as f64 * (m.mean - grand) * (m.mean - grand);
    }
    let (df_b, df_w) = ((g - 1) as f64, (n - g) as f64);
    let (msb, msw) = (ssb / df_b, ssw / df_w);
    let kbar = n as f64 / g as f64;
    let mut r = TestResult::new(
        "ICC(1) and ICC(2) from one-way ANOVA",
        Alternative::Greater,
        n as u64,
    );
    r.df = df_b;
    let denom = msb + (kbar - 1.0) * msw;
    let (icc1, icc2) = if denom > 0.0 && msb > 0.0 {
        ((msb - msw) / denom, (msb - msw) / msb)
    } else {
        r.note = Some("no variance between or within groups: ICC undefined".into());
        (f64::NAN, f64::NAN)
    };
    r.estimate = icc1;
    if msw > 0.0 {
        r.statistic = msb / msw;
        r.set_p(f_sf(r.statistic, df_b, df_w));
    } else if msb > 0.0 {
        r.statistic = f64::INFINITY;
        r.p_value = 0.0;
        r.note = Some("no variance within groups: F is infinite".into());
    }
    Ok(r.with_extra("icc2", icc2)
        .with_extra("df_within", df_w)
        .with_extra("ms_between", msb)
        .with_extra("ms_within", msw)
        .with_extra("mean_group_size", kbar)
        .with_extra("n_groups", g as f64))
}

/// Agreement within one group.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupAgreement {
    /// Group code, as given.
    pub group: usize,
    /// rwg or rwg(j); NaN for a group of one respondent.
    pub value: f64,
    /// Number of respondents in the group.
    pub size: usize,
}

fn uniform_null_variance(scale_points: f64) -> StatsResult<f64> {
    if !(scale_points.is_finite() && scale_points >= 2.0) {
        return Err(StatsError::argument(
            "scale_points",
            format!("must be a number of response options >= 2, got {scale_points}"),
        ));
    }
    Ok((scale_points * scale_points - 1.0) / 12.0)
}

/// rwg of James, Demaree & Wolf (1984) for a single item, one value per non-empty group:
///
/// `rwg = 1 - s²/σ²_EU`, `σ²_EU = (A² - 1)/12` the variance of the uniform ("no agreement")
/// distribution on `A = scale_points` options, `s²` the sample variance (n - 1) in the group.
///
/// Conventions of R multilevel's `rwg(x, grpid, ranvar = (A²-1)/12)`: a group whose variance
/// exceeds `σ²_EU` gets 0 (the observed variance is truncated to `σ²_EU`), a group of one
/// respondent gets NaN (R: NA). Groups are returned in increasing code order; codes with no
/// member are skipped. Missing values are an error.
pub fn rwg(
    values: &[f64],
    groups: &[usize],
    scale_points: f64,
) -> StatsResult<Vec<GroupAgreement>> {
    rwg_j(&[values], groups, scale_points)
}

/// rwg(j) of James, Demaree & Wolf (1984) for a scale of `J` items (columns of equal length),
/// one value per non-empty group:
///
/// `rwg(j) = J(1 - s̄²/σ²_EU) / (J(1 - s̄²/σ²_EU) + s̄²/σ²_EU)`, `s̄²` the mean of the `J` item
/// variances within the group, `σ²_EU = (A² - 1)/12`. With one item it is [`rwg`].
///
/// Conventions of R multilevel's `rwg.j(x, grpid, ranvar)`: `s̄² > σ²_EU` is truncated to
/// `σ²_EU` (rwg(j) = 0), a group of one respondent gets NaN.
pub fn rwg_j(
    items: &[&[f64]],
    groups: &[usize],
    scale_points: f64,
) -> StatsResult<Vec<GroupAgreement>> {
    let n = check_items(items)?;
    if groups.len() != n {
        return Err(StatsError::data(
            "groups",
            format!("has {} codes for {n} respondents", groups.len()),
        ));
    }
    let sigma2 = uniform_null_variance(scale_points)?;
    let j = items.len() as f64;
    Ok(group_members(groups)
        .into_iter()
        .map(|(code, idx)| {
            let value = if idx.len() < 2 {
                f64::NAN
            } else {
                let mean_var = items
                    .iter()
                    .map(|col| variance(&idx.iter().map(|&i| col[i]).collect::<Vec<_>>(), 1))
                    .sum::<f64>()
                    / j;
                let ratio = (mean_var / sigma2).min(1.0);
                j * (1.0 - ratio) / (j * (1.0 - ratio) + ratio)
            };
            GroupAgreement {
                group: code,
                value,
                size: idx.len(),
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::testing::close;

    #[test]
    fn f_distribution_matches_scipy() {
        // scipy.stats.f.sf(2.5, 9, 27) = 0.03167426096246747 ; f.isf(0.025, 9, 27) = 2.6308555879228073
        assert!(close(f_sf(2.5, 9.0, 27.0), 0.03167426096246747, 1e-12));
        assert!(close(f_isf(0.025, 9.0, 27.0), 2.6308555879228073, 1e-12));
    }

    #[test]
    fn cronbach_alpha_matches_formula_and_feldt() {
        let a = [1.0, 2.0, 3.0, 4.0, 5.0, 3.0, 2.0];
        let b = [2.0, 2.0, 3.0, 5.0, 4.0, 3.0, 1.0];
        let c = [1.0, 3.0, 3.0, 4.0, 5.0, 2.0, 2.0];
        let r = cronbach_alpha(&[&a, &b, &c], 0.95).unwrap();
        // numpy: k/(k-1)*(1 - sum(var(items, ddof=1))/var(totals, ddof=1)) = 0.9300000000000002
        assert!(
            close(r.estimate, 0.9300000000000002, 1e-13),
            "{}",
            r.estimate
        );
        // 1 - (1-alpha)*scipy.stats.f.ppf([0.975, 0.025], 6, 12) = 0.7390195519225251, 0.9869554942609088
        assert!(close(r.ci_low, 0.7390195519225251, 1e-11), "{}", r.ci_low);
        assert!(close(r.ci_high, 0.9869554942609088, 1e-11), "{}", r.ci_high);
        assert_eq!(r.get("k_items"), Some(3.0));
        let z = [1.0; 7];
        assert!(cronbach_alpha(&[&z, &z], 0.95).unwrap().estimate.is_nan());
        assert!(cronbach_alpha(&[&a], 0.95).is_err());
    }

    #[test]
    fn icc_matches_anova() {
        let y = [3.0, 4.0, 5.0, 4.0, 2.0, 3.0, 2.0, 5.0, 5.0, 4.0, 5.0];
        let g = [0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 2];
        let r = icc(&y, &g).unwrap();
        // statsmodels anova_lm(ols("y ~ C(g)")): F = 11.964523281596446, PR(>F) = 0.0039410881345259925
        // MSB = 5.109848484848482, MSW = 0.4270833333333333; k̄ = 11/3
        assert!(
            close(r.statistic, 11.964523281596446, 1e-12),
            "{}",
            r.statistic
        );
        assert!(
            close(r.p_value, 0.0039410881345259925, 1e-11),
            "{}",
            r.p_value
        );
        let (msb, msw, kbar) = (5.109848484848482, 0.4270833333333333, 11.0 / 3.0);
        assert!(close(
            r.estimate,
            (msb - msw) / (msb + (kbar - 1.0) * msw),
            1e-12
        ));
        assert!(close(r.get("icc2").unwrap(), (msb - msw) / msb, 1e-12));
        assert!(icc(&y, &[0; 11]).is_err());
    }

    #[test]
    fn rwg_follows_multilevel_conventions() {
        let x = [4.0, 4.0, 5.0, 1.0, 5.0, 3.0, 3.0];
        let g = [0, 0, 0, 1, 1, 2, 5];
        let r = rwg(&x, &g, 5.0).unwrap();
        assert_eq!(r.len(), 4);
        // group 0: var = 1/3, sigma2 = 2 -> 1 - 1/6
        assert!(close(r[0].value, 1.0 - (1.0 / 3.0) / 2.0, 1e-14));
        // group 1: var = 8 > 2 -> truncated to 0
        assert_eq!(r[1].value, 0.0);
        // groups of one respondent: NaN
        assert!(r[2].value.is_nan() && r[3].value.is_nan());
        assert_eq!((r[3].group, r[3].size), (5, 1));
        // rwg_j with two items in group 0: mean variance (1/3 + 1/3)/2, J = 2
        let y = [5.0, 4.0, 4.0, 2.0, 2.0, 1.0, 1.0];
        let rj = rwg_j(&[&x, &y], &g, 5.0).unwrap();
        let ratio = (1.0 / 3.0) / 2.0;
        assert!(close(
            rj[0].value,
            2.0 * (1.0 - ratio) / (2.0 * (1.0 - ratio) + ratio),
            1e-14
        ));
        assert!(rwg(&x, &g, 1.0).is_err());
    }
}
