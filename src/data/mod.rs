//! Canonical data model, schema, validation and loading (DESIGN.md, "Canonical data model").

pub mod index;
pub mod load;
pub mod schema;
pub mod study;
pub(crate) mod validate;

pub use index::{MentionIndex, StudyIndex, UnitKey};
pub use load::{load_study, read_table, write_table, StudyPaths};
pub use schema::{Schema, SchemaBuilder, Table};
pub use study::Study;
