//! Logistic regression on sparse TF-IDF rows (issue 14, part 3).
