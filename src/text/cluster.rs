//! Spherical k-means for theme discovery (issue 14, part 4).
