//! Kendall's tau-b of two paired samples, counted in O(n log n) (Knight 1966), with scipy's exact
//! and asymptotic tests.

use super::{check_pair, fisher_ci, set_p};
use crate::stats::dist::{norm_sf, p_symmetric};
use crate::stats::error::{StatsError, StatsResult};
use crate::stats::result::{check_confidence, clamp_p, Alternative, TestResult};

/// How Kendall's tau p-value is computed. `Auto` is scipy's rule: exact when there are no ties
/// and n <= 33 or at most one discordant (or concordant) pair, asymptotic (normal approximation
/// with the tie-corrected variance) otherwise; `Exact` uses the exact null distribution of the
/// number of concordant pairs (no ties allowed).
pub type KendallMethod = crate::stats::result::PValueMethod;

/// Pair counts behind Kendall's tau (Knight 1966): all in O(n log n).
struct KendallCounts {
    /// n(n-1)/2
    tot: u64,
    /// discordant pairs
    dis: u64,
    /// pairs tied in x, in y, in both
    xtie: u64,
    ytie: u64,
    ntie: u64,
    /// Σ t(t-1)(t-2) and Σ t(t-1)(2t+5) over tie groups of x and of y
    x0: f64,
    x1: f64,
    y0: f64,
    y1: f64,
}

/// Tie statistics of sorted values: (Σ t(t-1)/2, Σ t(t-1)(t-2), Σ t(t-1)(2t+5)).
fn tie_stats<T: PartialEq>(sorted: &[T]) -> (u64, f64, f64) {
    let (mut pairs, mut s0, mut s1) = (0u64, 0.0, 0.0);
    let mut i = 0;
    while i < sorted.len() {
        let mut j = i + 1;
        while j < sorted.len() && sorted[j] == sorted[i] {
            j += 1;
        }
        let t = (j - i) as u64;
        if t > 1 {
            let tf = t as f64;
            pairs += t * (t - 1) / 2;
            s0 += tf * (tf - 1.0) * (tf - 2.0);
            s1 += tf * (tf - 1.0) * (2.0 * tf + 5.0);
        }
        i = j;
    }
    (pairs, s0, s1)
}

/// Number of pairs i < j with v[i] > v[j] (strict), by merge sort; sorts `v`.
fn count_inversions(v: &mut [f64], buf: &mut [f64]) -> u64 {
    let n = v.len();
    if n < 2 {
        return 0;
    }
    let mid = n / 2;
    let mut inv = {
        let (l, r) = v.split_at_mut(mid);
        let (bl, br) = buf.split_at_mut(mid);
        count_inversions(l, bl) + count_inversions(r, br)
    };
    let (mut i, mut j, mut k) = (0, mid, 0);
    while i < mid && j < n {
        if v[j] < v[i] {
            // v[j] is smaller than every remaining left element
            inv += (mid - i) as u64;
            buf[k] = v[j];
            j += 1;
        } else {
            buf[k] = v[i];
            i += 1;
        }
        k += 1;
    }
    buf[k..k + mid - i].copy_from_slice(&v[i..mid]);
    k += mid - i;
    buf[k..k + n - j].copy_from_slice(&v[j..n]);
    v.copy_from_slice(&buf[..n]);
    inv
}

fn kendall_counts(x: &[f64], y: &[f64]) -> KendallCounts {
    let n = x.len();
    // -0.0 + 0.0 = +0.0: total_cmp would otherwise order -0.0 before 0.0 and split a tie group
    let x: Vec<f64> = x.iter().map(|v| v + 0.0).collect();
    let y: Vec<f64> = y.iter().map(|v| v + 0.0).collect();
    let mut idx: Vec<usize> = (0..n).collect();
    idx.sort_unstable_by(|&a, &b| x[a].total_cmp(&x[b]).then(y[a].total_cmp(&y[b])));
    let xs: Vec<f64> = idx.iter().map(|&i| x[i]).collect();
    let mut ys: Vec<f64> = idx.iter().map(|&i| y[i]).collect();
    let pairs: Vec<(f64, f64)> = xs.iter().copied().zip(ys.iter().copied()).collect();
    let (xtie, x0, x1) = tie_stats(&xs);
    let (ntie, _, _) = tie_stats(&pairs);
    // Sorted by x then y: pairs tied in x are in non-decreasing y and are never counted as
    // inversions; pairs tied in y are not strict inversions. So inversions = discordant pairs.
    let mut buf = vec![0.0; n];
    let dis = count_inversions(&mut ys, &mut buf);
    let (ytie, y0, y1) = tie_stats(&ys); // ys is now sorted
    let tot = (n as u64) * (n as u64 - 1) / 2;
    KendallCounts { tot, dis, xtie, ytie, ntie, x0, x1, y0, y1 }
}

/// Exact p-value of Kendall's tau without ties from the number `c` of concordant pairs, as
/// scipy.stats.kendalltau(method="exact") (its `_kendall_p_exact`, after Kendall 1970): the
/// number of permutations of n with k inversions (Mahonian numbers, by the recursion
/// N_j(k) = Σ_{i<j} N_{j-1}(k-i)), exact in 128-bit integers for n <= 34 and as probabilities
/// above. Two-sided p = 2·P(C <= min(c, tot-c)); one-sided halves it when `c` lies on the side
/// of the alternative and is `1 - p/2 + P(C = c)` otherwise. c <= 1 uses 2/n! and 2/(n-1)!
/// through ln Γ, so they do not overflow.
fn kendall_p_exact(n: u64, c: u64, alternative: Alternative) -> f64 {
    let tot = n * (n - 1) / 2;
    let in_right_tail = c >= tot - c;
    let c = c.min(tot - c);
    let ln_fact = |k: u64| crate::stats::special::ln_gamma(k as f64 + 1.0);
    let (prob, mass): (f64, f64) = if n == 1 {
        (1.0, 1.0)
    } else if n == 2 {
        (1.0, 0.5)
    } else if c == 0 {
        let p = (2f64.ln() - ln_fact(n)).exp();
        (p, p / 2.0)
    } else if c == 1 {
        ((2f64.ln() - ln_fact(n - 1)).exp(), (((n - 1) as f64).ln() - ln_fact(n)).exp())
    } else if 4 * c == n * (n - 1) && alternative == Alternative::TwoSided {
        (1.0, f64::NAN)
    } else {
        let c = c as usize;
        if n <= 34 {
            let mut cnt = vec![0u128; c + 1];
            cnt[0] = 1;
            let mut next = vec![0u128; c + 1];
            for j in 2..=n as usize {
                // next[k] = Σ_{i=0}^{min(k, j-1)} cnt[k-i] (sliding window)
                let mut window: u128 = 0;
                for k in 0..=c {
                    window += cnt[k];
                    if k >= j {
                        window -= cnt[k - j];
                    }
                    next[k] = window;
                }
                std::mem::swap(&mut cnt, &mut next);
            }
            let total: u128 = (1..=n as u128).product();
            let cum: u128 = cnt.iter().sum();
            (2.0 * (cum as f64 / total as f64), cnt[c] as f64 / total as f64)
        } else {
            let mut pr = vec![0.0f64; c + 1];
            pr[0] = 1.0;
            let mut next = vec![0.0f64; c + 1];
            for j in 2..=n as usize {
                let mut window = 0.0;
                for k in 0..=c {
                    window += pr[k];
                    if k >= j {
                        window -= pr[k - j];
                    }
                    next[k] = window / j as f64;
                }
                std::mem::swap(&mut pr, &mut next);
            }
            (2.0 * pr.iter().sum::<f64>(), pr[c])
        }
    };
    let prob = match alternative {
        Alternative::TwoSided => prob,
        _ => {
            if in_right_tail == (alternative == Alternative::Greater) {
                prob / 2.0
            } else {
                1.0 - prob / 2.0 + mass
            }
        }
    };
    clamp_p(prob)
}

/// Kendall's tau-b with scipy.stats.kendalltau's test (scipy 1.17, `variant="b"`).
///
/// * `estimate` tau-b = (C - D)/√((P - X)(P - Y)), P = n(n-1)/2 pairs, X and Y the pairs tied
///   in x and in y; counted in O(n log n) (Knight 1966: sort by x, count inversions of y by
///   merge sort), so a million pairs take well under a second.
/// * `statistic` z = S/√var(S), S = C - D (reported also as extra `kendall_s`), with the
///   tie-corrected variance `var = [n(n-1)(2n+5) - Σx t(t-1)(2t+5) - Σy u(u-1)(2u+5)]/18
///   + 2·X·Y/(n(n-1)) + Σx t(t-1)(t-2)·Σy u(u-1)(u-2)/(9n(n-1)(n-2))` (Kendall 1970).
/// * `p_value`: `method = Auto` follows scipy — exact when neither sample has ties and
///   n <= 33 or min(D, P-D) <= 1, asymptotic (normal) otherwise. `Exact` with ties is an error
///   (as scipy). The exact p-value is [`kendall_p_exact`].
/// * `ci_low`, `ci_high`: Fisher z with var(atanh tau) = 0.437/(n - 4) (Fieller, Hartley &
///   Pearson 1957, Biometrika 44, 470–481), one-sided bounds ±1; (-1, 1) when n <= 4. scipy
///   gives no interval; this approximation is for untied, roughly normal data.
///
/// Deliberate differences from scipy: a forced exact p-value whose recursion would exceed
/// ~2e9 steps (n·min(C, D), e.g. n = 100,000) is an error rather than hours of work; with n = 2 (asymptotic forced) the variance term with
/// `n - 2` in its denominator is taken as 0 (its numerator is 0) where scipy returns NaN; exact
/// p-values that underflow (n >= 171, c <= 1) are reported as 2.2e-308 with a note, not 0.
pub fn kendall(
    x: &[f64],
    y: &[f64],
    alternative: Alternative,
    method: KendallMethod,
    confidence: f64,
) -> StatsResult<TestResult> {
    check_confidence(confidence)?;
    check_pair(x, y, 2)?;
    let n = x.len();
    let mut res = TestResult::new("Kendall tau-b", alternative, n as u64);
    res.extra.push(("kendall_s", f64::NAN));
    let k = kendall_counts(x, y);
    if k.xtie == k.tot || k.ytie == k.tot {
        res.push_note("a column is constant: tau is undefined");
        return Ok(res);
    }
    let s = k.tot as i128 - k.xtie as i128 - k.ytie as i128 + k.ntie as i128 - 2 * k.dis as i128;
    let s = s as f64;
    let tau = (s / ((k.tot - k.xtie) as f64).sqrt() / ((k.tot - k.ytie) as f64).sqrt())
        .clamp(-1.0, 1.0);
    res.estimate = tau;
    let ties = k.xtie != 0 || k.ytie != 0;
    let exact = match method {
        KendallMethod::Exact if ties => {
            return Err(StatsError::argument(
                "method",
                "ties found: the exact distribution assumes no ties; use 'auto' or 'asymptotic'",
            ))
        }
        KendallMethod::Exact => true,
        KendallMethod::Asymptotic => false,
        KendallMethod::Auto => !ties && (n <= 33 || k.dis.min(k.tot - k.dis) <= 1),
    };
    let nf = n as f64;
    let m = nf * (nf - 1.0);
    let third = if k.x0 * k.y0 == 0.0 { 0.0 } else { k.x0 * k.y0 / (9.0 * m * (nf - 2.0)) };
    let var = (m * (2.0 * nf + 5.0) - k.x1 - k.y1) / 18.0
        + (2.0 * k.xtie as f64 * k.ytie as f64) / m
        + third;
    let z = s / var.sqrt();
    res.statistic = z;
    res.method = if exact { "Kendall tau-b (exact)" } else { "Kendall tau-b (asymptotic)" }.into();
    let p = if exact {
        let c = (k.tot - k.dis).min(k.dis) as f64;
        if nf * (c + 1.0) > 2e9 {
            return Err(StatsError::argument(
                "method",
                format!("the exact distribution for n = {n} is too costly to enumerate (O(n·min(C, D))); use 'asymptotic'"),
            ));
        }
        kendall_p_exact(n as u64, k.tot - k.dis, alternative)
    } else {
        p_symmetric(z, alternative, norm_sf)
    };
    set_p(&mut res, p, true);
    res.extra[0].1 = s;
    if n <= 4 {
        (res.ci_low, res.ci_high) = (-1.0, 1.0);
        res.push_note("n <= 4: the Fisher-z interval is (-1, 1)");
    } else {
        let se = (0.437 / (nf - 4.0)).sqrt();
        (res.ci_low, res.ci_high) = fisher_ci(tau, se, confidence, alternative);
    }
    Ok(res)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::excessive_precision)] // reference values quoted with all the digits their source gave
    use super::*;
    use crate::stats::testing::close;
    use Alternative::{Greater, Less, TwoSided};

    #[test]
    fn kendall_exact_and_asymptotic_match_scipy() {
        let x = [4., 1., 6., 2., 5., 3.];
        let y = [3., 2., 6., 1., 4., 5.];
        // scipy.stats.kendalltau(x, y, alternative=alt) -> exact (n = 6, no ties), scipy 1.17.1
        let r = kendall(&x, &y, TwoSided, KendallMethod::Auto, 0.95).unwrap();
        assert!(close(r.estimate, 0.6, 1e-12) && close(r.p_value, 0.1361111111111111, 1e-10));
        assert!(r.method.contains("exact"));
        // Fisher z with var 0.437/(n-4): tanh(atanh(0.6) ∓ 1.959963984540054·√(0.437/2))
        assert!(close(r.ci_low, -0.21939274963241112, 1e-10) && close(r.ci_high, 0.9230583574706498, 1e-10));
        let r = kendall(&x, &y, Less, KendallMethod::Auto, 0.95).unwrap();
        assert!(close(r.p_value, 0.9722222222222222, 1e-10));
        let r = kendall(&x, &y, Greater, KendallMethod::Exact, 0.95).unwrap();
        assert!(close(r.p_value, 0.06805555555555555, 1e-10));
        // scipy.stats.kendalltau(x, y, method="asymptotic") = (0.6, 0.09087393998624903)
        let r = kendall(&x, &y, TwoSided, KendallMethod::Asymptotic, 0.95).unwrap();
        assert!(close(r.p_value, 0.09087393998624903, 1e-10));
        assert_eq!(r.get("kendall_s"), Some(9.0));
    }

    #[test]
    fn kendall_with_ties_and_signed_zero() {
        let x = [1., 2., 2., 3., 3., 3., 4., 5., 5., 6.];
        let y = [1., 1., 2., 2., 3., 5., 4., 4., 6., 6.];
        // scipy.stats.kendalltau(x, y, alternative=alt): tau-b 0.7901836773196718,
        // p two-sided 0.0029396863019197908, less 0.9985301568490401, greater
        // 0.0014698431509598954 (asymptotic: ties)
        for (alt, p) in [(TwoSided, 0.0029396863019197908), (Less, 0.9985301568490401), (Greater, 0.0014698431509598954)] {
            let r = kendall(&x, &y, alt, KendallMethod::Auto, 0.95).unwrap();
            assert!(close(r.estimate, 0.7901836773196718, 1e-12) && close(r.p_value, p, 1e-10), "{alt}");
        }
        assert!(kendall(&x, &y, TwoSided, KendallMethod::Exact, 0.95).is_err());
        // -0.0 and 0.0 are one tie group (a total-order sort would split them)
        let a = kendall(&[0.0, -0.0, 1.0, 2.0], &[1.0, 2.0, 0.5, 3.0], TwoSided, KendallMethod::Auto, 0.95).unwrap();
        let b = kendall(&[0.0, 0.0, 1.0, 2.0], &[1.0, 2.0, 0.5, 3.0], TwoSided, KendallMethod::Auto, 0.95).unwrap();
        assert_eq!(a.estimate, b.estimate);
    }

    #[test]
    fn kendall_exact_extremes() {
        // scipy.stats.kendalltau(range(50), range(50)) = (1.0, 6.575898833266317e-65) (exact,
        // 2/50!); swapping the first two: (0.9983673469387755, 3.287949416633158e-63), and with
        // alternative="less" p = 1.0
        let x: Vec<f64> = (0..50).map(f64::from).collect();
        let r = kendall(&x, &x, TwoSided, KendallMethod::Auto, 0.95).unwrap();
        assert!(close(r.estimate, 1.0, 0.0) && close(r.p_value, 6.575898833266317e-65, 1e-10), "{}", r.p_value);
        let mut y = x.clone();
        y.swap(0, 1);
        let r = kendall(&x, &y, TwoSided, KendallMethod::Auto, 0.95).unwrap();
        assert!(close(r.estimate, 0.9983673469387755, 1e-12) && close(r.p_value, 3.287949416633158e-63, 1e-10));
        let r = kendall(&x, &y, Less, KendallMethod::Auto, 0.95).unwrap();
        assert!(close(r.p_value, 1.0, 1e-12));
        // n = 200, perfect order: 2/200! underflows; scipy returns 0, we return 2.2e-308 + note
        let x: Vec<f64> = (0..200).map(f64::from).collect();
        let r = kendall(&x, &x, TwoSided, KendallMethod::Auto, 0.95).unwrap();
        assert_eq!(r.p_value, f64::MIN_POSITIVE);
        // x = 0..39, y = reversed + 3 sin: scipy.stats.kendalltau(x, y, method="asymptotic") =
        // (-0.8692307692307694, 2.8024595108711228e-15)
        let x: Vec<f64> = (0..40).map(f64::from).collect();
        let y: Vec<f64> = (0..40).map(|i| (39 - i) as f64 + 3.0 * (i as f64).sin()).collect();
        let r = kendall(&x, &y, TwoSided, KendallMethod::Asymptotic, 0.95).unwrap();
        assert!(close(r.estimate, -0.8692307692307694, 1e-12) && close(r.p_value, 2.8024595108711228e-15, 1e-10));
    }

    #[test]
    fn kendall_counts_a_million_pairs() {
        // x a permutation of 0..n (7919 is prime to 10^6), y = floor(x/10): sorted by x, y never
        // decreases, so D = 0 and S = P - Y with P = n(n-1)/2 and Y = (n/10)·C(10, 2) pairs tied
        // in y; tau-b = S/√(P·(P - Y)) = √((P - Y)/P). (Counting the pairs one by one would take
        // hours; the timing lives in benches/kernel.rs.)
        let n = 1_000_000_u64;
        let x: Vec<f64> = (0..n).map(|i| ((i * 7919) % n) as f64).collect();
        let y: Vec<f64> = x.iter().map(|v| (v / 10.0).floor()).collect();
        let r = kendall(&x, &y, TwoSided, KendallMethod::Auto, 0.95).unwrap();
        let (pairs, ytie) = (n * (n - 1) / 2, (n / 10) * 45);
        assert_eq!(r.get("kendall_s"), Some((pairs - ytie) as f64));
        assert!(close(r.estimate, (((pairs - ytie) as f64) / pairs as f64).sqrt(), 1e-12), "{}", r.estimate);
        assert!(r.method.contains("asymptotic") && r.p_value == f64::MIN_POSITIVE);
    }
}
