//! The engine's front door, `latchkey_engine::Latchkey`: one value holding the paths,
//! store, HTTP client and pending flows, with one method per thing a user can do. The
//! CLI, the tray and the desktop app call these and nothing deeper, so all behave alike.
//!
//! The methods live in files named for what they are about — `profiles`,
//! `client_setup`, `sign_in`, `tokens` — and this file holds the value, the types the
//! methods return and the few helpers they share. There is no way to reach the store or
//! the paths from outside: every change goes through a method, under its lock.

mod client_setup;
mod policy;
mod profiles;
mod sign_in;
mod token_files;
mod tokens;

pub use sign_in::LoopbackWait;

use serde::Serialize;
use url::Url;

use crate::clock::{Clock, SystemClock};
use crate::error::{Error, Result};
use crate::lab::{LabProblem, LabServer};
use crate::oauth::callback::{parse_callback, Callback};
use crate::oauth::client::{CredentialCheck, OAuthClient};
use crate::oauth::flow::PendingFlows;
use crate::oauth::http::Http;
use crate::oauth::registration::{self, FormField};
use crate::preset::{self, ServerSpec};
use crate::profile::{validate_name, PresetKind, Profile, RedirectMode};
use crate::renewal::refresh::{Renewing, Source, Want};
use crate::store::config::Config;
use crate::store::lock::FileLock;
use crate::store::paths::Paths;
use crate::store::secret::Secret;
use crate::store::{Status, Store, TokenSet, TokenState};

/// What `profile add` needs.
#[derive(Debug, Clone)]
pub struct NewProfile {
    pub name: String,
    pub preset: PresetKind,
    pub spec: ServerSpec,
    pub client_id: Option<String>,
    pub client_secret: Option<Secret>,
    pub scopes: Option<Vec<String>>,
    pub redirect_uri: Option<Url>,
    pub redirect_mode: Option<RedirectMode>,
}

/// A sign-in that has started: where to send the user.
#[derive(Debug, Clone, Serialize)]
pub struct SignInStart {
    pub profile: String,
    pub authorize_url: Url,
    pub redirect_uri: Url,
}

impl SignInStart {
    /// The `state` this sign-in sent (what its callback must carry).
    pub fn state(&self) -> String {
        self.authorize_url.query_pairs().find(|(k, _)| k == "state").map(|(_, v)| v.into_owned()).unwrap_or_default()
    }
}

/// A sign-in that has finished (no secrets).
#[derive(Debug, Clone, Serialize)]
pub struct SignedIn {
    pub profile: String,
    pub scopes: Vec<String>,
    pub expires_at: Option<u64>,
    pub has_refresh_token: bool,
    /// Whose account the tokens are, where the server says (userinfo, introspection).
    pub account: Option<String>,
    /// The account the profile was signed in to before, when this sign-in is another's:
    /// say so, since someone else may have finished the person's sign-in.
    pub account_changed_from: Option<String>,
}

/// One profile's status for lists (no secrets).
#[derive(Debug, Clone, Serialize)]
pub struct ProfileStatus {
    pub name: String,
    pub preset: PresetKind,
    pub server: String,
    /// The server's host name (in `server` too, with the preset).
    pub host: String,
    pub client_id: Option<String>,
    pub status: Status,
    pub expires_at: Option<u64>,
    pub expires_in: Option<i64>,
    /// The scopes granted (signed in), else those the profile asks for.
    pub scopes: Vec<String>,
    /// The scopes the profile asks for at its next sign-in.
    pub requested_scopes: Vec<String>,
    pub has_refresh_token: bool,
    /// Tokens are stored (signed in once and not signed out), whatever their state.
    pub has_tokens: bool,
    /// Whether Latchkey can renew the tokens without the user (a refresh token, or
    /// Agate's re-exchangeable code); when not, the user is asked again at expiry.
    pub renews_silently: bool,
    pub last_error: Option<String>,
    pub last_error_code: Option<crate::error::ErrorCode>,
    /// When the last renewal failed (Unix seconds).
    pub last_error_at: Option<u64>,
    pub account: Option<String>,
    /// The account of the sign-in before, when the last sign-in named another
    /// ([`SignedIn::account_changed_from`]).
    pub account_changed_from: Option<String>,
    pub redirect_uri: Url,
    pub redirect_mode: RedirectMode,
    pub dynamically_registered: bool,
    pub ocarina_sync: Option<std::path::PathBuf>,
    /// OpenID Connect userinfo: an address any token of the server can be tested on.
    pub userinfo_url: Option<Url>,
    /// The server offers the device authorization grant (RFC 8628): sign in with a code.
    pub device_flow: bool,
}

impl ProfileStatus {
    /// What was chosen but not granted, while signed in: the grant was narrowed (Ocarina's
    /// own `oauth refresh --scopes`), or the profile asks for more since the sign-in. For
    /// Majora the chosen tasks not wholly granted (`"read"`), elsewhere the scopes. Empty
    /// when the grant covers everything, or nothing is known of it.
    pub fn not_granted(&self) -> Vec<String> {
        if self.status != Status::SignedIn || !self.has_tokens {
            return Vec::new();
        }
        let granted = |s: &str| self.scopes.iter().any(|g| g == s);
        if self.preset.is_majora() {
            let (tasks, by_hand) = crate::preset::majora_tasks_of(&self.requested_scopes);
            let lacking = crate::preset::MAJORA_TASKS
                .iter()
                .filter(|t| tasks.contains(&t.id) && !t.scopes.iter().all(|s| granted(s)))
                .map(|t| format!("\"{}\"", t.id));
            return lacking.chain(by_hand.into_iter().filter(|s| !granted(s))).collect();
        }
        self.requested_scopes.iter().filter(|s| !granted(s)).cloned().collect()
    }
}

/// What `register` did.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "outcome", rename_all = "kebab-case")]
pub enum RegisterOutcome {
    /// Registered dynamically; the profile now has a client id (and secret in the keyring).
    Registered { client_id: String },
    /// The server has no dynamic registration: type these into its form.
    Manual { registration_page: Option<Url>, fields: Vec<FormField> },
}

/// What `logout` / `remove` did at the server.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SignOutReport {
    pub revoked: bool,
    pub client_deleted: bool,
}

pub struct Latchkey {
    paths: Paths,
    store: Store,
    /// Built on first use: handing out a fresh token needs no HTTP client.
    http: std::sync::OnceLock<Http>,
    flows: PendingFlows,
    clock: std::sync::Arc<dyn Clock>,
}

impl Latchkey {
    /// Open the store named by the environment (`LATCHKEY_CONFIG_DIR` or the platform's).
    pub fn open() -> Result<Self> {
        Self::with_paths(Paths::from_env()?)
    }

    pub fn with_paths(paths: Paths) -> Result<Self> {
        paths.make_private();
        Ok(Self::with_store(Store::new(&paths), paths))
    }

    /// On another store (unit tests: secrets in memory, see [`crate::store::secret::MemorySecrets`]).
    pub fn with_store(store: Store, paths: Paths) -> Self {
        Self {
            store,
            http: std::sync::OnceLock::new(),
            flows: PendingFlows::new(),
            paths,
            clock: std::sync::Arc::new(SystemClock),
        }
    }

    /// Send every request through `http` (tests: a scripted transport, see
    /// [`crate::oauth::http::Transport`]) instead of the one built from the settings.
    pub fn with_http(self, http: Http) -> Self {
        let _ = self.http.set(http);
        self
    }

    /// Read the time from `clock` (tests: [`crate::clock::ManualClock`]).
    pub fn with_clock(mut self, clock: std::sync::Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Now, by the engine's clock (Unix seconds).
    pub fn now(&self) -> u64 {
        self.clock.now()
    }

    /// A client for `profile`'s server on this engine's transport and clock.
    pub(super) fn oauth_client<'a>(&'a self, profile: &'a Profile, secret: Option<&Secret>) -> Result<OAuthClient<'a>> {
        Ok(OAuthClient::new(profile, secret, self.http()?)?.at(&*self.clock))
    }

    fn http(&self) -> Result<&Http> {
        if let Some(http) = self.http.get() {
            return Ok(http);
        }
        let extra_ca = self.extra_ca_file()?;
        let http = Http::with_extra_ca(extra_ca.as_deref())?;
        Ok(self.http.get_or_init(|| http))
    }

    // No `pub` accessors for the paths or the store: a shell that needs a directory
    // opened the `Paths` itself (and keeps them), and every change to the store goes
    // through a method here, under its lock. The renewal loop gets them through
    // `renewal::worker::Tokens` (implemented in tokens.rs).
    pub fn paths(&self) -> &Paths {
        &self.paths
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn config(&self) -> Result<Config> {
        Config::load(&self.paths)
    }

    pub fn profile(&self, name: &str) -> Result<Profile> {
        self.config()?.get(name).cloned()
    }

    /// Change the settings file under its lock (read, change, write atomically).
    fn edit_config<T>(&self, change: impl FnOnce(&mut Config) -> Result<T>) -> Result<T> {
        let _lock = FileLock::config(&self.paths)?;
        let mut config = self.config()?;
        let out = change(&mut config)?;
        config.save(&self.paths)?;
        Ok(out)
    }

    pub(super) fn client_secret(&self, profile: &Profile) -> Result<Option<Secret>> {
        if !profile.has_client_secret {
            return Ok(None);
        }
        match self.store.client_secret(&profile.name)? {
            Some(s) => Ok(Some(s)),
            None => Err(Error::ClientSecretMissing(profile.name.clone())),
        }
    }
}

/// What to show the user for a device sign-in.
#[derive(Debug, Clone, Serialize)]
pub struct DeviceCode {
    /// The page's host, to say whose page it is.
    pub host: String,
    pub verification_uri: String,
    pub verification_uri_complete: Option<String>,
    pub user_code: String,
    pub expires_in: u64,
}

fn default_mode(redirect_uri: &Url) -> RedirectMode {
    if crate::profile::is_loopback_redirect(redirect_uri) {
        RedirectMode::Loopback
    } else {
        RedirectMode::Window
    }
}

#[cfg(test)]
mod tests;
