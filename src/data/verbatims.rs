//! The **verbatims** table: one row per answer to an open question, validated against the study
//! whose respondents wrote them (DESIGN.md, "verbatims"). Coding (`crate::text`) turns them into
//! mentions; this module only checks them.
//!
//! Checks, in order, each an error naming the table, the column and the first rows:
//! the columns of the data model (after the schema's mapping, constants and recodes; `text` is
//! required as a column, a missing or blank answer in a row is kept and counted by coding), the
//! question asked of each side (`best` / `most_frustrating` for employees, `comment` / `liked` /
//! `disliked` for customers), one answer per respondent and question, and each respondent found
//! in the study. Customers left out at load for a missing satisfaction take their verbatims
//! with them (counted in a warning), as their mentions do.

use super::columns::strs;
use super::schema::{Schema, Table, SIDE_QUESTIONS};
use super::validate::clean_table;
use crate::error::{MiroirError, Result, Rows};
use foldhash::{HashMap as FastMap, HashMapExt, HashSet as FastSet, HashSetExt};
use polars::prelude::*;

/// Validated verbatims: the canonical columns first, then any other column of the table given.
#[derive(Debug, Clone)]
pub struct Verbatims {
    pub df: DataFrame,
    /// Data-quality notes (verbatims left out with their customers).
    pub warnings: Vec<String>,
}

const TABLE: &str = "verbatims";

fn err_rows(column: &str, rows: Vec<usize>, detail: String, kind: fn(String, String, Rows, String) -> MiroirError) -> MiroirError {
    kind(TABLE.into(), column.into(), Rows::collect(rows), detail)
}

fn unknown(table: String, column: String, rows: Rows, detail: String) -> MiroirError {
    MiroirError::UnknownCategory { table, column, rows, detail }
}
fn duplicate(table: String, column: String, rows: Rows, detail: String) -> MiroirError {
    MiroirError::DuplicateId { table, column, rows, detail }
}
fn orphan(table: String, column: String, rows: Rows, detail: String) -> MiroirError {
    MiroirError::OrphanMention { table, column, rows, detail }
}

/// Validates a verbatims table against the study's (validated) respondent tables.
///
/// `customers_dropped`: whether the study left customers out for a missing satisfaction; the
/// customer verbatims of respondents not found are then left out with a warning (their
/// respondents were, most likely, those customers) instead of being refused.
pub fn clean_verbatims(
    df: DataFrame,
    schema: &Schema,
    employees: &DataFrame,
    customers: &DataFrame,
    customers_dropped: bool,
) -> Result<Verbatims> {
    if df.height() == 0 {
        return Err(MiroirError::EmptyTable {
            table: TABLE.into(),
            detail: "give no verbatims table rather than an empty one".into(),
        });
    }
    let (clean, _) = clean_table(df, Table::Verbatims, schema)?;
    let df = clean.df;
    if df.get_column_index("text").is_none() {
        return Err(MiroirError::MissingColumn {
            table: TABLE.into(),
            column: "text".into(),
            detail: "the answers as written; map a client column onto it with the Schema".into(),
        });
    }
    let (study, side, id, question) = (strs(&df, "study")?, strs(&df, "side")?, strs(&df, "respondent_id")?, strs(&df, "question")?);
    let n = df.height();

    // the question each side is asked
    let bad: Vec<usize> = (0..n)
        .filter(|&i| !SIDE_QUESTIONS.iter().any(|(s, q, _)| *s == side[i] && *q == question[i]))
        .collect();
    if let Some(&i) = bad.first() {
        return Err(err_rows(
            "question",
            bad,
            format!(
                "'{}' is not a question of the {} side (employees: best, most_frustrating; customers: comment, liked, disliked)",
                question[i], side[i]
            ),
            unknown,
        ));
    }

    // one answer per respondent and question
    let mut seen: FastMap<(&str, &str, &str, &str), usize> = FastMap::with_capacity(n);
    let mut dups: Vec<usize> = Vec::new();
    let mut first_dup = None;
    for i in 0..n {
        if let Some(&j) = seen.get(&(study[i], side[i], id[i], question[i])) {
            first_dup.get_or_insert((j, i));
            dups.push(i);
        } else {
            seen.insert((study[i], side[i], id[i], question[i]), i);
        }
    }
    if let Some((j, i)) = first_dup {
        return Err(err_rows(
            "respondent_id",
            dups,
            format!(
                "a respondent answers each question once: {} '{}' of study '{}' answers '{}' at rows {j} and {i}",
                side[i], id[i], study[i], question[i]
            ),
            duplicate,
        ));
    }

    // each respondent found in the study
    let known = |table: &DataFrame, column: &str| -> Result<FastSet<(String, String)>> {
        let (s, r) = (strs(table, "study")?, strs(table, column)?);
        let mut set = FastSet::with_capacity(s.len());
        for (a, b) in s.into_iter().zip(r) {
            set.insert((a.to_string(), b.to_string()));
        }
        Ok(set)
    };
    let (emp, cus) = (known(employees, "employee_id")?, known(customers, "customer_id")?);
    let key = |i: usize| (study[i].to_string(), id[i].to_string());
    let missing: Vec<usize> = (0..n)
        .filter(|&i| if side[i] == "employee" { !emp.contains(&key(i)) } else { !cus.contains(&key(i)) })
        .collect();
    let (left_out, orphans): (Vec<usize>, Vec<usize>) =
        missing.into_iter().partition(|&i| customers_dropped && side[i] == "customer");
    if let Some(&i) = orphans.first() {
        return Err(err_rows(
            "respondent_id",
            orphans,
            format!(
                "verbatims whose respondent is not in the {} table (e.g. {} '{}' of study '{}')",
                if side[i] == "employee" { "employees" } else { "customers" },
                side[i],
                id[i],
                study[i]
            ),
            orphan,
        ));
    }
    let mut warnings = Vec::new();
    let df = if left_out.is_empty() {
        df
    } else {
        let mut keep = vec![true; n];
        for &i in &left_out {
            keep[i] = false;
        }
        warnings.push(format!(
            "table 'verbatims': {} customer verbatim(s) of respondents not in the customers table left out \
             (the study left out customers without a satisfaction answer; first at row index {})",
            left_out.len(),
            left_out[0]
        ));
        df.filter(&BooleanChunked::from_slice("keep".into(), &keep))?
    };
    Ok(Verbatims { df, warnings })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn emp() -> DataFrame {
        df!("study" => ["s", "s"], "employee_id" => ["e1", "e2"]).unwrap()
    }
    fn cus() -> DataFrame {
        df!("study" => ["s"], "customer_id" => ["c1"]).unwrap()
    }
    fn verbatims(side: &[&str], id: &[&str], q: &[&str]) -> DataFrame {
        let n = side.len();
        df!(
            "study" => vec!["s"; n], "side" => side, "respondent_id" => id, "question" => q,
            "text" => vec![Some("bien"); n]
        )
        .unwrap()
    }

    #[test]
    fn valid_verbatims_pass_with_their_columns() {
        let v = verbatims(&["employee", "employee", "customer"], &["e1", "e1", "c1"], &["best", "most_frustrating", "comment"]);
        let out = clean_verbatims(v, &Schema::default(), &emp(), &cus(), false).unwrap();
        assert_eq!(out.df.height(), 3);
        assert!(out.warnings.is_empty());
    }

    #[test]
    fn a_question_of_the_other_side_is_refused_with_its_rows() {
        let v = verbatims(&["employee", "customer"], &["e1", "c1"], &["best", "best"]);
        let e = clean_verbatims(v, &Schema::default(), &emp(), &cus(), false).unwrap_err();
        assert!(matches!(e, MiroirError::UnknownCategory { ref column, ref rows, .. } if column == "question" && rows.first == vec![1]), "{e}");
    }

    #[test]
    fn two_answers_to_one_question_are_refused() {
        let v = verbatims(&["employee", "employee"], &["e1", "e1"], &["best", "best"]);
        let e = clean_verbatims(v, &Schema::default(), &emp(), &cus(), false).unwrap_err();
        assert!(matches!(e, MiroirError::DuplicateId { ref rows, .. } if rows.first == vec![1]), "{e}");
        assert!(e.to_string().contains("rows 0 and 1"), "{e}");
    }

    #[test]
    fn an_unknown_respondent_is_an_orphan_unless_customers_were_dropped() {
        let v = verbatims(&["customer", "customer"], &["c1", "c9"], &["comment", "liked"]);
        let e = clean_verbatims(v.clone(), &Schema::default(), &emp(), &cus(), false).unwrap_err();
        assert!(matches!(e, MiroirError::OrphanMention { ref rows, .. } if rows.first == vec![1]), "{e}");
        let out = clean_verbatims(v, &Schema::default(), &emp(), &cus(), true).unwrap();
        assert_eq!(out.df.height(), 1);
        assert_eq!(out.warnings.len(), 1);
        let v = verbatims(&["employee"], &["e9"], &["best"]);
        assert!(clean_verbatims(v, &Schema::default(), &emp(), &cus(), true).is_err());
    }

    #[test]
    fn a_missing_text_column_and_an_empty_table_are_named() {
        let v = verbatims(&["employee"], &["e1"], &["best"]).drop("text").unwrap();
        let e = clean_verbatims(v, &Schema::default(), &emp(), &cus(), false).unwrap_err();
        assert!(matches!(e, MiroirError::MissingColumn { ref column, .. } if column == "text"), "{e}");
        let v = verbatims(&["employee"], &["e1"], &["best"]).head(Some(0));
        assert!(matches!(clean_verbatims(v, &Schema::default(), &emp(), &cus(), false), Err(MiroirError::EmptyTable { .. })));
    }

    #[test]
    fn a_client_question_code_is_recoded_and_columns_mapped() {
        let v = df!(
            "study" => ["s"], "side" => ["employee"], "resp" => ["e2"], "q" => ["Q12"], "verbatim" => ["ok"]
        )
        .unwrap();
        let schema = Schema::builder()
            .map_column(Table::Verbatims, "resp", "respondent_id")
            .map_column(Table::Verbatims, "q", "question")
            .map_column(Table::Verbatims, "verbatim", "text")
            .recode("question", "Q12", crate::data::schema::RecodeTarget::Text("best".into()))
            .build()
            .unwrap();
        let out = clean_verbatims(v, &schema, &emp(), &cus(), false).unwrap();
        assert_eq!(out.df.column("question").unwrap().str().unwrap().get(0), Some("best"));
    }
}
