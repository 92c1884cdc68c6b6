//! The example verbatim of a theme and side: its most frequent text, the first in byte order
//! among equally frequent ones, counted on the texts' hashes and confirmed on the texts.

use crate::data::columns::FastMap;
use crate::error::Result;
use polars::prelude::StringChunked;

/// Calls its argument on the mention texts, `(first row, texts)` slice by slice.
pub(crate) type VisitTexts<'a> = dyn Fn(&mut dyn FnMut(usize, &StringChunked) -> Result<()>) -> Result<()> + 'a;

/// The most frequent text of each cell (the first in byte order among equally frequent ones);
/// `cell[i]` is mention i's cell, `None` to leave it out. Texts are counted on their hashes
/// (`hash[i]`, see [`crate::data::index::text_hash`]; 0 for no text), and only the texts of the
/// most frequent hashes are then read (`visit`). Every text counted under such a hash is
/// compared with the first one read, so two texts sharing a hash are caught and their cell is
/// counted again on the texts themselves.
pub(crate) fn example_texts(visit: &VisitTexts<'_>, hash: &[u64], cell: &[Option<usize>], n_cells: usize) -> Result<Vec<Option<String>>> {
    let mut freq: FastMap<(usize, u64), u32> = FastMap::default();
    for (h, c) in hash.iter().zip(cell) {
        if let (h @ 1.., Some(c)) = (*h, c) {
            *freq.entry((*c, h)).or_default() += 1;
        }
    }
    let mut out: Vec<Option<String>> = vec![None; n_cells];
    if freq.is_empty() {
        return Ok(out);
    }
    let mut top = vec![0u32; n_cells];
    for (&(c, _), &n) in &freq {
        top[c] = top[c].max(n);
    }
    // the winners: first in byte order among the texts counted `top` times; the first text read
    // of each such hash (counted more than once) must equal all the others
    let mut first: FastMap<(usize, u64), String> = FastMap::default();
    let mut collided = vec![false; n_cells];
    visit(&mut |offset, texts| {
        for (j, t) in texts.iter().enumerate() {
            let (Some(t), h @ 1.., Some(c)) = (t, hash[offset + j], cell[offset + j]) else { continue };
            // (a text without a count: the file no longer holds the texts that were hashed)
            if freq.get(&(c, h)) != Some(&top[c]) {
                continue;
            }
            let n = top[c];
            if n > 1 {
                match first.get(&(c, h)) {
                    Some(f) if f != t => collided[c] = true,
                    Some(_) => {}
                    None => {
                        first.insert((c, h), t.to_string());
                    }
                }
            }
            if out[c].as_deref().is_none_or(|best| t < best) {
                out[c] = Some(t.to_string());
            }
        }
        Ok(())
    })?;
    if collided.iter().any(|&c| c) {
        // a hash shared by different texts: count these cells on the texts
        let mut exact: FastMap<(usize, String), u32> = FastMap::default();
        visit(&mut |offset, texts| {
            for (j, t) in texts.iter().enumerate() {
                if let (Some(t), Some(c)) = (t, cell[offset + j]) {
                    if collided[c] && hash[offset + j] != 0 {
                        *exact.entry((c, t.to_string())).or_default() += 1;
                    }
                }
            }
            Ok(())
        })?;
        let mut best: Vec<Option<(u32, String)>> = vec![None; n_cells];
        for ((c, t), n) in exact {
            let b = &mut best[c];
            if b.as_ref().is_none_or(|(bn, bt)| n > *bn || (n == *bn && t < *bt)) {
                *b = Some((n, t));
            }
        }
        for (c, b) in best.into_iter().enumerate() {
            if collided[c] {
                out[c] = b.map(|(_, t)| t);
            }
        }
    }
    Ok(out)
}

/// Distinct texts of a cell with their numbers of mentions, sorted by text.
pub(crate) type TextCounts = Vec<(String, u32)>;

/// Every distinct text of each cell with its number of mentions (sorted by text), for the
/// partial results: the example of a cell of several studies is the [`most_frequent`] of the
/// studies' counts added up, which is what [`example_texts`] finds on all the mentions at once.
/// `cell[i]` and `hash[i]` as in [`example_texts`] (a mention without text, hash 0, is not
/// counted). Mentions are grouped by (cell, hash) and each text is compared with the texts
/// already seen under its hash, so texts sharing a hash are counted apart.
pub(crate) fn text_counts(visit: &VisitTexts<'_>, hash: &[u64], cell: &[Option<usize>], n_cells: usize) -> Result<Vec<TextCounts>> {
    let mut seen: FastMap<(usize, u64), Vec<(String, u32)>> = FastMap::default();
    visit(&mut |offset, texts| {
        for (j, t) in texts.iter().enumerate() {
            let (Some(t), h @ 1.., Some(c)) = (t, hash[offset + j], cell[offset + j]) else { continue };
            let under = seen.entry((c, h)).or_default();
            match under.iter_mut().find(|(s, _)| s == t) {
                Some((_, n)) => *n += 1,
                None => under.push((t.to_string(), 1)),
            }
        }
        Ok(())
    })?;
    let mut out: Vec<TextCounts> = vec![Vec::new(); n_cells];
    for ((c, _), texts) in seen {
        out[c].extend(texts);
    }
    for texts in &mut out {
        texts.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    }
    Ok(out)
}

/// The most frequent text of counts `(text, mentions)` (a text may come several times, its
/// counts are added), the first in byte order among equally frequent ones; `None` without any.
pub(crate) fn most_frequent<'a>(counts: impl IntoIterator<Item = (&'a str, u32)>) -> Option<String> {
    let mut total: std::collections::BTreeMap<&str, u64> = Default::default();
    for (t, n) in counts {
        *total.entry(t).or_default() += u64::from(n);
    }
    let mut best: Option<(&str, u64)> = None;
    for (t, n) in total {
        // in byte order: a later text wins only with strictly more mentions
        if best.is_none_or(|(_, b)| n > b) {
            best = Some((t, n));
        }
    }
    best.map(|(t, _)| t.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::index::text_hash;
    use polars::prelude::NewChunkedArray;

    /// Runs `example_texts` over `texts` read in slices of `slice` rows.
    fn examples(texts: &[Option<&str>], hash: &[u64], cell: &[Option<usize>], n_cells: usize, slice: usize) -> Vec<Option<String>> {
        let visit = |each: &mut dyn FnMut(usize, &StringChunked) -> Result<()>| -> Result<()> {
            for (k, part) in texts.chunks(slice).enumerate() {
                each(k * slice, &StringChunked::from_slice_options("text".into(), part))?;
            }
            Ok(())
        };
        let got = example_texts(&visit, hash, cell, n_cells).unwrap();
        // the partial path: distinct texts counted, then the most frequent of the counts
        let counts = text_counts(&visit, hash, cell, n_cells).unwrap();
        let via: Vec<Option<String>> = counts.iter().map(|c| most_frequent(c.iter().map(|(t, n)| (t.as_str(), *n)))).collect();
        assert_eq!(via, got, "counts of the texts");
        // and from the mentions cut in two (as two studies), their counts added up
        let cut = texts.len() / 2;
        let halves: Vec<Vec<TextCounts>> = [(0, cut), (cut, texts.len())]
            .into_iter()
            .map(|(a, b)| {
                let visit = |each: &mut dyn FnMut(usize, &StringChunked) -> Result<()>| -> Result<()> {
                    each(0, &StringChunked::from_slice_options("text".into(), &texts[a..b]))
                };
                text_counts(&visit, &hash[a..b], &cell[a..b], n_cells).unwrap()
            })
            .collect();
        let merged: Vec<Option<String>> = (0..n_cells)
            .map(|c| most_frequent(halves.iter().flat_map(|h| h[c].iter().map(|(t, n)| (t.as_str(), *n)))))
            .collect();
        assert_eq!(merged, got, "counts of two halves added up");
        got
    }

    #[test]
    fn the_most_frequent_text_then_the_first_in_byte_order() {
        let texts = [Some("b"), Some("a"), Some("b"), Some("c"), None, Some("z"), Some("y"), Some("x"), Some("q")];
        let hash: Vec<u64> = texts.iter().map(|t| t.map_or(0, text_hash)).collect();
        // cell 0: b twice; cell 1: z, y, x once each (x first in byte order); "q" left out
        let cell = [Some(0), Some(0), Some(0), Some(0), Some(0), Some(1), Some(1), Some(1), None];
        for slice in [1, 2, 4, 9] {
            let got = examples(&texts, &hash, &cell, 3, slice);
            assert_eq!(got, vec![Some("b".to_string()), Some("x".to_string()), None], "slices of {slice}");
        }
    }

    #[test]
    fn texts_sharing_a_hash_are_counted_on_the_texts() {
        // every text given the same hash: counted by hash alone the four are one text, shown as
        // "u" (first in byte order); counted on the texts, "v" is the most frequent
        let texts = [Some("u"), Some("v"), Some("v"), Some("w")];
        let hash = [7u64, 7, 7, 9];
        let cell = [Some(0); 4];
        for slice in [1, 3, 4] {
            assert_eq!(examples(&texts, &hash, &cell, 1, slice), vec![Some("v".to_string())]);
        }
        // a shared hash that does not reach the top count needs no recount
        let texts = [Some("u"), Some("v"), Some("w"), Some("w"), Some("w")];
        let hash = [7u64, 7, 9, 9, 9];
        assert_eq!(examples(&texts, &hash, &[Some(0); 5], 1, 2), vec![Some("w".to_string())]);
    }
}
