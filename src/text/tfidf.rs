//! TF-IDF vectoriser (issue 14, part 3).
