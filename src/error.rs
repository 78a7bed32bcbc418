//! The one error type of the engine.
//!
//! Every message is complete on its own and never contains a secret; `code()` is a
//! stable identifier the UI and scripts can branch on; `hint()` says what to do next.
//! Text is made from these in exactly two places: the CLI (`main.rs`) and the desktop
//! app's `error.rs`.

use std::path::PathBuf;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("no profile named `{0}`")]
    UnknownProfile(String),

    #[error("a profile named `{0}` already exists")]
    ProfileExists(String),

    #[error("invalid profile name `{0}`: use letters, digits, `-`, `_` or `.` (at most 64)")]
    InvalidProfileName(String),

    #[error("{0}")]
    Usage(String),

    #[error("cannot read {path}: {reason}")]
    ConfigUnreadable { path: PathBuf, reason: String },

    #[error("{path} was written by a newer Latchkey (format {found}, this one reads up to {supported})")]
    ConfigTooNew { path: PathBuf, found: u32, supported: u32 },

    #[error("cannot write {path}: {source}")]
    ConfigWrite { path: PathBuf, source: std::io::Error },

    #[error("the {what} endpoint `{url}` is plain http; Latchkey sends secrets there, so it must be https (http is allowed only for loopback addresses)")]
    InsecureEndpoint { what: String, url: String },

    #[error("keyring unavailable: {0}")]
    KeyringUnavailable(String),

    #[error("no configuration directory could be determined (is $HOME set?)")]
    NoConfigDir,
}

impl Error {
    /// A stable identifier for this kind of error (shared with the UI).
    pub fn code(&self) -> &'static str {
        match self {
            Error::UnknownProfile(_) => "unknown-profile",
            Error::ProfileExists(_) => "profile-exists",
            Error::InvalidProfileName(_) => "invalid-profile-name",
            Error::Usage(_) => "usage",
            Error::ConfigUnreadable { .. } => "config-unreadable",
            Error::ConfigTooNew { .. } => "config-too-new",
            Error::ConfigWrite { .. } => "config-write",
            Error::NoConfigDir => "no-config-dir",
            Error::KeyringUnavailable(_) => "keyring-unavailable",
            Error::InsecureEndpoint { .. } => "insecure-endpoint",
        }
    }

    /// What the user can do about it, when there is something to say.
    pub fn hint(&self) -> Option<String> {
        match self {
            Error::UnknownProfile(_) => {
                Some("Run `latchkey profile list` to see the profiles you have.".into())
            }
            Error::ProfileExists(name) => Some(format!(
                "Choose another name, or remove the old one with `latchkey profile remove {name}`."
            )),
            Error::ConfigUnreadable { path, .. } => Some(format!(
                "Fix or move {} aside; Latchkey will not overwrite it.",
                path.display()
            )),
            Error::ConfigTooNew { .. } => {
                Some("Upgrade Latchkey, or use the version that wrote this file.".into())
            }
            Error::InsecureEndpoint { .. } => {
                Some("Use the server's https address.".into())
            }
            Error::KeyringUnavailable(_) => Some(
                "Unlock your keyring (or start a Secret Service such as gnome-keyring in this \
                 session) and try again. Latchkey never stores secrets in plain files."
                    .into(),
            ),
            Error::NoConfigDir => Some("Set LATCHKEY_CONFIG_DIR to a writable directory.".into()),
            _ => None,
        }
    }

    /// The process exit code the CLI uses for this error (see `latchkey --help`).
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::UnknownProfile(_)
            | Error::ProfileExists(_)
            | Error::InvalidProfileName(_)
            | Error::Usage(_)
            | Error::InsecureEndpoint { .. } => 2,
            Error::ConfigUnreadable { .. }
            | Error::ConfigTooNew { .. }
            | Error::ConfigWrite { .. }
            | Error::NoConfigDir => 1,
            Error::KeyringUnavailable(_) => 5,
        }
    }
}
