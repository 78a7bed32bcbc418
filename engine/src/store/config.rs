//! The profile settings file: one TOML document, written atomically, never a secret.
//!
//! A file Latchkey cannot read (corrupt, or from a newer version) is an error naming
//! the file; it is never overwritten silently, because it may be the only copy of the
//! user's setup.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::profile::{validate_name, Profile};
use crate::store::paths::Paths;

/// The file format this build writes and the newest it reads.
pub(crate) const FORMAT_VERSION: u32 = 1;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Config {
    #[serde(default = "current_format")]
    version: u32,
    #[serde(default)]
    settings: Settings,
    #[serde(default)]
    profiles: BTreeMap<String, Profile>,
}

/// App-wide settings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    /// Renew at this percentage of a token's lifetime (default 75; 50..=95).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renew_at_percent: Option<u8>,
    /// A PEM file of CA certificates trusted beside the system's (an institution's own
    /// CA, or a TLS-inspecting proxy's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extra_ca_file: Option<std::path::PathBuf>,
    /// The profile whose access token the tray and `latchkey agent` keep in the token file
    /// tools look for (`bt_u$UID`, the WLCG discovery standard).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_file_profile: Option<String>,
}

fn current_format() -> u32 {
    FORMAT_VERSION
}

impl Config {
    /// Read the settings file; a missing file is an empty configuration.
    pub fn load(paths: &Paths) -> Result<Self> {
        let path = paths.config_file();
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::new()),
            Err(e) => return Err(Error::ConfigUnreadable { path, reason: e.to_string() }),
        };
        Self::parse(&text, &path)
    }

    /// Parse settings text (separate from I/O for tests and fuzzing).
    pub fn parse(text: &str, path: &Path) -> Result<Self> {
        #[derive(Deserialize)]
        struct Version {
            #[serde(default = "current_format")]
            version: u32,
        }
        let unreadable = |reason: String| Error::ConfigUnreadable { path: path.to_path_buf(), reason };
        let version: Version = toml::from_str(text).map_err(|e| unreadable(e.message().to_string()))?;
        if version.version > FORMAT_VERSION {
            return Err(Error::ConfigTooNew {
                path: path.to_path_buf(),
                found: version.version,
                supported: FORMAT_VERSION,
            });
        }
        let config: Config = toml::from_str(text).map_err(|e| unreadable(e.to_string()))?;
        for (key, profile) in &config.profiles {
            if key != &profile.name || validate_name(key).is_err() {
                return Err(unreadable(format!("profile `{key}` has a bad or mismatched name")));
            }
        }
        Ok(config)
    }

    pub fn new() -> Self {
        Self { version: FORMAT_VERSION, settings: Settings::default(), profiles: BTreeMap::new() }
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    pub fn settings_mut(&mut self) -> &mut Settings {
        &mut self.settings
    }

    /// Profiles in name order.
    pub fn profiles(&self) -> impl Iterator<Item = &Profile> {
        self.profiles.values()
    }

    pub fn get(&self, name: &str) -> Result<&Profile> {
        self.profiles.get(name).ok_or_else(|| Error::UnknownProfile(name.to_string()))
    }

    pub fn get_mut(&mut self, name: &str) -> Result<&mut Profile> {
        self.profiles.get_mut(name).ok_or_else(|| Error::UnknownProfile(name.to_string()))
    }

    pub fn insert(&mut self, profile: Profile) -> Result<()> {
        validate_name(&profile.name)?;
        profile.server.validate()?;
        if self.profiles.contains_key(&profile.name) {
            return Err(Error::ProfileExists(profile.name));
        }
        crate::profile::check_new_name(&profile.name, self.profiles.keys())?;
        self.profiles.insert(profile.name.clone(), profile);
        Ok(())
    }

    /// Profiles of these settings whose names one disk or another cannot keep apart
    /// (written before [`crate::profile::check_new_name`]), each in words.
    pub fn name_clashes(&self) -> Vec<String> {
        crate::profile::name_clashes(self.profiles.keys())
    }

    pub fn remove(&mut self, name: &str) -> Result<Profile> {
        self.profiles.remove(name).ok_or_else(|| Error::UnknownProfile(name.to_string()))
    }

    /// Write the file atomically: a temporary file in the same directory, synced, then
    /// renamed over the old one. Readers see the old or the new file, never half.
    pub fn save(&self, paths: &Paths) -> Result<()> {
        let text = toml::to_string_pretty(self).expect("config serializes");
        write_atomic(&paths.config_file(), text.as_bytes())
    }
}

/// Replace `path` with `bytes` atomically (temp file + fsync + rename), mode 0600.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    write_replacing(path, bytes, true)
}

/// Rewrite a file that is not Latchkey's (another program's settings, such as
/// `mimeapps.list`): through its real path, so a link a dotfiles manager made stays a
/// link to the file it names, keeping the file's mode and leaving its folder as it is.
/// As in [`write_atomic`], the temporary file beside it is created new under a random
/// name, and readers see the old file or the new one.
pub(crate) fn rewrite_in_place(path: &Path, bytes: &[u8]) -> Result<()> {
    let real = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let wrap = |source| Error::ConfigWrite { path: real.clone(), source };
    let dir = real.parent().unwrap_or(Path::new("."));
    let file_name = real.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let mode = std::fs::metadata(&real).ok().map(|m| m.permissions());
    let result = (|| {
        let mut file = tempfile::Builder::new().prefix(&format!(".{file_name}.")).suffix(".tmp").tempfile_in(dir)?;
        file.write_all(bytes)?;
        if let Some(mode) = mode {
            file.as_file().set_permissions(mode)?;
        }
        file.as_file().sync_all()?;
        persist(file, &real)?;
        Ok(())
    })();
    result.map_err(wrap)
}

/// Like [`write_atomic`] (readers see the old file or the new one, never half), but not
/// flushed to disk: for files that only cache what the keyring holds (token state),
/// where a power cut may lose the latest version but never the truth.
pub(crate) fn write_cache_file(path: &Path, bytes: &[u8]) -> Result<()> {
    write_replacing(path, bytes, false)
}

fn write_replacing(path: &Path, bytes: &[u8], durable: bool) -> Result<()> {
    let wrap = |source| Error::ConfigWrite { path: path.to_path_buf(), source };
    let dir = path.parent().unwrap_or(Path::new("."));
    crate::store::paths::private_dir(dir).map_err(wrap)?;
    let file_name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    // The temporary file is created new (O_EXCL: never through a link someone planted)
    // under a random name (none to guess), mode 0600 (tempfile's), and removed if any
    // step fails; the rename then replaces the file, or a link in its place, itself.
    let result = (|| {
        let mut file = tempfile::Builder::new().prefix(&format!(".{file_name}.")).suffix(".tmp").tempfile_in(dir)?;
        file.write_all(bytes)?;
        if durable {
            file.as_file().sync_all()?;
        }
        persist(file, path)?;
        if durable {
            if let Ok(d) = std::fs::File::open(dir) {
                let _ = d.sync_all();
            }
        }
        Ok(())
    })();
    result.map_err(wrap)
}

/// Rename the temporary file over `path`. On Windows a rename over a file that another
/// process has open that moment (the tray re-reading the settings, a virus scanner) is
/// refused with "access denied": it is tried again for up to a second.
fn persist(file: tempfile::NamedTempFile, path: &Path) -> std::io::Result<()> {
    let mut file = file;
    let mut tries = 0;
    loop {
        match file.persist(path) {
            Ok(_) => return Ok(()),
            Err(e) if cfg!(windows) && e.error.kind() == std::io::ErrorKind::PermissionDenied && tries < 20 => {
                tries += 1;
                file = e.file;
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            Err(e) => return Err(e.error),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn a_link_planted_at_a_temporary_name_is_never_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "precious").unwrap();
        let target = dir.path().join("ocarina-tokens");
        // The name the temporary file had before (`.NAME.PID.tmp`), planted by another user.
        let guess = dir.path().join(format!(".ocarina-tokens.{}.tmp", std::process::id()));
        std::os::unix::fs::symlink(&victim, &guess).unwrap();
        write_atomic(&target, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new");
        assert!(!std::fs::symlink_metadata(&target).unwrap().file_type().is_symlink());
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&target).unwrap().permissions().mode() & 0o777, 0o600);
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().map(|e| e.file_name()).collect();
        assert_eq!(left.len(), 3, "no temporary file left behind: {left:?}");
    }

    #[test]
    fn empty_and_missing() {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths::in_dir(dir.path().to_path_buf());
        assert_eq!(Config::load(&paths).unwrap().profiles().count(), 0);
        Config::new().save(&paths).unwrap();
        assert_eq!(Config::load(&paths).unwrap().profiles().count(), 0);
    }

    #[test]
    fn newer_version_is_refused_and_named() {
        let err = Config::parse("version = 7\n", Path::new("/x/profiles.toml")).unwrap_err();
        assert_eq!(err.code(), "config-too-new");
        assert!(err.to_string().contains("/x/profiles.toml"));
    }

    #[test]
    fn corrupt_is_refused_and_named() {
        let err = Config::parse("version = [", Path::new("/x/p.toml")).unwrap_err();
        assert_eq!(err.code(), "config-unreadable");
        assert!(err.to_string().contains("/x/p.toml"));
    }
}
