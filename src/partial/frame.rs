//! A small table (a few rows per study) as serialisable columns: the per-study rows a part
//! carries when the single-machine code builds them as a `DataFrame` (the summary).

use crate::error::{MiroirError, Result};
use polars::prelude::*;

/// The values of one column, by dtype (nulls kept).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Values {
    Bool(Vec<Option<bool>>),
    U32(Vec<Option<u32>>),
    U64(Vec<Option<u64>>),
    I64(Vec<Option<i64>>),
    F64(Vec<Option<f64>>),
    Str(Vec<Option<String>>),
}

/// A table as named columns; `Frame::from_df(df)?.to_df()?` equals `df` (names, dtypes, values).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Frame {
    pub columns: Vec<(String, Values)>,
}

impl Frame {
    pub fn from_df(df: &DataFrame) -> Result<Frame> {
        let mut columns = Vec::with_capacity(df.width());
        for c in df.columns() {
            let s = c.as_materialized_series();
            let v = match s.dtype() {
                DataType::Boolean => Values::Bool(s.bool()?.iter().collect()),
                DataType::UInt32 => Values::U32(s.u32()?.iter().collect()),
                DataType::UInt64 => Values::U64(s.u64()?.iter().collect()),
                DataType::Int64 => Values::I64(s.i64()?.iter().collect()),
                DataType::Float64 => Values::F64(s.f64()?.iter().collect()),
                DataType::String => Values::Str(s.str()?.iter().map(|v| v.map(str::to_owned)).collect()),
                other => {
                    return Err(MiroirError::Polars(format!(
                        "column '{}' of dtype {other} cannot be carried in a partial result",
                        s.name()
                    )))
                }
            };
            columns.push((s.name().to_string(), v));
        }
        Ok(Frame { columns })
    }

    pub fn to_df(&self) -> Result<DataFrame> {
        let cols = self
            .columns
            .iter()
            .map(|(name, v)| {
                let name: PlSmallStr = name.as_str().into();
                match v {
                    Values::Bool(x) => Column::new(name, x),
                    Values::U32(x) => Column::new(name, x),
                    Values::U64(x) => Column::new(name, x),
                    Values::I64(x) => Column::new(name, x),
                    Values::F64(x) => Column::new(name, x),
                    Values::Str(x) => Column::new(name, x),
                }
            })
            .collect();
        Ok(DataFrame::new_infer_height(cols)?)
    }

    /// The frames stacked in order (all with the same columns); `None` for no frame.
    pub fn stack<'a>(frames: impl IntoIterator<Item = &'a Frame>) -> Result<Option<DataFrame>> {
        let mut out: Option<DataFrame> = None;
        for f in frames {
            let df = f.to_df()?;
            match out.as_mut() {
                Some(acc) => {
                    acc.vstack_mut(&df)?;
                }
                None => out = Some(df),
            }
        }
        if let Some(df) = out.as_mut() {
            df.rechunk_mut();
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_frame_comes_back_with_its_dtypes_and_nulls() {
        let df = df!(
            "s" => [Some("a"), None], "b" => [Some(true), None], "u" => [1u32, 2], "n" => [Some(3u64), None],
            "i" => [-1i64, 2], "x" => [Some(f64::NAN), Some(0.1)],
        )
        .unwrap();
        let f = super::super::testing::round_trip(&Frame::from_df(&df).unwrap()).unwrap();
        let back = f.to_df().unwrap();
        assert_eq!(back.dtypes(), df.dtypes());
        assert!(back.equals_missing(&df));
        let two = Frame::stack([&f, &f]).unwrap().unwrap();
        assert_eq!(two.height(), 4);
        let cat = df.clone().lazy().with_column(col("s").cast(DataType::Date)).collect();
        assert!(cat.is_err() || Frame::from_df(&cat.unwrap()).is_err());
    }
}
