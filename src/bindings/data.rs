//! `Schema` and the validated `Study` (the Python `miroir.Study` wraps this one).

use crate::data::{self, Schema, Study, StudyPaths, Table};
use pyo3::prelude::*;
use super::frame::PyDataFrame;
use std::collections::HashMap;
use std::path::PathBuf;

/// How a client's export maps onto miroir's data model, with scales and limits.
#[pyclass(name = "Schema", module = "miroir._core", frozen, from_py_object)]
#[derive(Clone)]
pub struct PySchema {
    pub inner: Schema,
}

/// The `Schema` arguments, each refused by name when it has the wrong type.
mod schema_arg {
    use crate::MiroirError;
    use pyo3::prelude::*;
    use std::collections::HashMap;

    fn refuse(name: &str, expected: &str, obj: &Bound<'_, PyAny>) -> PyErr {
        let got = obj.get_type().name().map(|n| n.to_string()).unwrap_or_else(|_| "?".into());
        MiroirError::InvalidArgument { argument: name.into(), detail: format!("expected {expected}, got {got}") }.into()
    }
    fn mapping(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<Option<HashMap<String, String>>> {
        if obj.is_none() {
            return Ok(None);
        }
        obj.extract().map(Some).map_err(|_| refuse(name, "a dict of client column name -> canonical column name (text -> text)", obj))
    }
    fn pair(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<(f64, f64)> {
        if obj.is_instance_of::<pyo3::types::PyString>() {
            return Err(refuse(name, "a pair of numbers (low, high)", obj));
        }
        obj.extract().map_err(|_| refuse(name, "a pair of numbers (low, high)", obj))
    }
    fn real(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<f64> {
        if obj.is_instance_of::<pyo3::types::PyBool>() || obj.is_instance_of::<pyo3::types::PyString>() {
            return Err(refuse(name, "a number", obj));
        }
        obj.extract().map_err(|_| refuse(name, "a number", obj))
    }
    pub fn employees(obj: &Bound<'_, PyAny>) -> PyResult<Option<HashMap<String, String>>> {
        mapping(obj, "employees")
    }
    pub fn customers(obj: &Bound<'_, PyAny>) -> PyResult<Option<HashMap<String, String>>> {
        mapping(obj, "customers")
    }
    pub fn mentions(obj: &Bound<'_, PyAny>) -> PyResult<Option<HashMap<String, String>>> {
        mapping(obj, "mentions")
    }
    pub fn verbatims(obj: &Bound<'_, PyAny>) -> PyResult<Option<HashMap<String, String>>> {
        mapping(obj, "verbatims")
    }
    pub fn satisfaction_scale(obj: &Bound<'_, PyAny>) -> PyResult<(f64, f64)> {
        pair(obj, "satisfaction_scale")
    }
    pub fn item_scale(obj: &Bound<'_, PyAny>) -> PyResult<(f64, f64)> {
        pair(obj, "item_scale")
    }
    pub fn satisfied_threshold(obj: &Bound<'_, PyAny>) -> PyResult<f64> {
        real(obj, "satisfied_threshold")
    }
    /// `csv={"separator": ";", "encoding": "cp1252", "decimal_comma": True}`.
    pub fn csv(obj: &Bound<'_, PyAny>) -> PyResult<crate::data::schema::CsvOptions> {
        use pyo3::types::PyDict;
        let mut o = crate::data::schema::CsvOptions::default();
        if obj.is_none() {
            return Ok(o);
        }
        let expected = "a dict with keys 'separator' (one character), 'encoding' (text), 'decimal_comma' (bool)";
        let d = obj.cast::<PyDict>().map_err(|_| refuse("csv", expected, obj))?;
        for (k, v) in d.iter() {
            let key: String = k.extract().map_err(|_| refuse("csv", expected, &k))?;
            if v.is_none() {
                continue;
            }
            match key.as_str() {
                "separator" => {
                    let t: String = v.extract().map_err(|_| refuse("csv['separator']", "one character", &v))?;
                    let b = t.as_bytes();
                    if b.len() != 1 {
                        return Err(MiroirError::InvalidArgument {
                            argument: "csv".into(),
                            detail: format!("'separator' must be one character, got {t:?}"),
                        }
                        .into());
                    }
                    o.separator = Some(b[0]);
                }
                "encoding" => o.encoding = Some(v.extract().map_err(|_| refuse("csv['encoding']", "text", &v))?),
                "decimal_comma" => {
                    if !v.is_instance_of::<pyo3::types::PyBool>() {
                        return Err(refuse("csv['decimal_comma']", "True or False", &v));
                    }
                    o.decimal_comma = Some(v.extract()?);
                }
                other => {
                    return Err(MiroirError::InvalidArgument {
                        argument: "csv".into(),
                        detail: format!("unknown key '{other}' (expected separator, encoding, decimal_comma)"),
                    }
                    .into())
                }
            }
        }
        Ok(o)
    }
    fn code(obj: &Bound<'_, PyAny>) -> PyResult<crate::data::schema::MissingCode> {
        use crate::data::schema::MissingCode;
        if obj.is_instance_of::<pyo3::types::PyBool>() {
            return Err(refuse("missing_codes", "numbers or texts", obj));
        }
        if let Ok(t) = obj.extract::<String>() {
            return Ok(MissingCode::Text(t));
        }
        obj.extract::<f64>().map(MissingCode::Number).map_err(|_| refuse("missing_codes", "numbers or texts", obj))
    }
    fn codes(obj: &Bound<'_, PyAny>) -> PyResult<Vec<crate::data::schema::MissingCode>> {
        if obj.is_instance_of::<pyo3::types::PyString>() || !obj.hasattr("__iter__")? {
            return Ok(vec![code(obj)?]);
        }
        obj.try_iter()?.map(|v| code(&v?)).collect()
    }
    /// `missing_codes=[9, "NSP"]` (every column) or `{"satisfaction": [99], "*": [9]}`.
    #[allow(clippy::type_complexity)]
    pub fn missing_codes(
        obj: &Bound<'_, PyAny>,
    ) -> PyResult<(Vec<crate::data::schema::MissingCode>, Vec<(String, Vec<crate::data::schema::MissingCode>)>)> {
        use pyo3::types::PyDict;
        if obj.is_none() {
            return Ok((Vec::new(), Vec::new()));
        }
        if let Ok(d) = obj.cast::<PyDict>() {
            let mut global = Vec::new();
            let mut by = Vec::new();
            for (k, v) in d.iter() {
                let key: String = k.extract().map_err(|_| refuse("missing_codes", "column names as keys", &k))?;
                if key == "*" {
                    global = codes(&v)?;
                } else {
                    by.push((key, codes(&v)?));
                }
            }
            by.sort_by(|a, b| a.0.cmp(&b.0));
            return Ok((global, by));
        }
        Ok((codes(obj)?, Vec::new()))
    }
    /// `recode={"Q1": {"Tout à fait d'accord": 5, ...}, "can_contribute": {"1": "oui"}}`.
    pub fn recode(obj: &Bound<'_, PyAny>) -> PyResult<Vec<(String, String, crate::data::schema::RecodeTarget)>> {
        use crate::data::schema::RecodeTarget;
        use pyo3::types::PyDict;
        let mut out = Vec::new();
        if obj.is_none() {
            return Ok(out);
        }
        let expected = "a dict column -> {label: value}";
        let d = obj.cast::<PyDict>().map_err(|_| refuse("recode", expected, obj))?;
        for (k, v) in d.iter() {
            let column: String = k.extract().map_err(|_| refuse("recode", expected, &k))?;
            let inner = v.cast::<PyDict>().map_err(|_| refuse("recode", expected, &v))?;
            for (label, value) in inner.iter() {
                let label: String = if label.is_instance_of::<pyo3::types::PyString>() {
                    label.extract()?
                } else if label.is_instance_of::<pyo3::types::PyBool>() {
                    return Err(refuse("recode", "labels as text or numbers", &label));
                } else {
                    let x: f64 = label.extract().map_err(|_| refuse("recode", "labels as text or numbers", &label))?;
                    if x.fract() == 0.0 && x.abs() < 1e15 { format!("{}", x as i64) } else { format!("{x}") }
                };
                let target = if value.is_instance_of::<pyo3::types::PyBool>() {
                    RecodeTarget::Text(if value.extract::<bool>()? { "true".into() } else { "false".into() })
                } else if let Ok(t) = value.extract::<String>() {
                    RecodeTarget::Text(t)
                } else {
                    RecodeTarget::Number(value.extract().map_err(|_| refuse("recode", "values as numbers or text", &value))?)
                };
                out.push((column.clone(), label, target));
            }
        }
        out.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
        Ok(out)
    }
    /// `excel={"sheet": "Feuil1"}` or `{"sheet": 0}` (0-based position).
    pub fn excel(obj: &Bound<'_, PyAny>) -> PyResult<Option<crate::data::SheetChoice>> {
        use pyo3::types::PyDict;
        if obj.is_none() {
            return Ok(None);
        }
        let expected = "a dict {'sheet': name or 0-based position}";
        let d = obj.cast::<PyDict>().map_err(|_| refuse("excel", expected, obj))?;
        let mut out = None;
        for (k, v) in d.iter() {
            let key: String = k.extract().map_err(|_| refuse("excel", expected, &k))?;
            if key != "sheet" {
                return Err(MiroirError::InvalidArgument { argument: "excel".into(), detail: format!("unknown key '{key}' (expected sheet)") }.into());
            }
            if v.is_instance_of::<pyo3::types::PyBool>() {
                return Err(refuse("excel['sheet']", "a sheet name or a 0-based position", &v));
            }
            out = Some(if let Ok(name) = v.extract::<String>() {
                crate::data::SheetChoice::Name(name)
            } else {
                crate::data::SheetChoice::Index(v.extract().map_err(|_| refuse("excel['sheet']", "a sheet name or a 0-based position", &v))?)
            });
        }
        Ok(out)
    }
    pub fn constants(obj: &Bound<'_, PyAny>) -> PyResult<Option<HashMap<String, String>>> {
        mapping(obj, "constants")
    }
    pub fn item_scales(obj: &Bound<'_, PyAny>) -> PyResult<Option<HashMap<String, (f64, f64)>>> {
        if obj.is_none() {
            return Ok(None);
        }
        obj.extract().map(Some).map_err(|_| refuse("item_scales", "a dict of item column -> (low, high)", obj))
    }
    pub fn reverse_items(obj: &Bound<'_, PyAny>) -> PyResult<Option<Vec<String>>> {
        if obj.is_none() {
            return Ok(None);
        }
        if obj.is_instance_of::<pyo3::types::PyString>() {
            return Err(refuse("reverse_items", "a list of item column names", obj));
        }
        obj.extract().map(Some).map_err(|_| refuse("reverse_items", "a list of item column names", obj))
    }
    pub fn min_items_answered(obj: &Bound<'_, PyAny>) -> PyResult<Option<usize>> {
        if obj.is_none() {
            return Ok(None);
        }
        if obj.is_instance_of::<pyo3::types::PyBool>() {
            return Err(refuse("min_items_answered", "a whole number", obj));
        }
        obj.extract().map(Some).map_err(|_| refuse("min_items_answered", "a whole number", obj))
    }
    pub fn engagement_items(obj: &Bound<'_, PyAny>) -> PyResult<Option<Vec<String>>> {
        if obj.is_none() {
            return Ok(None);
        }
        if obj.is_instance_of::<pyo3::types::PyString>() {
            return Err(refuse("engagement_items", "a list of column names", obj));
        }
        obj.extract().map(Some).map_err(|_| refuse("engagement_items", "a list of column names", obj))
    }
}

#[pymethods]
impl PySchema {
    #[new]
    #[pyo3(signature = (
        *, employees=None, customers=None, mentions=None, verbatims=None, satisfaction_scale=(0.0, 10.0),
        satisfied_threshold=7.0, engagement_items=None, item_scale=(1.0, 5.0),
        min_group_size=5, min_text_group_size=10, csv=Default::default(), missing_codes=Default::default(), constants=None,
        item_scales=None, reverse_items=None, min_items_answered=None, missing_satisfaction="drop",
        excel=None, recode=Vec::new()
    ))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        #[pyo3(from_py_with = schema_arg::employees)] employees: Option<HashMap<String, String>>,
        #[pyo3(from_py_with = schema_arg::customers)] customers: Option<HashMap<String, String>>,
        #[pyo3(from_py_with = schema_arg::mentions)] mentions: Option<HashMap<String, String>>,
        #[pyo3(from_py_with = schema_arg::verbatims)] verbatims: Option<HashMap<String, String>>,
        #[pyo3(from_py_with = schema_arg::satisfaction_scale)] satisfaction_scale: (f64, f64),
        #[pyo3(from_py_with = schema_arg::satisfied_threshold)] satisfied_threshold: f64,
        #[pyo3(from_py_with = schema_arg::engagement_items)] engagement_items: Option<Vec<String>>,
        #[pyo3(from_py_with = schema_arg::item_scale)] item_scale: (f64, f64),
        #[pyo3(from_py_with = super::stats::arg::min_group_size)] min_group_size: usize,
        #[pyo3(from_py_with = super::stats::arg::min_text_group_size)] min_text_group_size: usize,
        #[pyo3(from_py_with = schema_arg::csv)] csv: crate::data::schema::CsvOptions,
        #[pyo3(from_py_with = schema_arg::missing_codes)] missing_codes: (
            Vec<crate::data::schema::MissingCode>,
            Vec<(String, Vec<crate::data::schema::MissingCode>)>,
        ),
        #[pyo3(from_py_with = schema_arg::constants)] constants: Option<HashMap<String, String>>,
        #[pyo3(from_py_with = schema_arg::item_scales)] item_scales: Option<HashMap<String, (f64, f64)>>,
        #[pyo3(from_py_with = schema_arg::reverse_items)] reverse_items: Option<Vec<String>>,
        #[pyo3(from_py_with = schema_arg::min_items_answered)] min_items_answered: Option<usize>,
        missing_satisfaction: &str,
        #[pyo3(from_py_with = schema_arg::excel)] excel: Option<crate::data::SheetChoice>,
        #[pyo3(from_py_with = schema_arg::recode)] recode: Vec<(String, String, crate::data::schema::RecodeTarget)>,
    ) -> PyResult<Self> {
        let mut b = Schema::builder();
        for (table, map) in [
            (Table::Employees, employees),
            (Table::Customers, customers),
            (Table::Mentions, mentions),
            (Table::Verbatims, verbatims),
        ] {
            let mut pairs: Vec<(String, String)> = map.unwrap_or_default().into_iter().collect();
            pairs.sort();
            for (source, target) in pairs {
                b = b.map_column(table, &source, &target);
            }
        }
        b = b
            .satisfaction_scale(satisfaction_scale.0, satisfaction_scale.1)
            .satisfied_threshold(satisfied_threshold)
            .min_group_size(min_group_size)
            .min_text_group_size(min_text_group_size);
        if let Some(items) = engagement_items {
            b = b.engagement_items(items, item_scale.0, item_scale.1);
        }
        for (column, label, value) in recode {
            b = b.recode(&column, &label, value);
        }
        if let Some(sheet) = excel {
            b = b.excel_sheet(sheet);
        }
        b = b.csv(csv).missing_codes(missing_codes.0).missing_satisfaction(std::str::FromStr::from_str(missing_satisfaction)?);
        for (column, codes) in missing_codes.1 {
            b = b.column_missing_codes(&column, codes);
        }
        let mut constants: Vec<(String, String)> = constants.unwrap_or_default().into_iter().collect();
        constants.sort();
        for (column, value) in constants {
            b = b.constant(&column, &value);
        }
        let mut scales: Vec<(String, (f64, f64))> = item_scales.unwrap_or_default().into_iter().collect();
        scales.sort_by(|a, b| a.0.cmp(&b.0));
        for (item, (lo, hi)) in scales {
            b = b.item_scale_of(&item, lo, hi);
        }
        if let Some(r) = reverse_items {
            b = b.reverse_items(r);
        }
        if let Some(k) = min_items_answered {
            b = b.min_items_answered(k);
        }
        Ok(PySchema { inner: b.build()? })
    }

    /// How CSV files are read: `{"separator", "encoding", "decimal_comma"}` (None = detected).
    #[getter]
    fn csv<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, pyo3::types::PyDict>> {
        let c = self.inner.csv();
        let d = pyo3::types::PyDict::new(py);
        d.set_item("separator", c.separator.map(|b| (b as char).to_string()))?;
        d.set_item("encoding", c.encoding.clone())?;
        d.set_item("decimal_comma", c.decimal_comma)?;
        Ok(d)
    }
    /// Constant columns (column -> value).
    #[getter]
    fn constants(&self) -> HashMap<String, String> {
        self.inner.constants().iter().map(|(k, v)| (k.clone(), v.clone())).collect()
    }
    /// Missing codes: `{"*": [...], column: [...]}` (numbers as float, texts as str).
    #[getter]
    fn missing_codes(&self, py: Python<'_>) -> PyResult<HashMap<String, Vec<Py<PyAny>>>> {
        use crate::data::schema::MissingCode;
        let conv = |c: &MissingCode| -> PyResult<Py<PyAny>> {
            Ok(match c {
                MissingCode::Number(x) => x.into_pyobject(py)?.into_any().unbind(),
                MissingCode::Text(t) => t.into_pyobject(py)?.into_any().unbind(),
            })
        };
        let (global, by) = self.inner.missing_codes();
        let mut out = HashMap::new();
        if !global.is_empty() {
            out.insert("*".to_string(), global.iter().map(conv).collect::<PyResult<_>>()?);
        }
        for (k, v) in by {
            out.insert(k.clone(), v.iter().map(conv).collect::<PyResult<_>>()?);
        }
        Ok(out)
    }
    /// The schema as TOML (a `[schema]` table, as in a reproduce spec).
    fn to_toml(&self) -> String {
        crate::reproduce::spec::schema_to_toml(&self.inner)
    }
    /// Reads a schema file (`schema.toml`: a `[schema]` table).
    #[staticmethod]
    fn from_toml(path: PathBuf) -> PyResult<PySchema> {
        let text = std::fs::read_to_string(&path).map_err(|e| crate::MiroirError::Io {
            path: path.display().to_string(),
            detail: format!("cannot read the schema file: {e}"),
        })?;
        Ok(PySchema { inner: crate::reproduce::spec::parse_schema_file(&text, &path.display().to_string())? })
    }
    /// A schema from the text of a schema file (what `to_toml` writes).
    #[staticmethod]
    fn from_toml_text(text: &str) -> PyResult<PySchema> {
        Ok(PySchema { inner: crate::reproduce::spec::parse_schema_file(text, "<schema>")? })
    }
    /// Pickling (a schema crosses process boundaries: multiprocessing, Dask workers) through
    /// its TOML text, which states every setting.
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<(Bound<'py, PyAny>, (String,))> {
        let rebuild = py.get_type::<PySchema>().getattr("from_toml_text")?;
        Ok((rebuild, (self.to_toml(),)))
    }
    /// `{"sheet": name or position}` when the schema names the workbooks' sheet, else `{}`.
    #[getter]
    fn excel<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, pyo3::types::PyDict>> {
        let d = pyo3::types::PyDict::new(py);
        match self.inner.excel_sheet() {
            Some(crate::data::SheetChoice::Name(n)) => d.set_item("sheet", n)?,
            Some(crate::data::SheetChoice::Index(i)) => d.set_item("sheet", *i)?,
            None => {}
        }
        Ok(d)
    }
    /// Answers recoded by label: column -> {label: value}.
    #[getter]
    fn recode(&self, py: Python<'_>) -> PyResult<HashMap<String, HashMap<String, Py<PyAny>>>> {
        use crate::data::schema::RecodeTarget;
        let mut out = HashMap::new();
        for (column, map) in self.inner.recodes() {
            let mut m = HashMap::new();
            for (label, value) in map {
                let v = match value {
                    RecodeTarget::Number(x) => x.into_pyobject(py)?.into_any().unbind(),
                    RecodeTarget::Text(t) => t.into_pyobject(py)?.into_any().unbind(),
                };
                m.insert(label.clone(), v);
            }
            out.insert(column.clone(), m);
        }
        Ok(out)
    }
    /// `"drop"` or `"refuse"`: customers without a satisfaction answer.
    #[getter]
    fn missing_satisfaction(&self) -> &'static str {
        self.inner.missing_satisfaction().as_str()
    }
    #[getter]
    fn reverse_items(&self) -> Vec<String> {
        self.inner.engagement_items().map(|i| i.reverse.clone()).unwrap_or_default()
    }
    #[getter]
    fn item_scales(&self) -> HashMap<String, (f64, f64)> {
        self.inner.engagement_items().map(|i| i.item_scales.clone().into_iter().collect()).unwrap_or_default()
    }
    #[getter]
    fn min_items_answered(&self) -> Option<usize> {
        self.inner.engagement_items().and_then(|i| i.min_answered)
    }

    /// Client column -> canonical column, per table.
    #[getter]
    fn columns(&self) -> HashMap<String, HashMap<String, String>> {
        Table::ALL
            .iter()
            .map(|t| {
                let m = self.inner.rename(*t).map(|(a, b)| (a.to_string(), b.to_string())).collect();
                (t.as_str().to_string(), m)
            })
            .collect()
    }
    #[getter]
    fn satisfaction_scale(&self) -> (f64, f64) {
        self.inner.satisfaction_scale()
    }
    #[getter]
    fn satisfied_threshold(&self) -> f64 {
        self.inner.satisfied_threshold()
    }
    #[getter]
    fn engagement_items(&self) -> Option<Vec<String>> {
        self.inner.engagement_items().map(|i| i.columns.clone())
    }
    #[getter]
    fn item_scale(&self) -> Option<(f64, f64)> {
        self.inner.engagement_items().map(|i| i.scale)
    }
    #[getter]
    fn min_group_size(&self) -> usize {
        self.inner.min_group_size()
    }
    #[getter]
    fn min_text_group_size(&self) -> usize {
        self.inner.min_text_group_size()
    }

    fn __repr__(&self) -> String {
        format!(
            "Schema(satisfaction_scale={:?}, satisfied_threshold={}, engagement_items={:?}, \
             min_group_size={}, min_text_group_size={}, columns={:?})",
            self.inner.satisfaction_scale(),
            self.inner.satisfied_threshold(),
            self.engagement_items(),
            self.inner.min_group_size(),
            self.inner.min_text_group_size(),
            Table::ALL
                .iter()
                .map(|t| (t.as_str(), self.inner.rename(*t).collect::<Vec<_>>()))
                .filter(|(_, m)| !m.is_empty())
                .collect::<Vec<_>>()
        )
    }
}

/// A validated mirror study (the core object behind `miroir.Study`).
#[pyclass(name = "Study", module = "miroir._core", frozen)]
pub struct PyStudy {
    pub inner: Study,
}

#[pymethods]
impl PyStudy {
    #[new]
    #[pyo3(signature = (employees, customers, mentions=None, schema=None))]
    fn new(
        py: Python<'_>,
        employees: PyDataFrame,
        customers: PyDataFrame,
        mentions: Option<PyDataFrame>,
        schema: Option<PySchema>,
    ) -> PyResult<Self> {
        let schema = schema.map(|s| s.inner).unwrap_or_default();
        let inner = py.detach(|| Study::new(employees.0, customers.0, mentions.map(|m| m.0), schema))?;
        Ok(PyStudy { inner })
    }

    #[getter]
    fn employees(&self, py: Python<'_>) -> PyResult<PyDataFrame> {
        Ok(PyDataFrame(py.detach(|| self.inner.employees().cloned())?))
    }
    /// Whether the customers were validated by a streaming scan (not held in memory).
    #[getter]
    fn streamed(&self) -> bool {
        self.inner.is_scanned()
    }
    #[getter]
    fn customers(&self, py: Python<'_>) -> PyResult<PyDataFrame> {
        Ok(PyDataFrame(py.detach(|| self.inner.customers().cloned())?))
    }
    #[getter]
    fn mentions(&self, py: Python<'_>) -> PyResult<Option<PyDataFrame>> {
        Ok(py.detach(|| self.inner.mentions().map(|m| m.cloned()))?.map(PyDataFrame))
    }
    #[getter]
    fn schema(&self) -> PySchema {
        PySchema { inner: self.inner.schema().clone() }
    }
    #[getter]
    fn warnings(&self) -> Vec<String> {
        self.inner.warnings().to_vec()
    }
    fn summary(&self, py: Python<'_>) -> PyResult<PyDataFrame> {
        Ok(PyDataFrame(py.detach(|| self.inner.summary())?))
    }
}

/// Reads and validates a study from files (`streaming`: None = auto, see `data::Streaming`).
#[pyfunction]
#[pyo3(signature = (employees, customers, mentions=None, schema=None, streaming=None, batch_rows=None))]
fn load_study(
    py: Python<'_>,
    employees: PathBuf,
    customers: PathBuf,
    mentions: Option<PathBuf>,
    schema: Option<PySchema>,
    streaming: Option<bool>,
    #[pyo3(from_py_with = super::stats::arg::batch_rows)] batch_rows: Option<usize>,
) -> PyResult<PyStudy> {
    let schema = schema.map(|s| s.inner).unwrap_or_default();
    let paths = StudyPaths { employees, customers, mentions };
    let mut o = data::LoadOptions::default();
    o.streaming = match streaming {
        None => data::Streaming::Auto,
        Some(true) => data::Streaming::Always,
        Some(false) => data::Streaming::Never,
    };
    if let Some(b) = batch_rows {
        o.batch_rows = b;
    }
    let inner = super::stats::interruptible_owned(py, move || data::load_study_with(&paths, schema, &o))??;
    Ok(PyStudy { inner })
}

/// `employees.*`, `customers.*`, `mentions.*` (optional) in a folder, as paths.
#[pyfunction]
fn study_paths(dir: PathBuf) -> PyResult<(PathBuf, PathBuf, Option<PathBuf>)> {
    let p = StudyPaths::from_dir(&dir)?;
    Ok((p.employees, p.customers, p.mentions))
}

/// Reads one table (CSV or Parquet) without validating it.
#[pyfunction]
fn read_table(py: Python<'_>, path: PathBuf) -> PyResult<PyDataFrame> {
    Ok(PyDataFrame(py.detach(|| data::read_table(&path))?))
}

super::synth_verbatims::synth_fn! {
    /// Generates and validates the synthetic mirror study.
    #[pyo3(signature = (studies=20, employees=20_000, customers=100_000, seed=0, wave=0))]
    fn synthetic_study(py) -> PyResult<PyStudy>, |cfg| {
        let inner = super::stats::interruptible_owned(py, move || crate::synth::synthetic_study(&cfg))??;
        Ok(PyStudy { inner })
    }
}

/// Reads one table's file without validating it, its key columns as text (as `load_study`).
#[pyfunction]
#[pyo3(signature = (path, table, schema=None))]
fn read_table_for(py: Python<'_>, path: PathBuf, table: &str, schema: Option<PySchema>) -> PyResult<PyDataFrame> {
    let table = Table::parse(table)?;
    let schema = schema.map(|s| s.inner).unwrap_or_default();
    Ok(PyDataFrame(py.detach(|| data::read_table_for(&path, table, &schema))?))
}

/// Validates a verbatims table against a study's respondents (`crate::data::verbatims`):
/// the validated table and the data-quality warnings.
#[pyfunction]
fn clean_verbatims(py: Python<'_>, verbatims: PyDataFrame, study: &PyStudy) -> PyResult<(PyDataFrame, Vec<String>)> {
    let inner = &study.inner;
    let out = py.detach(|| -> crate::error::Result<_> {
        crate::data::verbatims::clean_verbatims(
            verbatims.0,
            inner.schema(),
            inner.employees()?,
            inner.customers()?,
            inner.customers_dropped() > 0,
        )
    })?;
    Ok((PyDataFrame(out.df), out.warnings))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(read_table_for, m)?)?;
    m.add_function(wrap_pyfunction!(clean_verbatims, m)?)?;
    m.add_class::<PySchema>()?;
    m.add_class::<PyStudy>()?;
    m.add_function(wrap_pyfunction!(load_study, m)?)?;
    m.add_function(wrap_pyfunction!(study_paths, m)?)?;
    m.add_function(wrap_pyfunction!(read_table, m)?)?;
    m.add_function(wrap_pyfunction!(synthetic_study, m)?)?;
    Ok(())
}
