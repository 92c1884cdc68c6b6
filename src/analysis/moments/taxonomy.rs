//! The taxonomy of the six moments: each a cell of (customer polarity, employee voice), its key,
//! and the seed's name and action in English and French.

/// The six moments of the mirror matrix, each a cell of (customer polarity, employee voice),
/// with the seed's name and recommended action in English and French. This is the one home of
/// the taxonomy: the Python package (`_core.moment_taxonomy`), its charts, deliverables and
/// message catalogue, the reproduce spec and the synthetic generator read it from here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, strum::EnumIter, strum::IntoStaticStr)]
#[strum(serialize_all = "snake_case")]
pub enum Moment {
    WinWin,
    LuckyBreak,
    Pain,
    WrongFight,
    Blindness,
    DeadEnd,
}

/// What a moment is called and what the seed recommends, in one language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MomentText {
    pub name: &'static str,
    pub action: &'static str,
    /// The action's first words, for a slide or a chart label.
    pub short_action: &'static str,
}

impl Moment {
    /// In the seed's order: enchanting moments first, then irritating ones.
    pub const ALL: [Moment; 6] =
        [Moment::WinWin, Moment::LuckyBreak, Moment::Pain, Moment::WrongFight, Moment::Blindness, Moment::DeadEnd];
    /// A theme with q >= alpha on either axis.
    pub const UNDETERMINED: &'static str = "undetermined";
    /// A theme with fewer customer mentions than `min_mentions`.
    pub const TOO_FEW_MENTIONS: &'static str = "too_few_mentions";

    /// `win_win`, `lucky_break`, `pain`, `wrong_fight`, `blindness`, `dead_end`.
    pub fn key(self) -> &'static str {
        self.into()
    }

    pub fn parse(key: &str) -> Option<Moment> {
        crate::stats::names::parse(key).ok()
    }

    /// (customer axis, employee axis): `enchanted` / `irritated`, `proud` / `silent` /
    /// `frustrated`.
    pub fn axes(self) -> (&'static str, &'static str) {
        match self {
            Moment::WinWin => ("enchanted", "proud"),
            Moment::LuckyBreak => ("enchanted", "silent"),
            Moment::Pain => ("enchanted", "frustrated"),
            Moment::WrongFight => ("irritated", "proud"),
            Moment::Blindness => ("irritated", "silent"),
            Moment::DeadEnd => ("irritated", "frustrated"),
        }
    }

    /// The moment of a theme whose axes are determined; None when either is `undetermined`.
    pub fn from_axes(customer: &str, employee: &str) -> Option<Moment> {
        Moment::ALL.into_iter().find(|m| m.axes() == (customer, employee))
    }

    /// Name and action in `lang` (`"en"` or `"fr"`; None for another language).
    pub fn text(self, lang: &str) -> Option<MomentText> {
        let t = |name, action, short_action| MomentText { name, action, short_action };
        Some(match (self, lang) {
            (Moment::WinWin, "en") => t("Win-win", "deploy it: make this interaction the norm", "deploy it"),
            (Moment::WinWin, "fr") => t("Le win win", "la déployer : faire de cette interaction la norme", "la déployer"),
            (Moment::LuckyBreak, "en") => t(
                "Lucky break",
                "re-sensitise employees: they do not see that this enchants customers",
                "re-sensitise employees",
            ),
            (Moment::LuckyBreak, "fr") => t(
                "Le coup de chance",
                "resensibiliser les collaborateurs : ils ne voient pas que cela enchante les clients",
                "resensibiliser les collaborateurs",
            ),
            (Moment::Pain, "en") => {
                t("Pain", "relieve employees first: the enchantment costs them too much", "relieve employees first")
            }
            (Moment::Pain, "fr") => t(
                "La douleur",
                "soulager d'abord les collaborateurs : l'enchantement leur coûte trop",
                "soulager d'abord les collaborateurs",
            ),
            (Moment::WrongFight, "en") => t(
                "Wrong fight",
                "re-sensitise employees: show them it irritates customers, redirect their energy",
                "re-sensitise employees",
            ),
            (Moment::WrongFight, "fr") => t(
                "Le mauvais combat",
                "resensibiliser les collaborateurs : leur montrer que cela irrite les clients, réorienter leur énergie",
                "resensibiliser les collaborateurs",
            ),
            (Moment::Blindness, "en") => {
                t("Blindness", "re-sensitise employees: make them see this irritant", "re-sensitise employees")
            }
            (Moment::Blindness, "fr") => t(
                "La cécité",
                "resensibiliser les collaborateurs : leur faire voir cet irritant",
                "resensibiliser les collaborateurs",
            ),
            (Moment::DeadEnd, "en") => {
                t("Dead end", "relieve employees first: give them a solution to offer", "relieve employees first")
            }
            (Moment::DeadEnd, "fr") => t(
                "L'impasse",
                "soulager d'abord les collaborateurs : leur donner une solution à proposer",
                "soulager d'abord les collaborateurs",
            ),
            _ => return None,
        })
    }
}

/// The seed's action (in English) for a moment's key; None for `undetermined` and the like.
pub fn action(moment: &str) -> Option<&'static str> {
    Moment::parse(moment).and_then(|m| m.text("en")).map(|t| t.action)
}

