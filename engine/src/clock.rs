//! Wall-clock time as Unix seconds: token expiry, renewal due times and state files all
//! count in it (servers send `expires_in` relative to their clock; we store absolute
//! times so that a sleep or a restart does not stretch a token's life).
//!
//! A seam, as the HTTP transport and the secret store are: the engine reads the time
//! through a [`Clock`], so tests can stand at any moment ([`ManualClock`]) instead of
//! waiting for a token to expire.

#[cfg(test)]
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// Now, in whole seconds since the Unix epoch (0 if the clock is before it).
pub fn now_secs() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// Where the engine reads the time.
pub trait Clock: Send + Sync {
    /// Now, in Unix seconds.
    fn now(&self) -> u64;
}

/// The system's wall clock.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> u64 {
        now_secs()
    }
}

/// A clock that stands still until told to move (tests).
#[derive(Debug, Default)]
#[cfg(test)]
pub struct ManualClock(AtomicU64);

#[cfg(test)]
impl ManualClock {
    pub fn at(secs: u64) -> Self {
        Self(AtomicU64::new(secs))
    }

    pub fn advance(&self, secs: u64) {
        self.0.fetch_add(secs, Ordering::SeqCst);
    }
}

#[cfg(test)]
impl Clock for ManualClock {
    fn now(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }
}
