//! Contingency tables: Pearson's chi-squared test of independence and Fisher's exact test.

use super::dist::chi2_sf;
use super::error::{StatsError, StatsResult};
use super::special::ln_dbinom_raw;
use super::result::{check_confidence, Alternative, TestResult};

fn check_table(table: &[Vec<f64>]) -> StatsResult<(usize, usize)> {
    let r = table.len();
    if r == 0 || table[0].is_empty() {
        return Err(StatsError::data("table", "the table is empty"));
    }
    let c = table[0].len();
    for (i, row) in table.iter().enumerate() {
        if row.len() != c {
            return Err(StatsError::data(
                "table",
                format!(
                    "row {i} has {} cells, row 0 has {c} (rows must have equal length)",
                    row.len()
                ),
            ));
        }
        for (j, v) in row.iter().enumerate() {
            if !v.is_finite() || *v < 0.0 {
                return Err(StatsError::data(
                    "table",
                    format!("cell ({i}, {j}) is {v}; counts must be finite and non-negative"),
                ));
            }
        }
    }
    Ok((r, c))
}

/// Pearson's chi-squared test of independence for an r × c table of counts (rows of the table).
///
/// `E_ij = R_i·C_j/N`, `X² = Σ (O_ij - E_ij)²/E_ij`, `df = (r-1)(c-1)`, `p = P(χ²_df > X²)`.
/// With `correction` and `df = 1` (2 × 2 tables only, as scipy) Yates' correction moves each
/// observed count by `min(0.5, |O - E|)` towards its expectation. `df = 0` (one row or one
/// column) gives `X² = 0`, `p = 1`. Follows `scipy.stats.chi2_contingency(table, correction)`,
/// which raises on a zero expected count: here a typed error naming the empty row or column.
///
/// `estimate` is Cramér's V, `sqrt(X²_uncorrected / (N·(min(r, c) - 1)))`, from the uncorrected
/// statistic as `scipy.stats.contingency.association(table, method="cramer")`; it is also in the
/// extras as `cramers_v`, with `min_expected` (the smallest expected count; the χ² approximation
/// is usually trusted when it is at least 5). No interval: `ci_low`/`ci_high` NaN.
pub fn chi2_independence(table: &[Vec<f64>], correction: bool) -> StatsResult<TestResult> {
    let (r, c) = check_table(table)?;
    let row_sums: Vec<f64> = table.iter().map(|row| row.iter().sum()).collect();
    let col_sums: Vec<f64> = (0..c)
        .map(|j| table.iter().map(|row| row[j]).sum())
        .collect();
    let total: f64 = row_sums.iter().sum();
    if let Some(i) = row_sums.iter().position(|&s| s == 0.0) {
        return Err(StatsError::data(
            "table",
            format!("row {i} sums to 0: its expected counts are 0"),
        ));
    }
    if let Some(j) = col_sums.iter().position(|&s| s == 0.0) {
        return Err(StatsError::data(
            "table",
            format!("column {j} sums to 0: its expected counts are 0"),
        ));
    }
    let df = ((r - 1) * (c - 1)) as f64;
    let expected = |i: usize, j: usize| row_sums[i] * col_sums[j] / total;
    let mut min_expected = f64::INFINITY;
    let (mut x2, mut x2_raw) = (0.0, 0.0);
    let yates = correction && df == 1.0;
    for (i, row) in table.iter().enumerate() {
        for (j, &o) in row.iter().enumerate() {
            let e = expected(i, j);
            min_expected = min_expected.min(e);
            let d = o - e;
            x2_raw += d * d / e;
            let dc = if yates {
                d.signum() * (d.abs() - d.abs().min(0.5))
            } else {
                d
            };
            x2 += dc * dc / e;
        }
    }
    let mut res = TestResult::new(
        if yates {
            "Pearson's chi-squared test with Yates' continuity correction"
        } else {
            "Pearson's chi-squared test"
        },
        Alternative::TwoSided,
        total.round() as u64,
    );
    res.df = df;
    if df == 0.0 {
        res.statistic = 0.0;
        res.p_value = 1.0;
    } else {
        res.statistic = x2;
        res.set_p(chi2_sf(x2, df));
    }
    let k = r.min(c) as f64 - 1.0;
    let v = if k > 0.0 {
        (x2_raw / (total * k)).sqrt()
    } else {
        f64::NAN
    };
    res.estimate = v;
    if k == 0.0 {
        res.note = Some("Cramér's V is undefined for a table with a single row or column".into());
    }
    Ok(res
        .with_extra("cramers_v", v)
        .with_extra("min_expected", min_expected))
}

/// Hypergeometric distribution of the top-left cell of a 2 × 2 table with fixed margins:
/// `r` = first-row total, `b` = second-row total, `n` = first-column total.
struct Hypergeom {
    r: f64,
    b: f64,
    n: f64,
    lo: f64,
    hi: f64,
}

impl Hypergeom {
    fn new(r: f64, b: f64, n: f64) -> Self {
        Hypergeom {
            r,
            b,
            n,
            lo: (n - b).max(0.0),
            hi: n.min(r),
        }
    }

    /// `C(r,x)C(b,n-x)/C(r+b,n)` as a ratio of three binomial densities at `p = n/(r+b)`
    /// (Loader's method, as R's `dhyper`), accurate for large margins.
    fn pmf(&self, x: f64) -> f64 {
        self.ln_pmf(x).exp()
    }

    /// Logarithm of [`Self::pmf`]; `-inf` off the support, never underflows inside it.
    fn ln_pmf(&self, x: f64) -> f64 {
        if x < self.lo || x > self.hi {
            return f64::NEG_INFINITY;
        }
        let m = self.r + self.b;
        let p = self.n / m;
        let q = (m - self.n) / m;
        ln_dbinom_raw(x, self.r, p, q) + ln_dbinom_raw(self.n - x, self.b, p, q)
            - ln_dbinom_raw(self.n, m, p, q)
    }

    fn mode(&self) -> f64 {
        ((self.n + 1.0) * (self.r + 1.0) / (self.r + self.b + 2.0)).floor()
    }

    /// `Σ_{i <= x} pmf(i)`, summed downwards by the ratio recurrence until the terms vanish.
    fn sum_below(&self, x: f64) -> f64 {
        let mut term = self.pmf(x);
        let mut sum = term;
        let mut i = x;
        while i > self.lo && term > sum * 1e-18 {
            // pmf(i-1)/pmf(i) = i(b-n+i) / ((r-i+1)(n-i+1))
            term *= i * (self.b - self.n + i) / ((self.r - i + 1.0) * (self.n - i + 1.0));
            sum += term;
            i -= 1.0;
        }
        sum
    }

    /// `Σ_{i >= x} pmf(i)`, summed upwards.
    fn sum_above(&self, x: f64) -> f64 {
        let mut term = self.pmf(x);
        let mut sum = term;
        let mut i = x;
        while i < self.hi && term > sum * 1e-18 {
            // pmf(i+1)/pmf(i) = (r-i)(n-i) / ((i+1)(b-n+i+1))
            term *= (self.r - i) * (self.n - i) / ((i + 1.0) * (self.b - self.n + i + 1.0));
            sum += term;
            i += 1.0;
        }
        sum
    }

    /// P(X <= x); the tail away from the mode is summed, the other is its complement.
    fn cdf(&self, x: f64) -> f64 {
        if x < self.lo {
            0.0
        } else if x >= self.hi {
            1.0
        } else if x < self.mode() {
            self.sum_below(x).min(1.0)
        } else {
            (1.0 - self.sum_above(x + 1.0)).max(0.0)
        }
    }

    /// P(X > x).
    fn sf(&self, x: f64) -> f64 {
        if x >= self.hi {
            0.0
        } else if x < self.lo {
            1.0
        } else if x + 1.0 > self.mode() {
            self.sum_above(x + 1.0).min(1.0)
        } else {
            (1.0 - self.sum_below(x)).max(0.0)
        }
    }
}

/// [`super::proportions::binary_search`] on counts held as floats (whole numbers below 2^53,
/// so the conversions are exact).
fn binary_search(a: impl Fn(f64) -> f64, d: f64, lo: f64, hi: f64) -> f64 {
    super::proportions::binary_search(|i| a(i as f64), d, lo as i64, hi as i64) as f64
}

/// The largest total of a 2x2 table for [`fisher_exact`]: its conditional distribution is held
/// in memory, one value per possible top-left count (10^7 counts: 160 MB at most).
pub const MAX_FISHER_TOTAL: u64 = 10_000_000;

/// Fisher's exact test for a 2 × 2 table `[[a, b], [c, d]]`.
///
/// Conditional on the margins the top-left cell is hypergeometric. less: `P(X <= a)`; greater:
/// `P(X >= a)`; two-sided: scipy's rule (`scipy.stats.fisher_exact`) — the tables whose
/// probability is at most `pmf(a)·(1 + 1e-14)`, found by binary search on the other side of
/// the mode; p = 1 when `pmf(a)` equals the modal probability to 1e-14. A table with an empty
/// row or column gives p = 1 and a NaN estimate, as scipy.
///
/// `estimate` is the sample odds ratio `ad/(bc)` (scipy's statistic; +inf when `bc = 0`,
/// NaN when also `ad = 0`). `statistic` is also the sample odds ratio. Extra
/// `conditional_or`: the conditional maximum-likelihood odds ratio of R's `fisher.test`, and
/// `ci_low`/`ci_high` are R's conditional interval for it (at `confidence`, one-sided for
/// one-sided alternatives): `P_ψ(X >= a) = α` and `P_ψ(X <= a) = α` under Fisher's noncentral
/// hypergeometric distribution, solved to full precision (R's `uniroot` stops at about 1e-4
/// relative, so R's printed bounds agree with ours to about 5 digits).
pub fn fisher_exact(
    table: [[u64; 2]; 2],
    alternative: Alternative,
    confidence: f64,
) -> StatsResult<TestResult> {
    let confidence = check_confidence(confidence)?;
    let total = table.iter().flatten().try_fold(0u64, |acc, &v| acc.checked_add(v));
    if !total.is_some_and(|t| t <= MAX_FISHER_TOTAL) {
        return Err(StatsError::data(
            "table",
            format!("the counts must total at most {MAX_FISHER_TOTAL} (the exact distribution is held in memory)"),
        ));
    }
    let [[a, b], [c, d]] = table;
    let (af, bf, cf, df) = (a as f64, b as f64, c as f64, d as f64);
    let n_total = a + b + c + d;
    let mut res = TestResult::new("Fisher's exact test", alternative, n_total);
    let row1 = af + bf;
    let row2 = cf + df;
    let col1 = af + cf;
    let col2 = bf + df;
    if row1 == 0.0 || row2 == 0.0 || col1 == 0.0 || col2 == 0.0 {
        res.p_value = 1.0;
        res.note =
            Some("a row or column of the table is empty: the odds ratio is undefined".into());
        return Ok(res.with_extra("conditional_or", f64::NAN));
    }
    let or = if cf > 0.0 && bf > 0.0 {
        af * df / (cf * bf)
    } else {
        f64::INFINITY
    };
    res.estimate = or;
    res.statistic = or;
    let h = Hypergeom::new(row1, row2, col1);
    let pval = match alternative {
        Alternative::Less => h.cdf(af),
        Alternative::Greater => {
            // scipy: the same formula as less, on the second column
            Hypergeom::new(row1, row2, col2).cdf(bf)
        }
        Alternative::TwoSided => {
            let mode = h.mode();
            let pexact = h.pmf(af);
            let pmode = h.pmf(mode);
            let eps = 1e-14;
            let gamma = 1.0 + eps;
            if (pexact - pmode).abs() / pexact.max(pmode) <= eps {
                1.0
            } else if af < mode {
                let plower = h.cdf(af);
                if h.pmf(col1) > pexact * gamma {
                    plower
                } else {
                    let guess = binary_search(|x| -h.pmf(x), -pexact * gamma, mode, col1);
                    plower + h.sf(guess)
                }
            } else {
                let pupper = h.sf(af - 1.0);
                if h.pmf(0.0) > pexact * gamma {
                    pupper
                } else {
                    let guess = binary_search(|x| h.pmf(x), pexact * gamma, 0.0, mode);
                    pupper + h.cdf(guess)
                }
            }
        }
    };
    res.set_p(pval.min(1.0));
    let nc = NoncentralHypergeom::new(&h);
    let cond = nc.mle(af);
    let (lo, hi) = match alternative {
        Alternative::TwoSided => {
            let alpha = (1.0 - confidence) / 2.0;
            (nc.lower_bound(af, alpha), nc.upper_bound(af, alpha))
        }
        Alternative::Less => (0.0, nc.upper_bound(af, 1.0 - confidence)),
        Alternative::Greater => (nc.lower_bound(af, 1.0 - confidence), f64::INFINITY),
    };
    res.ci_low = lo;
    res.ci_high = hi;
    Ok(res.with_extra("conditional_or", cond))
}

/// Fisher's noncentral hypergeometric distribution of the top-left cell, odds ratio ψ:
/// `P_ψ(x) ∝ C(r,x)C(b,n-x)ψ^x` on the support (log-weights kept for stability).
struct NoncentralHypergeom {
    support: Vec<f64>,
    log_w: Vec<f64>,
}

impl NoncentralHypergeom {
    /// Log-weights relative to the mode by the ratio recurrence
    /// `w(x+1)/w(x) = (r-x)(n-x) / ((x+1)(b-n+x+1))` (one logarithm per support point).
    fn new(h: &Hypergeom) -> Self {
        let support: Vec<f64> = (0..=((h.hi - h.lo) as usize))
            .map(|i| h.lo + i as f64)
            .collect();
        let mode = h.mode().clamp(h.lo, h.hi);
        let im = (mode - h.lo) as usize;
        let mut log_w = vec![0.0; support.len()];
        for i in im + 1..support.len() {
            let x = support[i - 1];
            log_w[i] =
                log_w[i - 1] + ((h.r - x) * (h.n - x) / ((x + 1.0) * (h.b - h.n + x + 1.0))).ln();
        }
        for i in (0..im).rev() {
            let x = support[i + 1];
            log_w[i] =
                log_w[i + 1] + (x * (h.b - h.n + x) / ((h.r - x + 1.0) * (h.n - x + 1.0))).ln();
        }
        NoncentralHypergeom { support, log_w }
    }

    /// `(E_t[g(X)], d/dt E_t[g(X)])` for an indicator or identity `g`; the derivative of an
    /// expectation in the natural parameter is the covariance `Cov_t(g(X), X)`.
    ///
    /// The log-weights `ln w(x) + x·t` are concave in x (the distribution is log-concave), so the
    /// peak is found by bisection on their increments and only the window where they are within
    /// 80 of the peak is summed (the rest weighs less than e^-80 each).
    fn moment(&self, t: f64, g: impl Fn(f64) -> f64) -> (f64, f64) {
        let f = |i: usize| self.log_w[i] + self.support[i] * t;
        let last = self.support.len() - 1;
        let (mut lo, mut hi) = (0usize, last);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if f(mid + 1) > f(mid) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        let peak = lo;
        let (fmax, x0) = (f(peak), self.support[peak]);
        let mut first = peak;
        while first > 0 && f(first - 1) - fmax > -80.0 {
            first -= 1;
        }
        let mut end = peak;
        while end < last && f(end + 1) - fmax > -80.0 {
            end += 1;
        }
        let (mut s0, mut s1, mut sg, mut sgx) = (0.0, 0.0, 0.0, 0.0);
        for i in first..=end {
            let e = (f(i) - fmax).exp();
            let d = self.support[i] - x0;
            let gx = g(self.support[i]);
            s0 += e;
            s1 += e * d;
            sg += e * gx;
            sgx += e * gx * d;
        }
        let (mean_d, eg) = (s1 / s0, sg / s0);
        (eg, sgx / s0 - eg * mean_d)
    }

    /// Root in `t = ln ψ` of an increasing `f` given with its derivative: bracket by doubling,
    /// then Newton steps, bisecting whenever a step leaves the bracket.
    fn solve_increasing(f: impl Fn(f64) -> (f64, f64)) -> f64 {
        let (mut lo, mut hi) = (-1.0_f64, 1.0_f64);
        while f(lo).0 > 0.0 && lo > -1e4 {
            hi = lo;
            lo *= 2.0;
        }
        while f(hi).0 < 0.0 && hi < 1e4 {
            lo = hi;
            hi *= 2.0;
        }
        let mut t = 0.5 * (lo + hi);
        for _ in 0..200 {
            let (v, dv) = f(t);
            if v == 0.0 {
                return t;
            }
            if v < 0.0 {
                lo = t;
            } else {
                hi = t;
            }
            let mut next = if dv > 0.0 { t - v / dv } else { f64::NAN };
            if !(next > lo && next < hi) {
                next = 0.5 * (lo + hi);
            }
            if (next - t).abs() <= 1e-13 * t.abs().max(1.0) || next <= lo || next >= hi {
                return next;
            }
            t = next;
        }
        t
    }

    /// Conditional MLE of ψ: `E_ψ[X] = x` (0 and +inf at the ends of the support).
    fn mle(&self, x: f64) -> f64 {
        let (first, last) = (self.support[0], *self.support.last().unwrap_or(&x));
        if x <= first {
            return 0.0;
        }
        if x >= last {
            return f64::INFINITY;
        }
        Self::solve_increasing(|t| {
            let (m, d) = self.moment(t, |s| s);
            (m - x, d)
        })
        .exp()
    }

    /// ψ with `P_ψ(X >= x) = alpha` (0 when x is the smallest value).
    fn lower_bound(&self, x: f64, alpha: f64) -> f64 {
        if x <= self.support[0] {
            return 0.0;
        }
        Self::solve_increasing(|t| {
            let (p, d) = self.moment(t, |s| if s >= x { 1.0 } else { 0.0 });
            (p - alpha, d)
        })
        .exp()
    }

    /// ψ with `P_ψ(X <= x) = alpha` (+inf when x is the largest value).
    fn upper_bound(&self, x: f64, alpha: f64) -> f64 {
        if x >= *self.support.last().unwrap_or(&x) {
            return f64::INFINITY;
        }
        Self::solve_increasing(|t| {
            let (p, d) = self.moment(t, |s| if s <= x { 1.0 } else { 0.0 });
            (alpha - p, -d)
        })
        .exp()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::testing::close;

    #[test]
    fn chi2_matches_scipy() {
        // scipy.stats.chi2_contingency([[12, 5, 7], [3, 9, 10]]): 6.998542144130378, 0.030219403163080322, dof 2
        // scipy.stats.contingency.association(...) = 0.39005412512185206 ; min expected 6.695652173913044
        let r = chi2_independence(&[vec![12.0, 5.0, 7.0], vec![3.0, 9.0, 10.0]], true).unwrap();
        assert!(close(r.statistic, 6.998542144130378, 1e-13));
        assert!(close(r.p_value, 0.030219403163080322, 1e-12));
        assert_eq!(r.df, 2.0);
        assert!(close(r.estimate, 0.39005412512185206, 1e-13));
        assert!(close(
            r.get("min_expected").unwrap(),
            6.695652173913044,
            1e-13
        ));
        // chi2_contingency([[12, 5], [3, 9]]) with / without Yates:
        // (4.171457749766574, 0.04111041419430694), (5.85483193277311, 0.015534341414683461)
        let t = [vec![12.0, 5.0], vec![3.0, 9.0]];
        let y = chi2_independence(&t, true).unwrap();
        assert!(
            close(y.statistic, 4.171457749766574, 1e-13)
                && close(y.p_value, 0.04111041419430694, 1e-12)
        );
        let p = chi2_independence(&t, false).unwrap();
        assert!(
            close(p.statistic, 5.85483193277311, 1e-13)
                && close(p.p_value, 0.015534341414683461, 1e-12)
        );
        assert!(chi2_independence(&[vec![1.0, 0.0], vec![2.0, 0.0]], true).is_err());
        let one_row = chi2_independence(&[vec![1.0, 2.0, 3.0]], true).unwrap();
        assert_eq!(
            (one_row.statistic, one_row.p_value, one_row.df),
            (0.0, 1.0, 0.0)
        );
    }

    #[test]
    fn fisher_matches_scipy() {
        // scipy.stats.fisher_exact: [[10, 2], [3, 15]] -> (25.0, 0.0005367241191434357),
        // less -> 0.9999845190186861 ; [[1000, 2000], [1500, 2100]] -> (0.7, 3.411738248777197e-12)
        let r = fisher_exact([[10, 2], [3, 15]], Alternative::TwoSided, 0.95).unwrap();
        assert_eq!(r.estimate, 25.0);
        assert!(close(r.p_value, 0.0005367241191434357, 1e-12));
        let r = fisher_exact([[10, 2], [3, 15]], Alternative::Less, 0.95).unwrap();
        assert!(close(r.p_value, 0.9999845190186861, 1e-13));
        let r = fisher_exact([[1000, 2000], [1500, 2100]], Alternative::TwoSided, 0.95).unwrap();
        assert!(close(r.estimate, 0.7, 1e-15));
        assert!(close(r.p_value, 3.411738248777197e-12, 1e-10));
        let e = fisher_exact([[0, 0], [3, 4]], Alternative::TwoSided, 0.95).unwrap();
        assert!(e.estimate.is_nan() && e.p_value == 1.0);
    }

    /// R's `fisher.test` on the tea-tasting table [[3, 1], [1, 3]], as printed in Penn State's
    /// STAT 504 course output (TeaLady.out): two-sided p = 0.4857, conditional MLE 6.408309,
    /// 95 % CI 0.2117329 – 621.9337505; greater: p = 0.2429, CI 0.3135693 – Inf. R's `uniroot`
    /// (tolerance 1.2e-4 on ψ or 1/ψ) limits the agreement of the bounds: exact roots of the same
    /// equations (scipy.optimize.brentq, xtol 1e-15) are 6.40831966, 0.211735595, 626.243531,
    /// 0.313573768.
    #[test]
    fn tea_tasting_matches_r() {
        let r = fisher_exact([[3, 1], [1, 3]], Alternative::TwoSided, 0.95).unwrap();
        assert!(close(r.p_value, 0.48571428571428565, 1e-13));
        assert!(close(r.get("conditional_or").unwrap(), 6.408309, 2e-6));
        assert!(close(r.get("conditional_or").unwrap(), 6.40831966, 1e-8));
        assert!(close(r.ci_low, 0.2117329, 2e-5) && close(r.ci_low, 0.211735595, 1e-8));
        assert!(close(r.ci_high, 621.9337505, 1e-2) && close(r.ci_high, 626.243531, 1e-8));
        let g = fisher_exact([[3, 1], [1, 3]], Alternative::Greater, 0.95).unwrap();
        assert!(close(g.p_value, 0.24285714285714283, 1e-13));
        assert!(close(g.ci_low, 0.3135693, 2e-5) && close(g.ci_low, 0.313573768, 1e-8));
        assert_eq!(g.ci_high, f64::INFINITY);
    }
}
