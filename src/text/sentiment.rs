//! Lexicon valence of a text, per clause (issue 14, part 2).
