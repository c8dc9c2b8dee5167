//! The crate's only door to lock and padding primitives.
//!
//! `parking_lot` is named here and nowhere else (`clippy.toml` forbids `std::sync::Mutex`,
//! `std::sync::RwLock` and the `parking_lot` types elsewhere), so that the choice of lock can
//! change in one place. Everything else the cache needs is `core::sync::atomic`.

#![allow(clippy::disallowed_types)] // This module is the one place allowed to name them.

/// A mutual-exclusion lock (`parking_lot`'s: no poisoning, one byte, adaptive spinning).
///
/// The verdict cache only ever calls [`Mutex::try_lock`]: a writer that finds the lock taken
/// skips its insert rather than wait, so a check never blocks on another thread. The
/// [`PolicyCache`](crate::PolicyCache), used when documents are set up, waits with
/// [`Mutex::lock`].
#[derive(Debug, Default)]
pub(crate) struct Mutex<T>(parking_lot::Mutex<T>);

/// The guard of a held [`Mutex`].
pub(crate) type MutexGuard<'a, T> = parking_lot::MutexGuard<'a, T>;

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

#[cfg(test)]
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
    fn padding_is_two_lines() {
        assert_eq!(core::mem::align_of::<CachePadded<u8>>(), 128);
        assert_eq!(core::mem::size_of::<CachePadded<u64>>(), 128);
    }
}
