//! One linear model fitted by L-BFGS on sparse rows: scikit-learn's `lbfgs` objective (see
//! [`super`]), its gradient computed in a fixed order, and the fit.

use super::LogisticParams;
use crate::error::MiroirError;
use crate::interrupt::Checkpoint;
use crate::stats::StatsError;
use crate::text::tfidf::{Csc, Csr};
use argmin::core::{CostFunction, Executor, Gradient, State, TerminationReason};
use argmin::solver::linesearch::MoreThuenteLineSearch;
use argmin::solver::quasinewton::LBFGS;
use rayon::prelude::*;
use std::sync::Mutex;

/// One fitted linear model: `K` outputs (softmax over classes, or one sigmoid).
#[derive(Debug, Clone, PartialEq)]
pub struct LinearModel {
    pub softmax: bool,
    pub n_out: usize,
    /// Feature-major: `coef[j * n_out + k]` is the weight of feature `j` for output `k`.
    pub coef: Vec<f64>,
    pub intercept: Vec<f64>,
    pub n_iter: u64,
    pub converged: bool,
}

impl LinearModel {
    /// `K` scores per row (`X W + b`), row-major.
    pub(super) fn scores(&self, x: &Csr) -> Vec<f64> {
        let k = self.n_out;
        let mut z = vec![0.0; x.n_rows * k];
        z.par_chunks_mut(k).enumerate().for_each(|(i, zi)| {
            zi.copy_from_slice(&self.intercept);
            let (idx, val) = x.row(i);
            for (&j, &v) in idx.iter().zip(val) {
                let w = &self.coef[j as usize * k..(j as usize + 1) * k];
                zi.iter_mut().zip(w).for_each(|(a, b)| *a += v * b);
            }
        });
        z
    }
}

/// Rows per chunk of the loss sums (fixed: the sums never depend on the number of threads).
const CHUNK: usize = 256;
/// Features per chunk of the gradient.
const FEATURE_CHUNK: usize = 64;

#[inline]
pub(super) fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

/// `ln(1 + e^z)` without overflow.
#[inline]
fn softplus(z: f64) -> f64 {
    z.max(0.0) + (-z.abs()).exp().ln_1p()
}

/// The last point evaluated: parameters, cost, gradient.
pub(super) type Evaluated = (Vec<f64>, f64, Vec<f64>);

/// The penalised log-loss of one model and its gradient, with a one-entry cache: argmin asks for
/// the cost and then the gradient at the same point, and both come from one pass.
pub(super) struct Objective<'a> {
    pub(super) x: &'a Csr,
    pub(super) xt: &'a Csc,
    pub(super) k: usize,
    pub(super) softmax: bool,
    /// Class of each row (softmax) or 0/1 (sigmoid).
    pub(super) y: &'a [u32],
    /// Row weights divided by their sum.
    pub(super) w: &'a [f64],
    /// `1 / (C S)`.
    pub(super) alpha: f64,
    pub(super) cache: Mutex<Option<Evaluated>>,
    pub(super) checkpoint: Checkpoint,
}

impl Objective<'_> {
    pub(super) fn evaluate(&self, theta: &[f64]) -> Result<(f64, Vec<f64>), argmin::core::Error> {
        if let Some((p, f, g)) = self.cache.lock().unwrap_or_else(|e| e.into_inner()).as_ref() {
            if p.as_slice() == theta {
                return Ok((*f, g.clone()));
            }
        }
        if self.checkpoint.is_cancelled() {
            return Err(argmin::core::Error::msg("interrupted"));
        }
        let (k, nf) = (self.k, self.x.n_cols);
        let (coef, b) = theta.split_at(nf * k);
        let n = self.x.n_rows;
        let mut resid = vec![0.0; n * k];
        let losses: Vec<f64> = resid
            .par_chunks_mut(CHUNK * k)
            .enumerate()
            .map(|(c, block)| {
                let mut loss = 0.0;
                for (local, r) in block.chunks_mut(k).enumerate() {
                    let i = c * CHUNK + local;
                    r.copy_from_slice(b);
                    let (idx, val) = self.x.row(i);
                    for (&j, &v) in idx.iter().zip(val) {
                        let wj = &coef[j as usize * k..(j as usize + 1) * k];
                        r.iter_mut().zip(wj).for_each(|(a, w)| *a += v * w);
                    }
                    let yi = self.y[i] as usize;
                    let wi = self.w[i];
                    if self.softmax {
                        let zy = r[yi];
                        let m = r.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                        let mut s = 0.0;
                        for a in r.iter_mut() {
                            *a = (*a - m).exp();
                            s += *a;
                        }
                        loss += wi * (m + s.ln() - zy);
                        for (kk, a) in r.iter_mut().enumerate() {
                            *a = wi * (*a / s - if kk == yi { 1.0 } else { 0.0 });
                        }
                    } else {
                        let z = r[0];
                        let t = yi as f64;
                        loss += wi * (softplus(z) - t * z);
                        r[0] = wi * (sigmoid(z) - t);
                    }
                }
                loss
            })
            .collect();
        let data_loss: f64 = losses.iter().sum();
        let penalty: f64 = coef.iter().map(|w| w * w).sum::<f64>();
        let f = data_loss + 0.5 * self.alpha * penalty;
        let mut grad = vec![0.0; theta.len()];
        let (gw, gb) = grad.split_at_mut(nf * k);
        gw.par_chunks_mut(FEATURE_CHUNK * k).enumerate().for_each(|(c, block)| {
            for (local, g) in block.chunks_mut(k).enumerate() {
                let j = c * FEATURE_CHUNK + local;
                for p in self.xt.colptr[j]..self.xt.colptr[j + 1] {
                    let i = self.xt.rows[p] as usize;
                    let v = self.xt.values[p];
                    let r = &resid[i * k..(i + 1) * k];
                    g.iter_mut().zip(r).for_each(|(a, b)| *a += v * b);
                }
                let wj = &coef[j * k..(j + 1) * k];
                g.iter_mut().zip(wj).for_each(|(a, w)| *a += self.alpha * w);
            }
        });
        for r in resid.chunks(k) {
            gb.iter_mut().zip(r).for_each(|(a, b)| *a += b);
        }
        if !f.is_finite() {
            return Err(argmin::core::Error::msg("the loss is not finite"));
        }
        *self.cache.lock().unwrap_or_else(|e| e.into_inner()) = Some((theta.to_vec(), f, grad.clone()));
        Ok((f, grad))
    }
}

impl CostFunction for Objective<'_> {
    type Param = Vec<f64>;
    type Output = f64;
    fn cost(&self, p: &Vec<f64>) -> Result<f64, argmin::core::Error> {
        Ok(self.evaluate(p)?.0)
    }
}

impl Gradient for Objective<'_> {
    type Param = Vec<f64>;
    type Gradient = Vec<f64>;
    fn gradient(&self, p: &Vec<f64>) -> Result<Vec<f64>, argmin::core::Error> {
        Ok(self.evaluate(p)?.1)
    }
}

/// Row weights `n / (K nₖ)` (balanced) or 1, divided by their sum `S`; returns them and `S`.
pub(super) fn row_weights(y: &[u32], n_classes: usize, balanced: bool) -> (Vec<f64>, f64) {
    let n = y.len() as f64;
    let raw: Vec<f64> = if balanced {
        let mut counts = vec![0usize; n_classes];
        y.iter().for_each(|&c| counts[c as usize] += 1);
        y.iter().map(|&c| n / (n_classes as f64 * counts[c as usize] as f64)).collect()
    } else {
        vec![1.0; y.len()]
    };
    let s: f64 = raw.iter().sum();
    (raw.iter().map(|w| w / s).collect(), s)
}

/// Fits one model (softmax over `n_classes ≥ 3`, or sigmoid with `y` in {0, 1}).
pub(super) fn fit_linear(x: &Csr, xt: &Csc, y: &[u32], n_classes: usize, params: &LogisticParams, cp: &Checkpoint) -> Result<LinearModel, MiroirError> {
    let softmax = n_classes > 2;
    let k = if softmax { n_classes } else { 1 };
    let (w, s) = row_weights(y, n_classes, params.balanced);
    let objective = Objective {
        x,
        xt,
        k,
        softmax,
        y,
        w: &w,
        alpha: 1.0 / (params.c * s),
        cache: Mutex::new(None),
        checkpoint: cp.clone(),
    };
    let dim = x.n_cols * k + k;
    let failed = |e: argmin::core::Error| -> MiroirError {
        if cp.is_cancelled() {
            MiroirError::Stats(StatsError::Interrupted)
        } else {
            MiroirError::Stats(StatsError::data("texts", format!("the logistic regression could not be fitted: {e}")))
        }
    };
    let solver = LBFGS::new(MoreThuenteLineSearch::new(), params.memory)
        .with_tolerance_grad(params.tol)
        .and_then(|s| s.with_tolerance_cost(64.0 * f64::EPSILON))
        .map_err(failed)?;
    let res = Executor::new(objective, solver)
        .configure(|state| state.param(vec![0.0; dim]).max_iters(params.max_iter))
        .timer(false)
        .run()
        .map_err(failed)?;
    if cp.is_cancelled() {
        return Err(MiroirError::Stats(StatsError::Interrupted));
    }
    let state = res.state();
    let theta = state.get_best_param().or(state.get_param()).cloned().unwrap_or_else(|| vec![0.0; dim]);
    if theta.iter().any(|v| !v.is_finite()) {
        return Err(MiroirError::Stats(StatsError::data("texts", "the logistic regression diverged (non-finite weights)")));
    }
    let converged = match state.get_termination_reason() {
        Some(TerminationReason::SolverConverged) => true,
        // a line search that cannot improve further at a tiny gradient has converged too
        Some(TerminationReason::SolverExit(_)) => state.get_gradient().is_some_and(|g| g.iter().map(|v| v * v).sum::<f64>().sqrt() < 10.0 * params.tol),
        _ => false,
    };
    let (coef, intercept) = theta.split_at(x.n_cols * k);
    Ok(LinearModel { softmax, n_out: k, coef: coef.to_vec(), intercept: intercept.to_vec(), n_iter: state.get_iter(), converged })
}
