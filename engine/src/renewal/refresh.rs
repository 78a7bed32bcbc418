//! Getting a token that is valid now, renewing it if needed — safely.
//!
//! The rules, in order (docs/design.md, "Keeping tokens fresh"):
//! 1. A token that is fresh enough is handed out with no lock and no network.
//! 2. Otherwise take the profile's cross-process lock, then re-read the store: if
//!    another process renewed while we waited, use its tokens (one refresh per expiry,
//!    however many processes ask).
//! 3. Renew (refresh token, or Agate's code re-exchange) and write the new token set to
//!    the keyring in one call *before* anyone is given the new access token.
//! 4. `invalid_grant` marks the profile "needs sign-in" and keeps what is stored; a
//!    network or 5xx failure keeps the tokens and reports. Nothing is ever deleted here.
//!    From then on no token is handed out, fresh-looking or not, until a sign-in: a
//!    server that refuses the refresh token has (on Majora, always) killed its access
//!    token too, and a script is better told "sign in" (exit 3) than given a dead token.
//!
//! The window no client can close: if the server has rotated the refresh token but its
//! answer never arrives (crash, cut connection), only dead tokens remain on a server
//! with no grace period (Majora). It lasts from the request to the keyring write.

use crate::clock::{now_secs, Clock};
use crate::error::{Error, Result};
use crate::oauth::client::OAuthClient;
use crate::oauth::http::Http;
use crate::profile::{Profile, Renewal};
use crate::store::lock::FileLock;
use crate::store::paths::Paths;
use crate::store::{Status, Store, TokenSet};

/// How a token was obtained by [`Renewing::fresh_token`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    /// It was fresh in the store.
    Stored,
    /// Another process renewed it while this one waited for the lock.
    RenewedElsewhere,
    /// This process renewed it.
    Renewed,
    /// This process asked, and the server handed back the token it had already issued
    /// (Agate does while its ticket lasts).
    Unchanged,
}

/// What a caller asks of [`Renewing::fresh_token`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Want {
    /// A token valid for at least this many seconds (`None`: the default margin; see
    /// [`TokenSet::is_fresh`]), renewed only if the stored one is not.
    ValidFor(Option<u64>),
    /// A new token, even if the stored one is fresh (`refresh --force`).
    New,
}

/// What renewing needs: the store and its locks, the time, and the network — made only
/// when a renewal is due, so a fresh token costs no HTTP client.
pub(crate) struct Renewing<'a, H> {
    pub paths: &'a Paths,
    pub store: &'a Store,
    pub clock: &'a dyn Clock,
    pub http: H,
}

impl<'a, 'h, H: FnOnce() -> Result<&'h Http>> Renewing<'a, H> {
    /// A token as `want` asks, renewing if needed (the rules at the top of this file).
    pub(crate) fn fresh_token(self, profile: &Profile, want: Want) -> Result<(TokenSet, Source)> {
        let Renewing { paths, store, clock, http } = self;
        let (min_valid, force) = match want {
            Want::ValidFor(min_valid) => (min_valid, false),
            Want::New => (None, true),
        };
        let name = &profile.name;
        let seen = store
            .tokens(name)?
            .ok_or_else(|| Error::SignInNeeded { profile: name.clone(), reason: "not signed in yet".into() })?;
        // If Ocarina refreshed on its own, our tokens are dead at a rotating server even if
        // they look fresh: a cheap file read decides (only for profiles that sync).
        let ocarina_newer = profile
            .ocarina_sync
            .as_ref()
            .is_some_and(|path| matches!(crate::ocarina::newer_than(path, &seen), Ok(Some(_))));
        if !force && !ocarina_newer && store.state(name).status == Status::NeedsSignIn {
            return Err(Error::SignInNeeded {
                profile: name.clone(),
                reason: "the server refused the last renewal, so the stored tokens are no longer valid".into(),
            });
        }
        if !force && !ocarina_newer && seen.is_fresh(min_valid, clock.now()) {
            return Ok((seen, Source::Stored));
        }
        // The server refused this client: asking again cannot succeed until a person
        // gives a client again (`refresh --force` still tries, as after "needs sign-in").
        if !force && !ocarina_newer && store.state(name).status == Status::NeedsClient {
            return Err(Error::ClientRejected);
        }
        if !ocarina_newer {
            check_renewable(profile, &seen)?;
        }

        let _lock = FileLock::profile(paths, name)?;
        let current = store.tokens(name)?.ok_or_else(|| Error::SignInNeeded {
            profile: name.clone(),
            reason: "signed out by another process".into(),
        })?;
        if current.access_token != seen.access_token {
            return Ok((current, Source::RenewedElsewhere));
        }
        // Ocarina may have rotated the refresh token itself: adopt its newer tokens rather
        // than present a dead refresh token and lose the session.
        if let Some(adopted) = adopt_from_ocarina(store, profile, &current)? {
            if force || !adopted.is_fresh(min_valid, clock.now()) {
                let renewed = renew(store, clock, http()?, profile, &adopted)?;
                return Ok(renewed_from(renewed, &adopted));
            }
            return Ok((adopted, Source::RenewedElsewhere));
        }
        let renewed = renew(store, clock, http()?, profile, &current)?;
        Ok(renewed_from(renewed, &current))
    }
}

/// A renewal's answer, and whether the server really made a new token.
fn renewed_from(renewed: TokenSet, before: &TokenSet) -> (TokenSet, Source) {
    let source = if renewed.access_token == before.access_token { Source::Unchanged } else { Source::Renewed };
    (renewed, source)
}

impl<'a, 'h, H: FnOnce() -> Result<&'h Http>> Renewing<'a, H> {
    /// [`Renewing::fresh_token`] for a caller that hands the token out: one that is not
    /// valid for `min_valid` seconds (or the default margin) even after a renewal is
    /// refused with [`Error::TokenTooShort`] — never given out as if it were good. What
    /// the renewal brought is stored all the same.
    ///
    /// The `min_valid` seconds count from when the caller asked (not after a wait for
    /// another process's renewal, which the caller did not choose); an expired token is
    /// refused whenever it expired.
    pub(crate) fn token_to_hand_out(self, profile: &Profile, min_valid: Option<u64>) -> Result<(TokenSet, Source)> {
        let (clock, asked_at) = (self.clock, self.clock.now());
        let (tokens, source) = self.fresh_token(profile, Want::ValidFor(min_valid))?;
        let now = clock.now();
        if tokens.is_fresh(min_valid, asked_at) && tokens.valid_for(now).is_none_or(|left| left > 0) {
            return Ok((tokens, source));
        }
        Err(Error::TokenTooShort {
            profile: profile.name.clone(),
            valid_for: tokens.valid_for(now).unwrap_or_default(),
            wanted: tokens.margin(min_valid),
            same_token: source == Source::Unchanged,
        })
    }
}

/// Renew with the lock held. Stores the result before returning it.
fn renew(store: &Store, clock: &dyn Clock, http: &Http, profile: &Profile, current: &TokenSet) -> Result<TokenSet> {
    // From the request to the keyring write, a Ctrl-C, a closed window or a logout waits
    // (in processes that installed the deferral; the agent and the tray wait their way).
    let _deferral = crate::agent::deferral::defer();
    let name = &profile.name;
    let secret = if profile.has_client_secret { store.client_secret(name)? } else { None };
    let client = OAuthClient::new(profile, secret.as_ref(), http)?.at(clock);
    let result = match profile.server.renewal {
        Renewal::RefreshToken => {
            let refresh = current.refresh_token.as_ref().expect("checked by check_renewable");
            client.refresh(refresh)
        }
        Renewal::ReexchangeCode => {
            let code = current.code.as_ref().expect("checked by check_renewable");
            client.reexchange_code(code, current.code_redirect_uri.as_deref())
        }
        Renewal::SignIn => unreachable!("checked by check_renewable"),
    };
    match result {
        Ok(tokens) => {
            save_rotated(store, name, &tokens)?;
            // The old access token may be dead already (Majora): files that hold it next.
            crate::token_file::after_new_tokens(store.paths(), name, &tokens.access_token);
            store.update_state(name, |s| s.renewals += 1)?;
            sync_ocarina(profile, &tokens, Some(current));
            tracing::info!(profile = %name, expires_at = ?tokens.expires_at, "renewed");
            Ok(tokens)
        }
        Err(err) => {
            let message = err.to_string();
            // Info, not warn: the caller reports the error itself (the CLI prints it,
            // the tray notifies), so at the default level it is said once.
            tracing::info!(profile = %name, error = %message, "renewal failed; stored tokens kept");
            // Recording the failure is best effort: the error itself matters more.
            if matches!(err, Error::ClientRejected) {
                let _ = store.client_refused(name, message, clock.now());
                return Err(err);
            }
            let status = if matches!(err, Error::SignInNeeded { .. }) { Status::NeedsSignIn } else { Status::Failing };
            // The server has said these tokens are dead: Ocarina's copies of them go too,
            // so Ocarina asks for a sign-in instead of failing with a bare HTTP 400.
            if status == Status::NeedsSignIn {
                forget_in_ocarina(profile, current);
            }
            let _ = store.update_state(name, |s| {
                s.status = status;
                s.last_error = Some(message);
                s.last_error_code = Some(err.kind());
                s.last_error_at = Some(clock.now());
            });
            Err(err)
        }
    }
}

/// With the lock held, store tokens the server has just rotated to. The server has
/// already retired the old ones, so these are the only live tokens: a keyring that fails
/// (locked, restarting, timing out) is tried again for a while before giving up — still
/// holding the lock, so no other process presents the dead refresh token meanwhile.
fn save_rotated(store: &Store, name: &str, tokens: &TokenSet) -> Result<()> {
    let mut delay = std::time::Duration::from_millis(500);
    let mut attempt = 1;
    loop {
        match store.save_tokens(name, tokens) {
            Ok(()) => return Ok(()),
            Err(err @ Error::KeyringUnavailable(_)) if attempt < SAVE_ATTEMPTS => {
                tracing::warn!(profile = %name, attempt, "the keyring did not store the renewed tokens ({err}); trying again");
                std::thread::sleep(delay);
                delay *= 2;
                attempt += 1;
            }
            Err(Error::KeyringUnavailable(reason)) => {
                return Err(Error::KeyringUnavailable(format!(
                    "the server renewed the tokens of `{name}`, but the keyring would not store them ({reason}); \
                     the old ones are no longer valid, so you will have to sign in again"
                )))
            }
            Err(other) => return Err(other),
        }
    }
}

/// Keyring writes tried for tokens the server rotated to (0.5 + 1 + 2 + 4 s between them).
const SAVE_ATTEMPTS: u32 = 5;

/// With the lock held: take Ocarina's newer tokens into the store, if it has any.
pub(crate) fn adopt_from_ocarina(store: &Store, profile: &Profile, current: &TokenSet) -> Result<Option<TokenSet>> {
    let Some(path) = &profile.ocarina_sync else { return Ok(None) };
    match crate::ocarina::newer_than(path, current) {
        Ok(Some(adopted)) => {
            store.save_tokens(&profile.name, &adopted)?;
            crate::token_file::after_new_tokens(store.paths(), &profile.name, &adopted.access_token);
            sync_ocarina(profile, &adopted, Some(current));
            if adopted.scopes.len() < current.scopes.len() {
                tracing::warn!(
                    profile = %profile.name,
                    scopes = %adopted.scopes.join(" "),
                    "Ocarina refreshed the token itself and the server narrowed it to these scopes; \
                     sign in again to get the others back (let Latchkey renew, not `ocarina oauth refresh`)"
                );
            } else {
                tracing::info!(profile = %profile.name, "adopted tokens Ocarina refreshed on its own");
            }
            Ok(Some(adopted))
        }
        Ok(None) => Ok(None),
        Err(e) => {
            tracing::warn!(profile = %profile.name, "cannot read Ocarina's token cache: {e}");
            Ok(None)
        }
    }
}

/// Remove the entries of Ocarina's cache that hold `dead` (best effort, logged).
fn forget_in_ocarina(profile: &Profile, dead: &TokenSet) {
    if let Some(path) = &profile.ocarina_sync {
        match crate::ocarina::remove(path, dead) {
            Ok(0) => {}
            Ok(n) => {
                tracing::info!(profile = %profile.name, entries = n, "removed the dead tokens from Ocarina's cache")
            }
            Err(e) => tracing::warn!(profile = %profile.name, "cannot remove dead tokens from Ocarina's cache: {e}"),
        }
    }
}

/// After a sign-in or renewal: keep Ocarina's cache current (best effort, logged).
/// `previous` are the tokens these replace (their entries under keys no longer covered go).
pub(crate) fn sync_ocarina(profile: &Profile, tokens: &TokenSet, previous: Option<&TokenSet>) {
    if let Some(path) = &profile.ocarina_sync {
        if let Err(e) = crate::ocarina::write(path, tokens, previous, now_secs()) {
            tracing::warn!(profile = %profile.name, "cannot update Ocarina's token cache: {e}");
        }
    }
}

fn check_renewable(profile: &Profile, tokens: &TokenSet) -> Result<()> {
    let reason = match profile.server.renewal {
        Renewal::RefreshToken if tokens.refresh_token.is_none() => "the server gave no refresh token",
        Renewal::ReexchangeCode if tokens.code.is_none() => "no stored authorization to re-exchange",
        Renewal::SignIn => "this server has no way to renew tokens without you",
        _ => return Ok(()),
    };
    Err(Error::SignInNeeded {
        profile: profile.name.clone(),
        reason: format!("it cannot be renewed without you: {reason}"),
    })
}

/// In-process tests of the decisions above: secrets in memory, a one-request token
/// endpoint or none at all. What the real keyring and real servers do is in `tests/`.
#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use url::Url;

    use super::*;
    use crate::oauth::client::tests::token_endpoint;
    use crate::profile::{PresetKind, RedirectMode, Server};
    use crate::store::secret::{MemorySecrets, Secret};

    struct Setup {
        _dir: tempfile::TempDir,
        paths: Paths,
        secrets: Arc<MemorySecrets>,
        store: Store,
    }

    fn setup() -> Setup {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths::in_dir(dir.path().to_path_buf());
        let secrets = Arc::new(MemorySecrets::default());
        let store = Store::with_secrets(&paths, secrets.clone());
        Setup { _dir: dir, paths, secrets, store }
    }

    fn profile(token_url: &str) -> Profile {
        let base = Url::parse("http://127.0.0.1:9/").unwrap();
        Profile {
            name: "p".into(),
            server: Server::new(
                PresetKind::Generic,
                base.clone(),
                base.join("authorize").unwrap(),
                Url::parse(token_url).unwrap(),
            ),
            client_id: Some("client".into()),
            has_client_secret: false,
            registration_client_uri: None,
            scopes: vec!["read".into()],
            redirect_uri: Url::parse("latchkey://callback/p").unwrap(),
            redirect_mode: RedirectMode::Window,
            ocarina_sync: None,
        }
    }

    fn tokens(access: &str, valid_for: i64, refresh: Option<&str>) -> TokenSet {
        let now = now_secs();
        TokenSet {
            access_token: Secret::new(access),
            token_type: "bearer".into(),
            refresh_token: refresh.map(Secret::new),
            expires_at: Some((now as i64 + valid_for) as u64),
            obtained_at: now - 10,
            scopes: vec!["read".into()],
            code: None,
            code_redirect_uri: None,
        }
    }

    /// A profile whose token endpoint answers one refresh with a2/r2.
    fn rotating_server() -> (Profile, std::thread::JoinHandle<String>) {
        let (url, seen) = token_endpoint(
            200,
            r#"{"access_token": "a2", "token_type": "Bearer", "expires_in": 3600, "refresh_token": "r2"}"#,
        );
        (profile(url.join("token").unwrap().as_str()), seen)
    }

    fn no_http<'h>() -> Result<&'h Http> {
        panic!("no HTTP may happen here")
    }

    #[test]
    fn a_fresh_token_is_handed_out_without_network_or_writes() {
        let s = setup();
        s.store.save_tokens("p", &tokens("a1", 3600, Some("r1"))).unwrap();
        let writes = s.secrets.writes();
        let (t, source) =
            Renewing { paths: &s.paths, store: &s.store, clock: &crate::clock::SystemClock, http: no_http }
                .fresh_token(&profile("http://127.0.0.1:9/token"), Want::ValidFor(None))
                .unwrap();
        assert_eq!((t.access_token.expose(), source), ("a1", Source::Stored));
        assert_eq!(s.secrets.writes(), writes);
    }

    #[test]
    fn not_signed_in_or_refused_before_means_sign_in_and_no_network() {
        let s = setup();
        let p = profile("http://127.0.0.1:9/token");
        assert!(matches!(
            Renewing { paths: &s.paths, store: &s.store, clock: &crate::clock::SystemClock, http: no_http }
                .fresh_token(&p, Want::ValidFor(None)),
            Err(Error::SignInNeeded { .. })
        ));
        // A fresh-looking token after the server refused the refresh token is not handed out.
        s.store.save_tokens("p", &tokens("a1", 3600, Some("r1"))).unwrap();
        s.store.update_state("p", |st| st.status = Status::NeedsSignIn).unwrap();
        assert!(matches!(
            Renewing { paths: &s.paths, store: &s.store, clock: &crate::clock::SystemClock, http: no_http }
                .fresh_token(&p, Want::ValidFor(None)),
            Err(Error::SignInNeeded { .. })
        ));
        assert!(s.store.tokens("p").unwrap().is_some(), "nothing is deleted");
    }

    #[test]
    fn expired_without_a_refresh_token_needs_sign_in_and_keeps_the_token() {
        let s = setup();
        s.store.save_tokens("p", &tokens("a1", -5, None)).unwrap();
        let p = profile("http://127.0.0.1:9/token");
        assert!(matches!(
            Renewing { paths: &s.paths, store: &s.store, clock: &crate::clock::SystemClock, http: no_http }
                .fresh_token(&p, Want::ValidFor(None)),
            Err(Error::SignInNeeded { .. })
        ));
        assert_eq!(s.store.tokens("p").unwrap().unwrap().access_token.expose(), "a1");
    }

    #[test]
    fn a_renewal_sends_the_refresh_token_and_stores_the_rotated_set_before_returning_it() {
        let s = setup();
        s.store.save_tokens("p", &tokens("a1", -5, Some("r1"))).unwrap();
        let (p, seen) = rotating_server();
        let http = Http::new().unwrap();
        let (t, source) =
            Renewing { paths: &s.paths, store: &s.store, clock: &crate::clock::SystemClock, http: || Ok(&http) }
                .fresh_token(&p, Want::ValidFor(None))
                .unwrap();
        assert_eq!((t.access_token.expose(), source), ("a2", Source::Renewed));
        let request = seen.join().unwrap();
        assert!(request.starts_with("POST /token "), "{request}");
        assert!(request.contains("grant_type=refresh_token") && request.contains("refresh_token=r1"), "{request}");
        let stored = s.store.tokens("p").unwrap().unwrap();
        assert_eq!(stored.refresh_token.unwrap().expose(), "r2");
        assert_eq!(s.store.state("p").renewals, 1);
    }

    #[test]
    fn invalid_grant_marks_needs_sign_in_and_keeps_what_is_stored() {
        let s = setup();
        s.store.save_tokens("p", &tokens("a1", -5, Some("r1"))).unwrap();
        let (url, _seen) = token_endpoint(400, r#"{"error": "invalid_grant"}"#);
        let http = Http::new().unwrap();
        let p = profile(url.join("token").unwrap().as_str());
        let err = Renewing { paths: &s.paths, store: &s.store, clock: &crate::clock::SystemClock, http: || Ok(&http) }
            .fresh_token(&p, Want::ValidFor(None))
            .unwrap_err();
        assert!(matches!(err, Error::SignInNeeded { .. }), "{err:?}");
        assert_eq!(s.store.state("p").status, Status::NeedsSignIn);
        assert_eq!(s.store.tokens("p").unwrap().unwrap().refresh_token.unwrap().expose(), "r1");
    }

    #[test]
    fn invalid_client_waits_for_a_person_keeps_the_tokens_and_asks_no_more() {
        let s = setup();
        s.store.save_tokens("p", &tokens("a1", -5, Some("r1"))).unwrap();
        let (url, _seen) = token_endpoint(401, r#"{"error": "invalid_client"}"#);
        let http = Http::new().unwrap();
        let p = profile(url.join("token").unwrap().as_str());
        let err = Renewing { paths: &s.paths, store: &s.store, clock: &crate::clock::SystemClock, http: || Ok(&http) }
            .fresh_token(&p, Want::ValidFor(None))
            .unwrap_err();
        assert!(matches!(err, Error::ClientRejected), "{err:?}");
        let state = s.store.state("p");
        assert_eq!(
            (state.status, state.last_error_code),
            (Status::NeedsClient, Some(crate::error::ErrorCode::ClientRejected))
        );
        assert_eq!(s.store.tokens("p").unwrap().unwrap().refresh_token.unwrap().expose(), "r1");
        // Asked again: refused at once, with no request (the server would only refuse again).
        assert!(matches!(
            Renewing { paths: &s.paths, store: &s.store, clock: &crate::clock::SystemClock, http: no_http }
                .fresh_token(&p, Want::ValidFor(None)),
            Err(Error::ClientRejected)
        ));
        // An access token that is still fresh is handed out: only renewal needs the client.
        s.store.save_tokens("p", &tokens("a2", 3600, Some("r2"))).unwrap();
        s.store.client_refused("p", "refused".into(), now_secs()).unwrap();
        let (t, _) = Renewing { paths: &s.paths, store: &s.store, clock: &crate::clock::SystemClock, http: no_http }
            .fresh_token(&p, Want::ValidFor(None))
            .unwrap();
        assert_eq!(t.access_token.expose(), "a2");
        // A client given again ends the wait; the tokens decide the status.
        s.store.client_replaced("p").unwrap();
        let state = s.store.state("p");
        assert_eq!((state.status, state.last_error), (Status::SignedIn, None));
    }

    #[test]
    fn a_server_that_cannot_be_reached_is_transient_and_keeps_the_tokens() {
        let s = setup();
        s.store.save_tokens("p", &tokens("a1", -5, Some("r1"))).unwrap();
        let http = Http::new().unwrap();
        // Port 9 (discard) on loopback: nothing listens, the connection is refused.
        let err = Renewing { paths: &s.paths, store: &s.store, clock: &crate::clock::SystemClock, http: || Ok(&http) }
            .fresh_token(&profile("http://127.0.0.1:9/token"), Want::ValidFor(None))
            .unwrap_err();
        assert!(err.is_transient(), "{err:?}");
        let state = s.store.state("p");
        assert_eq!(state.status, Status::Failing);
        assert!(state.last_error.is_some());
        assert_eq!(state.last_error_code, Some(crate::error::ErrorCode::Network));
        assert_eq!(s.store.tokens("p").unwrap().unwrap().refresh_token.unwrap().expose(), "r1");
    }

    #[test]
    fn rotated_tokens_wait_for_a_keyring_that_comes_back() {
        let s = setup();
        s.store.save_tokens("p", &tokens("a1", -5, Some("r1"))).unwrap();
        let (p, _seen) = rotating_server();
        let http = Http::new().unwrap();
        // The keyring goes away as the server answers, and is back 0.3 s later.
        let secrets = s.secrets.clone();
        let heal = std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(300));
            secrets.fail_with(None);
        });
        let store = s.store.clone();
        let failing = s.secrets.clone();
        let (t, _) = Renewing {
            paths: &s.paths,
            store: &store,
            clock: &crate::clock::SystemClock,
            http: || {
                failing.fail_with(Some("the keyring service restarted"));
                // The first read happened; from here the writes fail until healed.
                Ok(&http)
            },
        }
        .fresh_token(&p, Want::ValidFor(None))
        .unwrap_or_else(|e| panic!("the rotated tokens were not stored: {e}"));
        heal.join().unwrap();
        assert_eq!(t.access_token.expose(), "a2");
        assert_eq!(s.store.tokens("p").unwrap().unwrap().refresh_token.unwrap().expose(), "r2");
    }
}
