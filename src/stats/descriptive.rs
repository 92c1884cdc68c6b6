//! Numerically stable moments and ranks shared by the kernel.
//!
//! Means and variances are two-pass with the compensation term of Chan, Golub & LeVeque (1983):
//! `var = (Σ(x-m)² - (Σ(x-m))²/n) / (n-1)`, which holds NIST StRD NumAcc4 (values around 1e7
//! with spread 0.1) to full precision.

use super::error::{StatsError, StatsResult};

/// Fails with a clear reason when a slice holds NaN or infinity.
pub fn check_finite(argument: &'static str, x: &[f64]) -> StatsResult<()> {
    if let Some(i) = x.iter().position(|v| !v.is_finite()) {
        return Err(StatsError::data(
            argument,
            format!("value at position {i} is {} (drop or impute missing values first)", x[i]),
        ));
    }
    Ok(())
}

/// Fails unless `x` has at least `min` observations.
pub fn check_len(argument: &'static str, x: &[f64], min: usize) -> StatsResult<()> {
    if x.len() < min {
        return Err(StatsError::data(
            argument,
            format!("needs at least {min} observations, got {}", x.len()),
        ));
    }
    Ok(())
}

/// Arithmetic mean, two-pass (the second pass corrects the rounding of the first). NaN if empty.
pub fn mean(x: &[f64]) -> f64 {
    if x.is_empty() {
        return f64::NAN;
    }
    let n = x.len() as f64;
    let m0 = x.iter().sum::<f64>() / n;
    let corr = x.iter().map(|v| v - m0).sum::<f64>() / n;
    m0 + corr
}

/// Mean and sum of squared deviations, compensated two-pass. `(NaN, NaN)` if empty.
pub fn mean_ss(x: &[f64]) -> (f64, f64) {
    if x.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    let n = x.len() as f64;
    let m = mean(x);
    let (mut s1, mut s2) = (0.0, 0.0);
    for v in x {
        let d = v - m;
        s1 += d;
        s2 += d * d;
    }
    (m, s2 - s1 * s1 / n)
}

/// Sample variance with denominator `n - ddof`. NaN when `n <= ddof`.
pub fn variance(x: &[f64], ddof: usize) -> f64 {
    if x.len() <= ddof {
        return f64::NAN;
    }
    let (_, ss) = mean_ss(x);
    ss / (x.len() - ddof) as f64
}

/// Sample standard deviation (denominator `n - 1`). NaN when `n < 2`.
pub fn std_dev(x: &[f64]) -> f64 {
    variance(x, 1).sqrt()
}

/// Weighted mean `Σwx / Σw`, with a compensating second pass. NaN if the weights sum to 0.
pub fn weighted_mean(x: &[f64], w: &[f64]) -> f64 {
    let sw: f64 = w.iter().sum();
    if sw == 0.0 || x.is_empty() {
        return f64::NAN;
    }
    let m0 = x.iter().zip(w).map(|(a, b)| a * b).sum::<f64>() / sw;
    let corr = x.iter().zip(w).map(|(a, b)| (a - m0) * b).sum::<f64>() / sw;
    m0 + corr
}

/// Ranks 1..n with ties given their average rank (scipy's `rankdata(method="average")`).
pub fn rank_average(x: &[f64]) -> Vec<f64> {
    rank_average_ties(x).0
}

/// [`rank_average`] and the sizes of the tie groups ([`tie_sizes`], in increasing order of
/// value) from one sort. Sorting (value, index) pairs, unstably, is several times faster than
/// sorting indices by `x[i]` (no indirect loads in the comparisons); ties share their average
/// rank whatever their order, so stability is not needed.
pub fn rank_average_ties(x: &[f64]) -> (Vec<f64>, Vec<usize>) {
    let n = x.len();
    let mut pairs: Vec<(f64, usize)> = x.iter().copied().zip(0..n).collect();
    pairs.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
    let mut ranks = vec![0.0; n];
    let mut ties = Vec::new();
    let mut i = 0;
    while i < n {
        let mut j = i + 1;
        while j < n && pairs[j].0 == pairs[i].0 {
            j += 1;
        }
        // positions i..j (0-based) share ranks i+1..=j, whose average is (i + 1 + j) / 2
        let r = (i + 1 + j) as f64 / 2.0;
        for &(_, k) in &pairs[i..j] {
            ranks[k] = r;
        }
        if j - i > 1 {
            ties.push(j - i);
        }
        i = j;
    }
    (ranks, ties)
}

/// Sizes of the groups of tied values (only groups of size > 1).
pub fn tie_sizes(x: &[f64]) -> Vec<usize> {
    let mut v: Vec<f64> = x.to_vec();
    v.sort_by(f64::total_cmp);
    let mut out = Vec::new();
    let mut i = 0;
    while i < v.len() {
        let mut j = i + 1;
        while j < v.len() && v[j] == v[i] {
            j += 1;
        }
        if j - i > 1 {
            out.push(j - i);
        }
        i = j;
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::excessive_precision)] // certified values quoted in full
    use super::*;

    /// NIST StRD NumAcc1: 10000001, 10000003, 10000002; certified mean 10000002, sd 1 (exact in
    /// binary, so we must hit them to the last bit).
    #[test]
    fn numacc1_certified_values() {
        let x = [10000001.0, 10000003.0, 10000002.0];
        assert_eq!(mean(&x), 10000002.0);
        assert_eq!(std_dev(&x), 1.0);
    }

    fn numacc(first: f64, a: f64, b: f64) -> Vec<f64> {
        let mut x = vec![first];
        for i in 0..1000 {
            x.push(if i % 2 == 0 { a } else { b });
        }
        x
    }

    /// NIST StRD NumAcc2-4: X.2, then 1000 values alternating X.1 and X.3; certified mean X.2 and
    /// sd 0.1. Decimal .1 and .3 are not binary fractions: once parsed into f64, the data's own
    /// standard deviation is no longer exactly 0.1 (at 1e7 the representation error alone moves
    /// it by 5.6e-9 relative). So we check (a) the certified values to what f64 input allows and
    /// (b) the exact standard deviation of the f64 values as parsed, computed in rational
    /// arithmetic with Python's `fractions.Fraction` (40 digits), to 13 significant digits.
    #[test]
    fn numacc2_to_4() {
        for (first, a, b, exact_sd, input_limit) in [
            (1.2, 1.1, 1.3, 0.09999999999999997779553950749686925309556, 1e-14),
            (1000000.2, 1000000.1, 1000000.3, 0.1000000000349245965480973680711414655844, 1e-9),
            (10000000.2, 10000000.1, 10000000.3, 0.1000000005587935447736195855645186921708, 1e-8),
        ] {
            let x = numacc(first, a, b);
            let (m, s) = (mean(&x), std_dev(&x));
            assert!(((m - first) / first).abs() < 1e-15, "mean {m}");
            assert!(((s - exact_sd) / exact_sd).abs() < 1e-13, "sd {s} vs exact {exact_sd}");
            assert!(((s - 0.1) / 0.1).abs() < input_limit, "sd {s} vs certified 0.1");
        }
    }

    #[test]
    fn average_ranks_match_scipy() {
        // scipy.stats.rankdata([10, 20, 10, 30, 20, 10]) = [2, 4.5, 2, 6, 4.5, 2]
        assert_eq!(rank_average(&[10., 20., 10., 30., 20., 10.]), vec![2., 4.5, 2., 6., 4.5, 2.]);
        assert_eq!(tie_sizes(&[10., 20., 10., 30., 20., 10.]), vec![3, 2]);
    }

    #[test]
    fn undefined_is_nan() {
        assert!(mean(&[]).is_nan());
        assert!(variance(&[1.0], 1).is_nan());
    }
}
