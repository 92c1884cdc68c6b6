//! Theme catalogue of the synthetic mirror studies: the key customer/employee interactions, their
//! generative parameters and their French verbatim templates.
//!
//! Each theme carries, besides its English name and the mirror-matrix moment it is designed to
//! land in (`intended`):
//! - `relevance`: how present the theme is in each sector (0 = the theme does not exist there,
//!   1 = full presence), indexed by [`Sector::index`];
//! - customer side: `customer_volume` (relative frequency among the customer mentions of a sector,
//!   times relevance) and `customer_positive` (expected share of enchantment among its customer
//!   mentions);
//! - employee side: `employee_rate` (share of employees of a sector with relevance 1 who cite the
//!   theme in one of the two questions, "your best interaction with a customer this year" /
//!   "your most frustrating one") and `employee_positive` (expected share of its employee mentions
//!   that come from the "best" question).
//!
//! Verbatim texts live in one flat table ([`text_table`]); a mention's `text` is an index into it
//! ([`text_id`]). Every theme × side × valence has 2 to 4 variants. The six seed themes use the
//! quotes of the seed article (KPAM mirror analyses).

use std::sync::OnceLock;

/// Business sector of a study (a company).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Sector {
    Bank,
    Insurance,
    Retail,
    Hotel,
    CarRepair,
    Utility,
}

impl Sector {
    /// All sectors, in the order of [`Sector::index`].
    pub const ALL: [Sector; 6] = [
        Sector::Bank,
        Sector::Insurance,
        Sector::Retail,
        Sector::Hotel,
        Sector::CarRepair,
        Sector::Utility,
    ];

    /// `"bank"`, `"insurance"`, `"retail"`, `"hotel"`, `"car_repair"`, `"utility"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Sector::Bank => "bank",
            Sector::Insurance => "insurance",
            Sector::Retail => "retail",
            Sector::Hotel => "hotel",
            Sector::CarRepair => "car_repair",
            Sector::Utility => "utility",
        }
    }

    /// Position in [`Sector::ALL`] and in [`ThemeDef::relevance`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// French prefix of the sector's unit names (`agence-017`, `magasin-003`, ...).
    pub fn unit_prefix(self) -> &'static str {
        match self {
            Sector::Bank => "agence",
            Sector::Insurance => "agence",
            Sector::Retail => "magasin",
            Sector::Hotel => "hotel",
            Sector::CarRepair => "garage",
            Sector::Utility => "centre",
        }
    }
}

/// The verbatim variants of one theme.
#[derive(Debug)]
pub struct Verbatims {
    pub customer_positive: &'static [&'static str],
    pub customer_negative: &'static [&'static str],
    pub employee_positive: &'static [&'static str],
    pub employee_negative: &'static [&'static str],
}

impl Verbatims {
    /// Variants for `side` (0 customer, 1 employee) and valence.
    pub fn get(&self, side: u8, positive: bool) -> &'static [&'static str] {
        match (side, positive) {
            (0, true) => self.customer_positive,
            (0, false) => self.customer_negative,
            (_, true) => self.employee_positive,
            (_, false) => self.employee_negative,
        }
    }
}

/// One theme of the catalogue (see the module documentation for the parameters).
#[derive(Debug)]
pub struct ThemeDef {
    /// English name, as it appears in the mentions table.
    pub name: &'static str,
    /// Moment the theme is designed to land in: `win_win`, `lucky_break`, `pain`, `wrong_fight`,
    /// `blindness`, `dead_end`; `neutral` (both axes about 50/50) or `mixed` (one axis polarised,
    /// the other about 50/50) are designed to come out `undetermined`.
    pub intended: &'static str,
    /// Presence by sector, in [`Sector::ALL`] order: bank, insurance, retail, hotel, car_repair, utility.
    pub relevance: [f64; 6],
    pub customer_volume: f64,
    pub customer_positive: f64,
    pub employee_rate: f64,
    pub employee_positive: f64,
    pub verbatims: Verbatims,
}

/// Number of seed themes; they come first in [`THEMES`].
pub const SEED_THEMES: usize = 6;

/// The catalogue (its data in [`super::themes_data`]). The first [`SEED_THEMES`] entries are the
/// seed article's six examples.
pub use super::themes_data::THEMES;

/// Slot of a (side, valence) pair inside a theme's block of the text table.
fn slot(side: u8, positive: bool) -> usize {
    match (side, positive) {
        (0, true) => 0,
        (0, false) => 1,
        (_, true) => 2,
        (_, false) => 3,
    }
}

struct TextIndex {
    table: Vec<&'static str>,
    /// For each theme and slot: first index in `table` and number of variants.
    blocks: Vec<[(u32, u32); 4]>,
}

fn index() -> &'static TextIndex {
    static INDEX: OnceLock<TextIndex> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut table = Vec::new();
        let mut blocks = Vec::with_capacity(THEMES.len());
        for t in THEMES {
            let mut b = [(0u32, 0u32); 4];
            for (side, positive) in [(0u8, true), (0, false), (1, true), (1, false)] {
                let v = t.verbatims.get(side, positive);
                b[slot(side, positive)] = (table.len() as u32, v.len() as u32);
                table.extend_from_slice(v);
            }
            blocks.push(b);
        }
        TextIndex { table, blocks }
    })
}

/// All verbatim texts; a mention's `text` column indexes this table. Order: theme by theme, then
/// customer positive, customer negative, employee positive, employee negative, then variant.
pub fn text_table() -> &'static [&'static str] {
    &index().table
}

/// Number of verbatim variants for a theme, side (0 customer, 1 employee) and valence; 0 for an
/// unknown theme.
pub fn variant_count(theme: u16, side: u8, positive: bool) -> u32 {
    index()
        .blocks
        .get(theme as usize)
        .map_or(0, |b| b[slot(side, positive)].1)
}

/// Index in [`text_table`] of a verbatim; `variant` is taken modulo [`variant_count`]. `None` for
/// an unknown theme.
pub fn text_id(theme: u16, side: u8, positive: bool, variant: u32) -> Option<u32> {
    let (first, n) = index().blocks.get(theme as usize)?[slot(side, positive)];
    Some(first + variant % n)
}

/// The verbatim text of a text id (a mention's `text` column); the empty string for an unknown id.
pub fn text(id: u32) -> &'static str {
    index().table.get(id as usize).copied().unwrap_or("")
}

/// The verbatim text for a theme, side (0 customer, 1 employee), valence and variant (taken
/// modulo the number of variants); the empty string for an unknown theme. `variant` is *not* a
/// text id: for a mention's `text` column use [`text`].
pub fn verbatim(theme: u16, side: u8, positive: bool, variant: u32) -> &'static str {
    text_id(theme, side, positive, variant).map_or("", |i| index().table[i as usize])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_is_well_formed() {
        assert!(THEMES.len() >= 26);
        let mut names: Vec<&str> = THEMES.iter().map(|t| t.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), THEMES.len(), "duplicate theme names");
        let moments = [
            "win_win",
            "lucky_break",
            "pain",
            "wrong_fight",
            "blindness",
            "dead_end",
            "neutral",
            "mixed",
        ];
        for (i, t) in THEMES.iter().enumerate() {
            assert!(moments.contains(&t.intended), "{}", t.name);
            assert!(
                t.relevance.iter().all(|r| (0.0..=1.0).contains(r))
                    && t.relevance.iter().any(|r| *r > 0.0)
            );
            assert!(t.customer_volume > 0.0 && (0.0..=1.0).contains(&t.customer_positive));
            assert!(t.employee_rate > 0.0 && (0.0..=1.0).contains(&t.employee_positive));
            for (side, positive) in [(0u8, true), (0, false), (1, true), (1, false)] {
                let n = variant_count(i as u16, side, positive);
                assert!(
                    (2..=4).contains(&n),
                    "{} side {side} positive {positive}: {n} variants",
                    t.name
                );
                for v in 0..n {
                    assert!(!verbatim(i as u16, side, positive, v).is_empty());
                }
            }
        }
        let seed: Vec<&str> = THEMES[..SEED_THEMES].iter().map(|t| t.intended).collect();
        assert_eq!(
            seed,
            [
                "win_win",
                "lucky_break",
                "pain",
                "wrong_fight",
                "blindness",
                "dead_end"
            ]
        );
        assert_eq!(
            verbatim(0, 0, true, 0),
            "Le même interlocuteur m'a accompagné sur tout mon projet"
        );
        assert_eq!(
            verbatim(0, 1, true, 0),
            "Le client m'apprécie et ne veut avoir affaire qu'à moi"
        );
        assert_eq!(
            verbatim(2, 1, false, 0),
            "Chaque confirmation de geste commercial me prend 25 minutes"
        );
        assert_eq!(verbatim(999, 0, true, 0), "");
        assert_eq!(
            text(text_id(2, 1, false, 1).unwrap()),
            verbatim(2, 1, false, 1)
        );
        assert_eq!(text(u32::MAX), "");
        assert_eq!(text_table().len() as u32, {
            let last = THEMES.len() as u16 - 1;
            text_id(last, 1, false, 0).unwrap() + variant_count(last, 1, false)
        });
    }
}
