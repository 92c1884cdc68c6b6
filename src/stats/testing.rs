//! Helpers shared by the unit tests of the kernel (compiled only for tests).

/// Whether `a` equals the reference `b` to the relative tolerance `rtol`: `|a - b| <= rtol·|b|`
/// (`a == b` always passes, so a reference of 0 asks for exactly 0). NaN is close only to NaN
/// and an infinity only to itself.
pub(crate) fn close(a: f64, b: f64, rtol: f64) -> bool {
    if a.is_nan() || b.is_nan() {
        return a.is_nan() && b.is_nan();
    }
    if a.is_infinite() || b.is_infinite() {
        return a == b;
    }
    a == b || (a - b).abs() <= rtol * b.abs()
}

/// The relative error `|a - b|/|b|` of `a` against the reference `b`.
pub(crate) fn rel(a: f64, b: f64) -> f64 {
    ((a - b) / b).abs()
}
