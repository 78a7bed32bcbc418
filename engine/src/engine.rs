//! The engine's front door: one value holding the paths, store, HTTP client and pending
//! flows, with one method per thing a user can do. The CLI and the desktop app call
//! these and nothing deeper, so both behave the same.

use serde::Serialize;
use url::Url;

use crate::callback::{parse_callback, Callback};
use crate::client::{CredentialCheck, OAuthClient};
use crate::clock::now_secs;
use crate::config::Config;
use crate::flow::PendingFlows;
use crate::http::Http;
use crate::lock::FileLock;
use crate::paths::Paths;
use crate::preset::{self, ServerSpec};
use crate::profile::{validate_name, PresetKind, Profile, RedirectMode};
use crate::refresh::{fresh_token, Source};
use crate::registration::{self, FormField};
use crate::secret::Secret;
use crate::store::{Status, Store, TokenSet, TokenState};
use crate::{Error, Result};

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
}

/// One profile's status for lists (no secrets).
#[derive(Debug, Clone, Serialize)]
pub struct ProfileStatus {
    pub name: String,
    pub preset: PresetKind,
    pub server: String,
    pub client_id: Option<String>,
    pub status: Status,
    pub expires_at: Option<u64>,
    pub expires_in: Option<i64>,
    /// The scopes granted (signed in), else those the profile asks for.
    pub scopes: Vec<String>,
    /// The scopes the profile asks for at its next sign-in.
    pub requested_scopes: Vec<String>,
    pub has_refresh_token: bool,
    /// Whether Latchkey can renew the tokens without the user (a refresh token, or
    /// Agate's re-exchangeable code); when not, the user is asked again at expiry.
    pub renews_silently: bool,
    pub last_error: Option<String>,
    pub last_error_code: Option<crate::ErrorCode>,
    /// When the last renewal failed (Unix seconds).
    pub last_error_at: Option<u64>,
    pub account: Option<String>,
    pub redirect_uri: Url,
    pub redirect_mode: RedirectMode,
    pub dynamically_registered: bool,
    pub ocarina_sync: Option<std::path::PathBuf>,
    /// OpenID Connect userinfo: an address any token of the server can be tested on.
    pub userinfo_url: Option<Url>,
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
}

impl Latchkey {
    /// Open the store named by the environment (`LATCHKEY_CONFIG_DIR` or the platform's).
    pub fn open() -> Result<Self> {
        Self::with_paths(Paths::from_env()?)
    }

    pub fn with_paths(paths: Paths) -> Result<Self> {
        Ok(Self::with_store(Store::new(&paths), paths))
    }

    /// On another store (unit tests: secrets in memory, see [`crate::secret::MemorySecrets`]).
    pub fn with_store(store: Store, paths: Paths) -> Self {
        Self { store, http: std::sync::OnceLock::new(), flows: PendingFlows::new(), paths }
    }

    fn http(&self) -> Result<&Http> {
        if let Some(http) = self.http.get() {
            return Ok(http);
        }
        let extra_ca = self.config()?.settings().extra_ca_file.clone();
        let http = Http::with_extra_ca(extra_ca.as_deref())?;
        Ok(self.http.get_or_init(|| http))
    }

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

    /// Add a profile from a preset. The client secret, if any, goes to the keyring first,
    /// so a profile never claims a secret that is not there.
    pub fn add_profile(&self, new: NewProfile) -> Result<Profile> {
        validate_name(&new.name)?;
        if self.config()?.get(&new.name).is_ok() {
            return Err(Error::ProfileExists(new.name));
        }
        let resolved = preset::resolve(new.preset, &new.spec, self.http()?)?;
        let redirect_uri = new.redirect_uri.unwrap_or_else(|| preset::for_profile(resolved.redirect_uri, &new.name));
        crate::profile::check_redirect_uri(&redirect_uri)?;
        let redirect_mode = new.redirect_mode.unwrap_or_else(|| default_mode(&redirect_uri));
        let profile = Profile {
            name: new.name.clone(),
            server: resolved.server,
            client_id: new.client_id.filter(|c| !c.trim().is_empty()),
            has_client_secret: new.client_secret.is_some(),
            registration_client_uri: None,
            scopes: new.scopes.unwrap_or(resolved.scopes),
            redirect_uri,
            redirect_mode,
            ocarina_sync: None,
        };
        if let Some(secret) = &new.client_secret {
            self.store.set_client_secret(&profile.name, secret)?;
        }
        self.edit_config(|c| c.insert(profile.clone()))?;
        Ok(profile)
    }

    /// Remove a profile: revoke its tokens and delete a dynamically registered client
    /// where the server allows, then forget its secrets and settings. Server failures
    /// are reported but do not keep the profile (the user asked for it gone).
    pub fn remove_profile(&self, name: &str) -> Result<(SignOutReport, Vec<Error>)> {
        let profile = self.profile(name)?;
        let mut problems = Vec::new();
        let mut report = SignOutReport::default();
        match self.revoke_all(&profile) {
            Ok(revoked) => report.revoked = revoked,
            Err(e) => problems.push(e),
        }
        if let (Some(uri), Ok(Some(token))) = (&profile.registration_client_uri, self.store.registration_token(name)) {
            match registration::delete(self.http()?, uri, &token) {
                Ok(()) => report.client_deleted = true,
                Err(e) => problems.push(e),
            }
        }
        self.forget_ocarina_entries(&profile);
        self.store.forget_all(name)?;
        self.flows.cancel(name);
        self.edit_config(|c| c.remove(name).map(|_| ()))?;
        Ok((report, problems))
    }

    /// Register the profile's client (RFC 7591) or say what to type where. The initial
    /// access token, where the server wants one, is used once and never stored.
    pub fn register(&self, name: &str, initial_access_token: Option<&Secret>) -> Result<RegisterOutcome> {
        let profile = self.profile(name)?;
        let Some(endpoint) = profile.server.registration_url.clone() else {
            return Ok(RegisterOutcome::Manual {
                registration_page: profile.server.manual_registration_url.clone(),
                fields: registration::manual_form(&profile),
            });
        };
        let reg = registration::register(self.http()?, &endpoint, &profile, initial_access_token)?;
        if let Some(uri) = &reg.registration_client_uri {
            profile.server.check_endpoint("registration client", uri)?;
        }
        if let Some(secret) = &reg.client_secret {
            self.store.set_client_secret(name, secret)?;
        }
        if let Some(token) = &reg.registration_access_token {
            self.store.set_registration_token(name, token)?;
        }
        let client_id = reg.client_id.clone();
        self.edit_config(|c| {
            let p = c.get_mut(name)?;
            p.client_id = Some(reg.client_id.clone());
            p.has_client_secret = reg.client_secret.is_some();
            p.registration_client_uri = reg.registration_client_uri.clone();
            Ok(())
        })?;
        Ok(RegisterOutcome::Registered { client_id })
    }

    /// Set (or replace) the client credentials of a profile.
    pub fn set_client(&self, name: &str, client_id: &str, secret: Option<&Secret>) -> Result<()> {
        self.flows.cancel(name); // started with the old client
        match secret {
            Some(s) => self.store.set_client_secret(name, s)?,
            None => self.store.forget_client_secret(name)?,
        }
        self.edit_config(|c| {
            let p = c.get_mut(name)?;
            p.client_id = Some(client_id.to_string());
            p.has_client_secret = secret.is_some();
            Ok(())
        })
    }

    /// Ask the token endpoint whether it knows this client id and secret.
    pub fn check_credentials(&self, name: &str) -> Result<CredentialCheck> {
        let profile = self.profile(name)?;
        let secret = self.client_secret(&profile)?;
        OAuthClient::new(&profile, secret.as_ref(), self.http()?)?.check_credentials()
    }

    /// Start an authorization code flow; `redirect_uri` overrides the profile's for
    /// this flow (a loopback listener's actual port).
    pub fn start_sign_in(&self, name: &str, redirect_uri: Option<Url>) -> Result<SignInStart> {
        let mut profile = self.profile(name)?;
        if let Some(uri) = redirect_uri {
            profile.redirect_uri = uri;
        }
        let secret = self.client_secret(&profile)?;
        let request = OAuthClient::new(&profile, secret.as_ref(), self.http()?)?.authorization_request();
        self.flows.insert(name, request.state, request.pkce_verifier, secret);
        Ok(SignInStart { profile: name.into(), authorize_url: request.url, redirect_uri: profile.redirect_uri })
    }

    /// Which profile a callback URL belongs to, by its `state` (for catchers that see
    /// URLs from several flows). Does not consume the flow.
    pub fn pending_profile_for(&self, callback_url: &Url) -> Option<String> {
        let state = crate::callback::state_of(callback_url.as_str()).ok()??;
        self.flows.profile_for(&state)
    }

    pub fn cancel_sign_in(&self, name: &str) -> bool {
        self.flows.cancel(name)
    }

    /// Finish a sign-in with what came back: a callback URL, or (for `profile_hint`'s
    /// flow only) a bare code. The `state` must match a flow this process started and
    /// has not finished; a callback is never exchanged otherwise. `redirect_uri` is the
    /// one the flow was started with when it was overridden.
    pub fn complete_sign_in(
        &self,
        input: &str,
        profile_hint: Option<&str>,
        redirect_uri: Option<&Url>,
    ) -> Result<SignedIn> {
        // One reading of the parameters decides both the profile and the flow
        // ([`crate::callback::state_of`] reads them as `parse_callback` does).
        let state = crate::callback::state_of(input)?;
        let name = match (&state, profile_hint) {
            (Some(s), hint) => {
                let name = self.flows.profile_for(s).ok_or_else(|| {
                    Error::CallbackRejected("its state matches no sign-in in progress (old, replayed or forged)".into())
                })?;
                if hint.is_some_and(|h| h != name) {
                    return Err(Error::CallbackRejected(format!(
                        "it belongs to a sign-in of another profile, not `{}`",
                        hint.unwrap_or_default()
                    )));
                }
                name
            }
            // Only a bare code typed by the user gets here: a URL without state is
            // refused by `parse_callback` below.
            (None, Some(hint)) => hint.to_string(),
            (None, None) => return Err(Error::CallbackRejected("it carries no state".into())),
        };
        let mut profile = self.profile(&name)?;
        if let Some(uri) = redirect_uri {
            profile.redirect_uri = uri.clone();
        }
        let server = &profile.server;
        let parsed = parse_callback(
            input,
            &profile.redirect_uri,
            &server.issuer,
            server.authorization_response_iss,
            profile_hint.is_some(),
        );
        let Callback { code, state: cb_state } = match parsed {
            Ok(cb) => cb,
            Err(e) => {
                // A definite answer from the server (denied) ends the flow; a URL that is
                // not ours leaves the real flow waiting.
                if matches!(e, Error::AuthorizationDenied { .. }) {
                    self.flows.cancel(&name);
                }
                return Err(match e {
                    Error::AuthorizationDenied { error, .. } if error == "invalid_scope" => Error::ScopeRefused {
                        profile: name.clone(),
                        scopes: profile.scopes.clone(),
                        majora: profile.server.preset.is_majora(),
                    },
                    other => other,
                });
            }
        };
        if cb_state != state {
            return Err(Error::CallbackRejected("its parameters disagree".into()));
        }
        let flow = match cb_state {
            Some(s) => self.flows.take(&s),
            None => self.flows.take_for_profile(&name),
        }
        .ok_or_else(|| Error::CallbackRejected("its sign-in has already finished or expired".into()))?;
        if flow.profile != name {
            return Err(Error::CallbackRejected("it belongs to a sign-in of another profile".into()));
        }
        let client = OAuthClient::new(&profile, flow.client_secret.as_ref(), self.http()?)?;
        let tokens = client.exchange_code(&code, flow.pkce_verifier.as_ref())?;
        self.store_sign_in(&profile, &tokens)
    }

    /// RFC 8628 device sign-in: `show` is called with the verification URI and user code
    /// to display, then this waits for approval.
    pub fn device_sign_in(&self, name: &str, show: impl FnOnce(&DeviceCode)) -> Result<SignedIn> {
        let profile = self.profile(name)?;
        let secret = self.client_secret(&profile)?;
        let client = OAuthClient::new(&profile, secret.as_ref(), self.http()?)?;
        let start = client.device_authorization()?;
        let details = &start.details;
        show(&DeviceCode {
            verification_uri: details.verification_uri().to_string(),
            verification_uri_complete: details.verification_uri_complete().map(|u| u.secret().to_string()),
            user_code: details.user_code().secret().to_string(),
            expires_in: details.expires_in().as_secs(),
        });
        let tokens = client.poll_device_token(&start, None)?;
        self.store_sign_in(&profile, &tokens)
    }

    fn store_sign_in(&self, profile: &Profile, tokens: &TokenSet) -> Result<SignedIn> {
        let _lock = FileLock::profile(&self.paths, &profile.name)?;
        // Ocarina's entries of the tokens this sign-in replaces go (best effort).
        let previous =
            if profile.ocarina_sync.is_some() { self.store.tokens(&profile.name).ok().flatten() } else { None };
        self.store.save_tokens(&profile.name, tokens)?;
        crate::refresh::sync_ocarina(profile, tokens, previous.as_ref());
        tracing::info!(profile = %profile.name, "signed in");
        Ok(SignedIn {
            profile: profile.name.clone(),
            scopes: tokens.scopes.clone(),
            expires_at: tokens.expires_at,
            has_refresh_token: tokens.refresh_token.is_some(),
        })
    }

    /// The token a running agent (the tray or `latchkey agent`) vouches for: valid for
    /// `min_valid` seconds and the keyring write in force. Reads neither the settings nor
    /// the keyring; `None` means ask [`Latchkey::token`], which does both and renews.
    pub fn served_token(&self, name: &str, min_valid: Option<u64>) -> Option<TokenSet> {
        self.store.served_fresh(name, min_valid)
    }

    /// A token valid for at least `min_valid` seconds, renewing if needed (never more
    /// than one renewal per expiry across processes).
    pub fn token(&self, name: &str, min_valid: Option<u64>) -> Result<(TokenSet, Source)> {
        if let Some(served) = self.served_token(name, min_valid) {
            return Ok((served, Source::Stored));
        }
        let profile = self.profile(name)?;
        fresh_token(&self.paths, &self.store, || self.http(), &profile, min_valid, false)
    }

    /// Renew now if needed (`force`: even if fresh).
    pub fn refresh(&self, name: &str, force: bool) -> Result<(TokenSet, Source)> {
        let profile = self.profile(name)?;
        fresh_token(&self.paths, &self.store, || self.http(), &profile, None, force)
    }

    /// What a preset and spec resolve to, without saving anything (for the wizard).
    pub fn preview_server(&self, preset: PresetKind, spec: &ServerSpec) -> Result<preset::Resolved> {
        preset::resolve(preset, spec, self.http()?)
    }

    /// Change the redirect URI registered for a profile (e.g. after registering the
    /// application again); cancels a sign-in in progress, which used the old one.
    pub fn set_redirect_uri(&self, name: &str, uri: Url) -> Result<()> {
        crate::profile::check_redirect_uri(&uri)?;
        self.flows.cancel(name);
        self.edit_config(|c| {
            let p = c.get_mut(name)?;
            p.redirect_mode = default_mode(&uri);
            p.redirect_uri = uri;
            Ok(())
        })
    }

    /// Replace the scopes a profile asks for (takes effect at the next sign-in).
    pub fn set_scopes(&self, name: &str, scopes: Vec<String>) -> Result<()> {
        self.edit_config(|c| {
            c.get_mut(name)?.scopes = scopes;
            Ok(())
        })
    }

    /// Turn Ocarina token-cache sync on (at `path`) or off (`None`); writes the cache now
    /// when signed in.
    pub fn set_ocarina_sync(&self, name: &str, path: Option<std::path::PathBuf>) -> Result<()> {
        self.edit_config(|c| {
            c.get_mut(name)?.ocarina_sync = path.clone();
            Ok(())
        })?;
        let profile = self.profile(name)?;
        if let (Some(_), Some(tokens)) = (&path, self.store.tokens(name)?) {
            crate::refresh::sync_ocarina(&profile, &tokens, None);
        }
        Ok(())
    }

    /// Trust the CA certificates in `path` (PEM) beside the system's, or stop (`None`).
    /// Checked now: a file that cannot be read is refused, not saved.
    pub fn set_extra_ca_file(&self, path: Option<std::path::PathBuf>) -> Result<()> {
        if let Some(p) = &path {
            Http::with_extra_ca(Some(p))?;
        }
        self.edit_config(|c| {
            c.settings_mut().extra_ca_file = path.clone();
            Ok(())
        })
    }

    /// Renew at this percentage of a token's lifetime (50..=95).
    pub fn set_renew_at_percent(&self, percent: u8) -> Result<()> {
        if !(50..=95).contains(&percent) {
            return Err(Error::Usage(format!("renew-at must be between 50 and 95 %, not {percent}")));
        }
        self.edit_config(|c| {
            c.settings_mut().renew_at_percent = Some(percent);
            Ok(())
        })
    }

    /// The `~/.ocarina` configuration for a profile (client secret only if asked).
    pub fn ocarina_config(&self, name: &str, with_secret: bool) -> Result<serde_json::Value> {
        let profile = self.profile(name)?;
        let secret = if with_secret { self.client_secret(&profile)? } else { None };
        let user = self.store.state(name).account;
        Ok(crate::ocarina::config(&profile, user.as_deref(), secret.as_ref()))
    }

    /// Who the profile's tokens belong to; remembered in the non-secret state.
    pub fn whoami(&self, name: &str) -> Result<Option<String>> {
        let profile = self.profile(name)?;
        let (tokens, _) = self.token(name, None)?;
        let secret = self.client_secret(&profile)?;
        let account = crate::probe::account(self.http()?, &profile, secret.as_ref(), &tokens.access_token)?;
        if account.is_some() {
            self.store.update_state(name, |s| s.account = account.clone())?;
        }
        Ok(account)
    }

    /// Call `url` with a fresh token and report what came back. The token goes only to
    /// the hosts of the profile's own server unless `confirmed` (the person said so).
    pub fn test_access(&self, name: &str, url: &Url, confirmed: bool) -> Result<crate::probe::ApiAnswer> {
        let profile = self.profile(name)?;
        let own = std::iter::once(&profile.server.issuer)
            .chain(profile.server.endpoints().into_iter().map(|(_, u)| u))
            .any(|u| u.host_str() == url.host_str() && u.port_or_known_default() == url.port_or_known_default());
        if !own && !confirmed {
            return Err(Error::ForeignHost { host: url.host_str().unwrap_or("?").to_string() });
        }
        let (tokens, _) = self.token(name, None)?;
        crate::probe::call(self.http()?, url, &tokens.access_token)
    }

    /// Status of one or all profiles, from the non-secret state (no keyring access).
    pub fn status(&self, name: Option<&str>) -> Result<Vec<ProfileStatus>> {
        let config = self.config()?;
        let profiles: Vec<&Profile> = match name {
            Some(n) => vec![config.get(n)?],
            None => config.profiles().collect(),
        };
        let now = now_secs() as i64;
        Ok(profiles
            .into_iter()
            .map(|p| {
                let s: TokenState = self.store.state(&p.name);
                ProfileStatus {
                    name: p.name.clone(),
                    preset: p.server.preset,
                    server: p.server.describe(),
                    client_id: p.client_id.clone(),
                    status: s.status,
                    expires_at: s.expires_at,
                    expires_in: s.expires_at.map(|at| at as i64 - now),
                    scopes: if s.scopes.is_empty() { p.scopes.clone() } else { s.scopes.clone() },
                    requested_scopes: p.scopes.clone(),
                    has_refresh_token: s.has_refresh_token,
                    renews_silently: match p.server.renewal {
                        crate::profile::Renewal::RefreshToken => s.has_refresh_token,
                        crate::profile::Renewal::ReexchangeCode => s.status != Status::SignedOut,
                        crate::profile::Renewal::SignIn => false,
                    },
                    last_error: s.last_error,
                    last_error_code: s.last_error_code,
                    last_error_at: s.last_error_at,
                    account: s.account,
                    redirect_uri: p.redirect_uri.clone(),
                    userinfo_url: p.server.userinfo_url.clone(),
                    redirect_mode: p.redirect_mode,
                    dynamically_registered: p.registration_client_uri.is_some(),
                    ocarina_sync: p.ocarina_sync.clone(),
                }
            })
            .collect())
    }

    /// Revoke the tokens at the server (RFC 7009, where offered), then forget them.
    /// If revocation fails the tokens are kept, so nothing is left both valid and lost.
    pub fn logout(&self, name: &str) -> Result<SignOutReport> {
        let profile = self.profile(name)?;
        let _lock = FileLock::profile(&self.paths, name)?;
        let revoked = self.revoke_all(&profile)?;
        self.forget_ocarina_entries(&profile);
        self.store.forget_tokens(name)?;
        self.flows.cancel(name);
        Ok(SignOutReport { revoked, client_deleted: false })
    }

    /// Take Ocarina's newer tokens first (it may have refreshed on its own): those are
    /// the live ones, to revoke and to delete from its cache.
    fn adopt_from_ocarina(&self, profile: &Profile) {
        if let Ok(Some(current)) = self.store.tokens(&profile.name) {
            if let Err(e) = crate::refresh::adopt_from_ocarina(&self.store, profile, &current) {
                tracing::warn!(profile = %profile.name, "cannot adopt Ocarina's tokens: {e}");
            }
        }
    }

    /// Delete the entries of Ocarina's cache that hold this profile's tokens, so Ocarina
    /// asks for a sign-in rather than fail with a dead token (best effort, logged).
    fn forget_ocarina_entries(&self, profile: &Profile) {
        let (Some(path), Ok(Some(tokens))) = (&profile.ocarina_sync, self.store.tokens(&profile.name)) else { return };
        if let Err(e) = crate::ocarina::remove(path, &tokens) {
            tracing::warn!(profile = %profile.name, "cannot update Ocarina's token cache: {e}");
        }
    }

    fn revoke_all(&self, profile: &Profile) -> Result<bool> {
        if profile.ocarina_sync.is_some() {
            self.adopt_from_ocarina(profile);
        }
        let Some(tokens) = self.store.tokens(&profile.name)? else { return Ok(false) };
        if profile.server.revoke_url.is_none() {
            return Ok(false);
        }
        let secret = self.client_secret(profile)?;
        let client = OAuthClient::new(profile, secret.as_ref(), self.http()?)?;
        // Refresh token first: revoking it usually ends the whole grant.
        if let Some(refresh) = &tokens.refresh_token {
            client.revoke(refresh, "refresh_token")?;
        }
        client.revoke(&tokens.access_token, "access_token")
    }

    fn client_secret(&self, profile: &Profile) -> Result<Option<Secret>> {
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
