//! Canonical data model, schema, validation and loading (DESIGN.md, "Canonical data model").

pub(crate) mod codes;
pub mod columns;
pub(crate) mod csv;
pub(crate) mod dropped;
pub(crate) mod excel;
pub(crate) mod files;
pub(crate) mod recode;
mod parquet_check;
pub mod index;
pub mod load;
pub mod scan;
pub mod schema;
pub mod study;
pub(crate) mod validate;
pub mod verbatims;

pub use files::Fingerprint;
pub use excel::SheetChoice;
pub use index::{MentionIndex, StudyIndex, UnitKey};
pub use load::{is_parquet, load_study, load_study_with, read_parquet_column, read_table, read_table_bytes, read_table_for, write_table, LoadOptions, Streaming, StudyPaths, STREAM_ABOVE_ROWS};
pub use schema::{Schema, SchemaBuilder, Table};
pub use study::{Study, TableInput};
