//! Saved models: the versioned little-endian binary layout of a [`TextClassifier`], closed by
//! an FNV-1a 64 checksum (see [`super`]).

use super::{ClassifierParams, LinearModel, LogisticParams, TextClassifier};
use crate::error::MiroirError;
use crate::text::normalize::Language;
use crate::text::tfidf::{DfBound, TermOptions, Tfidf, TfidfParams};

const MAGIC: &[u8; 8] = b"MIROIRTC";
/// Version of the saved layout this build writes and the newest it reads.
pub const FORMAT_VERSION: u32 = 1;

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3))
}

struct Writer(Vec<u8>);

impl Writer {
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn f64(&mut self, v: f64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn str(&mut self, s: &str) {
        self.u32(s.len() as u32);
        self.0.extend_from_slice(s.as_bytes());
    }
    fn bound(&mut self, b: DfBound) {
        match b {
            DfBound::Count(c) => {
                self.u8(0);
                self.u64(c);
            }
            DfBound::Proportion(p) => {
                self.u8(1);
                self.f64(p);
            }
        }
    }
}

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        if self.buf.len() - self.pos < n {
            return Err(format!("truncated at byte {}", self.pos));
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }
    fn u8(&mut self) -> Result<u8, String> {
        Ok(self.take(1)?[0])
    }
    fn flag(&mut self) -> Result<bool, String> {
        match self.u8()? {
            0 => Ok(false),
            1 => Ok(true),
            v => Err(format!("invalid flag {v} at byte {}", self.pos - 1)),
        }
    }
    fn u32(&mut self) -> Result<u32, String> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().expect("4 bytes")))
    }
    fn u64(&mut self) -> Result<u64, String> {
        Ok(u64::from_le_bytes(self.take(8)?.try_into().expect("8 bytes")))
    }
    fn usize(&mut self) -> Result<usize, String> {
        let v = self.u64()?;
        usize::try_from(v).map_err(|_| format!("count {v} too large"))
    }
    fn f64(&mut self) -> Result<f64, String> {
        Ok(f64::from_le_bytes(self.take(8)?.try_into().expect("8 bytes")))
    }
    /// `n` f64 values, checked to fit in what is left before allocating.
    fn f64s(&mut self, n: usize) -> Result<Vec<f64>, String> {
        let bytes = self.take(n.checked_mul(8).ok_or("count too large")?)?;
        Ok(bytes.chunks_exact(8).map(|c| f64::from_le_bytes(c.try_into().expect("8 bytes"))).collect())
    }
    fn str(&mut self) -> Result<String, String> {
        let n = self.u32()? as usize;
        let at = self.pos;
        String::from_utf8(self.take(n)?.to_vec()).map_err(|_| format!("invalid UTF-8 text at byte {at}"))
    }
    fn bound(&mut self) -> Result<DfBound, String> {
        match self.u8()? {
            0 => Ok(DfBound::Count(self.u64()?)),
            1 => Ok(DfBound::Proportion(self.f64()?)),
            t => Err(format!("invalid document-frequency bound tag {t}")),
        }
    }
}

impl TextClassifier {
    /// The model in the saved layout (see the module documentation).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer(Vec::new());
        w.0.extend_from_slice(MAGIC);
        w.u32(FORMAT_VERSION);
        let p = &self.params;
        w.u8(match p.language {
            None => 0,
            Some(Language::Fr) => 1,
            Some(Language::En) => 2,
        });
        w.u64(p.seed);
        let t = &p.tfidf;
        w.u32(t.terms.ngram_range.0 as u32);
        w.u32(t.terms.ngram_range.1 as u32);
        w.u8(u8::from(t.terms.stop_words));
        w.bound(t.min_df);
        w.bound(t.max_df);
        w.u64(t.max_features.map_or(0, |m| m as u64));
        w.u8(u8::from(t.sublinear_tf));
        let l = &p.logistic;
        w.f64(l.c);
        w.f64(l.tol);
        w.u64(l.max_iter);
        w.u8(u8::from(l.balanced));
        w.u64(l.memory as u64);
        w.u64(self.tfidf.n_docs as u64);
        w.u64(self.tfidf.vocabulary.len() as u64);
        self.tfidf.vocabulary.iter().for_each(|s| w.str(s));
        self.tfidf.idf.iter().for_each(|&v| w.f64(v));
        w.u8(u8::from(self.multi_label));
        w.u64(self.labels.len() as u64);
        self.labels.iter().for_each(|s| w.str(s));
        w.u64(self.models.len() as u64);
        for m in &self.models {
            w.u8(u8::from(m.softmax));
            w.u64(m.n_out as u64);
            w.u64(m.n_iter);
            w.u8(u8::from(m.converged));
            m.coef.iter().for_each(|&v| w.f64(v));
            m.intercept.iter().for_each(|&v| w.f64(v));
        }
        let sum = fnv1a(&w.0);
        w.u64(sum);
        w.0
    }

    /// A model read back from [`TextClassifier::to_bytes`]; anything else is a file error
    /// naming `path` and what is wrong.
    pub fn from_bytes(bytes: &[u8], path: &str) -> Result<TextClassifier, MiroirError> {
        Self::parse(bytes).map_err(|detail| MiroirError::Io { path: path.into(), detail: format!("not a usable miroir classifier: {detail}") })
    }

    fn parse(bytes: &[u8]) -> Result<TextClassifier, String> {
        if bytes.len() < 20 || &bytes[..8] != MAGIC {
            return Err("not a miroir classifier file (no MIROIRTC header)".into());
        }
        let (body, tail) = bytes.split_at(bytes.len() - 8);
        let mut r = Reader { buf: body, pos: 8 };
        let version = r.u32()?;
        if version == 0 || version > FORMAT_VERSION {
            return Err(format!("format version {version}, this miroir reads versions 1 to {FORMAT_VERSION}"));
        }
        if u64::from_le_bytes(tail.try_into().expect("8 bytes")) != fnv1a(body) {
            return Err("checksum mismatch (the file is corrupt or truncated)".into());
        }
        let language = match r.u8()? {
            0 => None,
            1 => Some(Language::Fr),
            2 => Some(Language::En),
            v => return Err(format!("invalid language code {v}")),
        };
        let seed = r.u64()?;
        let ngram_range = (r.u32()? as usize, r.u32()? as usize);
        let stop_words = r.flag()?;
        let min_df = r.bound()?;
        let max_df = r.bound()?;
        let max_features = match r.usize()? {
            0 => None,
            m => Some(m),
        };
        let sublinear_tf = r.flag()?;
        let logistic = LogisticParams { c: r.f64()?, tol: r.f64()?, max_iter: r.u64()?, balanced: r.flag()?, memory: r.usize()? };
        let params = ClassifierParams {
            language,
            seed,
            tfidf: TfidfParams { terms: TermOptions { ngram_range, stop_words }, min_df, max_df, max_features, sublinear_tf },
            logistic,
        };
        params.check().map_err(|e| format!("invalid settings: {e}"))?;
        let n_docs = r.usize()?;
        let n_terms = r.usize()?;
        if n_terms > body.len() {
            return Err(format!("{n_terms} terms cannot fit in {} bytes", body.len()));
        }
        let vocabulary = (0..n_terms).map(|_| r.str()).collect::<Result<Vec<_>, _>>()?;
        let idf = r.f64s(n_terms)?;
        let tfidf = Tfidf::from_parts(params.tfidf, vocabulary, idf, n_docs)?;
        let multi_label = r.flag()?;
        let n_labels = r.usize()?;
        if n_labels > body.len() {
            return Err(format!("{n_labels} labels cannot fit in {} bytes", body.len()));
        }
        let labels = (0..n_labels).map(|_| r.str()).collect::<Result<Vec<_>, _>>()?;
        if labels.windows(2).any(|w| w[0] >= w[1]) || labels.len() < if multi_label { 1 } else { 2 } {
            return Err("labels not sorted, duplicated or too few".into());
        }
        let n_models = r.usize()?;
        let expected = if multi_label { labels.len() } else { 1 };
        if n_models != expected {
            return Err(format!("{n_models} models for {expected} expected"));
        }
        let mut models = Vec::with_capacity(n_models);
        for _ in 0..n_models {
            let softmax = r.flag()?;
            let n_out = r.usize()?;
            let want = if multi_label || labels.len() == 2 { (false, 1) } else { (true, labels.len()) };
            if (softmax, n_out) != want {
                return Err(format!("a model with {n_out} outputs where {} are expected", want.1));
            }
            let n_iter = r.u64()?;
            let converged = r.flag()?;
            let coef = r.f64s(n_terms.checked_mul(n_out).ok_or("size overflow")?)?;
            let intercept = r.f64s(n_out)?;
            if coef.iter().chain(&intercept).any(|v| !v.is_finite()) {
                return Err("non-finite weights".into());
            }
            models.push(LinearModel { softmax, n_out, coef, intercept, n_iter, converged });
        }
        if r.pos != body.len() {
            return Err(format!("{} unexpected bytes after the model", body.len() - r.pos));
        }
        Ok(TextClassifier { params, tfidf, labels, multi_label, models })
    }
}

