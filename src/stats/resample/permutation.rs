//! The permutation test of Pearson's r (exact enumeration or random pairings).

use super::pearson::centered;
use super::rng::{below, stream};
use super::check_resamples;
use crate::interrupt::{checkpoint, Checkpoint, POLL_EVERY};
use crate::stats::correlation::{check_pair, is_constant, pearson_r};
use crate::stats::error::StatsResult;
use crate::stats::result::{clamp_p, Alternative, TestResult};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;


/// Permutation test of Pearson's r: the pairing of y with x is permuted.
///
/// Follows scipy.stats.permutation_test(..., permutation_type="pairings") as used by
/// `scipy.stats.pearsonr(x, y, method=PermutationMethod(n_resamples))` (scipy 1.17):
/// * if n! <= `n_resamples`, all n! pairings are enumerated (exact test) and
///   p = #{r_π as or more extreme}/n!;
/// * otherwise `n_resamples` random pairings (resample i permuted by Fisher–Yates from stream i)
///   and p = (b + 1)/(n_resamples + 1) (Phipson & Smyth 2010), b the number of random pairings
///   as or more extreme — the observed pairing counts as one of the null draws, so p > 0;
/// * "as extreme" uses scipy's relative tolerance: r_π >= r - γ (greater), r_π <= r + γ
///   (less), γ = 100·ε·|r|; two-sided p = 2·min(p_less, p_greater), clipped to 1.
///
/// `estimate` and `statistic` are r; `ci_low`/`ci_high` NaN; extra `n_resamples` (the number
/// of pairings used: n! when exact). Errors: unequal lengths, fewer than 2 pairs, NaN/inf,
/// `n_resamples` = 0 or above [`super::MAX_RESAMPLES`], [`StatsError::Interrupted`](crate::stats::StatsError::Interrupted) when cancelled. A
/// constant column gives NaN with a note.
pub fn permutation_pearson(
    x: &[f64],
    y: &[f64],
    n_resamples: usize,
    seed: u64,
    alternative: Alternative,
) -> StatsResult<TestResult> {
    check_resamples(n_resamples, 1)?;
    check_pair(x, y, 2)?;
    let cp = checkpoint();
    let n = x.len();
    let mut res = TestResult::new("Pearson correlation (permutation test)", alternative, n as u64);
    res.extra.push(("n_resamples", f64::NAN));
    if is_constant(x) || is_constant(y) {
        res.push_note("a column is constant: the correlation is undefined");
        return Ok(res);
    }
    let pairing = Pairing::new(x, y);
    let identity: Vec<usize> = (0..n).collect();
    let r_obs = pairing.r(&identity);
    res.estimate = pearson_r(x, y);
    res.statistic = r_obs;
    let extreme = Extreme { r_obs, gamma: (100.0 * f64::EPSILON * r_obs).abs() };
    let n_perm: Option<u128> = (1..=n as u128).try_fold(1u128, |acc, k| acc.checked_mul(k));
    let exact = n_perm.is_some_and(|m| m <= n_resamples as u128);
    let (count_le, count_ge, used, adjustment) = if exact {
        let (le, ge) = all_pairings(&pairing, &extreme, identity, &cp)?;
        (le, ge, n_perm.unwrap_or(0) as usize, 0u64)
    } else {
        let (le, ge) = random_pairings(&pairing, &extreme, n_resamples, seed, &cp)?;
        (le, ge, n_resamples, 1u64)
    };
    let denom = (used as u64 + adjustment) as f64;
    let p_less = (count_le + adjustment) as f64 / denom;
    let p_greater = (count_ge + adjustment) as f64 / denom;
    res.p_value = clamp_p(match alternative {
        Alternative::TwoSided => 2.0 * p_less.min(p_greater),
        Alternative::Less => p_less,
        Alternative::Greater => p_greater,
    });
    res.method = if exact {
        format!("Pearson correlation (exact permutation test, all {used} pairings)")
    } else {
        format!("Pearson correlation (permutation test, {used} random pairings)")
    };
    res.extra[0].1 = used as f64;
    res.push_note("no confidence interval from a permutation test");
    Ok(res)
}

/// Pearson's r of the pairing `(x_i, y_perm(i))`, with the same arithmetic as `pearson_r` so
/// that the identity pairing reproduces the estimate bit for bit.
struct Pairing {
    dx: Vec<f64>,
    dy: Vec<f64>,
    sx: f64,
    sy: f64,
    nf: f64,
    den: f64,
}

impl Pairing {
    fn new(x: &[f64], y: &[f64]) -> Self {
        let dx = centered(x);
        let dy = centered(y);
        let nf = x.len() as f64;
        let (sx, sy) = (dx.iter().sum::<f64>(), dy.iter().sum::<f64>());
        let sxx = dx.iter().map(|v| v * v).sum::<f64>() - sx * sx / nf;
        let syy = dy.iter().map(|v| v * v).sum::<f64>() - sy * sy / nf;
        let den = (sxx * syy).sqrt();
        Pairing { dx, dy, sx, sy, nf, den }
    }

    fn r(&self, perm: &[usize]) -> f64 {
        let mut sxy = 0.0;
        for (i, &p) in perm.iter().enumerate() {
            sxy += self.dx[i] * self.dy[p];
        }
        ((sxy - self.sx * self.sy / self.nf) / self.den).clamp(-1.0, 1.0)
    }
}

/// scipy's "as or more extreme" with its relative tolerance γ: `r_π <= r + γ` (counted for
/// `less`), `r_π >= r − γ` (counted for `greater`).
struct Extreme {
    r_obs: f64,
    gamma: f64,
}

impl Extreme {
    /// `(as low as r, as high as r)`, each 0 or 1.
    #[inline]
    fn tally(&self, r: f64) -> (u64, u64) {
        (u64::from(r <= self.r_obs + self.gamma), u64::from(r >= self.r_obs - self.gamma))
    }
}

/// The counts over all n! pairings, by Heap's algorithm starting from `perm` (the identity);
/// polls `cp` every [`POLL_EVERY`] steps.
fn all_pairings(pairing: &Pairing, extreme: &Extreme, mut perm: Vec<usize>, cp: &Checkpoint) -> StatsResult<(u64, u64)> {
    let n = perm.len();
    let mut c = vec![0usize; n];
    let (mut le, mut ge) = extreme.tally(pairing.r(&perm));
    let mut i = 0;
    let mut steps = 0usize;
    while i < n {
        steps += 1;
        if steps % POLL_EVERY == 0 {
            cp.check()?;
        }
        if c[i] < i {
            if i % 2 == 0 {
                perm.swap(0, i);
            } else {
                perm.swap(c[i], i);
            }
            let (l, g) = extreme.tally(pairing.r(&perm));
            le += l;
            ge += g;
            c[i] += 1;
            i = 0;
        } else {
            c[i] = 0;
            i += 1;
        }
    }
    Ok((le, ge))
}

/// The counts over `n_resamples` random pairings, pairing `i` shuffled (Fisher–Yates) from
/// stream `i`; polls `cp` once per pairing.
fn random_pairings(
    pairing: &Pairing,
    extreme: &Extreme,
    n_resamples: usize,
    seed: u64,
    cp: &Checkpoint,
) -> StatsResult<(u64, u64)> {
    let n = pairing.dx.len();
    let base = ChaCha8Rng::seed_from_u64(seed);
    let counts = (0..n_resamples)
        .into_par_iter()
        .map_init(
            || vec![0usize; n],
            |perm, i| {
                if cp.is_cancelled() {
                    return (0, 0);
                }
                for (k, p) in perm.iter_mut().enumerate() {
                    *p = k;
                }
                let mut rng = stream(&base, i as u64);
                for j in (1..n).rev() {
                    let k = below(&mut rng, j as u64 + 1) as usize;
                    perm.swap(j, k);
                }
                extreme.tally(pairing.r(perm))
            },
        )
        .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
    cp.check()?;
    Ok(counts)
}
