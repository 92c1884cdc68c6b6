//! Text tables (`miroir.text`): the mentions and skipped matches of codebook coding
//! ([`crate::text::coding`]), and lexicon sentiment per text and per clause
//! ([`crate::text::sentiment`]).

use super::frame;
use crate::text::sentiment::{self, ScoredClause, Skip, TextSentiment, Thresholds};
use crate::text::{Coded, Language, Match, Theme};
use crate::Result;
use polars::prelude::*;

/// The columns of matches (or of mentions' first matches): `row` (index of the verbatim,
/// UInt64), `theme_id`, `theme`, `theme_valence` (null for a theme without one), `rule`,
/// `span_start`, `span_end` (UInt64, character offsets), `negated` (Boolean), `language`.
fn match_columns<'a>(themes: &[Theme], matches: impl Iterator<Item = &'a Match> + Clone) -> Vec<Column> {
    let col = |name: &str, values: Series| values.with_name(name.into()).into_column();
    vec![
        col("row", matches.clone().map(|m| m.row as u64).collect()),
        col("theme_id", matches.clone().map(|m| themes[m.theme].id.as_str()).collect()),
        col("theme", matches.clone().map(|m| themes[m.theme].label.as_str()).collect()),
        col("theme_valence", matches.clone().map(|m| themes[m.theme].valence.map(|v| v.as_str())).collect()),
        col("rule", matches.clone().map(|m| &*m.rule).collect()),
        col("span_start", matches.clone().map(|m| m.span_start as u64).collect()),
        col("span_end", matches.clone().map(|m| m.span_end as u64).collect()),
        col("negated", matches.clone().map(|m| m.negated).collect()),
        col("language", matches.map(|m| m.language.as_str()).collect()),
    ]
}

/// What [`crate::text::code_texts`] found, as (mentions, skipped). The mentions, one row per
/// (verbatim, theme): the columns of its first match (`row, theme_id, theme, theme_valence,
/// rule, span_start, span_end, negated, language`), `matches` (UInt32), and the lexicon `score`
/// (Float64) and `valence` (String) of its span (null where not asked, or for a text the scorer
/// skips). The skipped matches (negated themes with a valence): the match columns.
///
/// ```
/// use miroir::text::{code_texts, Codebook, Coder, Language};
/// use miroir::text::sentiment::Thresholds;
/// let book = Codebook::from_toml("[[theme]]\nid = \"wait\"\nen = [\"wait\"]\n", "t.toml").unwrap();
/// let texts = [Some("Too long a wait."), None];
/// let coded = code_texts(&Coder::new(&book), &texts, &[Some(Language::En), None], &[false; 2], &Thresholds::default());
/// let (mentions, skipped) = miroir::tidy::text::coded_frames(&book.themes, &coded).unwrap();
/// assert_eq!(mentions.get_column_names()[..3], ["row", "theme_id", "theme"]);
/// assert_eq!(mentions.get_column_names()[9..], ["matches", "score", "valence"]);
/// assert_eq!(mentions.column("theme_id").unwrap().str().unwrap().get(0), Some("wait"));
/// assert_eq!(mentions.column("span_start").unwrap().u64().unwrap().get(0), Some(11));
/// assert_eq!((mentions.height(), skipped.height()), (1, 0));
/// ```
pub fn coded_frames(themes: &[Theme], coded: &Coded) -> Result<(DataFrame, DataFrame)> {
    let m = &coded.mentions;
    let mut columns = match_columns(themes, m.iter().map(|x| &x.first));
    columns.push(Column::new("matches".into(), m.iter().map(|x| x.matches as u32).collect::<Vec<u32>>()));
    columns.push(Column::new("score".into(), m.iter().map(|x| x.valence.map(|v| v.score)).collect::<Vec<Option<f64>>>()));
    columns.push(Column::new(
        "valence".into(),
        m.iter().map(|x| x.valence.map(|v| v.polarity.as_str())).collect::<Vec<Option<&str>>>(),
    ));
    let mentions = frame(columns)?;
    let skipped = frame(match_columns(themes, coded.skipped.iter()))?;
    Ok((mentions, skipped))
}

/// One row per text scored by [`sentiment::score_texts`]: `score` (Float64), `valence` (its
/// polarity under `thresholds`), `positive`, `negative`, `neutral` (VADER's shares, English
/// only), `language`, `skipped` (why a text has no score, else null); every column is null for
/// a skipped text but `language` (when told) and `skipped`.
///
/// ```
/// use miroir::text::{sentiment::{score_texts, Thresholds}, Language};
/// let out = score_texts(&[Some("The staff were wonderful."), None], &[Some(Language::En), None]);
/// let table = miroir::tidy::text::sentiment_frame(&out, &Thresholds::default()).unwrap();
/// assert_eq!(table.get_column_names(), ["score", "valence", "positive", "negative", "neutral", "language", "skipped"]);
/// assert_eq!(table.column("valence").unwrap().str().unwrap().get(0), Some("positive"));
/// assert_eq!(table.column("score").unwrap().null_count(), 1);
/// ```
pub fn sentiment_frame(out: &[TextSentiment], thresholds: &Thresholds) -> Result<DataFrame> {
    let ok = |t: &TextSentiment| t.outcome.as_ref().ok().copied();
    let share = |t: &TextSentiment, f: fn(&sentiment::Shares) -> f64| ok(t).and_then(|s| s.shares).map(|s| f(&s));
    frame(vec![
        Column::new("score".into(), out.iter().map(|t| ok(t).map(|s| s.score)).collect::<Vec<Option<f64>>>()),
        Column::new(
            "valence".into(),
            out.iter()
                .map(|t| Some(thresholds.polarity(ok(t)?.score, t.language?).as_str()))
                .collect::<Vec<Option<&str>>>(),
        ),
        Column::new("positive".into(), out.iter().map(|t| share(t, |s| s.positive)).collect::<Vec<Option<f64>>>()),
        Column::new("negative".into(), out.iter().map(|t| share(t, |s| s.negative)).collect::<Vec<Option<f64>>>()),
        Column::new("neutral".into(), out.iter().map(|t| share(t, |s| s.neutral)).collect::<Vec<Option<f64>>>()),
        Column::new("language".into(), out.iter().map(|t| t.language.map(|l| l.as_str())).collect::<Vec<Option<&str>>>()),
        Column::new(
            "skipped".into(),
            out.iter().map(|t| t.outcome.err().map(Skip::as_str)).collect::<Vec<Option<&str>>>(),
        ),
    ])
}

/// One row per clause found by [`sentiment::clauses_of_texts`] in `texts`: `row` (UInt64),
/// `clause` (UInt32, its index in the text), `span_start`, `span_end` (UInt64, character
/// offsets), `text` (the clause's own text), `score` (Float64), `valence` (its polarity under
/// `thresholds`), `language`; skipped texts have none.
///
/// ```
/// use miroir::text::{sentiment::{clauses_of_texts, Thresholds}, Language};
/// let texts = [Some("The staff were great, but the wait was awful.")];
/// let found = clauses_of_texts(&texts, &[Some(Language::En)]);
/// let table = miroir::tidy::text::clauses_frame(&texts, &found, &Thresholds::default()).unwrap();
/// assert_eq!(table.get_column_names(), ["row", "clause", "span_start", "span_end", "text", "score", "valence", "language"]);
/// assert_eq!(table.height(), 2);
/// assert_eq!(table.column("valence").unwrap().str().unwrap().get(1), Some("negative"));
/// ```
pub fn clauses_frame(
    texts: &[Option<&str>],
    found: &[(usize, Language, ScoredClause)],
    thresholds: &Thresholds,
) -> Result<DataFrame> {
    // each text's character offsets computed once (its clauses are consecutive)
    let mut at: (usize, Vec<usize>) = (usize::MAX, Vec::new());
    let pieces: Vec<String> = found
        .iter()
        .map(|(row, _, c)| {
            let text = texts[*row].unwrap_or_default();
            if at.0 != *row {
                at = (*row, text.char_indices().map(|(b, _)| b).chain(std::iter::once(text.len())).collect());
            }
            text[at.1[c.clause.start]..at.1[c.clause.end]].to_string()
        })
        .collect();
    frame(vec![
        Column::new("row".into(), found.iter().map(|f| f.0 as u64).collect::<Vec<u64>>()),
        Column::new("clause".into(), found.iter().map(|f| f.2.clause.index as u32).collect::<Vec<u32>>()),
        Column::new("span_start".into(), found.iter().map(|f| f.2.clause.start as u64).collect::<Vec<u64>>()),
        Column::new("span_end".into(), found.iter().map(|f| f.2.clause.end as u64).collect::<Vec<u64>>()),
        Column::new("text".into(), pieces),
        Column::new("score".into(), found.iter().map(|f| f.2.score.score).collect::<Vec<f64>>()),
        Column::new(
            "valence".into(),
            found.iter().map(|f| thresholds.polarity(f.2.score.score, f.1).as_str()).collect::<Vec<&str>>(),
        ),
        Column::new("language".into(), found.iter().map(|f| f.1.as_str()).collect::<Vec<&str>>()),
    ])
}
