//! Where a profile's in-app sign-in window keeps its browser data (the server's login
//! cookies), and how that session is forgotten.
//!
//! Why a new directory rather than deleting the files: WebKit keeps a context's cookies in
//! its network process, so deleting the files of a directory still in use would not log
//! anyone out, while a new directory is a new, empty context for certain. For the same
//! reason a directory is never used twice: the first sign-in of a profile draws a random
//! ID too, so a profile removed and added again under its name gets a context of its own,
//! not the old account's still in memory. The layout: `webviews/NAME/ID`, the ID in
//! `webviews/NAME/current`. (WebView2 on Windows takes the directory as its user data
//! folder; WKWebView on macOS gets a data store named for it.)

use std::path::PathBuf;

use crate::error::{Error, Result};
use crate::profile::validate_name;
use crate::store::config::write_atomic;
use crate::store::paths::{private_dir, Paths};

/// The profile's own browser data now: the directory `current` names, or a new one (a
/// random ID, written to `current`) if none is named. (`0`, the name earlier builds gave a
/// profile's first directory, is kept where found.) When the new name cannot be written,
/// the directory is still the new one: the window opens, and the next one draws again.
pub fn data_dir(paths: &Paths, profile: &str) -> PathBuf {
    let dir = paths.webview_dir(profile);
    let current = std::fs::read_to_string(dir.join("current"))
        .ok()
        .map(|id| id.trim().to_string())
        .filter(|id| !id.is_empty() && id.chars().all(|c| c.is_ascii_hexdigit()));
    match current {
        Some(id) => dir.join(id),
        None if dir.join("0").is_dir() => dir.join("0"),
        None => {
            let id = new_id();
            let named = private_dir(&dir)
                .map_err(|e| Error::io(dir.display().to_string(), e))
                .and_then(|()| write_atomic(&dir.join("current"), id.as_bytes()));
            if let Err(e) = named {
                tracing::warn!(profile, "cannot name the sign-in window's browser data: {e}");
            }
            dir.join(id)
        }
    }
}

/// Forget the profile's browser session: the next sign-in window starts with no cookies.
/// `keep` false (the profile is removed) deletes everything of it.
pub fn forget(paths: &Paths, profile: &str, keep: bool) -> Result<()> {
    validate_name(profile)?;
    let dir = paths.webview_dir(profile);
    if !keep {
        return match std::fs::remove_dir_all(&dir) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(Error::io(dir.display().to_string(), e)),
            _ => Ok(()),
        };
    }
    private_dir(&dir).map_err(|e| Error::io(dir.display().to_string(), e))?;
    let id = new_id();
    write_atomic(&dir.join("current"), id.as_bytes())?;
    for entry in std::fs::read_dir(&dir).map_err(|e| Error::io(dir.display().to_string(), e))?.flatten() {
        if entry.file_name() != "current" && entry.file_name() != id.as_str() && entry.path().is_dir() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
    Ok(())
}

/// 64 bits no other directory of this profile had: a name, not a secret.
fn new_id() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0));
    format!("{:016x}", h.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forgetting_starts_a_new_directory_and_deletes_the_old_ones() {
        let home = tempfile::tempdir().unwrap();
        let paths = Paths::in_dir(home.path().to_path_buf());
        let first = data_dir(&paths, "lab");
        std::fs::create_dir_all(first.join("cookies")).unwrap();
        assert_eq!(data_dir(&paths, "lab"), first, "the same directory until forgotten");
        forget(&paths, "lab", true).unwrap();
        let second = data_dir(&paths, "lab");
        assert_ne!(second, first);
        assert!(!first.exists(), "the old session's files are gone");
        forget(&paths, "lab", false).unwrap();
        assert!(!paths.webview_dir("lab").exists(), "a removed profile keeps nothing");
        assert!(forget(&paths, "../lab", true).is_err(), "a name that is no profile's touches nothing");
    }
}
