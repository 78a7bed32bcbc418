//! Signing in and out: starting a flow, finishing it from whatever caught the redirect
//! (callback URL, pasted code, device flow), and revoking at sign-out.

use super::*;

impl Latchkey {
    /// Start an authorization code flow; `redirect_uri` overrides the profile's for
    /// this flow (a loopback listener's actual port).
    pub fn start_sign_in(&self, name: &str, redirect_uri: Option<Url>) -> Result<SignInStart> {
        let mut profile = self.profile(name)?;
        if let Some(uri) = redirect_uri.or_else(|| with_a_port_for_agate(&profile)) {
            profile.redirect_uri = uri;
        }
        let secret = self.client_secret(&profile)?;
        let request = self.oauth_client(&profile, secret.as_ref())?.authorization_request();
        self.flows.insert(name, request.state, request.pkce_verifier, secret, profile.redirect_uri.clone());
        Ok(SignInStart { profile: name.into(), authorize_url: request.url, redirect_uri: profile.redirect_uri })
    }

    /// Start a sign-in whose redirect is caught on 127.0.0.1 (RFC 8252 §7.3): a listener
    /// on the profile's loopback address (its port, or any free one), and the flow started
    /// with the listener's address. The CLI and the app's "Use my browser" both open the
    /// authorize URL, then [`Latchkey::finish_loopback_sign_in`].
    pub fn start_loopback_sign_in(&self, name: &str) -> Result<(SignInStart, LoopbackWait)> {
        let profile = self.profile(name)?;
        let uri = &profile.redirect_uri;
        let listener = crate::oauth::loopback::LoopbackListener::bind(uri.port().unwrap_or(0), uri.path())?;
        let start = self.start_sign_in(name, Some(listener.redirect_uri()))?;
        let wait = LoopbackWait { listener, state: start.state(), profile: name.to_string() };
        Ok((start, wait))
    }

    /// Wait (blocking) for the browser to come back to the listener with this sign-in's
    /// state, then finish the sign-in with that address.
    pub fn finish_loopback_sign_in(&self, wait: LoopbackWait) -> Result<SignedIn> {
        let LoopbackWait { listener, state, profile } = wait;
        let callback = listener.wait(&state, crate::oauth::loopback::DEFAULT_TIMEOUT)?;
        self.complete_sign_in(callback.as_str(), Some(&profile))
    }

    /// Ask the authorization endpoint, without cookies, whether it takes this sign-in's
    /// request at all. Servers that check the client and its redirect URI before the
    /// login page (Keycloak, node oidc-provider) answer 400 with an error page a sign-in
    /// window would stop on for good; django-oauth-toolkit shows its login first (302),
    /// so `Ok` says only "not refused yet". Nothing is issued: no one is logged in here.
    pub fn check_sign_in_request(&self, name: &str, authorize_url: &Url) -> Result<()> {
        let profile = self.profile(name)?;
        let answer = self.http()?.get(authorize_url, None)?;
        match answer.status().as_u16() {
            400 => Err(Error::SignInRefused {
                profile: name.into(),
                status: 400,
                client_id: profile.client_id.unwrap_or_default(),
                redirect_uri: profile.redirect_uri.to_string(),
            }),
            _ => Ok(()),
        }
    }

    /// Which profile a callback URL belongs to, by its `state` (for catchers that see
    /// URLs from several flows). Does not consume the flow.
    pub fn pending_profile_for(&self, callback_url: &Url) -> Option<String> {
        let state = crate::oauth::callback::state_of(callback_url.as_str()).ok()??;
        self.flows.profile_for(&state)
    }

    pub fn cancel_sign_in(&self, name: &str) -> bool {
        self.flows.cancel(name)
    }

    /// End only the sign-in that sent `state`, if it is still waiting: a catcher that
    /// gives up (its window closed late, its check failed) must not end a newer sign-in
    /// of the same profile that began meanwhile.
    pub fn cancel_sign_in_with_state(&self, state: &str) -> bool {
        self.flows.take(state).is_some()
    }

    /// Finish a sign-in with what came back: a callback URL, or (for `profile_hint`'s
    /// flow only) a bare code. The `state` must match a flow this process started and
    /// has not finished; a callback is never exchanged otherwise. The redirect URI is the
    /// one the flow was started with (a listener's port, Agate's chosen one), which the
    /// flow remembers.
    pub fn complete_sign_in(&self, input: &str, profile_hint: Option<&str>) -> Result<SignedIn> {
        // One reading of the parameters decides both the profile and the flow
        // ([`crate::oauth::callback::state_of`] reads them as `parse_callback` does).
        let state = crate::oauth::callback::state_of(input)?;
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
        if let Some(uri) = self.flows.redirect_uri_of(&name) {
            profile.redirect_uri = uri;
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
                    Error::AuthorizationDenied { error, .. } if error == "invalid_scope" => {
                        let majora = profile.server.preset.is_majora();
                        Error::ScopeRefused {
                            profile: name.clone(),
                            scopes: profile.scopes.clone(),
                            majora,
                            why: crate::preset::why_scopes_refused(majora, &profile.scopes),
                        }
                    }
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
        let client = self.oauth_client(&profile, flow.client_secret.as_ref())?;
        let tokens = client.exchange_code(&code, flow.pkce_verifier.as_ref()).inspect_err(|e| {
            // The row then offers to give the client again, not another sign-in.
            if matches!(e, Error::ClientRejected) {
                let _ = self.store.client_refused(&name, e.to_string(), self.now());
            }
        })?;
        self.store_sign_in(&profile, &tokens, flow.client_secret.as_ref())
    }

    /// RFC 8628 device sign-in: `show` is called with the verification URI and user code
    /// to display, then this waits for approval — or for [`Latchkey::cancel_sign_in`].
    pub fn device_sign_in(&self, name: &str, show: impl FnOnce(&DeviceCode)) -> Result<SignedIn> {
        self.check_sign_in_way(crate::SignInWay::Code)?;
        let profile = self.profile(name)?;
        let secret = self.client_secret(&profile)?;
        let client = self.oauth_client(&profile, secret.as_ref())?;
        let cancelled = self.flows.start_device(name);
        let result = self.device_sign_in_with(&profile, &client, secret.as_ref(), &cancelled, show);
        self.flows.end_device(name, &cancelled);
        result
    }

    fn device_sign_in_with(
        &self,
        profile: &Profile,
        client: &OAuthClient<'_>,
        secret: Option<&Secret>,
        cancelled: &std::sync::atomic::AtomicBool,
        show: impl FnOnce(&DeviceCode),
    ) -> Result<SignedIn> {
        let start = client.device_authorization()?;
        let details = &start.details;
        // What the server names is opened and printed: only a web page of its own kind
        // (never `file:`, `smb:`, a UNC path or another program's scheme), and a code
        // that is plain text (never terminal escapes).
        let issuer = &profile.server.issuer;
        let page = device_page(details.verification_uri().as_str(), issuer).ok_or_else(|| {
            Error::BadResponse(
                "the server named a sign-in page that is not an https address, so Latchkey opens and shows nothing"
                    .into(),
            )
        })?;
        let complete = details.verification_uri_complete().and_then(|u| device_page(u.secret(), issuer));
        let user_code = details.user_code().secret();
        if user_code.is_empty() || user_code.len() > 64 || !user_code.chars().all(|c| c.is_ascii_graphic() || c == ' ')
        {
            return Err(Error::BadResponse("the server's sign-in code is not plain text".into()));
        }
        show(&DeviceCode {
            host: page.host_str().unwrap_or_default().to_string(),
            verification_uri: page.to_string(),
            verification_uri_complete: complete.map(|u| u.to_string()),
            user_code: user_code.to_string(),
            expires_in: details.expires_in().as_secs(),
        });
        let tokens = client.poll_device_token(&start, None, cancelled)?;
        if cancelled.load(std::sync::atomic::Ordering::SeqCst) {
            return Err(Error::Cancelled("the sign-in with a code was cancelled".into()));
        }
        self.store_sign_in(profile, &tokens, secret)
    }

    /// Keep a sign-in's tokens, then ask the server whose they are (best effort: a
    /// server that cannot say leaves the account unknown, never the last one's name).
    pub(super) fn store_sign_in(
        &self,
        profile: &Profile,
        tokens: &TokenSet,
        client_secret: Option<&Secret>,
    ) -> Result<SignedIn> {
        let _lock = FileLock::profile(&self.paths, &profile.name)?;
        // Ocarina's entries of the tokens this sign-in replaces go (best effort).
        let previous =
            if profile.ocarina_sync.is_some() { self.store.tokens(&profile.name).ok().flatten() } else { None };
        self.store.save_tokens(&profile.name, tokens)?;
        crate::token_file::after_new_tokens(&self.paths, &profile.name, &tokens.access_token);
        crate::renewal::refresh::sync_ocarina(profile, tokens, previous.as_ref());
        drop(_lock);
        let account = self
            .http()
            .and_then(|http| crate::oauth::probe::identity(http, profile, client_secret, &tokens.access_token))
            .map(|who| who.account)
            .unwrap_or_else(|e| {
                tracing::info!(profile = %profile.name, "could not tell whose account this is: {e}");
                None
            });
        let account_changed_from = self.store.signed_in_as(&profile.name, account.clone())?;
        tracing::info!(profile = %profile.name, "signed in");
        Ok(SignedIn {
            profile: profile.name.clone(),
            scopes: tokens.scopes.clone(),
            expires_at: tokens.expires_at,
            has_refresh_token: tokens.refresh_token.is_some(),
            account,
            account_changed_from,
        })
    }

    /// Revoke the tokens at the server (RFC 7009, where offered), then forget them.
    /// If revocation fails the tokens are kept, so nothing is left both valid and lost.
    pub fn logout(&self, name: &str) -> Result<SignOutReport> {
        let profile = self.profile(name)?;
        let _lock = FileLock::profile(&self.paths, name)?;
        let revoked = self.revoke_all(&profile)?;
        self.forget_ocarina_entries(&profile);
        self.store.forget_tokens(name)?;
        crate::token_file::after_sign_out(&self.paths, name);
        self.flows.cancel(name);
        Ok(SignOutReport { revoked, client_deleted: false })
    }

    /// Take Ocarina's newer tokens first (it may have refreshed on its own): those are
    /// the live ones, to revoke and to delete from its cache.
    pub(super) fn adopt_from_ocarina(&self, profile: &Profile) {
        if let Ok(Some(current)) = self.store.tokens(&profile.name) {
            if let Err(e) = crate::renewal::refresh::adopt_from_ocarina(&self.store, profile, &current) {
                tracing::warn!(profile = %profile.name, "cannot adopt Ocarina's tokens: {e}");
            }
        }
    }

    /// Delete the entries of Ocarina's cache that hold this profile's tokens, so Ocarina
    /// asks for a sign-in rather than fail with a dead token (best effort, logged).
    pub(super) fn forget_ocarina_entries(&self, profile: &Profile) {
        let (Some(path), Ok(Some(tokens))) = (&profile.ocarina_sync, self.store.tokens(&profile.name)) else { return };
        if let Err(e) = crate::ocarina::remove(path, &tokens) {
            tracing::warn!(profile = %profile.name, "cannot update Ocarina's token cache: {e}");
        }
    }

    pub(super) fn revoke_all(&self, profile: &Profile) -> Result<bool> {
        if profile.ocarina_sync.is_some() {
            self.adopt_from_ocarina(profile);
        }
        let Some(tokens) = self.store.tokens(&profile.name)? else { return Ok(false) };
        if profile.server.revoke_url.is_none() {
            return Ok(false);
        }
        let secret = self.client_secret(profile)?;
        let client = self.oauth_client(profile, secret.as_ref())?;
        // Refresh token first: revoking it usually ends the whole grant.
        if let Some(refresh) = &tokens.refresh_token {
            client.revoke(refresh, "refresh_token")?;
        }
        client.revoke(&tokens.access_token, "access_token")
    }
}

/// A device flow's page (RFC 8628 §3.2 `verification_uri[_complete]`) as Latchkey may
/// open and show it: https, or http where the issuer itself is on loopback (the tests,
/// a server on this machine); a host; no user name or password in it. Written out by
/// the URL parser, so no control character survives.
fn device_page(text: &str, issuer: &Url) -> Option<Url> {
    let url = Url::parse(text).ok()?;
    let loopback_http =
        url.scheme() == "http" && crate::profile::is_loopback(issuer) && crate::profile::is_loopback(&url);
    let web = url.scheme() == "https" || loopback_http;
    (web && url.host_str().is_some_and(|h| !h.is_empty()) && url.username().is_empty() && url.password().is_none())
        .then_some(url)
}

/// Agate takes a redirect URI that *starts with* one it has, and what is registered for
/// a loopback profile is `http://127.0.0.1:` (docs/agate.md): a sign-in not caught by a
/// listener (the sign-in window, a pasted address) still names a port, so the address
/// starts with it. Any free port does: the window catches the redirect before it is
/// loaded, and a person pasting copies it from the address bar.
fn with_a_port_for_agate(profile: &Profile) -> Option<Url> {
    let uri = &profile.redirect_uri;
    if profile.server.preset != PresetKind::Agate || !crate::profile::is_loopback_redirect(uri) || uri.port().is_some()
    {
        return None;
    }
    let port = std::net::TcpListener::bind((uri.host_str()?, 0)).ok()?.local_addr().ok()?.port();
    let mut with_port = uri.clone();
    with_port.set_port(Some(port)).ok()?;
    Some(with_port)
}

/// A loopback sign-in's listener, waiting for [`Latchkey::finish_loopback_sign_in`].
pub struct LoopbackWait {
    listener: crate::oauth::loopback::LoopbackListener,
    state: String,
    profile: String,
}
