//! Cross-process locks: one refresher per profile, one writer of the settings file.
//!
//! Majora's refresh tokens rotate with no grace period: if two processes (the tray and
//! a script's `latchkey token`) refreshed at once, the loser would present a refresh
//! token the winner had just killed, and the session would be lost. An advisory lock
//! on a file next to the config makes them take turns; the one that waited re-reads the
//! store and usually finds fresh tokens. The OS drops the lock if a process dies.

use std::fs::File;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::error::{Error, Result};
use crate::store::paths::Paths;

/// How long to wait for another process before giving up.
pub(crate) const DEFAULT_WAIT: Duration = Duration::from_secs(90);

/// A held lock; released on drop (or when the process exits).
#[derive(Debug)]
pub(crate) struct FileLock {
    _file: File,
}

impl FileLock {
    /// The lock serializing renewals of one profile.
    pub(crate) fn profile(paths: &Paths, profile: &str) -> Result<Self> {
        Self::acquire(paths.state_dir().join("locks").join(format!("{profile}.lock")), profile, DEFAULT_WAIT)
    }

    /// The lock serializing writes of the settings file.
    pub(crate) fn config(paths: &Paths) -> Result<Self> {
        Self::acquire(paths.state_dir().join("locks").join("profiles.toml.lock"), "profiles.toml", DEFAULT_WAIT)
    }

    fn acquire(path: PathBuf, what: &str, wait: Duration) -> Result<Self> {
        let io = |e: std::io::Error| Error::io(format!("cannot lock {}", path.display()), e);
        if let Some(dir) = path.parent() {
            crate::store::paths::private_dir(dir).map_err(io)?;
        }
        let file =
            crate::store::paths::private_file().create(true).truncate(false).write(true).open(&path).map_err(io)?;
        let start = Instant::now();
        let mut pause = Duration::from_millis(2);
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(Self { _file: file }),
                Err(std::fs::TryLockError::WouldBlock) if start.elapsed() < wait => {
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(Duration::from_millis(50));
                }
                Err(std::fs::TryLockError::WouldBlock) => return Err(Error::LockTimeout(what.into())),
                Err(std::fs::TryLockError::Error(e)) => return Err(io(e)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_holder_waits_for_the_first() {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths::in_dir(dir.path().to_path_buf());
        let first = FileLock::profile(&paths, "p").unwrap();
        let path = paths.state_dir().join("locks/p.lock");
        let err = FileLock::acquire(path.clone(), "p", Duration::from_millis(50)).unwrap_err();
        assert_eq!(err.code(), "lock-timeout");
        drop(first);
        FileLock::acquire(path, "p", Duration::from_millis(50)).unwrap();
    }
}
