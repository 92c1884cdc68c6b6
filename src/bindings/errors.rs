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

impl From<MiroirError> for PyErr {
    fn from(e: MiroirError) -> PyErr {
        let msg = e.to_string();
        match e {
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
            MiroirError::Stats(crate::stats::StatsError::Interrupted) => pyo3::exceptions::PyKeyboardInterrupt::new_err(msg),
            MiroirError::Stats(_) => exc::StatsError::new_err(msg),
            MiroirError::Io { .. } => exc::FileError::new_err(msg),
            MiroirError::Polars(_) => exc::MiroirError::new_err(msg),
            MiroirError::Spec { .. } => exc::SpecError::new_err(msg),
        }
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
    Ok(())
}
