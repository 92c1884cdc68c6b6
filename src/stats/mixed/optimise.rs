//! Maximising the profiled likelihood over λ >= 0: a grid on θ = log λ, then Brent's root
//! finder on the score (golden-section search as the fallback), and the boundary λ = 0.

use super::likelihood::{Eval, Problem};
use super::{exact_fit_error, no_within_variation};
use crate::stats::error::{StatsError, StatsResult};

/// Grid of θ = log λ: `THETA_LO, THETA_LO + 1, ..., THETA_HI`.
const THETA_LO: f64 = -25.0;
const THETA_HI: f64 = 15.0;
/// The grid is extended upward to this θ before concluding that σ² → 0.
const THETA_MAX: f64 = 40.0;
/// Brent's tolerance on θ (absolute), i.e. λ to about this relative precision.
const THETA_TOL: f64 = 1e-14;
/// The maximum of the profiled likelihood, and how it was reached.
pub(super) struct Optimum {
    pub(super) eval: Eval,
    /// λ = 0: τ² is on the boundary of the parameter space.
    pub(super) boundary: bool,
    pub(super) converged: bool,
    /// Evaluations of the likelihood.
    pub(super) iterations: usize,
}

impl Problem {
    /// [`Problem::maximise`] with the checks around it: `y` fitted exactly by `x` at λ = 0
    /// (nothing to split into variances), and no variation left within groups at the optimum.
    pub(super) fn maximise_checked(&self, y: &[f64]) -> StatsResult<Optimum> {
        let n = y.len();
        // an exact fit leaves nothing to split into variances
        let ols = self.eval(0.0).ok_or_else(exact_fit_error)?;
        let y_scale = y
            .iter()
            .fold(0.0_f64, |m, v| m.max(v.abs()))
            .max(f64::MIN_POSITIVE);
        if ols.q <= (n as f64) * (64.0 * f64::EPSILON * y_scale).powi(2) {
            return Err(exact_fit_error());
        }
        let ols_q = ols.q;
        let opt = self.maximise(ols)?;
        if opt.eval.q <= 1e-12 * ols_q {
            return Err(no_within_variation());
        }
        Ok(opt)
    }

    /// Maximises the profiled likelihood over λ >= 0 (grid on log λ, then Brent on the score).
    fn maximise(&self, at_zero: Eval) -> StatsResult<Optimum> {
        let mut iterations = 1;
        let mut grid: Vec<(f64, Option<Eval>)> = Vec::new();
        let mut theta = THETA_LO;
        while theta <= THETA_HI {
            grid.push((theta, self.eval(theta.exp())));
            iterations += 1;
            theta += 1.0;
        }
        let value = |e: &Option<Eval>| e.as_ref().map_or(f64::NEG_INFINITY, |e| e.f);
        let mut best = (0..grid.len()).fold(0, |bi, i| {
            if value(&grid[i].1) > value(&grid[bi].1) {
                i
            } else {
                bi
            }
        });
        // extend upward while the top of the grid is best
        while best == grid.len() - 1 {
            let theta = grid[best].0 + 1.0;
            if theta > THETA_MAX {
                return Err(no_within_variation());
            }
            let e = self.eval(theta.exp());
            iterations += 1;
            let better = value(&e) > value(&grid[best].1);
            grid.push((theta, e));
            if better {
                best = grid.len() - 1;
            }
        }
        let best_f = value(&grid[best].1);
        // boundary: λ = 0 at least as good as the grid and not increasing there
        if at_zero.f >= best_f && at_zero.score <= 0.0 {
            return Ok(Optimum {
                eval: at_zero,
                boundary: true,
                converged: true,
                iterations,
            });
        }
        // the score changes sign around the best grid point (in θ: g = λ·score)
        let g = |e: &Option<Eval>| e.as_ref().map_or(f64::NAN, |e| e.lam * e.score);
        let bracket = if best == 0 {
            None
        } else if g(&grid[best - 1].1) > 0.0 && g(&grid[best].1) <= 0.0 {
            Some((best - 1, best))
        } else if best + 1 < grid.len() && g(&grid[best].1) >= 0.0 && g(&grid[best + 1].1) < 0.0 {
            Some((best, best + 1))
        } else {
            None
        };
        let result = match bracket {
            Some((lo, hi)) => {
                let (a, b) = (grid[lo].0, grid[hi].0);
                let (fa, fb) = (g(&grid[lo].1), g(&grid[hi].1));
                let mut fun = |t: f64| {
                    iterations += 1;
                    self.eval(t.exp()).map_or(f64::NAN, |e| e.lam * e.score)
                };
                brent_root(&mut fun, a, b, fa, fb, THETA_TOL, 200).map(|(t, ok)| (t.exp(), ok))
            }
            None if best == 0 && at_zero.score > 0.0 => {
                // the optimum lies between λ = 0 and the second grid point: root of the score in λ
                let hi = grid[1].0.exp();
                let shi = grid[1].1.as_ref().map_or(f64::NAN, |e| e.score);
                if shi < 0.0 {
                    let mut fun = |l: f64| {
                        iterations += 1;
                        self.eval(l).map_or(f64::NAN, |e| e.score)
                    };
                    brent_root(&mut fun, 0.0, hi, at_zero.score, shi, THETA_TOL * hi, 200)
                } else {
                    None
                }
            }
            None => None,
        };
        let (lam, converged) = match result {
            Some(v) => v,
            None => {
                // fallback: golden-section search on ℓ around the best grid point
                let lo = grid[best.saturating_sub(1)].0;
                let hi = grid[(best + 1).min(grid.len() - 1)].0;
                let mut fun = |t: f64| {
                    iterations += 1;
                    self.eval(t.exp()).map_or(f64::NEG_INFINITY, |e| e.f)
                };
                let (t, ok) = golden_max(&mut fun, lo, hi, 1e-10);
                (t.exp(), ok)
            }
        };
        let eval = self.eval(lam).ok_or_else(|| {
            StatsError::data(
                "y",
                "the likelihood is not defined at its optimum (numerically singular design)",
            )
        })?;
        iterations += 1;
        // a grid point (or λ = 0) better than the refined optimum means the search went astray
        if at_zero.f > eval.f && at_zero.score <= 0.0 {
            return Ok(Optimum {
                eval: at_zero,
                boundary: true,
                converged: true,
                iterations,
            });
        }
        Ok(Optimum {
            eval,
            boundary: false,
            converged,
            iterations,
        })
    }

}

/// Brent's root finder on `[a, b]` with `f(a)·f(b) <= 0`: `(root, reached tolerance)`, or
/// `None` when the function is undefined (NaN) on the way.
fn brent_root(
    f: &mut impl FnMut(f64) -> f64,
    a: f64,
    b: f64,
    fa: f64,
    fb: f64,
    tol: f64,
    max_iter: usize,
) -> Option<(f64, bool)> {
    let (mut a, mut b, mut fa, mut fb) = (a, b, fa, fb);
    if fa.is_nan() || fb.is_nan() || fa * fb > 0.0 {
        return None;
    }
    let (mut c, mut fc) = (a, fa);
    let mut d = b - a;
    let mut e = d;
    for _ in 0..max_iter {
        if (fb > 0.0 && fc > 0.0) || (fb < 0.0 && fc < 0.0) {
            c = a;
            fc = fa;
            d = b - a;
            e = d;
        }
        if fc.abs() < fb.abs() {
            a = b;
            b = c;
            c = a;
            fa = fb;
            fb = fc;
            fc = fa;
        }
        let tol1 = 2.0 * f64::EPSILON * b.abs() + 0.5 * tol;
        let xm = 0.5 * (c - b);
        if xm.abs() <= tol1 || fb == 0.0 {
            return Some((b, true));
        }
        if e.abs() >= tol1 && fa.abs() > fb.abs() {
            // inverse quadratic interpolation, or the secant when only two points differ
            let s = fb / fa;
            let (mut p, mut q);
            if a == c {
                p = 2.0 * xm * s;
                q = 1.0 - s;
            } else {
                let qq = fa / fc;
                let rr = fb / fc;
                p = s * (2.0 * xm * qq * (qq - rr) - (b - a) * (rr - 1.0));
                q = (qq - 1.0) * (rr - 1.0) * (s - 1.0);
            }
            if p > 0.0 {
                q = -q;
            } else {
                p = -p;
            }
            if 2.0 * p < (3.0 * xm * q - (tol1 * q).abs()).min((e * q).abs()) {
                e = d;
                d = p / q;
            } else {
                d = xm;
                e = d;
            }
        } else {
            d = xm;
            e = d;
        }
        a = b;
        fa = fb;
        b += if d.abs() > tol1 { d } else { tol1.copysign(xm) };
        fb = f(b);
        if fb.is_nan() {
            return None;
        }
    }
    Some((b, false))
}

/// Golden-section search for the maximum of `f` on `[a, b]`: `(argmax, reached tolerance)`.
fn golden_max(f: &mut impl FnMut(f64) -> f64, a: f64, b: f64, tol: f64) -> (f64, bool) {
    let ratio = 0.5 * (5.0_f64.sqrt() - 1.0);
    let (mut a, mut b) = (a, b);
    let mut x1 = b - ratio * (b - a);
    let mut x2 = a + ratio * (b - a);
    let (mut f1, mut f2) = (f(x1), f(x2));
    for _ in 0..200 {
        if (b - a).abs() <= tol {
            return (0.5 * (a + b), true);
        }
        if f1 >= f2 {
            b = x2;
            x2 = x1;
            f2 = f1;
            x1 = b - ratio * (b - a);
            f1 = f(x1);
        } else {
            a = x1;
            x1 = x2;
            f1 = f2;
            x2 = a + ratio * (b - a);
            f2 = f(x2);
        }
    }
    (0.5 * (a + b), false)
}
