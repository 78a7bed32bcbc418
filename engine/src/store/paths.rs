//! Where Latchkey keeps its files.
//!
//! One function decides, so the CLI, the desktop app and the tests agree. The
//! `LATCHKEY_CONFIG_DIR` variable moves everything (settings, locks, non-secret state)
//! under one directory, which is how tests get a fresh store each.

use std::path::{Path, PathBuf};

use sha2::Digest;

use crate::error::{Error, Result};

/// Keyring service name of the default store.
pub(crate) const DEFAULT_KEYRING_SERVICE: &str = "latchkey";

/// Environment variable that overrides the configuration directory.
pub(crate) const CONFIG_DIR_ENV: &str = "LATCHKEY_CONFIG_DIR";

/// Environment variable that names the system folder a lab's admin fills (tests, portable
/// setups); see [`Paths::system_dir`].
pub(crate) const SYSTEM_DIR_ENV: &str = "LATCHKEY_SYSTEM_CONFIG_DIR";

/// The system folder where no variable names one: what only an administrator can write.
fn default_system_dir() -> Option<PathBuf> {
    if cfg!(windows) {
        std::env::var_os("ProgramData").filter(|d| !d.is_empty()).map(|d| PathBuf::from(d).join("Latchkey"))
    } else if cfg!(target_os = "macos") {
        Some(PathBuf::from("/Library/Application Support/Latchkey"))
    } else {
        Some(PathBuf::from("/etc/latchkey"))
    }
}

fn system_dir_from_env() -> Option<PathBuf> {
    std::env::var_os(SYSTEM_DIR_ENV).filter(|d| !d.is_empty()).map(PathBuf::from)
}

#[derive(Debug, Clone)]
pub struct Paths {
    config_dir: PathBuf,
    state_dir: PathBuf,
    keyring_service: String,
    system_dir: Option<PathBuf>,
}

impl Paths {
    /// Resolve from `LATCHKEY_CONFIG_DIR`, else the platform's config and state dirs; the
    /// system folder from `LATCHKEY_SYSTEM_CONFIG_DIR`, else the platform's.
    pub fn from_env() -> Result<Self> {
        if let Some(dir) = std::env::var_os(CONFIG_DIR_ENV).filter(|d| !d.is_empty()) {
            let mut paths = Self::in_dir(PathBuf::from(dir));
            paths.system_dir = system_dir_from_env().or_else(default_system_dir);
            return Ok(paths);
        }
        let dirs = directories::ProjectDirs::from("uk.ac", "Latchkey", "latchkey").ok_or(Error::NoConfigDir)?;
        let state_dir = dirs.state_dir().map(Path::to_path_buf).unwrap_or_else(|| dirs.data_local_dir().to_path_buf());
        Ok(Self {
            config_dir: dirs.config_dir().to_path_buf(),
            state_dir,
            keyring_service: DEFAULT_KEYRING_SERVICE.to_string(),
            system_dir: system_dir_from_env().or_else(default_system_dir),
        })
    }

    /// Everything under one directory (used with `LATCHKEY_CONFIG_DIR` and in tests); the
    /// system folder only where `LATCHKEY_SYSTEM_CONFIG_DIR` names one.
    pub fn in_dir(dir: PathBuf) -> Self {
        // A store in its own directory gets its own keyring namespace, so two stores
        // (or two tests) never see each other's secrets.
        let digest = sha2::Sha256::digest(dir.to_string_lossy().as_bytes());
        let tag: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
        Self {
            state_dir: dir.join("state"),
            config_dir: dir,
            keyring_service: format!("{DEFAULT_KEYRING_SERVICE}:{tag}"),
            system_dir: system_dir_from_env(),
        }
    }

    /// The folder a lab's admin fills for every user of the computer (`servers.d/`, the
    /// lab's servers): `/etc/latchkey` on Linux, `%ProgramData%\Latchkey` on Windows,
    /// `/Library/Application Support/Latchkey` on macOS, or what
    /// `LATCHKEY_SYSTEM_CONFIG_DIR` names.
    pub fn system_dir(&self) -> Option<&Path> {
        self.system_dir.as_deref()
    }

    /// The keyring service name secrets of this store are filed under.
    pub fn keyring_service(&self) -> &str {
        &self.keyring_service
    }

    pub fn config_dir(&self) -> &Path {
        &self.config_dir
    }

    /// The profile settings file (TOML, no secrets).
    pub fn config_file(&self) -> PathBuf {
        self.config_dir.join("profiles.toml")
    }

    /// Non-secret state: token expiry, "needs sign-in", last error; and the lock files.
    pub fn state_dir(&self) -> &Path {
        &self.state_dir
    }

    /// The token agent's socket ([`crate::agent`]): in the user's runtime dir, one per
    /// store (the keyring namespace names it), else beside the state.
    pub fn agent_socket(&self) -> PathBuf {
        let name = format!("{}.sock", self.keyring_service.replace(':', "-"));
        match std::env::var_os("XDG_RUNTIME_DIR").filter(|d| !d.is_empty()) {
            Some(run) => PathBuf::from(run).join("latchkey").join(name),
            None => self.state_dir.join(name),
        }
    }

    /// The browser data of a profile's sign-in window (its cookies at the server), in
    /// directories named by random IDs under this one (the desktop's `catch/window.rs`).
    pub fn webview_dir(&self, profile: &str) -> PathBuf {
        self.state_dir.join("webviews").join(profile)
    }

    /// Where logs go.
    pub fn log_dir(&self) -> PathBuf {
        self.state_dir.join("logs")
    }

    /// Make Latchkey's own directories the user's alone (0700 on Unix), those an earlier
    /// version left at the umask's 0755 too. Best effort: a directory that cannot be
    /// changed is left, and said in the log. (On Windows they sit in the user's profile,
    /// whose folders only the user and the system can open.)
    pub fn make_private(&self) {
        #[cfg(unix)]
        for dir in [&self.config_dir, &self.state_dir] {
            use std::os::unix::fs::PermissionsExt;
            match std::fs::metadata(dir) {
                Ok(m) if m.permissions().mode() & 0o077 != 0 => {
                    if let Err(e) = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)) {
                        tracing::warn!(dir = %dir.display(), "cannot make the directory private: {e}");
                    }
                }
                _ => {}
            }
        }
    }
}

/// Create `dir` and any missing parent for Latchkey's files; each directory created is
/// the user's alone (0700 on Unix). An existing directory is left as it is (it may be
/// the home directory, for `~/.ocarina-tokens`).
pub(crate) fn private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Options to create or open one of Latchkey's files (logs, locks): new ones are the
/// user's alone (0600 on Unix).
pub(crate) fn private_file() -> std::fs::OpenOptions {
    #[allow(unused_mut)] // only Unix sets a mode
    let mut options = std::fs::OpenOptions::new();
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
}
