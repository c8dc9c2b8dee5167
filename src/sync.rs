//! The crate's only door to concurrency primitives: the lock, the atomics, the per-thread
//! number, and padding.
//!
//! `parking_lot` is named here and nowhere else (`clippy.toml` forbids `std::sync::Mutex`,
//! `std::sync::RwLock` and the `parking_lot` types elsewhere), so that the choice of lock can
//! change in one place. Built with `RUSTFLAGS="--cfg loom"`, every primitive here is
//! [loom](https://docs.rs/loom)'s instead, so that the model tests of `src/checks/request/cache/loom.rs`
//! explore every interleaving (and every value a relaxed load may return) of the verdict
//! cache's protocol; `docs/testing.md` says how to run them.

#![allow(clippy::disallowed_types)] // This module is the one place allowed to name them.

#[cfg(not(loom))]
pub(crate) use core::sync::atomic::{fence, AtomicBool, AtomicU32, AtomicU64, AtomicU8, Ordering};
#[cfg(loom)]
pub(crate) use loom::sync::atomic::{fence, AtomicBool, AtomicU32, AtomicU64, AtomicU8, Ordering};

/// A small number for the calling thread, fixed for its lifetime: the first thread that asks
/// gets 0, the next 1, and so on (wrapping). 0 while the thread is being torn down.
#[cfg(not(loom))]
#[inline]
pub(crate) fn thread_number() -> usize {
    use core::sync::atomic::AtomicUsize;
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    thread_local! {
        static NUMBER: usize = NEXT.fetch_add(1, Ordering::Relaxed);
    }
    NUMBER.try_with(|n| *n).unwrap_or(0)
}

/// A small number for the calling thread (loom's threads, numbered afresh in every execution).
#[cfg(loom)]
#[inline]
pub(crate) fn thread_number() -> usize {
    use loom::sync::atomic::AtomicUsize;
    loom::lazy_static! {
        static ref NEXT: AtomicUsize = AtomicUsize::new(0);
    }
    loom::thread_local! {
        static NUMBER: usize = NEXT.fetch_add(1, Ordering::Relaxed);
    }
    NUMBER.try_with(|n| *n).unwrap_or(0)
}

/// A number no earlier call in this process returned (a counter: 2^64 calls would wrap).
#[inline]
pub(crate) fn unique_number() -> u64 {
    static NEXT: core::sync::atomic::AtomicU64 = core::sync::atomic::AtomicU64::new(1);
    NEXT.fetch_add(1, core::sync::atomic::Ordering::Relaxed)
}

/// A mutual-exclusion lock (`parking_lot`'s: no poisoning, one byte, adaptive spinning).
///
/// The verdict cache only ever calls [`Mutex::try_lock`]: a writer that finds the lock taken
/// skips its insert rather than wait, so a check never blocks on another thread. The
/// [`PolicyCache`](crate::PolicyCache), used when documents are set up, waits with
/// [`Mutex::lock`].
#[cfg(not(loom))]
#[derive(Debug, Default)]
pub(crate) struct Mutex<T>(parking_lot::Mutex<T>);

/// The guard of a held [`Mutex`].
#[cfg(not(loom))]
pub(crate) type MutexGuard<'a, T> = parking_lot::MutexGuard<'a, T>;

#[cfg(not(loom))]
impl<T> Mutex<T> {
    /// A new unlocked mutex holding `value`.
    pub(crate) const fn new(value: T) -> Mutex<T> {
        Mutex(parking_lot::Mutex::new(value))
    }

    /// Takes the lock, waiting for it if another thread holds it. Only the
    /// [`PolicyCache`](crate::PolicyCache) waits, and only while a document is set up: a check
    /// never calls this.
    #[inline]
    pub(crate) fn lock(&self) -> MutexGuard<'_, T> {
        self.0.lock()
    }

    /// Takes the lock if it is free, without waiting.
    #[inline]
    pub(crate) fn try_lock(&self) -> Option<MutexGuard<'_, T>> {
        self.0.try_lock()
    }
}

/// loom's mutex, with the same two operations.
#[cfg(loom)]
#[derive(Debug, Default)]
pub(crate) struct Mutex<T>(loom::sync::Mutex<T>);

/// The guard of a held [`Mutex`].
#[cfg(loom)]
pub(crate) type MutexGuard<'a, T> = loom::sync::MutexGuard<'a, T>;

#[cfg(loom)]
impl<T> Mutex<T> {
    /// A new unlocked mutex holding `value`.
    pub(crate) fn new(value: T) -> Mutex<T> {
        Mutex(loom::sync::Mutex::new(value))
    }

    /// Takes the lock, waiting for it if another thread holds it.
    pub(crate) fn lock(&self) -> MutexGuard<'_, T> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Takes the lock if it is free, without waiting.
    pub(crate) fn try_lock(&self) -> Option<MutexGuard<'_, T>> {
        self.0.try_lock().ok()
    }
}

/// Aligns (and so pads) a value to 128 bytes, two cache lines: values that different threads
/// write never share a line, nor the line the adjacent-line prefetcher pairs with it.
#[derive(Debug, Default)]
#[repr(align(128))]
pub(crate) struct CachePadded<T>(pub(crate) T);

impl<T> core::ops::Deref for CachePadded<T> {
    type Target = T;

    #[inline]
    fn deref(&self) -> &T {
        &self.0
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn try_lock_does_not_wait() {
        let m = Mutex::new(1u8);
        let g = m.try_lock();
        assert!(g.is_some());
        assert!(m.try_lock().is_none());
        drop(g);
        assert!(m.try_lock().is_some());
    }

    #[test]
    fn thread_numbers_differ_between_threads_and_stay_fixed() {
        let mine = thread_number();
        assert_eq!(thread_number(), mine);
        let other = std::thread::spawn(thread_number).join().unwrap();
        assert_ne!(other, mine);
    }

    #[test]
    fn padding_is_two_lines() {
        assert_eq!(core::mem::align_of::<CachePadded<u8>>(), 128);
        assert_eq!(core::mem::size_of::<CachePadded<u64>>(), 128);
    }
}
