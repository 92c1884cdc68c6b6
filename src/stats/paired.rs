//! Two measurements of the same units (matched pairs `a[i]`, `b[i]`, e.g. the same respondents
//! in two survey waves): the paired t test and the Wilcoxon signed-rank test, both on the
//! differences `d[i] = a[i] - b[i]`.
//!
//! NaN or infinite values are errors (drop incomplete pairs first); so are slices of different
//! lengths.

use super::descriptive::{check_finite, rank_average_ties};
use super::dist::{norm_cdf, norm_sf, t_ppf, t_sf};
use super::error::{StatsError, StatsResult};
use super::names::parse;
use super::result::{check_confidence, clamp_p, Alternative, TestResult};
use std::str::FromStr;

/// Largest number of non-zero differences for which the Hodges–Lehmann pseudo-median is
/// computed (it forms all n(n+1)/2 Walsh averages: 12.5 million at the bound); above it the
/// estimate is NaN with a note.
pub const MAX_HODGES_LEHMANN: usize = 5000;

/// Largest number of non-zero differences for the exact signed-rank distribution (scipy's
/// `auto` never goes above 50; sums of doubled ranks stay below 2·n(n+1)/2).
pub const MAX_EXACT: usize = 1000;

fn differences(a: &[f64], b: &[f64]) -> StatsResult<Vec<f64>> {
    if a.len() != b.len() {
        return Err(StatsError::data(
            "b",
            format!("paired samples must have the same length, got {} and {}", a.len(), b.len()),
        ));
    }
    check_finite("a", a)?;
    check_finite("b", b)?;
    Ok(a.iter().zip(b).map(|(x, y)| x - y).collect())
}

/// Mean and sum of squared deviations, two passes (the second corrects the mean's rounding,
/// Chan, Golub & LeVeque 1983).
fn moments(x: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    let m0 = x.iter().sum::<f64>() / n;
    let (s1, s2) = x.iter().fold((0.0, 0.0), |(s1, s2), v| (s1 + (v - m0), s2 + (v - m0) * (v - m0)));
    (m0 + s1 / n, s2 - s1 * s1 / n)
}

/// Paired t test of mean(a - b) = 0 (Student 1908, on the differences).
///
/// With `d = a - b`, `d̄` its mean, `s_d` its standard deviation (n - 1 denominator):
/// `se = s_d/√n`, `t = d̄/se`, `df = n - 1`; p-value from Student's t survival function, the
/// interval of the mean difference `d̄ + t_q·se` with scipy's quantiles (two-sided
/// `t_{(1∓confidence)/2}`, `less` (-inf, d̄ + t_{confidence}·se), `greater`
/// (d̄ + t_{1-confidence}·se, inf)) — equal to `scipy.stats.ttest_rel(a, b, alternative)` and its
/// `.confidence_interval(confidence)` (scipy 1.17).
///
/// `estimate` = d̄, `n` = number of pairs. Extras: `mean_a`, `mean_b`, `sd_diff`, `se`.
/// Errors: lengths differ, fewer than 2 pairs, NaN/inf, confidence outside (0, 1). All
/// differences equal: t, p and the interval are NaN with a note (scipy gives NaN).
pub fn paired_t(a: &[f64], b: &[f64], alternative: Alternative, confidence: f64) -> StatsResult<TestResult> {
    check_confidence(confidence)?;
    let d = differences(a, b)?;
    if d.len() < 2 {
        return Err(StatsError::data("a", format!("needs at least 2 pairs, got {}", d.len())));
    }
    let n = d.len() as f64;
    let (md, ss) = moments(&d);
    let (ma, _) = moments(a);
    let (mb, _) = moments(b);
    let df = n - 1.0;
    let sd = (ss / df).sqrt();
    let se = sd / n.sqrt();
    let mut res = TestResult::new("Paired t test", alternative, d.len() as u64);
    res.estimate = md;
    res.df = df;
    res.extra.extend([("mean_a", ma), ("mean_b", mb), ("sd_diff", sd), ("se", se)]);
    if se.is_nan() || se <= 0.0 {
        res.push_note("all differences are equal: t is undefined (scipy reports NaN)");
        return Ok(res);
    }
    let t = md / se;
    res.statistic = t;
    res.set_p(match alternative {
        Alternative::TwoSided => 2.0 * t_sf(t.abs(), df),
        Alternative::Greater => t_sf(t, df),
        Alternative::Less => t_sf(-t, df),
    });
    (res.ci_low, res.ci_high) = match alternative {
        Alternative::TwoSided => {
            let tail = (1.0 - confidence) / 2.0;
            (md + t_ppf(tail, df) * se, md + t_ppf(1.0 - tail, df) * se)
        }
        Alternative::Less => (f64::NEG_INFINITY, md + t_ppf(confidence, df) * se),
        Alternative::Greater => (md + t_ppf(1.0 - confidence, df) * se, f64::INFINITY),
    };
    Ok(res)
}

/// How the Wilcoxon signed-rank p-value is computed (`"asymptotic"` is also read as `"approx"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, strum::EnumIter, strum::IntoStaticStr, strum::Display)]
#[strum(serialize_all = "lowercase")]
pub enum WilcoxonMethod {
    /// scipy 1.17's rule, see [`wilcoxon`].
    #[default]
    Auto,
    /// The exact null distribution of W+ without ties (scipy's `method="exact"`).
    Exact,
    /// The normal approximation with the tie-corrected variance (scipy's `"asymptotic"`).
    Approx,
}

impl WilcoxonMethod {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

impl FromStr for WilcoxonMethod {
    type Err = StatsError;
    fn from_str(s: &str) -> StatsResult<Self> {
        let name = if s == "asymptotic" { "approx" } else { s };
        parse(name).map_err(|e| StatsError::argument("method", e))
    }
}

/// Null distribution of the doubled signed-rank sum `2·W+` when each (doubled) rank `r2[i]`
/// enters the sum with probability 1/2 independently: P(2W+ = k), k = 0..=Σr2, by dynamic
/// programming over the ranks (the number of sign patterns with sum k, exact in u64 up to
/// 2^63 patterns, divided by 2^n). Doubled ranks are integers also with average ranks of ties.
fn signed_rank_pmf(r2: &[u64]) -> Vec<f64> {
    let total: u64 = r2.iter().sum();
    let mut c = vec![0u64; total as usize + 1];
    c[0] = 1;
    let mut top = 0usize;
    for &r in r2 {
        let r = r as usize;
        for k in (0..=top).rev() {
            c[k + r] += c[k];
        }
        top += r;
    }
    let denom = (r2.len() as f64).exp2();
    c.iter().map(|&v| v as f64 / denom).collect()
}

/// Median of the Walsh averages (d_i + d_j)/2, i <= j (numpy.median convention: mean of the two
/// middle values when their number is even).
fn pseudo_median(d: &[f64]) -> f64 {
    let n = d.len();
    let mut w = Vec::with_capacity(n * (n + 1) / 2);
    for i in 0..n {
        for j in i..n {
            w.push((d[i] + d[j]) / 2.0);
        }
    }
    let m = w.len();
    let hi = *w.select_nth_unstable_by(m / 2, f64::total_cmp).1;
    if m % 2 == 1 {
        return hi;
    }
    let lo = w[..m / 2].iter().copied().fold(f64::NEG_INFINITY, f64::max);
    (lo + hi) / 2.0
}

/// Wilcoxon signed-rank test of the paired differences `d = a - b` (Wilcoxon 1945), equal to
/// `scipy.stats.wilcoxon(a, b, zero_method="wilcox", correction=False, alternative, method)`
/// (scipy 1.17) for `method` `"auto"`, `"exact"` and `"approx"` (scipy's `"asymptotic"`).
///
/// * Zero differences are dropped (Wilcoxon's own rule, scipy's `zero_method="wilcox"`), with a
///   note counting them; Pratt's (1959) rule of ranking the zeros is not used. The |d| of the
///   n' remaining differences get average ranks; `W+` (`w_plus`) is the sum of the ranks of the
///   positive differences, `W-` (`w_minus`) of the negative ones, W+ + W- = n'(n'+1)/2.
/// * `statistic`: min(W+, W-) for two-sided, W+ for `less`/`greater` (scipy's statistic).
/// * `approx`: `z = (W+ - n'(n'+1)/4)/σ`, `σ² = (n'(n'+1)(2n'+1) - Σ(t³-t)/2)/24` over the tie
///   groups t of |d|, no continuity correction; p from the normal tails (`greater` P(Z >= z),
///   `less` P(Z <= z), two-sided 2·P(Z >= |z|)). Extra `z` is this signed z (scipy's
///   `zstatistic` is -|z| for two-sided); NaN for the exact methods.
/// * `exact`: the null distribution of W+ over the 2^n' sign patterns of ranks 1..n'
///   ([`signed_rank_pmf`]); `greater` P(W+ >= ⌊W+⌋), `less` P(W+ <= ⌈W+⌉), two-sided twice the
///   smaller of the two, clipped to 1. With ties or zeros the distribution is not exact, and
///   like scipy the untied one is still used (with a note).
/// * `auto` (scipy 1.17, `_wilcoxon_nd`): with more than 50 pairs (zeros included) `approx`;
///   else without ties or zeros `exact`; else with at most 13 pairs scipy's exact permutation
///   test over the 2^n sign flips — the same distribution as `exact` computed on the actual
///   average ranks (doubled, so that the sums are integers), p = P(W+ >= w), P(W+ <= w), or
///   twice the smaller; else (14 to 50 pairs with ties or zeros) `approx`.
/// * `estimate`: the Hodges–Lehmann pseudo-median of the non-zero differences, the median of
///   the n'(n'+1)/2 Walsh averages (d_i + d_j)/2, i <= j (Hodges & Lehmann 1963; the estimate
///   R's `wilcox.test(conf.int = TRUE)` reports); no interval (NaN, with a note). NaN with a
///   note above [`MAX_HODGES_LEHMANN`] non-zero differences.
/// * `n` = number of pairs, extra `n_nonzero` = n'.
///
/// Errors: lengths differ, no pairs, NaN/inf, `exact` with more than [`MAX_EXACT`] non-zero
/// differences. All differences zero: statistic 0 and p NaN with a note.
pub fn wilcoxon(a: &[f64], b: &[f64], alternative: Alternative, method: WilcoxonMethod) -> StatsResult<TestResult> {
    let d = differences(a, b)?;
    if d.is_empty() {
        return Err(StatsError::data("a", "needs at least 1 pair, got 0"));
    }
    let n_total = d.len();
    let nz: Vec<f64> = d.iter().copied().filter(|v| *v != 0.0).collect();
    let n_zero = n_total - nz.len();
    let n = nz.len();
    let abs: Vec<f64> = nz.iter().map(|v| v.abs()).collect();
    let (ranks, ties) = rank_average_ties(&abs);
    let w_plus: f64 = nz.iter().zip(&ranks).filter(|(v, _)| **v > 0.0).map(|(_, r)| r).sum();
    let w_minus: f64 = nz.iter().zip(&ranks).filter(|(v, _)| **v < 0.0).map(|(_, r)| r).sum();
    let has_ties = ties.iter().any(|&t| t > 1);
    // which computation: 0 approx, 1 exact untied distribution, 2 exact on the actual ranks
    let kind = match method {
        WilcoxonMethod::Approx => 0,
        WilcoxonMethod::Exact => 1,
        WilcoxonMethod::Auto => {
            if n_total > 50 {
                0
            } else if !has_ties && n_zero == 0 {
                1
            } else if n_total <= 13 {
                2
            } else {
                0
            }
        }
    };
    let label = match kind {
        0 => "Wilcoxon signed-rank test (normal approximation)",
        1 => "Wilcoxon signed-rank test (exact)",
        _ => "Wilcoxon signed-rank test (exact, conditional on ties and zeros)",
    };
    let mut res = TestResult::new(label, alternative, n_total as u64);
    res.statistic = if alternative == Alternative::TwoSided { w_plus.min(w_minus) } else { w_plus };
    if n_zero > 0 {
        res.push_note(&format!("{n_zero} zero difference(s) dropped (zero_method 'wilcox')"));
    }
    let nf = n as f64;
    let mut z = f64::NAN;
    if n == 0 {
        res.push_note("all differences are zero: the test is undefined");
    } else if kind == 0 {
        let tie_term: f64 = ties.iter().map(|&t| (t as f64).powi(3) - t as f64).sum();
        let se = ((nf * (nf + 1.0) * (2.0 * nf + 1.0) - tie_term / 2.0) / 24.0).sqrt();
        z = (w_plus - nf * (nf + 1.0) / 4.0) / se;
        res.set_p(match alternative {
            Alternative::TwoSided => 2.0 * norm_sf(z.abs()),
            Alternative::Greater => norm_sf(z),
            Alternative::Less => norm_cdf(z),
        });
    } else {
        if n > MAX_EXACT {
            return Err(StatsError::argument(
                "method",
                format!("the exact distribution is limited to {MAX_EXACT} non-zero differences, got {n}; use 'approx'"),
            ));
        }
        // doubled ranks, and the observed doubled W+ rounded down (sf) and up (cdf)
        let (r2, lo2, hi2): (Vec<u64>, u64, u64) = if kind == 1 {
            if has_ties || n_zero > 0 {
                res.push_note("the exact distribution assumes no ties or zeros: with them W+ is rounded (as scipy) and p is approximate");
            }
            ((1..=n as u64).map(|r| 2 * r).collect(), 2 * w_plus.floor() as u64, 2 * w_plus.ceil() as u64)
        } else {
            let w2 = (2.0 * w_plus).round() as u64;
            (ranks.iter().map(|r| (2.0 * r).round() as u64).collect(), w2, w2)
        };
        let pmf = signed_rank_pmf(&r2);
        let sf: f64 = pmf[lo2 as usize..].iter().sum();
        let cdf: f64 = pmf[..=(hi2 as usize).min(pmf.len() - 1)].iter().sum();
        res.set_p(match alternative {
            Alternative::TwoSided => clamp_p(2.0 * sf.min(cdf)),
            Alternative::Greater => sf,
            Alternative::Less => cdf,
        });
    }
    if n == 0 {
        res.estimate = f64::NAN;
    } else if n <= MAX_HODGES_LEHMANN {
        res.estimate = pseudo_median(&nz);
    } else {
        res.push_note(&format!("Hodges-Lehmann estimate not computed above {MAX_HODGES_LEHMANN} non-zero differences"));
    }
    res.push_note("no interval for the Hodges-Lehmann estimate");
    res.extra.extend([("w_plus", w_plus), ("w_minus", w_minus), ("n_nonzero", nf), ("z", z)]);
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::testing::close;
    use Alternative::{Greater, Less, TwoSided};

    const A: [f64; 8] = [12.1, 14.3, 11.8, 15.2, 13.9, 12.7, 16.4, 13.1];
    const B: [f64; 8] = [11.4, 13.2, 12.3, 13.8, 12.1, 12.9, 14.2, 12.0];

    #[test]
    fn signed_rank_pmf_small() {
        // n = 3: W+ in 0..6 with counts 1,1,1,2,1,1,1 over 8 sign patterns
        let p = signed_rank_pmf(&[2, 4, 6]);
        let counts: Vec<f64> = p.iter().step_by(2).map(|v| v * 8.0).collect();
        assert_eq!(counts, vec![1.0, 1.0, 1.0, 2.0, 1.0, 1.0, 1.0]);
        assert!(close(signed_rank_pmf(&(1..=50).map(|r| 2 * r).collect::<Vec<_>>()).iter().sum(), 1.0, 1e-14));
    }

    #[test]
    fn pseudo_median_walsh() {
        // Walsh averages of [1, 2, 10]: 1, 1.5, 5.5, 2, 6, 10 -> median (2 + 5.5)/2
        assert_eq!(pseudo_median(&[1.0, 2.0, 10.0]), 3.75);
        // [1, 3]: 1, 2, 3 -> 2
        assert_eq!(pseudo_median(&[3.0, 1.0]), 2.0);
    }

    #[test]
    fn paired_t_matches_scipy_and_errors() {
        // reference values in the Python tests (test_stats_paired.py, against scipy.stats.ttest_rel);
        // here: the definitions
        let r = paired_t(&A, &B, TwoSided, 0.95).unwrap();
        let d: Vec<f64> = A.iter().zip(&B).map(|(x, y)| x - y).collect();
        let m = d.iter().sum::<f64>() / 8.0;
        let sd = (d.iter().map(|v| (v - m).powi(2)).sum::<f64>() / 7.0).sqrt();
        assert!(close(r.estimate, m, 1e-13) && close(r.statistic, m / (sd / 8f64.sqrt()), 1e-12) && r.df == 7.0);
        let g = paired_t(&A, &B, Greater, 0.95).unwrap();
        let l = paired_t(&A, &B, Less, 0.95).unwrap();
        assert!(close(g.p_value * 2.0, r.p_value, 1e-12) && close(g.p_value + l.p_value, 1.0, 1e-12));
        assert!(paired_t(&A, &B[..7], TwoSided, 0.95).is_err());
        assert!(paired_t(&[1.0], &[2.0], TwoSided, 0.95).is_err());
        assert!(paired_t(&[1.0, f64::NAN], &[2.0, 1.0], TwoSided, 0.95).is_err());
        let c = paired_t(&[2.0, 3.0, 4.0], &[1.0, 2.0, 3.0], TwoSided, 0.95).unwrap();
        assert!(c.estimate == 1.0 && c.statistic.is_nan() && c.p_value.is_nan() && c.note.is_some());
    }

    #[test]
    fn wilcoxon_exact_small() {
        // d = [2, 3, -2, 3, 4, -2, 6, 3]: ties, n = 8 <= 13, so auto is the conditional exact
        // distribution
        let a = [3.0, 5.0, 1.0, 4.0, 6.0, 2.0, 7.0, 5.0];
        let b = [1.0, 2.0, 3.0, 1.0, 2.0, 4.0, 1.0, 2.0];
        let r = wilcoxon(&a, &b, TwoSided, WilcoxonMethod::Auto).unwrap();
        assert_eq!(r.get("w_plus").unwrap() + r.get("w_minus").unwrap(), 36.0);
        assert!(r.method.contains("conditional"));
        // d = 1..=5 all positive: W+ = 15, exact P(W+ >= 15) = 1/32, two-sided 1/16
        let a = [1.0, 2.0, 3.0, 4.0, 5.0];
        let b = [0.0; 5];
        let r = wilcoxon(&a, &b, Greater, WilcoxonMethod::Auto).unwrap();
        assert!(r.statistic == 15.0 && close(r.p_value, 1.0 / 32.0, 1e-15) && r.estimate == 3.0);
        let r = wilcoxon(&a, &b, TwoSided, WilcoxonMethod::Exact).unwrap();
        assert!(r.statistic == 0.0 && close(r.p_value, 1.0 / 16.0, 1e-15));
        let r = wilcoxon(&a, &b, Less, WilcoxonMethod::Exact).unwrap();
        assert!(close(r.p_value, 1.0, 1e-15));
        // approx: z = (15 - 7.5)/sqrt(5*6*11/24)
        let r = wilcoxon(&a, &b, Greater, WilcoxonMethod::Approx).unwrap();
        assert!(close(r.get("z").unwrap(), 7.5 / (330.0f64 / 24.0).sqrt(), 1e-14));
        // zeros dropped, all zero undefined, errors
        let r = wilcoxon(&[1.0, 2.0, 3.0], &[1.0, 2.0, 3.0], TwoSided, WilcoxonMethod::Auto).unwrap();
        assert!(r.p_value.is_nan() && r.note.unwrap().contains("3 zero"));
        assert!(wilcoxon(&a, &b[..4], TwoSided, WilcoxonMethod::Auto).is_err());
        assert!(wilcoxon(&[], &[], TwoSided, WilcoxonMethod::Auto).is_err());
        assert!(wilcoxon(&[f64::INFINITY], &[1.0], TwoSided, WilcoxonMethod::Auto).is_err());
        assert!("bogus".parse::<WilcoxonMethod>().is_err());
    }
}
