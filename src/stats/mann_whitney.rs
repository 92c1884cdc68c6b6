//! The Mann–Whitney U test (scipy's `mannwhitneyu`): exact null distribution of U or the normal
//! approximation with tie and continuity corrections, the Hodges–Lehmann shift with its
//! interval, and the test from the rank sums of sorted runs ([`RankSums`], for samples held in
//! parts).

use super::descriptive::rank_average_ties;
use super::dist::norm_sf;
use super::error::{StatsError, StatsResult};
use super::result::{clamp_p, Alternative, TestResult};
use super::two_sample::{check_sample, check_size};

/// How the Mann–Whitney p-value is computed. `Auto` is scipy 1.17's rule
/// (`_mwu_choose_method`): exact when at least one group has <= 8 observations and there are no
/// ties, asymptotic (normal approximation with tie correction and optional continuity
/// correction) otherwise; `Exact` uses the exact null distribution of U (assumes no ties).
pub type MwMethod = super::result::PValueMethod;

/// `C(n, k)` in 128-bit integers, `None` on overflow.
pub(super) fn binom_u128(n: u64, k: u64) -> Option<u128> {
    let k = k.min(n - k);
    let mut c: u128 = 1;
    for i in 1..=k as u128 {
        c = c.checked_mul(n as u128 - k as u128 + i)? / i;
    }
    Some(c)
}

/// Null distribution of U for sizes (m, n), as probabilities P(U = k), k = 0..=maxu.
///
/// The number of m-subsets of ranks with U = k is the coefficient of q^k in the Gaussian
/// binomial `[m+n, m]_q = Π_{i=1..m} (1 - q^(n+i))/(1 - q^i)`; each factor keeps the product a
/// polynomial, so the coefficients are exact in 128-bit integers, O(m·maxu). When C(m+n, m)
/// exceeds 2^125 it falls back to adding ranks one at a time with probability weights
/// (positive terms only, O((m+n)·m·maxu)).
pub(super) fn mw_pmf(m: u64, n: u64, maxu: usize) -> StatsResult<Vec<f64>> {
    let (m, n) = (m.min(n), m.max(n));
    if let Some(pmf) = mw_pmf_counts(m, n, maxu) {
        return Ok(pmf);
    }
    let work = (m + n) as f64 * m as f64 * (maxu + 1) as f64;
    if work > 4e9 {
        return Err(StatsError::argument(
            "method",
            format!("the exact distribution for sizes {m} and {n} is too large to enumerate; use 'asymptotic'"),
        ));
    }
    Ok(mw_pmf_dp(m as usize, n as usize, maxu))
}

/// Exact counts from the Gaussian binomial in 128-bit integers; `None` when C(m+n, m) >= 2^125.
pub(super) fn mw_pmf_counts(m: u64, n: u64, maxu: usize) -> Option<Vec<f64>> {
    let total = binom_u128(m + n, m).filter(|t| *t < (1u128 << 125))?;
    let mut c = vec![0i128; maxu + 1];
    c[0] = 1;
    for i in 1..=m as usize {
        let sh = n as usize + i;
        for k in (sh..=maxu).rev() {
            c[k] -= c[k - sh];
        }
        for k in i..=maxu {
            c[k] += c[k - i];
        }
    }
    let tot = total as f64;
    Some(c.iter().map(|&v| v as f64 / tot).collect())
}

/// The same probabilities by adding the ranks 1..m+n one at a time: `dp[j][u]` is the
/// probability that j of the ranks seen so far are in the smaller group with U-contribution u
/// (choosing rank t adds the number of unchosen ranks below it).
pub(super) fn mw_pmf_dp(m: usize, n: usize, maxu: usize) -> Vec<f64> {
    let nn = m + n;
    let mut dp = vec![vec![0.0f64; maxu + 1]; m + 1];
    dp[0][0] = 1.0;
    for t in 1..=nn {
        let left = (nn - t + 1) as f64; // ranks not yet seen, including t
        let jmax = m.min(t - 1);
        for j in (0..=jmax).rev() {
            let p_sel = (m - j) as f64 / left;
            let p_not = 1.0 - p_sel;
            let shift = t - 1 - j; // unchosen ranks below t
            if p_sel > 0.0 && shift <= maxu {
                let (lo, hi) = dp.split_at_mut(j + 1);
                let (src, dst) = (&lo[j], &mut hi[0]);
                for u in 0..=(maxu - shift) {
                    dst[u + shift] += src[u] * p_sel;
                }
            }
            dp[j].iter_mut().for_each(|v| *v *= p_not);
        }
    }
    dp.swap_remove(m)
}

/// P(U >= u) under H0 as scipy's `_MWU.sf`: `P(U <= mn - u)` when u is in the upper half,
/// else `1 - P(U <= u) + P(U = u)`.
pub(super) fn mw_sf_exact(u: u64, n1: u64, n2: u64) -> StatsResult<f64> {
    let mn = n1 * n2;
    let u = u.min(mn);
    let kc = mn - u;
    if u < kc {
        let pmf = mw_pmf(n1, n2, u as usize)?;
        let below: f64 = pmf[..u as usize].iter().sum();
        Ok(1.0 - below)
    } else {
        let pmf = mw_pmf(n1, n2, kc as usize)?;
        Ok(pmf.iter().sum())
    }
}

/// Maps an f64 to an integer key with the same total order (for bisection over doubles).
pub(super) fn f64_key(v: f64) -> i64 {
    let b = v.to_bits() as i64;
    if b < 0 {
        b ^ i64::MAX
    } else {
        b
    }
}

pub(super) fn key_f64(k: i64) -> f64 {
    f64::from_bits((if k < 0 { k ^ i64::MAX } else { k }) as u64)
}

/// Number of pairs with `a_i - b_j <= d` (a, b sorted ascending), two pointers, O(na + nb).
pub(super) fn count_le(a: &[f64], b: &[f64], d: f64) -> u64 {
    // for increasing a_i the first j with a_i - b_j <= d is non-decreasing
    let mut j = 0usize;
    let mut count = 0u64;
    for &ai in a {
        while j < b.len() && ai - b[j] > d {
            j += 1;
        }
        count += (b.len() - j) as u64;
    }
    count
}

/// k-th smallest (1-based) of the n1·n2 differences `a_i - b_j`, by bisection over the doubles
/// (64 passes of O(na + nb)), exact: the result is one of the differences.
pub(super) fn kth_difference(a: &[f64], b: &[f64], k: u64) -> f64 {
    let mut lo = f64_key(a[0] - b[b.len() - 1]); // smallest difference
    let mut hi = f64_key(a[a.len() - 1] - b[0]); // largest
    while lo < hi {
        let mid = (lo as i128 + (hi as i128 - lo as i128) / 2) as i64;
        if count_le(a, b, key_f64(mid)) >= k {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    key_f64(lo)
}

/// Smallest difference `a_i - b_j` greater than `d` (a, b sorted ascending; some difference
/// must exceed `d`), two pointers, O(na + nb).
pub(super) fn next_above(a: &[f64], b: &[f64], d: f64) -> f64 {
    // for increasing a_i the first j with a_i - b_j <= d is non-decreasing; b[j-1] gives the
    // smallest difference of row i that is still above d
    let mut j = 0usize;
    let mut best = f64::INFINITY;
    for &ai in a {
        while j < b.len() && ai - b[j] > d {
            j += 1;
        }
        if j > 0 {
            best = best.min(ai - b[j - 1]);
        }
    }
    best
}

/// Hodges–Lehmann shift: the median of all n1·n2 differences `a_i - b_j` (mean of the two
/// middle ones when n1·n2 is even, as numpy.median), without forming them.
pub(super) fn hodges_lehmann(a: &[f64], b: &[f64]) -> f64 {
    let mut a = a.to_vec();
    let mut b = b.to_vec();
    a.sort_by(f64::total_cmp);
    b.sort_by(f64::total_cmp);
    let total = a.len() as u64 * b.len() as u64;
    if total % 2 == 1 {
        kth_difference(&a, &b, total / 2 + 1)
    } else {
        let lo = kth_difference(&a, &b, total / 2);
        // the next order statistic: lo again if it is tied, else the smallest difference above
        let hi = if count_le(&a, &b, lo) > total / 2 { lo } else { next_above(&a, &b, lo) };
        (lo + hi) / 2.0
    }
}

/// Mann–Whitney U test (Wilcoxon rank-sum) of a against b, equal to
/// scipy.stats.mannwhitneyu(a, b, use_continuity, alternative, method) (scipy 1.17).
///
/// * `statistic` U1 = R1 - n1(n1+1)/2, R1 the sum of the average ranks of `a` in the pooled
///   sample (scipy's statistic).
/// * `p_value`: for `greater` from U1, for `less` from U2 = n1·n2 - U1, two-sided 2·P(U >=
///   max(U1, U2)) clipped to 1. `Exact`: the exact null distribution of U
///   ([`mw_pmf`]; with ties it is not valid — scipy then truncates U to an integer and so do we,
///   with a note). `Asymptotic`: z = (U - n1n2/2 - 0.5·continuity)/σ with the tie-corrected
///   σ² = n1n2/12·((n+1) - Σ(t³-t)/(n(n-1))). `Auto` follows scipy 1.17: exact when
///   min(n1, n2) <= 8 and there are no ties, otherwise asymptotic (R's wilcox.test uses exact
///   below 50 per group without ties; we follow scipy).
/// * `estimate`: the Hodges–Lehmann shift, median of all a_i - b_j (computed exactly in
///   O((n1+n2)·64) passes), the location shift that U tests; no interval (NaN, with a note).
/// * extra `rank_biserial` = 2·U1/(n1n2) - 1 = P(a > b) - P(a < b) (ties count half): positive
///   when `a` tends to exceed `b`, in [-1, 1]. Extra `z` (NaN for the exact method), `n1`, `n2`.
///
/// Errors: an empty group, NaN/inf, an exact distribution too large to enumerate.
pub fn mann_whitney(
    a: &[f64],
    b: &[f64],
    alternative: Alternative,
    method: MwMethod,
    use_continuity: bool,
) -> StatsResult<TestResult> {
    let mut res = mann_whitney_test(a, b, alternative, method, use_continuity)?;
    res.estimate = hodges_lehmann(a, b);
    res.push_note("no interval for the Hodges-Lehmann estimate");
    Ok(res)
}

/// [`mann_whitney`] without the Hodges–Lehmann estimate (`estimate` NaN): the test alone, for
/// analyses that report U, its p-value and the rank-biserial r (the estimate costs more than the
/// test on large groups).
pub fn mann_whitney_test(
    a: &[f64],
    b: &[f64],
    alternative: Alternative,
    method: MwMethod,
    use_continuity: bool,
) -> StatsResult<TestResult> {
    check_sample("a", a, 1)?;
    check_sample("b", b, 1)?;
    let n1 = a.len();
    let pooled: Vec<f64> = a.iter().chain(b).copied().collect();
    let (ranks, ties) = rank_average_ties(&pooled);
    let r1: f64 = ranks[..n1].iter().sum();
    mann_whitney_ranks(&RankSums { n1: n1 as u64, n2: b.len() as u64, r1, ties }, alternative, method, use_continuity)
}

/// What the Mann–Whitney test needs of two samples: their sizes, the sum `r1` of the average
/// ranks of the first in the pooled sample, and the sizes of the groups of tied values (groups of
/// more than one, in increasing order of value, as [`rank_average_ties`]).
#[derive(Debug, Clone, PartialEq)]
pub struct RankSums {
    pub n1: u64,
    pub n2: u64,
    pub r1: f64,
    pub ties: Vec<usize>,
}

impl RankSums {
    /// The rank sums of two samples given as sorted runs `(value, count in a, count in b)`:
    /// distinct values in increasing order (each run a value of either sample, or of both). A
    /// run of `t = ca + cb` values after `i` smaller ones holds the ranks `i+1..=i+t`, average
    /// `(2i + 1 + t)/2`, and adds `ca` times that to `r1` (as one product: the same sum as
    /// adding the ranks one by one while the sum of ranks is below 2^52, i.e. up to about 6·10^7
    /// values).
    pub fn of_runs(runs: &[(f64, u64, u64)]) -> RankSums {
        let (mut n1, mut n2, mut r1, mut ties) = (0u64, 0u64, 0.0, Vec::new());
        let mut i = 0u64;
        for &(_, ca, cb) in runs {
            let t = ca + cb;
            let r = (i + 1 + i + t) as f64 / 2.0;
            r1 += ca as f64 * r;
            if t > 1 {
                ties.push(t as usize);
            }
            (n1, n2, i) = (n1 + ca, n2 + cb, i + t);
        }
        RankSums { n1, n2, r1, ties }
    }
}

/// [`mann_whitney_test`] from the samples' [`RankSums`] (e.g. from merged sorted runs, see
/// [`RankSums::of_runs`]), with the errors it gives for their sizes.
pub fn mann_whitney_ranks(
    s: &RankSums,
    alternative: Alternative,
    method: MwMethod,
    use_continuity: bool,
) -> StatsResult<TestResult> {
    check_size("a", s.n1 as usize, 1)?;
    check_size("b", s.n2 as usize, 1)?;
    let (n1, n2, r1, ties) = (s.n1 as usize, s.n2 as usize, s.r1, &s.ties);
    let (f1, f2) = (n1 as f64, n2 as f64);
    let u1 = r1 - f1 * (f1 + 1.0) / 2.0;
    let u2 = f1 * f2 - u1;
    let (u, factor) = match alternative {
        Alternative::Greater => (u1, 1.0),
        Alternative::Less => (u2, 1.0),
        Alternative::TwoSided => (u1.max(u2), 2.0),
    };
    let exact = match method {
        MwMethod::Exact => true,
        MwMethod::Asymptotic => false,
        MwMethod::Auto => !(n1 > 8 && n2 > 8) && ties.is_empty(),
    };
    let mut res = TestResult::new(
        if exact { "Mann-Whitney U (exact)" } else { "Mann-Whitney U (asymptotic)" },
        alternative,
        (n1 + n2) as u64,
    );
    res.statistic = u1;
    let mut z = f64::NAN;
    let p = if exact {
        if !ties.is_empty() {
            res.push_note("exact distribution assumes no ties: with ties U is truncated to an integer (as scipy) and p is approximate",
            );
        }
        mw_sf_exact(u.floor() as u64, n1 as u64, n2 as u64)?
    } else {
        let n = f1 + f2;
        let tie_term: f64 = ties.iter().map(|&t| (t as f64).powi(3) - t as f64).sum();
        let s = (f1 * f2 / 12.0 * ((n + 1.0) - tie_term / (n * (n - 1.0)))).sqrt();
        let mut num = u - f1 * f2 / 2.0;
        if use_continuity {
            num -= 0.5;
        }
        z = num / s;
        if s.is_nan() || s <= 0.0 {
            res.push_note("all values are tied: the normal approximation is degenerate");
        }
        norm_sf(z)
    };
    let p = clamp_p(p * factor);
    if z.is_finite() || exact {
        res.set_p(p);
    } else {
        res.p_value = p;
    }
    res.extra.extend([("rank_biserial", 2.0 * u1 / (f1 * f2) - 1.0), ("z", z), ("n1", f1), ("n2", f2)]);
    Ok(res)
}
