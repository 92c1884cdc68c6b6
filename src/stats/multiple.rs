//! Multiple-testing adjustment of p-values.

use super::error::{StatsError, StatsResult};
use super::names::parse;
use std::str::FromStr;

/// Adjustment method (R's `p.adjust` names; statsmodels' `multipletests` names in brackets, also
/// read, as is `"fdr"` for BH). Names are read case-insensitively.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, strum::EnumIter, strum::IntoStaticStr, strum::Display)]
#[strum(serialize_all = "lowercase")]
pub enum PAdjust {
    /// Holm (1979) step-down, family-wise error (`"holm"`). The default, as in R: uniformly more
    /// powerful than Bonferroni under the same assumptions. Not Holm–Šidák (`"holm-sidak"`).
    #[default]
    Holm,
    /// Bonferroni (`"bonferroni"`).
    Bonferroni,
    /// Hochberg (1988) step-up (`"simes-hochberg"`); assumes independence or positive dependence.
    Hochberg,
    /// Benjamini & Hochberg (1995) false discovery rate (`"fdr_bh"`).
    BH,
    /// Benjamini & Yekutieli (2001) false discovery rate under any dependence (`"fdr_by"`).
    BY,
}

impl PAdjust {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

impl FromStr for PAdjust {
    type Err = StatsError;
    fn from_str(s: &str) -> StatsResult<Self> {
        let name = s.to_ascii_lowercase();
        let name = match name.as_str() {
            "simes-hochberg" => "hochberg",
            "fdr" | "fdr_bh" => "bh",
            "fdr_by" => "by",
            other => other,
        };
        parse(name).map_err(|e| StatsError::argument("method", e))
    }
}

/// Adjusted p-values, in the order of `p`, identical to R's `p.adjust(p, method)` and to
/// statsmodels' `multipletests(p, method=...)[1]`.
///
/// With `m` non-missing p-values sorted increasingly, `p_(1) <= ... <= p_(m)`:
/// - Bonferroni: `min(1, m·p)`;
/// - Holm: `min(1, max_{j<=i} (m-j+1)·p_(j))`;
/// - Hochberg: `min(1, min_{j>=i} (m-j+1)·p_(j))`;
/// - BH: `min(1, min_{j>=i} m/j·p_(j))`;
/// - BY: BH multiplied by `Σ_{k=1..m} 1/k`.
///
/// Missing values: a NaN p-value stays NaN in its place and the others are adjusted as a family
/// of `m` = the number of non-NaN values, as R's default `p.adjust(p, n = length(p[!is.na(p)]))`
/// (statsmodels rejects NaN). A p-value outside [0, 1] is an error.
pub fn adjust_pvalues(p: &[f64], method: PAdjust) -> StatsResult<Vec<f64>> {
    if let Some(i) = p
        .iter()
        .position(|v| !v.is_nan() && !(0.0..=1.0).contains(v))
    {
        return Err(StatsError::data(
            "p",
            format!("value at position {i} is {}, outside [0, 1]", p[i]),
        ));
    }
    let idx: Vec<usize> = (0..p.len()).filter(|&i| !p[i].is_nan()).collect();
    let m = idx.len();
    let mut out = vec![f64::NAN; p.len()];
    if m == 0 {
        return Ok(out);
    }
    let mf = m as f64;
    // indices of the non-missing values, sorted by p (stable, as R's order())
    let mut order = idx.clone();
    order.sort_by(|&a, &b| p[a].total_cmp(&p[b]));
    match method {
        PAdjust::Bonferroni => {
            for &i in &idx {
                out[i] = (mf * p[i]).min(1.0);
            }
        }
        PAdjust::Holm => {
            let mut run = 0.0_f64;
            for (j, &i) in order.iter().enumerate() {
                run = run.max((mf - j as f64) * p[i]);
                out[i] = run.min(1.0);
            }
        }
        PAdjust::Hochberg | PAdjust::BH | PAdjust::BY => {
            let q = if method == PAdjust::BY {
                (1..=m).map(|k| 1.0 / k as f64).sum::<f64>()
            } else {
                1.0
            };
            let mut run = f64::INFINITY;
            for (j, &i) in order.iter().enumerate().rev() {
                let rank = (j + 1) as f64;
                let v = match method {
                    PAdjust::Hochberg => (mf - rank + 1.0) * p[i],
                    _ => q * mf / rank * p[i],
                };
                run = run.min(v);
                out[i] = run.min(1.0);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_all_close(a: &[f64], b: &[f64]) {
        assert_eq!(a.len(), b.len());
        for (x, y) in a.iter().zip(b) {
            assert!(
                (x.is_nan() && y.is_nan()) || (x - y).abs() <= 1e-14 * y.abs().max(1e-300),
                "{a:?} != {b:?}"
            );
        }
    }

    const P: [f64; 6] = [0.01, 0.04, 0.03, 0.005, 0.2, 0.04];

    #[test]
    fn matches_statsmodels_multipletests() {
        // statsmodels.stats.multitest.multipletests(P, method=...)[1], statsmodels 0.15.0
        let holm = [0.05, 0.12, 0.12, 0.03, 0.2, 0.12];
        let bonf = [0.06, 0.24, 0.18, 0.03, 1.0, 0.24];
        let hoch = [0.05, 0.08, 0.08, 0.03, 0.2, 0.08];
        let bh = [0.03, 0.048, 0.048, 0.03, 0.2, 0.048];
        let by = [0.0735, 0.1176, 0.1176, 0.0735, 0.49, 0.1176];
        assert_all_close(&adjust_pvalues(&P, PAdjust::Holm).unwrap(), &holm);
        assert_all_close(&adjust_pvalues(&P, PAdjust::Bonferroni).unwrap(), &bonf);
        assert_all_close(&adjust_pvalues(&P, PAdjust::Hochberg).unwrap(), &hoch);
        assert_all_close(&adjust_pvalues(&P, PAdjust::BH).unwrap(), &bh);
        assert_all_close(&adjust_pvalues(&P, PAdjust::BY).unwrap(), &by);
    }

    #[test]
    fn nan_stays_in_place_and_shrinks_the_family() {
        // R: p.adjust(c(0.01, NA, 0.04, 0.03), "holm") = 0.03 NA 0.06 0.06
        let r = adjust_pvalues(&[0.01, f64::NAN, 0.04, 0.03], PAdjust::Holm).unwrap();
        assert_all_close(&r, &[0.03, f64::NAN, 0.06, 0.06]);
        assert!(adjust_pvalues(&[f64::NAN], PAdjust::BH).unwrap()[0].is_nan());
        assert!(adjust_pvalues(&[], PAdjust::BH).unwrap().is_empty());
        assert!(adjust_pvalues(&[1.5], PAdjust::BH).is_err());
    }
}
