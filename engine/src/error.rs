//! The one error type of the engine.
//!
//! Every message is complete on its own and never contains a secret; `code()` is a
//! stable identifier the UI and scripts can branch on; `hint()` says what to do next;
//! `exit_code()` is what the CLI exits with. Text is made from these in exactly two
//! places: the CLI (`main.rs`) and the desktop app's `error.rs`.
//!
//! "Sign-in needed" is an error here only because a caller asked for a token that
//! cannot be had without a person; nothing stored is destroyed on the way.

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

    #[error("the {what} endpoint `{url}` is plain http; Latchkey sends secrets there, so it must be https (http is allowed only for loopback addresses)")]
    InsecureEndpoint { what: String, url: String },

    #[error("cannot read {path}: {reason}")]
    ConfigUnreadable { path: PathBuf, reason: String },

    #[error("{path} was written by a newer Latchkey (format {found}, this one reads up to {supported})")]
    ConfigTooNew { path: PathBuf, found: u32, supported: u32 },

    #[error("cannot write {path}: {source}")]
    ConfigWrite { path: PathBuf, source: std::io::Error },

    #[error("no configuration directory could be determined (is $HOME set?)")]
    NoConfigDir,

    #[error("keyring unavailable: {0}")]
    KeyringUnavailable(String),

    #[error("profile `{profile}` needs you to sign in: {reason}")]
    SignInNeeded { profile: String, reason: String },

    #[error("profile `{0}` has no client id yet")]
    NotRegistered(String),

    #[error("the callback does not belong to this sign-in: {0}")]
    CallbackRejected(String),

    #[error("the server refused the sign-in: {error}{}", description.as_ref().map(|d| format!(" ({d})")).unwrap_or_default())]
    AuthorizationDenied { error: String, description: Option<String> },

    #[error("{}", scope_refused_message(*.majora, scopes))]
    ScopeRefused { profile: String, scopes: Vec<String>, majora: bool },

    #[error("Majora refused the sign-in because your account has no two-factor authentication{}", description.as_ref().map(|d| format!(" (the server said: {d})")).unwrap_or_default())]
    TwoFactorRequired { profile: String, description: Option<String> },

    #[error("{}{}", if *had_initial_token { "the server refused the initial access token: it may have expired or been used up" } else { "the server allows registration only with an initial access token from its administrator" }, description.as_ref().map(|d| format!(" (the server said: {d})")).unwrap_or_default())]
    RegistrationRefused { profile: String, had_initial_token: bool, description: Option<String> },

    #[error("the server does not accept the client id or secret (invalid_client)")]
    ClientRejected,

    #[error(
        "the server refused the authorization code: it has expired, was already used, or belongs to another client"
    )]
    CodeRejected,

    #[error("the server answered with an error: {error}{}", description.as_ref().map(|d| format!(" ({d})")).unwrap_or_default())]
    ServerError { error: String, description: Option<String> },

    #[error("the server's answer could not be understood ({0})")]
    BadResponse(String),

    #[error("cannot reach {url}: {reason}")]
    Network { url: String, reason: String },

    #[error("discovery found no OAuth metadata at {0}")]
    DiscoveryFailed(String),

    #[error("the server does not offer {0}")]
    Unsupported(String),

    #[error("sign-in was cancelled: {0}")]
    Cancelled(String),

    #[error("another Latchkey process holds the lock on `{0}` for too long")]
    LockTimeout(String),

    #[error("{host} is not this profile's server, so Latchkey did not send it your token")]
    ForeignHost { host: String },

    #[error("{0}")]
    Io(String),
}

fn scope_refused_message(majora: bool, scopes: &[String]) -> String {
    let asked = scopes.join(", ");
    if majora {
        format!(
            "your Majora account lacks the permission for one of the chosen scopes (invalid_scope); asked for: {asked}"
        )
    } else {
        format!("the server refused one of the requested scopes (invalid_scope); asked for: {asked}")
    }
}

/// What kind of error: one per [`Error`] variant, written in kebab-case (`sign-in-needed`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "kebab-case")]
pub enum ErrorCode {
    UnknownProfile,
    ProfileExists,
    InvalidProfileName,
    Usage,
    InsecureEndpoint,
    ConfigUnreadable,
    ConfigTooNew,
    ConfigWrite,
    NoConfigDir,
    KeyringUnavailable,
    SignInNeeded,
    NotRegistered,
    CallbackRejected,
    AuthorizationDenied,
    ScopeRefused,
    TwoFactorRequired,
    ClientRejected,
    CodeRejected,
    ServerError,
    RegistrationRefused,
    BadResponse,
    Network,
    DiscoveryFailed,
    Unsupported,
    Cancelled,
    LockTimeout,
    ForeignHost,
    Io,
}

impl ErrorCode {
    /// Every code, for checks that a list elsewhere has them all.
    pub const ALL: [ErrorCode; 28] = [
        ErrorCode::UnknownProfile,
        ErrorCode::ProfileExists,
        ErrorCode::InvalidProfileName,
        ErrorCode::Usage,
        ErrorCode::InsecureEndpoint,
        ErrorCode::ConfigUnreadable,
        ErrorCode::ConfigTooNew,
        ErrorCode::ConfigWrite,
        ErrorCode::NoConfigDir,
        ErrorCode::KeyringUnavailable,
        ErrorCode::SignInNeeded,
        ErrorCode::NotRegistered,
        ErrorCode::CallbackRejected,
        ErrorCode::AuthorizationDenied,
        ErrorCode::ScopeRefused,
        ErrorCode::TwoFactorRequired,
        ErrorCode::ClientRejected,
        ErrorCode::CodeRejected,
        ErrorCode::ServerError,
        ErrorCode::RegistrationRefused,
        ErrorCode::BadResponse,
        ErrorCode::Network,
        ErrorCode::DiscoveryFailed,
        ErrorCode::Unsupported,
        ErrorCode::Cancelled,
        ErrorCode::LockTimeout,
        ErrorCode::ForeignHost,
        ErrorCode::Io,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::UnknownProfile => "unknown-profile",
            ErrorCode::ProfileExists => "profile-exists",
            ErrorCode::InvalidProfileName => "invalid-profile-name",
            ErrorCode::Usage => "usage",
            ErrorCode::InsecureEndpoint => "insecure-endpoint",
            ErrorCode::ConfigUnreadable => "config-unreadable",
            ErrorCode::ConfigTooNew => "config-too-new",
            ErrorCode::ConfigWrite => "config-write",
            ErrorCode::NoConfigDir => "no-config-dir",
            ErrorCode::KeyringUnavailable => "keyring-unavailable",
            ErrorCode::SignInNeeded => "sign-in-needed",
            ErrorCode::NotRegistered => "not-registered",
            ErrorCode::CallbackRejected => "callback-rejected",
            ErrorCode::AuthorizationDenied => "authorization-denied",
            ErrorCode::ScopeRefused => "scope-refused",
            ErrorCode::TwoFactorRequired => "two-factor-required",
            ErrorCode::ClientRejected => "client-rejected",
            ErrorCode::CodeRejected => "code-rejected",
            ErrorCode::ServerError => "server-error",
            ErrorCode::RegistrationRefused => "registration-refused",
            ErrorCode::BadResponse => "bad-response",
            ErrorCode::Network => "network",
            ErrorCode::DiscoveryFailed => "discovery-failed",
            ErrorCode::Unsupported => "unsupported",
            ErrorCode::Cancelled => "cancelled",
            ErrorCode::LockTimeout => "lock-timeout",
            ErrorCode::ForeignHost => "foreign-host",
            ErrorCode::Io => "io",
        }
    }
}

impl Error {
    /// A stable identifier for this kind of error (shared with the UI).
    /// A stable identifier the UI and scripts branch on (`kind().as_str()`).
    pub fn code(&self) -> &'static str {
        self.kind().as_str()
    }

    /// The kind of error, as a closed set: the desktop's TypeScript gets it as a union.
    pub fn kind(&self) -> ErrorCode {
        match self {
            Error::UnknownProfile(_) => ErrorCode::UnknownProfile,
            Error::ProfileExists(_) => ErrorCode::ProfileExists,
            Error::InvalidProfileName(_) => ErrorCode::InvalidProfileName,
            Error::Usage(_) => ErrorCode::Usage,
            Error::InsecureEndpoint { .. } => ErrorCode::InsecureEndpoint,
            Error::ConfigUnreadable { .. } => ErrorCode::ConfigUnreadable,
            Error::ConfigTooNew { .. } => ErrorCode::ConfigTooNew,
            Error::ConfigWrite { .. } => ErrorCode::ConfigWrite,
            Error::NoConfigDir => ErrorCode::NoConfigDir,
            Error::KeyringUnavailable(_) => ErrorCode::KeyringUnavailable,
            Error::SignInNeeded { .. } => ErrorCode::SignInNeeded,
            Error::NotRegistered(_) => ErrorCode::NotRegistered,
            Error::CallbackRejected(_) => ErrorCode::CallbackRejected,
            Error::AuthorizationDenied { .. } => ErrorCode::AuthorizationDenied,
            Error::ScopeRefused { .. } => ErrorCode::ScopeRefused,
            Error::TwoFactorRequired { .. } => ErrorCode::TwoFactorRequired,
            Error::ClientRejected => ErrorCode::ClientRejected,
            Error::CodeRejected => ErrorCode::CodeRejected,
            Error::ServerError { .. } => ErrorCode::ServerError,
            Error::RegistrationRefused { .. } => ErrorCode::RegistrationRefused,
            Error::BadResponse(_) => ErrorCode::BadResponse,
            Error::Network { .. } => ErrorCode::Network,
            Error::DiscoveryFailed(_) => ErrorCode::DiscoveryFailed,
            Error::Unsupported(_) => ErrorCode::Unsupported,
            Error::Cancelled(_) => ErrorCode::Cancelled,
            Error::LockTimeout(_) => ErrorCode::LockTimeout,
            Error::ForeignHost { .. } => ErrorCode::ForeignHost,
            Error::Io(_) => ErrorCode::Io,
        }
    }

    /// What the user can do about it, when there is something to say.
    pub fn hint(&self) -> Option<String> {
        Some(match self {
            Error::UnknownProfile(_) => "Run `latchkey profile list` to see the profiles you have.".into(),
            Error::ProfileExists(name) => {
                format!("Choose another name, or remove the old one with `latchkey profile remove {name}`.")
            }
            Error::InsecureEndpoint { .. } => "Use the server's https address.".into(),
            Error::ConfigUnreadable { path, .. } => {
                format!("Fix or move {} aside; Latchkey will not overwrite it.", path.display())
            }
            Error::ConfigTooNew { .. } => "Upgrade Latchkey, or use the version that wrote this file.".into(),
            Error::NoConfigDir => "Set LATCHKEY_CONFIG_DIR to a writable directory.".into(),
            Error::KeyringUnavailable(_) => "Unlock your keyring (or start a Secret Service such as \
                gnome-keyring in this session) and try again. Latchkey never stores secrets in \
                plain files."
                .into(),
            Error::SignInNeeded { profile, .. } => {
                format!("Run `latchkey login {profile}` to sign in again.")
            }
            Error::NotRegistered(profile) => format!(
                "Run `latchkey register {profile}`, or add the client id with \
                 `latchkey profile add {profile} ... --client-id ID`."
            ),
            Error::CallbackRejected(_) => "Start the sign-in again and use the address from \
                that attempt; links from older or other sign-ins are never accepted."
                .into(),
            Error::AuthorizationDenied { .. } => "Sign in again and choose \"Authorize\" on the server's page.".into(),
            Error::ScopeRefused { profile, majora: true, .. } => format!(
                "Untick the task or scope your account may not use (`latchkey profile set {profile} \
                 --tasks ...` or `--scopes ...`, or the profile's scopes in the app), or ask your \
                 Majora administrator to grant you the permission; then sign in again."
            ),
            Error::ScopeRefused { profile, .. } => format!(
                "Ask for fewer scopes (`latchkey profile set {profile} --scopes ...`, or the \
                 profile's scopes in the app), or ask the server's administrator; then sign in again."
            ),
            Error::TwoFactorRequired { profile, .. } => format!(
                "Set up two-factor authentication on your Majora account page (Profile, then \
                 \"Enable 2FA\"), then sign in again with `latchkey login {profile}`."
            ),
            Error::RegistrationRefused { profile, had_initial_token, .. } => format!(
                "Ask the server's administrator for {} initial access token and run `latchkey register \
                 {profile} --initial-access-token-stdin`, or ask for a client id and secret and give them \
                 with `latchkey profile set-client {profile} --client-id ID --client-secret-stdin`.",
                if *had_initial_token { "a new" } else { "an" }
            ),
            Error::ClientRejected => "Check the client id and secret against the server's \
                application page, then update the profile."
                .into(),
            Error::CodeRejected => "Sign in again; authorization codes are valid for a minute \
                and can be used only once."
                .into(),
            Error::Network { .. } | Error::BadResponse(_) | Error::ServerError { .. } => {
                "Your stored tokens are unchanged. Check your connection or the server's status \
                 and try again."
                    .into()
            }
            Error::DiscoveryFailed(_) => "Check the issuer URL, or give the endpoints by hand \
                with --authorize-url and --token-url."
                .into(),
            Error::LockTimeout(_) => "Check for a stuck `latchkey` process and try again.".into(),
            Error::ForeignHost { .. } => {
                "Check the address. If you trust that host with your token, confirm to send it anyway.".into()
            }
            _ => return None,
        })
    }

    /// The process exit code the CLI uses for this error (see `latchkey --help`).
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::UnknownProfile(_)
            | Error::ProfileExists(_)
            | Error::InvalidProfileName(_)
            | Error::Usage(_)
            | Error::InsecureEndpoint { .. }
            | Error::ForeignHost { .. }
            | Error::NotRegistered(_) => 2,
            Error::SignInNeeded { .. }
            | Error::CallbackRejected(_)
            | Error::AuthorizationDenied { .. }
            | Error::ScopeRefused { .. }
            | Error::TwoFactorRequired { .. }
            | Error::CodeRejected
            | Error::Cancelled(_) => 3,
            Error::ClientRejected
            | Error::RegistrationRefused { .. }
            | Error::ServerError { .. }
            | Error::BadResponse(_)
            | Error::Network { .. }
            | Error::DiscoveryFailed(_)
            | Error::Unsupported(_) => 4,
            Error::KeyringUnavailable(_) => 5,
            Error::ConfigUnreadable { .. }
            | Error::ConfigTooNew { .. }
            | Error::ConfigWrite { .. }
            | Error::NoConfigDir
            | Error::LockTimeout(_)
            | Error::Io(_) => 1,
        }
    }

    /// Whether the problem is passing (network, 5xx): tokens are kept and a retry may work.
    pub fn is_transient(&self) -> bool {
        matches!(self, Error::Network { .. } | Error::BadResponse(_) | Error::ServerError { .. })
    }
}

#[cfg(test)]
mod code_tests {
    use super::ErrorCode;

    #[test]
    fn each_code_is_written_as_serde_writes_it() {
        for code in ErrorCode::ALL {
            assert_eq!(serde_json::to_value(code).unwrap(), code.as_str(), "{code:?}");
        }
    }
}
