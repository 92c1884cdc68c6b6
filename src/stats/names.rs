//! The names of the kernel's and the analyses' option enums (methods, alternatives, outcomes, ...).
//!
//! An enum derives its names with strum (`#[derive(strum::EnumIter, strum::IntoStaticStr,
//! strum::Display)]`, `#[strum(serialize_all = "snake_case")]` or a `serialize` per variant) instead
//! of a hand-written `match` each way; [`parse`] reads a name back and [`expected`] words the
//! refusal the same way everywhere: `expected 'a', 'b' or 'c', got 'x'`. Each caller wraps that
//! text in its own error (`StatsError::argument`, `MiroirError::InvalidArgument`) under the
//! argument's name. Aliases (`"fdr"` for `"bh"`) are mapped by the caller before [`parse`].

use strum::IntoEnumIterator;

/// The variant of `T` whose name is `s`, or the refusal text ([`expected`]) listing every name.
pub fn parse<T>(s: &str) -> Result<T, String>
where
    T: IntoEnumIterator + Into<&'static str> + Copy,
{
    T::iter().find(|v| Into::<&'static str>::into(*v) == s).ok_or_else(|| expected::<T>(s))
}

/// `expected 'a', 'b' or 'c', got 's'` for the names of `T`, in declaration order.
pub fn expected<T>(s: &str) -> String
where
    T: IntoEnumIterator + Into<&'static str>,
{
    let names: Vec<&'static str> = T::iter().map(Into::into).collect();
    format!("expected {}, got '{s}'", one_of(&names))
}

/// `'a'`, `'a' or 'b'`, `'a', 'b' or 'c'`: a list of quoted names as a sentence.
pub fn one_of(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("'{n}'")).collect();
    match quoted.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq, strum::EnumIter, strum::IntoStaticStr, strum::Display)]
    #[strum(serialize_all = "snake_case")]
    enum Outcome {
        ShareSatisfied,
        MeanSatisfaction,
    }

    #[test]
    fn names_round_trip_and_refusals_list_them() {
        assert_eq!(parse::<Outcome>("mean_satisfaction"), Ok(Outcome::MeanSatisfaction));
        assert_eq!(Outcome::ShareSatisfied.to_string(), "share_satisfied");
        assert_eq!(
            parse::<Outcome>("mean").unwrap_err(),
            "expected 'share_satisfied' or 'mean_satisfaction', got 'mean'"
        );
        assert_eq!(one_of(&["a", "b", "c"]), "'a', 'b' or 'c'");
        assert_eq!(one_of(&["a"]), "'a'");
    }
}
