//! Latchkey's engine: OAuth 2 profiles, flows, the token store and renewal.
//!
//! This crate knows nothing of Tauri or any GUI toolkit, so the `latchkey` CLI runs on
//! a headless server and the desktop app (`src-tauri/`) is a thin shell over the same
//! functions. Both shells share one store: a token fetched by one is seen by the other.
//!
//! This file is the door: the shells (the CLI, the desktop app, the tray, the IPC
//! contract) and the integration tests reach the engine only through what it re-exports
//! here, so everything else can change without touching them. Most of what a shell does
//! is one method of [`Latchkey`]; the rest are the types those methods take and return,
//! the background life ([`Background`]), and [`desktop`], the operating system's parts a
//! desktop shell needs (start at login, notifications, the `latchkey://` scheme, the
//! clipboard rule). The fuzz targets reach the parsers through the `fuzzing` feature.
//!
//! ```no_run
//! use latchkey_engine::{Config, Paths};
//! let paths = Paths::from_env()?;
//! let config = Config::load(&paths)?;
//! for profile in config.profiles() {
//!     println!("{} -> {}", profile.name, profile.server.describe());
//! }
//! # Ok::<(), latchkey_engine::Error>(())
//! ```

// The door stays narrow: with both features on, everything else is reachable from here,
// so a `pub` that nothing outside can reach is one that should say `pub(crate)`
// (`make check` builds it so).
#![cfg_attr(all(feature = "fuzzing", feature = "testing"), warn(unreachable_pub))]
mod agent;
mod background;
mod clock;
pub mod desktop;
mod error;
mod front_door;
mod lab;
mod logging;
mod oauth;
mod ocarina;
mod preset;
mod profile;
mod renewal;
mod store;
mod token_file;
#[cfg(windows)]
mod windows_user;

// What goes wrong, and what a person can do about it.
pub use error::{Error, ErrorCode, NextStep, Result};

// The front door and what its methods take and give back.
pub use front_door::{
    DeviceCode, Latchkey, LoopbackWait, NewProfile, ProfileStatus, RegisterOutcome, SignOutReport, SignedIn,
};
pub use oauth::client::CredentialCheck;
pub use oauth::probe::{ApiAnswer, Identity};
pub use oauth::registration::FormField;

// Profiles, the servers Latchkey knows, and the names and addresses a shell checks.
pub use lab::{LabPolicy, LabProblem, LabServer, LabSource, SignInWay, LINK_HOST};
pub use oauth::callback::{matches_redirect_uri, redact_url};
pub use oauth::registration::agate_redirect;
pub use preset::{explain_majora_scope, majora_task_scopes, Resolved, ServerSpec, CATALOGUE, MAJORA_TASKS};
pub use profile::{browser_can_return, is_loopback, is_loopback_redirect, validate_name};
pub use profile::{PresetKind, Profile, RedirectMode, Renewal};

// What Latchkey keeps, and where.
pub use store::config::Config;
pub use store::paths::Paths;
pub use store::secret::Secret;
pub use store::tokens::{Status, TokenSet, TokenState};
pub use token_file::JobTokenFile;

// Keeping tokens fresh, and the background life of the tray and `latchkey agent`.
pub use agent::{ask_to_quit, deferral, running as agent_running};
pub use background::Background;
pub use renewal::refresh::Source;
pub use renewal::schedule::{Policy, Schedule, DEFAULT_FRACTION};
pub use renewal::wakeup;
pub use renewal::worker::{Attention, Live, RenewalEvents, Renewer};

// Small things every shell needs.
pub use clock::now_secs;
pub use logging::{Logging, DESKTOP_LOG, TRAY_LOG};
pub use oauth::launch::page_for as launch_page_for;
pub use ocarina::default_path as ocarina_tokens_path;

/// The parsers every byte of untrusted input goes through, for the fuzz targets (`fuzz/`).
#[cfg(feature = "fuzzing")]
pub mod fuzzing {
    pub use crate::agent::parse_question;
    pub use crate::oauth::callback::{parse_callback, state_of};
    pub use crate::oauth::discovery::parse_metadata;
    pub use crate::oauth::loopback::{classify, Verdict, MAX_REQUEST};
    pub use crate::oauth::registration::parse_registration;
}

/// What the integration tests hold that no shell does: the agent's socket (to play a
/// busy or stale agent) and the keyring and token store underneath the front door.
#[cfg(feature = "testing")]
pub mod testing {
    pub use crate::agent::Agent;
    pub use crate::store::secret::{Keyring, SecretKind};
    pub use crate::store::tokens::Store;
}
