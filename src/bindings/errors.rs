//! One Python exception class per error variant, all under `miroir.MiroirError` (a `ValueError`).

use crate::error::MiroirError;
use pyo3::prelude::*;

/// Exception classes, in their own module so their Python names do not clash with Rust types.
pub mod exc {
    use pyo3::create_exception;
    use pyo3::exceptions::{PyUserWarning, PyValueError};

    create_exception!(miroir, MiroirError, PyValueError, "Base class of every miroir error.");
    create_exception!(miroir, SchemaError, MiroirError, "The tables do not have the columns or types the schema requires.");
    create_exception!(miroir, MissingColumnError, SchemaError, "A required column is absent.");
    create_exception!(miroir, DtypeError, SchemaError, "A column has the wrong type.");
    create_exception!(miroir, DataError, MiroirError, "Values in the tables break the data model.");
    create_exception!(miroir, MissingValueError, DataError, "A required value is missing (null or NaN).");
    create_exception!(miroir, OutOfRangeError, DataError, "A value lies outside its declared range.");
    create_exception!(miroir, DuplicateIdError, DataError, "An id that must be unique within its study appears twice.");
    create_exception!(miroir, UnknownCategoryError, DataError, "A value is not one of the allowed categories.");
    create_exception!(miroir, OrphanMentionError, DataError, "A mention names a respondent who is not in the tables.");
    create_exception!(miroir, EmptyTableError, DataError, "A table has no rows.");
    create_exception!(miroir, InsufficientDataError, DataError, "The data are valid but hold too little for the analysis asked for.");
    create_exception!(miroir, InvalidArgumentError, MiroirError, "An argument is invalid whatever the data.");
    create_exception!(miroir, StatsError, MiroirError, "A statistic cannot be computed from these data.");
    create_exception!(miroir, FileError, MiroirError, "A file could not be read or written.");
    create_exception!(miroir, SpecError, MiroirError, "A reproduce spec is invalid (the message names the line and the key).");
    create_exception!(miroir, DataQualityWarning, PyUserWarning, "The data are usable but something deserves a look.");
}

/// What an error is about, besides its message: the attributes every miroir exception carries
/// (`None` where they do not apply), so callers read `.table`, `.column`, `.rows` ... instead of
/// parsing the text.
#[derive(Default)]
struct Fields<'a> {
    table: Option<&'a str>,
    column: Option<&'a str>,
    /// The first offending rows (0-based row indices, at most [`crate::error::ROWS_SHOWN`]).
    rows: Option<&'a [usize]>,
    /// How many rows failed the check in all.
    total: Option<usize>,
    argument: Option<&'a str>,
    file: Option<&'a str>,
    /// 1-based line of a spec error (`None` when the line is unknown).
    line: Option<usize>,
    key: Option<&'a str>,
    expected: Option<&'a str>,
    found: Option<&'a str>,
}

impl<'a> Fields<'a> {
    fn of(e: &'a MiroirError) -> Fields<'a> {
        use crate::stats::StatsError;
        match e {
            MiroirError::MissingColumn { table, column, .. } => {
                Fields { table: Some(table), column: Some(column), ..Default::default() }
            }
            MiroirError::WrongType { table, column, expected, found } => Fields {
                table: Some(table),
                column: Some(column),
                expected: Some(expected),
                found: Some(found),
                ..Default::default()
            },
            MiroirError::MissingValue { table, column, rows, .. }
            | MiroirError::OutOfRange { table, column, rows, .. }
            | MiroirError::DuplicateId { table, column, rows, .. }
            | MiroirError::UnknownCategory { table, column, rows, .. }
            | MiroirError::OrphanMention { table, column, rows, .. } => Fields {
                table: Some(table),
                column: Some(column),
                rows: Some(&rows.first),
                total: Some(rows.total),
                ..Default::default()
            },
            MiroirError::EmptyTable { table, .. } => Fields { table: Some(table), ..Default::default() },
            MiroirError::InvalidArgument { argument, .. } => Fields { argument: Some(argument), ..Default::default() },
            MiroirError::Stats(StatsError::InvalidArgument { argument, .. } | StatsError::InvalidData { argument, .. }) => {
                Fields { argument: Some(argument), ..Default::default() }
            }
            MiroirError::Io { path, .. } => Fields { file: Some(path), ..Default::default() },
            MiroirError::Spec { path, line, key, .. } => Fields {
                file: Some(path),
                line: (*line > 0).then_some(*line),
                key: (!key.is_empty()).then_some(key.as_str()),
                ..Default::default()
            },
            MiroirError::Stats(StatsError::Interrupted)
            | MiroirError::InsufficientData { .. }
            | MiroirError::InvalidSchema { .. }
            | MiroirError::Polars(_) => Fields::default(),
        }
    }

    /// Sets the fields that apply as attributes of the exception instance (the others stay the
    /// class's `None`).
    fn set_on(&self, err: &PyErr) {
        Python::attach(|py| {
            let value = err.value(py);
            let set = |name: &str, v: Option<Bound<'_, PyAny>>| {
                if let Some(v) = v {
                    // setting an attribute on a fresh exception instance cannot fail
                    let _ = value.setattr(name, v);
                }
            };
            let text = |s: Option<&str>| s.map(|s| pyo3::types::PyString::new(py, s).into_any());
            let int = |n: Option<usize>| n.and_then(|n| n.into_pyobject(py).ok()).map(|v| v.into_any());
            set("table", text(self.table));
            set("column", text(self.column));
            set("rows", self.rows.and_then(|r| pyo3::types::PyList::new(py, r).ok()).map(|v| v.into_any()));
            set("total", int(self.total));
            set("argument", text(self.argument));
            set("file", text(self.file));
            set("line", int(self.line));
            set("key", text(self.key));
            set("expected", text(self.expected));
            set("found", text(self.found));
        });
    }
}

/// The attributes every miroir exception has (class attributes `None`, set on the instance where
/// they apply).
pub const ATTRIBUTES: [&str; 10] =
    ["table", "column", "rows", "total", "argument", "file", "line", "key", "expected", "found"];

impl From<MiroirError> for PyErr {
    fn from(e: MiroirError) -> PyErr {
        let msg = e.to_string();
        let err = match &e {
            MiroirError::MissingColumn { .. } => exc::MissingColumnError::new_err(msg),
            MiroirError::WrongType { .. } => exc::DtypeError::new_err(msg),
            MiroirError::MissingValue { .. } => exc::MissingValueError::new_err(msg),
            MiroirError::OutOfRange { .. } => exc::OutOfRangeError::new_err(msg),
            MiroirError::DuplicateId { .. } => exc::DuplicateIdError::new_err(msg),
            MiroirError::UnknownCategory { .. } => exc::UnknownCategoryError::new_err(msg),
            MiroirError::OrphanMention { .. } => exc::OrphanMentionError::new_err(msg),
            MiroirError::EmptyTable { .. } => exc::EmptyTableError::new_err(msg),
            MiroirError::InsufficientData { .. } => exc::InsufficientDataError::new_err(msg),
            MiroirError::InvalidSchema { .. } => exc::SchemaError::new_err(msg),
            MiroirError::InvalidArgument { .. } => exc::InvalidArgumentError::new_err(msg),
            // an argument invalid whatever the data is the same error wherever it arises
            MiroirError::Stats(crate::stats::StatsError::InvalidArgument { .. }) => {
                exc::InvalidArgumentError::new_err(msg)
            }
            MiroirError::Stats(crate::stats::StatsError::Interrupted) => {
                return pyo3::exceptions::PyKeyboardInterrupt::new_err(msg)
            }
            MiroirError::Stats(_) => exc::StatsError::new_err(msg),
            MiroirError::Io { .. } => exc::FileError::new_err(msg),
            MiroirError::Polars(_) => exc::MiroirError::new_err(msg),
            MiroirError::Spec { .. } => exc::SpecError::new_err(msg),
        };
        Fields::of(&e).set_on(&err);
        err
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    macro_rules! add {
        ($($name:ident),*) => {$( m.add(stringify!($name), py.get_type::<exc::$name>())?; )*};
    }
    add!(
        MiroirError, SchemaError, MissingColumnError, DtypeError, DataError, MissingValueError,
        OutOfRangeError, DuplicateIdError, UnknownCategoryError, OrphanMentionError,
        EmptyTableError, InsufficientDataError, InvalidArgumentError, StatsError, FileError, DataQualityWarning, SpecError
    );
    // every miroir exception has the attributes, None unless the error sets them
    let base = py.get_type::<exc::MiroirError>();
    for name in ATTRIBUTES {
        base.setattr(name, py.None())?;
    }
    Ok(())
}
