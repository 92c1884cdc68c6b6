//! Raw synthetic verbatims (French and English) with their true codes (issue 14, part 6).
