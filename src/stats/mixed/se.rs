//! Standard errors of the fixed effects: the model-based covariance `σ̂²A⁻¹` or the inverse
//! observed information of the profiled likelihood, taken back to the original parametrisation,
//! and the tidy terms built from them.

use super::dense::{congruence, invert, quad};
use super::likelihood::{Eval, Problem};
use super::{MixedSe, MixedTerm, INTERCEPT};
use crate::stats::dist::{floor_p, norm_ppf, norm_sf, P_FLOOR_NOTE};
use crate::stats::result::clamp_p;
impl Problem {
    /// Estimates and covariance (row-major `p × p`) of the fixed effects in the original
    /// parametrisation, from the covariance `se` asks for in the centred one; a singular observed
    /// information gives NaN covariances and a note.
    pub(super) fn fixed_effects(
        &self,
        ev: &Eval,
        q: f64,
        sigma2: f64,
        se: MixedSe,
        intercept: bool,
        notes: &mut Vec<String>,
    ) -> (Vec<f64>, Vec<f64>) {
        let p = self.p;
        // covariance of the centred parametrisation, then of the original one
        let cov_c: Vec<f64> = match se {
            MixedSe::Model => ev.a_inv.iter().map(|v| v * sigma2).collect(),
            MixedSe::Observed => match self.observed_cov(ev, q) {
                Some(c) => c,
                None => {
                    notes.push(
                        "the observed information is singular at the optimum: standard errors undefined".to_string(),
                    );
                    vec![f64::NAN; p * p]
                }
            },
        };
        let mut est = ev.beta.clone();
        let cov = if intercept {
            // β0 = μ_c + ȳ − m'β: T = [[1, −m'], [0, I]], Cov = T C T'
            let m = &self.x_means;
            est[0] += self.y_mean - m.iter().zip(&ev.beta[1..]).map(|(a, b)| a * b).sum::<f64>();
            let mut t = vec![0.0; p * p];
            for i in 0..p {
                t[i * p + i] = 1.0;
            }
            for (a, ma) in m.iter().enumerate() {
                t[a + 1] = -ma;
            }
            congruence(&t, &cov_c, p)
        } else {
            cov_c
        };
        (est, cov)
    }

    /// β block of the inverse observed information `−∂²ℓ/∂(β, λ)²` of the profiled likelihood
    /// (statsmodels' `MixedLM.hessian` in its unscaled covariance parametrisation), centred
    /// parametrisation.
    fn observed_cov(&self, ev: &Eval, q: f64) -> Option<Vec<f64>> {
        let (p, r) = (self.p, self.p + 1);
        let fac = self.fac();
        let lam = ev.lam;
        let mut w2 = vec![0.0; r * r]; // Σ w² Z
        let mut w3 = vec![0.0; r * r]; // Σ 2 n w³ Z
        let mut hll = 0.0;
        for (nj, cnt, zz) in &self.sizes {
            let w = 1.0 / (1.0 + nj * lam);
            hll += 0.5 * cnt * nj * nj * w * w;
            for ((a, b), z) in w2.iter_mut().zip(w3.iter_mut()).zip(zz) {
                *a += w * w * z;
                *b += 2.0 * nj * w * w * w * z;
            }
        }
        let mut v: Vec<f64> = ev.beta.iter().map(|b| -b).collect();
        v.push(1.0);
        let ql = -quad(&w2, &v, r);
        let qll = quad(&w3, &v, r);
        hll += -0.5 * fac * (qll / q - (ql / q) * (ql / q));
        if self.reml {
            let sub = |mat: &[f64]| -> Vec<f64> {
                let mut s = vec![0.0; p * p];
                for i in 0..p {
                    s[i * p..(i + 1) * p].copy_from_slice(&mat[i * r..i * r + p]);
                }
                s
            };
            let (wx, w3x) = (sub(&w2), sub(&w3));
            let ai = &ev.a_inv;
            let tr = |m1: &[f64], m2: &[f64]| -> f64 {
                (0..p)
                    .map(|i| (0..p).map(|j| m1[i * p + j] * m2[j * p + i]).sum::<f64>())
                    .sum()
            };
            // A' = −W_xx, A'' = W3_xx: −½[tr(A⁻¹A'') − tr(A⁻¹A'A⁻¹A')]
            let aw: Vec<f64> = (0..p * p)
                .map(|ij| {
                    (0..p)
                        .map(|l| ai[(ij / p) * p + l] * wx[l * p + ij % p])
                        .sum()
                })
                .collect();
            hll += -0.5 * (tr(ai, &w3x) - tr(&aw, &aw));
        }
        // −H, (p+1) × (p+1)
        let d = p + 1;
        let mut neg_h = vec![0.0; d * d];
        for i in 0..p {
            for j in 0..p {
                neg_h[i * d + j] = fac * ev.a[i * p + j] / q;
            }
            let hbl: f64 = -fac / q * (0..r).map(|l| w2[i * r + l] * v[l]).sum::<f64>();
            neg_h[i * d + p] = -hbl;
            neg_h[p * d + i] = -hbl;
        }
        neg_h[p * d + p] = -hll;
        let inv = invert(&neg_h, d)?;
        let mut out = vec![0.0; p * p];
        for i in 0..p {
            out[i * p..(i + 1) * p].copy_from_slice(&inv[i * d..i * d + p]);
        }
        Some(out)
    }
}

/// The tidy terms (intercept first when fitted, then the columns of `x`): z statistics, normal
/// p-values (floored, with the note, where they underflow) and `confidence` intervals.
pub(super) fn tidy_terms(
    x: &[(&str, &[f64])],
    intercept: bool,
    est: &[f64],
    cov: &[f64],
    confidence: f64,
    notes: &mut Vec<String>,
) -> Vec<MixedTerm> {
    let p = est.len();
    let zq = norm_ppf(0.5 + confidence / 2.0);
    let mut names: Vec<String> = Vec::with_capacity(p);
    if intercept {
        names.push(INTERCEPT.to_string());
    }
    names.extend(x.iter().map(|(name, _)| name.to_string()));
    let mut floored = false;
    let terms = names
        .into_iter()
        .enumerate()
        .map(|(i, term)| {
            let estimate = est[i];
            let std_error = cov[i * p + i].max(0.0).sqrt();
            let z = estimate / std_error;
            let mut p_value = clamp_p(2.0 * norm_sf(z.abs()));
            if z.is_finite() {
                let (pv, low) = floor_p(p_value);
                p_value = pv;
                floored |= low;
            }
            MixedTerm {
                term,
                estimate,
                std_error,
                statistic: z,
                p_value,
                ci_low: estimate - zq * std_error,
                ci_high: estimate + zq * std_error,
            }
        })
        .collect();
    if floored {
        notes.push(P_FLOOR_NOTE.to_string());
    }
    terms
}
