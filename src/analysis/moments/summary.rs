//! The moments' effects from summaries of groups of respondents, for the partial results
//! (`crate::partial::moments`): the same Welch tests and Hedges' g as
//! [`moment_effects_from`](super::moment_effects_from), from per-group counts, means and sums of
//! squared deviations instead of the respondents' values.
//!
//! A group is the respondents of one study side who mention the same set of themes (their
//! *signature*); the mentioning group of a moment is the union of the groups whose signature
//! holds one of its themes, the other group the rest. Groups are pooled by the exact
//! decomposition of Chan, Golub & LeVeque (1983): with `N = Σ n_g` and `x̄ = Σ n_g x̄_g / N`,
//! `M2 = Σ M2_g + Σ n_g (x̄_g - x̄)²`; with weights, `W = Σ W_g`, `x̄_w = Σ W_g x̄_g / W`,
//! `SS = Σ SS_g + Σ W_g (x̄_g - x̄_w)²` (`SS_g = Σ w (x - x̄_g)²`). Every sum is compensated
//! (Neumaier) and taken in two passes around the first-pass mean, as
//! [`crate::stats::two_sample`] does on the rows, so the result agrees with the row-based
//! kernels to a few units in the last place of the deviations.

use super::effects::{is_suppressed, nan, undefined, weighted_note, Effect};
use crate::analysis::exposure_gap::weighted_welch_moments;
use crate::stats::two_sample::{hedges_g_moments, welch_t_moments, Compensated as Sum, TwoMoments};
use crate::stats::{Alternative, StatsError, StatsResult, TestResult};

/// Moments of one group of values around the shift `c` of its study side (kept with the
/// side): `n`, `mean - c` and `M2 = Σ(x - mean)²`; with weights, their sum `W`, the weighted
/// `mean_w - c` and `SS = Σ w (x - mean_w)²`.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub(crate) struct GroupMoments {
    pub(crate) n: u64,
    pub(crate) mean: f64,
    pub(crate) m2: f64,
    pub(crate) weighted: Option<WeightedMoments>,
}

/// Weighted moments of a group (see [`GroupMoments`]).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub(crate) struct WeightedMoments {
    pub(crate) w: f64,
    pub(crate) mean: f64,
    pub(crate) ss: f64,
}

/// The [`GroupMoments`] of each group: value i is in group `group[i]`, whose shift is
/// `shift[group[i]]`; weights (by value) when given. Two passes: the shifted sums, then the
/// deviations from the first-pass means (the corrected two-pass algorithm).
pub(crate) fn group_moments(values: &[f64], weights: Option<&[f64]>, group: &[u32], shift: &[f64]) -> Vec<GroupMoments> {
    let n_groups = shift.len();
    let (mut n, mut s0, mut sw, mut swx) = (vec![0u64; n_groups], vec![Sum::default(); n_groups], vec![Sum::default(); n_groups], vec![Sum::default(); n_groups]);
    for (i, (&v, &g)) in values.iter().zip(group).enumerate() {
        let g = g as usize;
        let x = v - shift[g];
        n[g] += 1;
        s0[g].add(x);
        if let Some(w) = weights {
            sw[g].add(w[i]);
            swx[g].add(w[i] * x);
        }
    }
    let m0: Vec<f64> = (0..n_groups).map(|g| s0[g].value() / n[g] as f64).collect();
    let wm0: Vec<f64> = (0..n_groups).map(|g| swx[g].value() / sw[g].value()).collect();
    let zero = vec![Sum::default(); n_groups];
    let (mut s1, mut s2, mut ws1, mut ws2) = (zero.clone(), zero.clone(), zero.clone(), zero);
    for (i, (&v, &g)) in values.iter().zip(group).enumerate() {
        let g = g as usize;
        let x = v - shift[g];
        let d = x - m0[g];
        s1[g].add(d);
        s2[g].add(d * d);
        if let Some(w) = weights {
            let d = x - wm0[g];
            ws1[g].add(w[i] * d);
            ws2[g].add(w[i] * d * d);
        }
    }
    (0..n_groups)
        .map(|g| {
            let (nf, s1, s2) = (n[g] as f64, s1[g].value(), s2[g].value());
            let weighted = weights.map(|_| {
                let (w, ws1, ws2) = (sw[g].value(), ws1[g].value(), ws2[g].value());
                WeightedMoments { w, mean: wm0[g] + ws1 / w, ss: ws2 - ws1 * ws1 / w }
            });
            GroupMoments { n: n[g], mean: m0[g] + s1 / nf, m2: s2 - s1 * s1 / nf, weighted }
        })
        .collect()
}

/// A pooled group: `n`, `mean - c` and `M2` around the reference `c` of the pooling; with
/// weights `(W, mean_w - c, SS)`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Pooled {
    pub(crate) n: usize,
    pub(crate) mean: f64,
    pub(crate) m2: f64,
    pub(crate) weighted: Option<WeightedMoments>,
}

/// One group to pool: the offset of its shift from the reference (`c_s - c`), the factor that
/// brings its weights to the common scale, and its moments.
pub(crate) type Member<'a> = (f64, f64, &'a GroupMoments);

/// Pools groups by the decomposition of the module's documentation (`weighted`: whether the
/// weighted moments are pooled too; every group then has them).
pub(crate) fn pool(groups: &[Member<'_>], weighted: bool) -> Pooled {
    let n: u64 = groups.iter().map(|(_, _, g)| g.n).sum();
    let nf = n as f64;
    let mut s = Sum::default();
    for (off, _, g) in groups {
        s.add(g.n as f64 * (off + g.mean));
    }
    let m0 = s.value() / nf;
    let (mut s1, mut s2, mut within) = (Sum::default(), Sum::default(), Sum::default());
    for (off, _, g) in groups {
        let d = (off + g.mean) - m0;
        let k = g.n as f64;
        s1.add(k * d);
        s2.add(k * d * d);
        within.add(g.m2);
    }
    let (s1, s2) = (s1.value(), s2.value());
    let weighted = weighted.then(|| {
        let moments = |g: &GroupMoments| g.weighted.expect("weighted moments of every group");
        let (mut w, mut s) = (Sum::default(), Sum::default());
        for (off, f, g) in groups {
            let m = moments(g);
            w.add(f * m.w);
            s.add(f * m.w * (off + m.mean));
        }
        let w = w.value();
        let m0 = s.value() / w;
        let (mut s1, mut s2, mut within) = (Sum::default(), Sum::default(), Sum::default());
        for (off, f, g) in groups {
            let m = moments(g);
            let d = (off + m.mean) - m0;
            s1.add(f * m.w * d);
            s2.add(f * m.w * d * d);
            within.add(f * m.ss);
        }
        let (s1, s2) = (s1.value(), s2.value());
        WeightedMoments { w, mean: m0 + s1 / w, ss: within.value() + (s2 - s1 * s1 / w) }
    });
    Pooled { n: n as usize, mean: m0 + s1 / nf, m2: within.value() + (s2 - s1 * s1 / nf), weighted }
}

/// The [`TwoMoments`] of two pooled groups around `c`.
pub(crate) fn two_moments(a: &Pooled, b: &Pooled, c: f64) -> TwoMoments {
    TwoMoments { na: a.n, nb: b.n, c, ma: a.mean, mb: b.mean, ssa: a.m2, ssb: b.m2 }
}

/// `welch_t`'s refusals of samples of `na` and `nb` finite values (fewer than 2 in a group).
fn welch_sizes(na: usize, nb: usize) -> StatsResult<()> {
    for (name, len) in [("a", na), ("b", nb)] {
        if len < 2 {
            return Err(StatsError::data(name, format!("needs at least 2 observations, got {len}")));
        }
    }
    Ok(())
}

/// `hedges_g`'s refusals of samples of `na` and `nb` finite values.
fn hedges_sizes(na: usize, nb: usize) -> StatsResult<()> {
    for (name, len) in [("a", na), ("b", nb)] {
        if len < 1 {
            return Err(StatsError::data(name, format!("needs at least 1 observations, got {len}")));
        }
    }
    if na + nb < 4 {
        return Err(StatsError::data("b", "Hedges' correction needs at least 4 observations in the two groups together"));
    }
    Ok(())
}

/// `exposure_gap::weighted_welch` from the groups' `(n, W, mean_w, SS)`: statsmodels'
/// frequency-weight Welch test, `se² = va/(Wa - 1) + vb/(Wb - 1)` with `v = SS/W`.
fn weighted_welch_pooled(na: usize, nb: usize, a: WeightedMoments, b: WeightedMoments, confidence: f64) -> TestResult {
    weighted_welch_moments((na, (a.w, a.mean, a.ss)), (nb, (b.w, b.mean, b.ss)), confidence)
}

/// `exposure_gap::survey_welch` from pooled groups around `c`: equal weights (`all_equal`)
/// give the unweighted Welch test, otherwise the weights are rescaled to mean 1 (`W·n/ΣW`; the
/// pooled weights are already on the scale of the largest one) and tested as frequency weights.
fn survey_welch_pooled(a: &Pooled, b: &Pooled, c: f64, all_equal: bool, confidence: f64) -> TestResult {
    let n = a.n + b.n;
    if all_equal {
        return welch_sizes(a.n, b.n)
            .and_then(|_| welch_t_moments(&two_moments(a, b, c), Alternative::TwoSided, confidence))
            .unwrap_or_else(|e| nan("Welch t-test", n, e.to_string()));
    }
    let (wa, wb) = (a.weighted.expect("weighted moments"), b.weighted.expect("weighted moments"));
    let k = n as f64 / (wa.w + wb.w);
    let scaled = |m: WeightedMoments| WeightedMoments { w: m.w * k, mean: c + m.mean, ss: m.ss * k };
    weighted_welch_pooled(a.n, b.n, scaled(wa), scaled(wb), confidence)
}

/// A moment's effect on one side from its mentioning (`a`) and other (`b`) pooled groups
/// around `c`, with the branches of [`moment_effects_from`](super::moment_effects_from):
/// untested rows, weighted (`weights = Some(all weights equal)`), both groups of at least 2,
/// and a tiny group (the row-based kernels' refusals, from the sizes).
pub(crate) fn effect_of(moment: &'static str, side: &'static str, n_themes: u64, k: usize, a: &Pooled, b: &Pooled, c: f64, weights: Option<bool>) -> Effect {
    let (n_a, n_b) = (a.n, b.n);
    let n = n_a + n_b;
    let m = two_moments(a, b, c);
    let hedges = || hedges_sizes(n_a, n_b).and_then(|_| hedges_g_moments(&m, 0.95)).unwrap_or_else(|e| nan("Hedges' g", n, e.to_string()));
    let (welch, g) = if let Some(undefined) = undefined(moment, n_themes, k, n_a, n_b) {
        undefined
    } else if let Some(all_equal) = weights {
        let mut welch = survey_welch_pooled(a, b, c, all_equal, 0.95);
        welch.push_note(&weighted_note(side));
        (welch, hedges())
    } else if n_a >= 2 && n_b >= 2 {
        (
            welch_t_moments(&m, Alternative::TwoSided, 0.95).unwrap_or_else(|e| nan("Welch t-test", n, e.to_string())),
            hedges_g_moments(&m, 0.95).unwrap_or_else(|e| nan("Hedges' g", n, e.to_string())),
        )
    } else {
        let welch = welch_sizes(n_a, n_b)
            .and_then(|_| welch_t_moments(&m, Alternative::TwoSided, 0.95))
            .unwrap_or_else(|e| nan("Welch t-test", n, e.to_string()));
        (welch, hedges())
    };
    Effect { moment, side, n_themes, n_in: n_a as u64, n_out: n_b as u64, welch, g, suppressed: is_suppressed(k, n_a, n_b) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::exposure_gap::survey_welch;
    use crate::partial::testing::close;
    use crate::stats::two_sample::{hedges_g, welch_t};
    use rand::{Rng, SeedableRng};

    /// Values of `n` respondents in `studies` studies, each in a group (a study's signature)
    /// and a side (a = mentioning, b = other), with weights: the row-based and the pooled results.
    struct Case {
        values: Vec<f64>,
        weights: Vec<f64>,
        study: Vec<usize>,
        group: Vec<u32>,
        in_a: Vec<bool>,
        /// shift of each study, group of each (study, local group)
        n_groups: usize,
    }

    fn case(seed: u64, n: usize, level: f64) -> Case {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let studies = 3;
        let per = 4; // groups per study; groups 0 and 1 of a study are "mentioning"
        let mut c = Case { values: vec![], weights: vec![], study: vec![], group: vec![], in_a: vec![], n_groups: studies * per };
        for _ in 0..n {
            let s = rng.random_range(0..studies);
            let g = rng.random_range(0..per);
            c.values.push(level + rng.random_range(0.0..10.0_f64).round() + if g < 2 { 0.3 } else { 0.0 });
            c.weights.push(rng.random_range(0.5..2.0));
            c.study.push(s);
            c.group.push((s * per + g) as u32);
            c.in_a.push(g < 2);
        }
        c
    }

    /// The pooled groups of a case (weights divided by their maximum per study, as the parts do).
    fn pooled(c: &Case, equal_weights: bool) -> (Pooled, Pooled, f64) {
        let studies = 3;
        let first = |s: usize| c.values[c.study.iter().position(|&x| x == s).unwrap()];
        let shift_of_study: Vec<f64> = (0..studies).map(first).collect();
        let shift: Vec<f64> = (0..c.n_groups).map(|g| shift_of_study[g / 4]).collect();
        let raw: Vec<f64> = if equal_weights { vec![0.7; c.values.len()] } else { c.weights.clone() };
        let max_s: Vec<f64> = (0..studies)
            .map(|s| raw.iter().zip(&c.study).filter(|(_, &x)| x == s).fold(0.0_f64, |m, (w, _)| m.max(*w)))
            .collect();
        let w: Vec<f64> = raw.iter().zip(&c.study).map(|(w, &s)| w / max_s[s]).collect();
        let moments = group_moments(&c.values, Some(&w), &c.group, &shift);
        let top = max_s.iter().fold(0.0_f64, |m, v| m.max(*v));
        let cref = shift_of_study[0];
        let member = |g: usize| (shift[g] - cref, max_s[g / 4] / top, &moments[g]);
        let a: Vec<Member<'_>> = (0..c.n_groups).filter(|g| g % 4 < 2).map(member).collect();
        let b: Vec<Member<'_>> = (0..c.n_groups).filter(|g| g % 4 >= 2).map(member).collect();
        (pool(&a, true), pool(&b, true), cref)
    }

    fn split(c: &Case, equal_weights: bool) -> (Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>) {
        let (mut a, mut b, mut wa, mut wb) = (vec![], vec![], vec![], vec![]);
        let max = c.weights.iter().fold(0.0_f64, |m, v| m.max(*v));
        for i in 0..c.values.len() {
            let w = if equal_weights { 1.0 } else { c.weights[i] / max };
            if c.in_a[i] {
                a.push(c.values[i]);
                wa.push(w);
            } else {
                b.push(c.values[i]);
                wb.push(w);
            }
        }
        (a, b, wa, wb)
    }

    fn same(x: &TestResult, y: &TestResult, rel: f64) {
        for (u, v, what) in [
            (x.estimate, y.estimate, "estimate"),
            (x.statistic, y.statistic, "statistic"),
            (x.df, y.df, "df"),
            (x.p_value, y.p_value, "p"),
            (x.ci_low, y.ci_low, "ci_low"),
            (x.ci_high, y.ci_high, "ci_high"),
            (x.get("mean_a").unwrap_or(f64::NAN), y.get("mean_a").unwrap_or(f64::NAN), "mean_a"),
            (x.get("mean_b").unwrap_or(f64::NAN), y.get("mean_b").unwrap_or(f64::NAN), "mean_b"),
        ] {
            assert!(close(u, v, rel), "{what}: {u} vs {v}");
        }
        assert_eq!(x.note, y.note);
    }

    #[test]
    fn pooled_groups_give_the_row_based_tests() {
        // levels 0 and 1e6: the shifts keep the differences exact far from 0
        for (seed, level) in [(1, 0.0), (2, 50.0), (3, 1e6)] {
            let c = case(seed, 3_000, level);
            for equal in [false, true] {
                let (pa, pb, cref) = pooled(&c, equal);
                let (a, b, wa, wb) = split(&c, equal);
                assert_eq!((pa.n, pb.n), (a.len(), b.len()));
                let m = two_moments(&pa, &pb, cref);
                same(&welch_t_moments(&m, Alternative::TwoSided, 0.95).unwrap(), &welch_t(&a, &b, Alternative::TwoSided, 0.95).unwrap(), 1e-12);
                same(&hedges_g_moments(&m, 0.95).unwrap(), &hedges_g(&a, &b, 0.95).unwrap(), 1e-12);
                same(&survey_welch_pooled(&pa, &pb, cref, equal, 0.95), &survey_welch(&a, &wa, &b, &wb, 0.95), 1e-12);
            }
        }
    }

    #[test]
    fn tiny_groups_are_refused_as_the_samples_are() {
        for na in 0..4usize {
            for nb in 0..4usize {
                let (a, b) = (vec![1.0; na], (0..nb).map(|i| i as f64).collect::<Vec<f64>>());
                let want = welch_t(&a, &b, Alternative::TwoSided, 0.95).err().map(|e| e.to_string());
                assert_eq!(welch_sizes(na, nb).err().map(|e| e.to_string()), want, "welch {na} {nb}");
                let want = hedges_g(&a, &b, 0.95).err().map(|e| e.to_string());
                assert_eq!(hedges_sizes(na, nb).err().map(|e| e.to_string()), want, "hedges {na} {nb}");
                // the weighted test's notes
                let (wa, wb) = (vec![1.5; na], vec![0.5; nb]);
                let g = |v: &[f64], w: &[f64]| GroupMoments {
                    n: v.len() as u64,
                    mean: f64::NAN,
                    m2: f64::NAN,
                    weighted: Some(WeightedMoments { w: w.iter().sum(), mean: f64::NAN, ss: f64::NAN }),
                };
                let (ga, gb) = (g(&a, &wa), g(&b, &wb));
                let (pa, pb) = (pool(&[(0.0, 1.0, &ga)], true), pool(&[(0.0, 1.0, &gb)], true));
                let equal = wa.iter().chain(&wb).all(|w| *w == wa.first().or(wb.first()).copied().unwrap_or(1.0));
                if na < 2 || nb < 2 {
                    assert_eq!(survey_welch_pooled(&pa, &pb, 0.0, equal, 0.95).note, survey_welch(&a, &wa, &b, &wb, 0.95).note);
                }
            }
        }
    }
}
