//! The compat crate's only door to a lock (as `src/sync.rs` is cspgate's): `parking_lot` is
//! named here and nowhere else in compat/.

#![allow(clippy::disallowed_types)] // This module is the one place allowed to name them.

/// A mutual-exclusion lock (`parking_lot`'s: no poisoning).
#[derive(Debug)]
pub(crate) struct Mutex<T>(parking_lot::Mutex<T>);

/// The guard of a held [`Mutex`].
pub(crate) type MutexGuard<'a, T> = parking_lot::MutexGuard<'a, T>;

impl<T> Mutex<T> {
    /// A new unlocked mutex holding `value`.
    pub(crate) const fn new(value: T) -> Mutex<T> {
        Mutex(parking_lot::Mutex::new(value))
    }

    /// Waits for the lock and takes it.
    #[inline]
    pub(crate) fn lock(&self) -> MutexGuard<'_, T> {
        self.0.lock()
    }
}
