//! The random streams of the resamples and the integers drawn from them (Lemire's method).

use rand::RngCore;
use rand_chacha::ChaCha8Rng;

/// The random stream of resample `i`: a clone of the seeded generator moved to stream `i`.
pub(crate) fn stream(base: &ChaCha8Rng, i: u64) -> ChaCha8Rng {
    let mut rng = base.clone();
    rng.set_stream(i);
    rng
}

/// Uniform integer in `[0, n)`, `n >= 1` (Lemire 2019, "Fast random integer generation in an
/// interval", ACM TOMACS 29(1)): multiply-shift, rejecting the biased low products.
#[inline]
pub(crate) fn below(rng: &mut ChaCha8Rng, n: u64) -> u64 {
    if n <= u64::from(u32::MAX) {
        let n = n as u32;
        let mut m = u64::from(rng.next_u32()) * u64::from(n);
        if (m as u32) < n {
            let threshold = n.wrapping_neg() % n;
            while (m as u32) < threshold {
                m = u64::from(rng.next_u32()) * u64::from(n);
            }
        }
        m >> 32
    } else {
        let mut m = u128::from(rng.next_u64()) * u128::from(n);
        if (m as u64) < n {
            let threshold = n.wrapping_neg() % n;
            while (m as u64) < threshold {
                m = u128::from(rng.next_u64()) * u128::from(n);
            }
        }
        (m >> 64) as u64
    }
}

/// Calls `f` with `count` uniform integers in `[0, n)` — the same values, in the same order, as
/// `count` calls of [`below`] — generating the words in blocks (faster than word by word).
#[inline]
pub(super) fn for_each_below(rng: &mut ChaCha8Rng, n: u64, count: usize, mut f: impl FnMut(usize)) {
    if n > u64::from(u32::MAX) {
        (0..count).for_each(|_| f(below(rng, n) as usize));
        return;
    }
    let n32 = n as u32;
    // Lemire: a word w is accepted iff the low half of w·n is >= (2^32 - n) mod n
    let threshold = n32.wrapping_neg() % n32;
    let mut bytes = [0u8; 1024];
    let mut done = 0;
    while done < count {
        let want = 4 * (count - done).min(bytes.len() / 4);
        let chunk = &mut bytes[..want];
        rng.fill_bytes(chunk);
        // fill_bytes writes the words of next_u32 in little-endian order
        for c in chunk.chunks_exact(4) {
            let w = u32::from_le_bytes([c[0], c[1], c[2], c[3]]);
            let m = u64::from(w) * n;
            if (m as u32) >= threshold {
                f((m >> 32) as usize);
                done += 1;
            }
        }
    }
}
