//! The one error type of the engine.
//!
//! Every message is complete on its own and never contains a secret; `code()` is a
//! stable identifier the UI and scripts can branch on; `next_step()` says what to do
//! next as data ([`NextStep`]), never as prose; `exit_code()` is what the CLI exits with.
//! Hints are worded in exactly two places: the CLI (`cli/words.rs`, commands to type)
//! and the desktop (`latchkey-ipc`'s `error.rs`, buttons and fields).
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

    /// A name that is valid text but would not mean one profile on every disk, or on a
    /// command line ([`crate::profile::check_new_name`]).
    #[error("the profile name `{name}` cannot be used: {reason}")]
    ProfileNameRefused { name: String, reason: String, clashes_with: Option<String> },

    #[error("{0}")]
    Usage(String),

    /// The lab's policy fixes this; `why` says so in the policy's words.
    #[error("{setting} cannot be changed: {why}")]
    SetByOrganisation { setting: String, why: String },

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

    #[error("the client secret of `{0}` is missing from the keyring")]
    ClientSecretMissing(String),

    #[error("profile `{profile}` needs you to sign in: {reason}")]
    SignInNeeded { profile: String, reason: String },

    #[error("profile `{0}` has no client id yet")]
    NotRegistered(String),

    #[error("the callback does not belong to this sign-in: {0}")]
    CallbackRejected(String),

    #[error("the server refused the sign-in: {error}{}", description.as_ref().map(|d| format!(" ({d})")).unwrap_or_default())]
    AuthorizationDenied { error: String, description: Option<String> },

    /// `why` is [`crate::preset::why_scopes_refused`]'s sentence, made where the refusal
    /// is caught: only the presets know what a Majora task is.
    #[error("{why}")]
    ScopeRefused { profile: String, scopes: Vec<String>, majora: bool, why: String },

    #[error("Majora refused the sign-in because your account has no two-factor authentication{}", description.as_ref().map(|d| format!(" (the server said: {d})")).unwrap_or_default())]
    TwoFactorRequired { profile: String, description: Option<String> },

    #[error("{}{}", if *had_initial_token { "the server refused the initial access token: it may have expired or been used up" } else { "the server allows registration only with an initial access token from its administrator" }, description.as_ref().map(|d| format!(" (the server said: {d})")).unwrap_or_default())]
    RegistrationRefused { profile: String, had_initial_token: bool, description: Option<String> },

    #[error("the server refused this sign-in before anyone could log in (HTTP {status}): it does not know this client ({client_id}) or its return address")]
    SignInRefused { profile: String, status: u16, client_id: String, redirect_uri: String },

    #[error("the server does not accept the client id or secret (invalid_client)")]
    ClientRejected,

    #[error(
        "the server refused the authorization code: it has expired, was already used, or belongs to another client"
    )]
    CodeRejected,

    #[error("{}", token_too_short_message(*.valid_for, *.wanted, *.same_token))]
    TokenTooShort { profile: String, valid_for: i64, wanted: u64, same_token: bool },

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

    #[error("another Latchkey (latchkey-tray, the app or `latchkey agent`) is already keeping these tokens fresh (it serves {0})")]
    AlreadyRunning(PathBuf),

    /// A local operation failed; `what` says which ("cannot lock …"), the source why.
    #[error("{what}: {source}")]
    Io { what: String, source: std::io::Error },
}

fn token_too_short_message(valid_for: i64, wanted: u64, same_token: bool) -> String {
    let left = seconds(valid_for.max(0) as u64);
    let wanted_text = seconds(wanted);
    if same_token {
        format!(
            "the server handed back the token it had already issued, valid for only {left} more, less than the \
             {wanted_text} asked for (it issues a new one only once that one has expired)"
        )
    } else if wanted == 0 {
        format!("the server issued a token valid for only {left}")
    } else {
        format!("the server issued a token valid for only {left}, less than the {wanted_text} asked for")
    }
}

/// `7200 s (2 h 0 min)`: the seconds a person typed, and what they come to.
fn seconds(s: u64) -> String {
    match s {
        0..=119 => format!("{s} s"),
        120..=7199 => format!("{s} s ({} min)", s / 60),
        _ => format!("{s} s ({} h {} min)", s / 3600, s % 3600 / 60),
    }
}

/// What a person can do about an error, as data. The CLI words it as commands to type
/// (`cli/words.rs`), the desktop as buttons and fields (`latchkey-ipc`'s `error.rs`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NextStep {
    /// The profile named does not exist: pick one that does.
    ChooseExistingProfile,
    /// A profile of that name exists: choose another name or remove it first.
    ChooseAnotherName {
        existing: String,
    },
    UseHttps,
    /// The configuration file cannot be read: fix it or move it aside (it is never overwritten).
    RepairConfig {
        path: PathBuf,
    },
    UpgradeLatchkey,
    SetConfigDir,
    /// The Secret Service is locked or absent; secrets are never put in plain files.
    UnlockKeyring,
    /// The profile has a client secret on record but the keyring lost it.
    GiveClientSecret {
        profile: String,
    },
    SignIn {
        profile: String,
    },
    /// No client id yet: register, or give the one the server's administrator made.
    Register {
        profile: String,
    },
    /// A callback from another or an older sign-in: start again and use that attempt's address.
    StartSignInAgain,
    AuthorizeOnServerPage,
    AskForFewerScopes {
        profile: String,
        majora: bool,
    },
    EnableTwoFactor {
        profile: String,
    },
    /// Registration needs an initial access token (`again`: the one given was refused).
    GetInitialAccessToken {
        profile: String,
        again: bool,
    },
    CheckClientCredentials,
    /// The server does not know the client or its return address: they must match the
    /// server's application page exactly.
    CheckRedirectUri {
        profile: String,
        redirect_uri: String,
    },
    /// Authorization codes live a minute and work once.
    SignInPromptly,
    /// A network or server failure: the stored tokens are unchanged.
    TryAgainLater,
    /// The server's tokens do not last as long as was asked: ask for less, or for longer
    /// tokens from its administrator.
    AskForLessTime {
        profile: String,
    },
    CheckIssuer,
    EndStuckProcess,
    ConfirmForeignHost,
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
    SetByOrganisation,
    InsecureEndpoint,
    ConfigUnreadable,
    ConfigTooNew,
    ConfigWrite,
    NoConfigDir,
    KeyringUnavailable,
    ClientSecretMissing,
    SignInNeeded,
    NotRegistered,
    CallbackRejected,
    AuthorizationDenied,
    ScopeRefused,
    TwoFactorRequired,
    ClientRejected,
    CodeRejected,
    TokenTooShort,
    ServerError,
    RegistrationRefused,
    SignInRefused,
    BadResponse,
    Network,
    DiscoveryFailed,
    Unsupported,
    Cancelled,
    LockTimeout,
    ForeignHost,
    AlreadyRunning,
    Io,
}

impl ErrorCode {
    /// Every code, for checks that a list elsewhere has them all.
    pub const ALL: [ErrorCode; 33] = [
        ErrorCode::UnknownProfile,
        ErrorCode::ProfileExists,
        ErrorCode::InvalidProfileName,
        ErrorCode::Usage,
        ErrorCode::SetByOrganisation,
        ErrorCode::InsecureEndpoint,
        ErrorCode::ConfigUnreadable,
        ErrorCode::ConfigTooNew,
        ErrorCode::ConfigWrite,
        ErrorCode::NoConfigDir,
        ErrorCode::KeyringUnavailable,
        ErrorCode::ClientSecretMissing,
        ErrorCode::SignInNeeded,
        ErrorCode::NotRegistered,
        ErrorCode::CallbackRejected,
        ErrorCode::AuthorizationDenied,
        ErrorCode::ScopeRefused,
        ErrorCode::TwoFactorRequired,
        ErrorCode::ClientRejected,
        ErrorCode::CodeRejected,
        ErrorCode::TokenTooShort,
        ErrorCode::ServerError,
        ErrorCode::RegistrationRefused,
        ErrorCode::SignInRefused,
        ErrorCode::BadResponse,
        ErrorCode::Network,
        ErrorCode::DiscoveryFailed,
        ErrorCode::Unsupported,
        ErrorCode::Cancelled,
        ErrorCode::LockTimeout,
        ErrorCode::ForeignHost,
        ErrorCode::AlreadyRunning,
        ErrorCode::Io,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::UnknownProfile => "unknown-profile",
            ErrorCode::ProfileExists => "profile-exists",
            ErrorCode::InvalidProfileName => "invalid-profile-name",
            ErrorCode::Usage => "usage",
            ErrorCode::SetByOrganisation => "set-by-organisation",
            ErrorCode::InsecureEndpoint => "insecure-endpoint",
            ErrorCode::ConfigUnreadable => "config-unreadable",
            ErrorCode::ConfigTooNew => "config-too-new",
            ErrorCode::ConfigWrite => "config-write",
            ErrorCode::NoConfigDir => "no-config-dir",
            ErrorCode::KeyringUnavailable => "keyring-unavailable",
            ErrorCode::ClientSecretMissing => "client-secret-missing",
            ErrorCode::SignInNeeded => "sign-in-needed",
            ErrorCode::NotRegistered => "not-registered",
            ErrorCode::CallbackRejected => "callback-rejected",
            ErrorCode::AuthorizationDenied => "authorization-denied",
            ErrorCode::ScopeRefused => "scope-refused",
            ErrorCode::TwoFactorRequired => "two-factor-required",
            ErrorCode::ClientRejected => "client-rejected",
            ErrorCode::CodeRejected => "code-rejected",
            ErrorCode::TokenTooShort => "token-too-short",
            ErrorCode::ServerError => "server-error",
            ErrorCode::RegistrationRefused => "registration-refused",
            ErrorCode::SignInRefused => "sign-in-refused",
            ErrorCode::BadResponse => "bad-response",
            ErrorCode::Network => "network",
            ErrorCode::DiscoveryFailed => "discovery-failed",
            ErrorCode::Unsupported => "unsupported",
            ErrorCode::Cancelled => "cancelled",
            ErrorCode::LockTimeout => "lock-timeout",
            ErrorCode::ForeignHost => "foreign-host",
            ErrorCode::AlreadyRunning => "already-running",
            ErrorCode::Io => "io",
        }
    }
}

impl Error {
    /// A local I/O failure: `what` failed ("cannot read stdin") because of `source`.
    pub fn io(what: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io { what: what.into(), source }
    }

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
            Error::InvalidProfileName(_) | Error::ProfileNameRefused { .. } => ErrorCode::InvalidProfileName,
            Error::Usage(_) => ErrorCode::Usage,
            Error::SetByOrganisation { .. } => ErrorCode::SetByOrganisation,
            Error::InsecureEndpoint { .. } => ErrorCode::InsecureEndpoint,
            Error::ConfigUnreadable { .. } => ErrorCode::ConfigUnreadable,
            Error::ConfigTooNew { .. } => ErrorCode::ConfigTooNew,
            Error::ConfigWrite { .. } => ErrorCode::ConfigWrite,
            Error::NoConfigDir => ErrorCode::NoConfigDir,
            Error::KeyringUnavailable(_) => ErrorCode::KeyringUnavailable,
            Error::ClientSecretMissing(_) => ErrorCode::ClientSecretMissing,
            Error::SignInNeeded { .. } => ErrorCode::SignInNeeded,
            Error::NotRegistered(_) => ErrorCode::NotRegistered,
            Error::CallbackRejected(_) => ErrorCode::CallbackRejected,
            Error::AuthorizationDenied { .. } => ErrorCode::AuthorizationDenied,
            Error::ScopeRefused { .. } => ErrorCode::ScopeRefused,
            Error::TwoFactorRequired { .. } => ErrorCode::TwoFactorRequired,
            Error::ClientRejected => ErrorCode::ClientRejected,
            Error::CodeRejected => ErrorCode::CodeRejected,
            Error::TokenTooShort { .. } => ErrorCode::TokenTooShort,
            Error::ServerError { .. } => ErrorCode::ServerError,
            Error::RegistrationRefused { .. } => ErrorCode::RegistrationRefused,
            Error::SignInRefused { .. } => ErrorCode::SignInRefused,
            Error::BadResponse(_) => ErrorCode::BadResponse,
            Error::Network { .. } => ErrorCode::Network,
            Error::DiscoveryFailed(_) => ErrorCode::DiscoveryFailed,
            Error::Unsupported(_) => ErrorCode::Unsupported,
            Error::Cancelled(_) => ErrorCode::Cancelled,
            Error::LockTimeout(_) => ErrorCode::LockTimeout,
            Error::ForeignHost { .. } => ErrorCode::ForeignHost,
            Error::AlreadyRunning(_) => ErrorCode::AlreadyRunning,
            Error::Io { .. } => ErrorCode::Io,
        }
    }

    /// What the user can do about it, as data: each shell words it for its own people
    /// (the CLI names commands, the desktop names buttons), so no prose lives here.
    pub fn next_step(&self) -> Option<NextStep> {
        Some(match self {
            Error::UnknownProfile(_) => NextStep::ChooseExistingProfile,
            Error::ProfileExists(name) => NextStep::ChooseAnotherName { existing: name.clone() },
            Error::ProfileNameRefused { clashes_with: Some(other), .. } => {
                NextStep::ChooseAnotherName { existing: other.clone() }
            }
            Error::InsecureEndpoint { .. } => NextStep::UseHttps,
            Error::ConfigUnreadable { path, .. } => NextStep::RepairConfig { path: path.clone() },
            Error::ConfigTooNew { .. } => NextStep::UpgradeLatchkey,
            Error::NoConfigDir => NextStep::SetConfigDir,
            Error::KeyringUnavailable(_) => NextStep::UnlockKeyring,
            Error::ClientSecretMissing(profile) => NextStep::GiveClientSecret { profile: profile.clone() },
            Error::SignInNeeded { profile, .. } => NextStep::SignIn { profile: profile.clone() },
            Error::NotRegistered(profile) => NextStep::Register { profile: profile.clone() },
            Error::CallbackRejected(_) => NextStep::StartSignInAgain,
            Error::AuthorizationDenied { .. } => NextStep::AuthorizeOnServerPage,
            Error::ScopeRefused { profile, majora, .. } => {
                NextStep::AskForFewerScopes { profile: profile.clone(), majora: *majora }
            }
            Error::TwoFactorRequired { profile, .. } => NextStep::EnableTwoFactor { profile: profile.clone() },
            Error::RegistrationRefused { profile, had_initial_token, .. } => {
                NextStep::GetInitialAccessToken { profile: profile.clone(), again: *had_initial_token }
            }
            Error::SignInRefused { profile, redirect_uri, .. } => {
                NextStep::CheckRedirectUri { profile: profile.clone(), redirect_uri: redirect_uri.clone() }
            }
            Error::ClientRejected => NextStep::CheckClientCredentials,
            Error::CodeRejected => NextStep::SignInPromptly,
            Error::TokenTooShort { profile, .. } => NextStep::AskForLessTime { profile: profile.clone() },
            Error::Network { .. } | Error::BadResponse(_) | Error::ServerError { .. } => NextStep::TryAgainLater,
            Error::DiscoveryFailed(_) => NextStep::CheckIssuer,
            Error::LockTimeout(_) => NextStep::EndStuckProcess,
            Error::ForeignHost { .. } => NextStep::ConfirmForeignHost,
            _ => return None,
        })
    }

    /// The process exit code the CLI uses for this error (see `latchkey --help`).
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::UnknownProfile(_)
            | Error::ProfileExists(_)
            | Error::InvalidProfileName(_)
            | Error::ProfileNameRefused { .. }
            | Error::Usage(_)
            | Error::SetByOrganisation { .. }
            | Error::InsecureEndpoint { .. }
            | Error::ForeignHost { .. }
            | Error::AlreadyRunning(_) // started twice: the CLI has always said 2 here
            | Error::NotRegistered(_) => 2,
            Error::SignInNeeded { .. }
            | Error::CallbackRejected(_)
            | Error::AuthorizationDenied { .. }
            | Error::ScopeRefused { .. }
            | Error::TwoFactorRequired { .. }
            | Error::CodeRejected
            | Error::Cancelled(_) => 3,
            // The client's credentials, not the server or the network: asking again
            // cannot help until someone registers again or gives the client again.
            Error::ClientRejected => 6,
            Error::SignInRefused { .. }
            | Error::TokenTooShort { .. }
            | Error::RegistrationRefused { .. }
            | Error::ServerError { .. }
            | Error::BadResponse(_)
            | Error::Network { .. }
            | Error::DiscoveryFailed(_)
            | Error::Unsupported(_) => 4,
            Error::KeyringUnavailable(_) | Error::ClientSecretMissing(_) => 5,
            Error::ConfigUnreadable { .. }
            | Error::ConfigTooNew { .. }
            | Error::ConfigWrite { .. }
            | Error::NoConfigDir
            | Error::LockTimeout(_)
            | Error::Io { .. } => 1,
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
