//! Wall-clock time as Unix seconds: token expiry, renewal due times and state files all
//! count in it (servers send `expires_in` relative to their clock; we store absolute
//! times so that a sleep or a restart does not stretch a token's life).

use std::time::{SystemTime, UNIX_EPOCH};

/// Now, in whole seconds since the Unix epoch (0 if the clock is before it).
pub fn now_secs() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}
