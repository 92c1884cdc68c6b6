//! Cooperative cancellation of long computations (no Python here: the core stays usable alone).
//!
//! Whoever may want to stop a computation (the Python bindings, on Ctrl-C) creates a
//! [`CancelToken`], runs the computation inside [`CancelToken::run`] on the thread that starts
//! it, and calls [`CancelToken::cancel`] from another thread. Long loops of the kernel (bootstrap
//! and permutation resamples) take a [`Checkpoint`] with [`checkpoint`] on the calling thread,
//! before they fan out to rayon, and poll it: [`Checkpoint::is_cancelled`] is one relaxed atomic
//! load. A cancelled computation returns [`Interrupted`] (`StatsError::Interrupted` in the
//! kernel) as soon as its loops notice, instead of its result.
//!
//! The token is per call, not global: it is the current token of the thread that runs the
//! computation (a thread-local set by [`CancelToken::run`]), so two computations started on two
//! threads with two tokens never cancel each other. A computation started without a token has a
//! checkpoint that is never cancelled. Results never depend on polling: a computation that is
//! not cancelled gives the same result, bit for bit, as without a token.

use std::cell::RefCell;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// A cancellation flag shared between the thread that runs a computation and those that may
/// cancel it. Cloning shares the flag.
#[derive(Clone, Debug, Default)]
pub struct CancelToken(Arc<AtomicBool>);

thread_local! {
    static CURRENT: RefCell<Option<CancelToken>> = const { RefCell::new(None) };
}

impl CancelToken {
    pub fn new() -> Self {
        CancelToken::default()
    }

    /// Asks every computation running under this token to stop.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }

    /// Runs `f` with this token as the current token of this thread (what [`checkpoint`] takes),
    /// then restores the previous one, also when `f` panics.
    pub fn run<T>(&self, f: impl FnOnce() -> T) -> T {
        struct Restore(Option<CancelToken>);
        impl Drop for Restore {
            fn drop(&mut self) {
                let previous = self.0.take();
                CURRENT.with(|c| *c.borrow_mut() = previous);
            }
        }
        let previous = CURRENT.with(|c| c.borrow_mut().replace(self.clone()));
        let _restore = Restore(previous);
        f()
    }
}

/// The computation was cancelled through its [`CancelToken`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interrupted;

impl fmt::Display for Interrupted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("interrupted: the computation was cancelled")
    }
}

impl std::error::Error for Interrupted {}

/// What a long loop polls: the token current on the thread that took it, or none (never
/// cancelled). Cheap to clone and `Sync`, so a rayon closure can capture it by reference.
#[derive(Clone, Debug, Default)]
pub struct Checkpoint(Option<Arc<AtomicBool>>);

impl Checkpoint {
    /// A checkpoint that is never cancelled.
    pub fn never() -> Self {
        Checkpoint(None)
    }

    /// Whether the computation was cancelled (one relaxed atomic load).
    #[inline]
    pub fn is_cancelled(&self) -> bool {
        self.0.as_ref().is_some_and(|f| f.load(Ordering::Relaxed))
    }

    /// `Err(Interrupted)` once the computation was cancelled.
    #[inline]
    pub fn check(&self) -> Result<(), Interrupted> {
        if self.is_cancelled() {
            Err(Interrupted)
        } else {
            Ok(())
        }
    }
}

/// The checkpoint of the current thread's token (see [`CancelToken::run`]). Take it on the
/// thread that starts the computation: rayon's worker threads do not see its token.
pub fn checkpoint() -> Checkpoint {
    CURRENT.with(|c| Checkpoint(c.borrow().as_ref().map(|t| Arc::clone(&t.0))))
}

/// How many iterations a tight sequential loop runs between two polls.
pub const POLL_EVERY: usize = 4096;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_current_only_inside_run_and_only_on_its_thread() {
        assert!(!checkpoint().is_cancelled());
        let t = CancelToken::new();
        t.cancel();
        t.run(|| {
            assert!(checkpoint().is_cancelled());
            assert_eq!(checkpoint().check(), Err(Interrupted));
            // another thread has no token
            std::thread::scope(|s| {
                s.spawn(|| assert!(!checkpoint().is_cancelled()))
                    .join()
                    .unwrap()
            });
            // nested: the inner token wins, the outer one comes back
            CancelToken::new().run(|| assert!(!checkpoint().is_cancelled()));
            assert!(checkpoint().is_cancelled());
        });
        assert!(!checkpoint().is_cancelled());
        // restored after a panic too
        let r = std::panic::catch_unwind(|| t.run(|| panic!("boom")));
        assert!(r.is_err() && !checkpoint().is_cancelled());
    }

    #[test]
    fn two_tokens_are_independent() {
        let (a, b) = (CancelToken::new(), CancelToken::new());
        let ca = a.run(checkpoint);
        let cb = b.run(checkpoint);
        a.cancel();
        assert!(ca.is_cancelled() && !cb.is_cancelled());
        assert!(!Checkpoint::never().is_cancelled());
    }
}
