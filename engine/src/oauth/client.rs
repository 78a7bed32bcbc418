//! An OAuth 2 client for one profile, with methods named for what the RFCs call them.
//!
//! Built on the `oauth2` crate; this module adds what Latchkey needs around it: the
//! profile's settings, the client secret from the keyring, the no-redirect transport,
//! and one place where token-endpoint failures become [`Error`]s.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::clock::{Clock, SystemClock};

use oauth2::basic::{BasicClient, BasicErrorResponseType, BasicTokenResponse};
use oauth2::{
    AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointMaybeSet, EndpointNotSet,
    EndpointSet, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RefreshToken, RequestTokenError, RevocationUrl,
    Scope, TokenResponse, TokenUrl,
};
use url::Url;

use crate::error::{Error, Result};
use crate::oauth::http::{Http, OAuthTransport, SendError};
use crate::profile::{ClientAuth, Profile};
use crate::store::secret::Secret;
use crate::store::TokenSet;

type Inner = BasicClient<EndpointSet, EndpointMaybeSet, EndpointNotSet, EndpointMaybeSet, EndpointSet>;

/// Everything needed to finish an authorization request later (kept in memory only).
#[derive(Debug)]
pub(crate) struct AuthorizationRequest {
    /// The URL to send the user to.
    pub url: Url,
    /// The `state` sent (256 random bits).
    pub state: String,
    /// The PKCE verifier, when PKCE is used.
    pub pkce_verifier: Option<Secret>,
}

/// The answer of a credentials check (see [`OAuthClient::check_credentials`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "kebab-case")]
pub enum CredentialCheck {
    /// The server knows the client and its secret (it refused only the fake code).
    Accepted,
    /// `invalid_client`: wrong client id or secret.
    Rejected,
}

/// Client authentication for the requests Latchkey makes itself (RFC 7009 revocation,
/// RFC 7662 introspection), as the `oauth2` crate does at the token endpoint: HTTP Basic
/// with the form-urlencoded id and secret (RFC 6749 §2.3.1), the two in the form for
/// `client_secret_post`, and only the client id for a public client — never the token
/// being asked about as a credential.
/// RFC 8628 §3.4: the grant type of a device access token request.
const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

pub(crate) fn authenticate(
    form: &mut Vec<(&'static str, String)>,
    profile: &Profile,
    client_secret: Option<&Secret>,
) -> Option<(String, String)> {
    let client_id = profile.client_id.clone().unwrap_or_default();
    match (client_secret, profile.server.client_auth) {
        (Some(secret), ClientAuth::ClientSecretBasic) => {
            let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
            Some((enc(&client_id), enc(secret.expose())))
        }
        (Some(secret), ClientAuth::ClientSecretPost) => {
            form.push(("client_id", client_id));
            form.push(("client_secret", secret.expose().to_string()));
            None
        }
        (None, _) => {
            form.push(("client_id", client_id));
            None
        }
    }
}

/// Agate's token endpoint answers with the name of the Java exception it caught instead
/// of an RFC 6749 code (its `OAuthResource` puts the class name in `error`): these two
/// mean `invalid_client` (a wrong application key, or no such application) and
/// `invalid_grant` (no authorization with that code: never made, revoked, or removed).
/// The longest token lifetime taken from a server (a year); more is read as this.
const MAX_LIFETIME: u64 = 365 * 24 * 3600;

const AGATE_INVALID_KEY: &str = "InvalidApplicationKeyException";
const AGATE_NO_SUCH_AUTHORIZATION: &str = "NoSuchAuthorizationException";

/// A device authorization (RFC 8628 §3.2) and the PKCE verifier its token request needs.
pub(crate) struct DeviceStart {
    pub details: oauth2::StandardDeviceAuthorizationResponse,
    verifier: oauth2::PkceCodeVerifier,
}

pub(crate) struct OAuthClient<'a> {
    profile: &'a Profile,
    inner: Inner,
    http: &'a Http,
    client_secret: Option<Secret>,
    /// Turns a response's `expires_in` into an absolute time.
    clock: &'a dyn Clock,
}

impl<'a> OAuthClient<'a> {
    /// A client for `profile`; `client_secret` is `None` for public clients.
    pub(crate) fn new(profile: &'a Profile, client_secret: Option<&Secret>, http: &'a Http) -> Result<Self> {
        let client_id = profile.client_id.clone().ok_or_else(|| Error::NotRegistered(profile.name.clone()))?;
        let server = &profile.server;
        let mut inner = BasicClient::new(ClientId::new(client_id))
            .set_auth_uri(AuthUrl::from_url(server.authorize_url.clone()))
            .set_token_uri(TokenUrl::from_url(server.token_url.clone()))
            .set_revocation_url_option(server.revoke_url.clone().map(RevocationUrl::from_url))
            .set_device_authorization_url_option(
                server.device_url.clone().map(oauth2::DeviceAuthorizationUrl::from_url),
            )
            .set_redirect_uri(RedirectUrl::from_url(profile.redirect_uri.clone()))
            .set_auth_type(match server.client_auth {
                ClientAuth::ClientSecretBasic => AuthType::BasicAuth,
                ClientAuth::ClientSecretPost => AuthType::RequestBody,
            });
        if let Some(secret) = client_secret {
            inner = inner.set_client_secret(ClientSecret::new(secret.expose().to_string()));
        }
        Ok(Self { profile, inner, http, client_secret: client_secret.cloned(), clock: &SystemClock })
    }

    /// RFC 6749 §4.1.1 authorization request, with `state` and PKCE S256 (RFC 7636)
    /// unless the server can't take it. No OIDC `nonce`: it protects an ID token, and
    /// Latchkey uses none (whose account it is comes from userinfo or introspection), so
    /// a nonce sent would be a check promised and never made (OIDC Core §3.1.2.1 makes
    /// it optional for the code flow).
    pub(crate) fn authorization_request(&self) -> AuthorizationRequest {
        let mut request = self
            .inner
            .authorize_url(|| CsrfToken::new_random_len(32))
            .add_scopes(self.profile.scopes.iter().cloned().map(Scope::new));
        let mut pkce_verifier = None;
        if self.profile.server.pkce {
            let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
            request = request.set_pkce_challenge(challenge);
            pkce_verifier = Some(Secret::new(verifier.secret().clone()));
        }
        // OpenID Connect Core §11: `offline_access` (a refresh token) is granted only
        // with `prompt=consent`; certified providers (oidc-provider) drop it otherwise.
        // Only then, so servers without the scope (Majora, DOT) see no prompt.
        if self.profile.scopes.iter().any(|s| s == "offline_access") {
            request = request.add_extra_param("prompt", "consent");
        }
        let (url, state) = request.url();
        AuthorizationRequest { url, state: state.secret().clone(), pkce_verifier }
    }

    /// RFC 6749 §4.1.3: exchange an authorization code for tokens.
    pub(crate) fn exchange_code(&self, code: &Secret, pkce_verifier: Option<&Secret>) -> Result<TokenSet> {
        let redirect = RedirectUrl::from_url(self.profile.redirect_uri.clone());
        let mut tokens = self.exchange(code, pkce_verifier, &redirect)?;
        if self.profile.server.renewal == crate::profile::Renewal::ReexchangeCode {
            tokens.code = Some(code.clone());
            tokens.code_redirect_uri = Some(redirect.as_str().to_string());
        }
        Ok(tokens)
    }

    /// The token request of the code grant, naming `redirect_uri` (RFC 6749 §4.1.3).
    fn exchange(&self, code: &Secret, pkce_verifier: Option<&Secret>, redirect_uri: &RedirectUrl) -> Result<TokenSet> {
        let transport = self.http.oauth();
        let mut request = self
            .inner
            .exchange_code(AuthorizationCode::new(code.expose().to_string()))
            .set_redirect_uri(std::borrow::Cow::Borrowed(redirect_uri));
        if let Some(v) = pkce_verifier {
            request = request.set_pkce_verifier(PkceCodeVerifier::new(v.expose().to_string()));
        }
        let response = request.request(&&transport).map_err(|e| self.token_error(e, &transport, false))?;
        Ok(self.token_set(response, None))
    }

    /// RFC 6749 §6: refresh. A server that sends no new refresh token keeps the old one
    /// valid, so the old one is carried over.
    ///
    /// When the request went out but its answer never arrived (no answer in time, one
    /// cut off), the server may have renewed and retired the refresh token already: it is
    /// sent once more at once, which servers that allow a reuse for a while
    /// (django-oauth-toolkit's grace period, Keycloak's reuse count) answer with good
    /// tokens. A server that refuses it then is said to have likely renewed the token
    /// with its answer lost, not merely to refuse the refresh token.
    pub(crate) fn refresh(&self, refresh_token: &Secret) -> Result<TokenSet> {
        let grant = RefreshToken::new(refresh_token.expose().to_string());
        let transport = self.http.oauth();
        let response = match self.inner.exchange_refresh_token(&grant).request(&&transport) {
            Ok(response) => response,
            Err(e) => {
                let lost = transport.answer_lost();
                let err = self.token_error(e, &transport, true);
                let Some(lost) = lost else { return Err(err) };
                tracing::info!(
                    profile = %self.profile.name,
                    "the answer to a refresh never arrived ({lost}); sending the same refresh token once more"
                );
                let again = self.http.oauth();
                self.inner.exchange_refresh_token(&grant).request(&&again).map_err(|e| {
                    match self.token_error(e, &again, true) {
                        Error::SignInNeeded { .. } => self.sign_in_needed(&format!(
                            "the server may have renewed the token, but its answer never arrived ({lost}), and it \
                             no longer accepts the old refresh token"
                        )),
                        other => other,
                    }
                })?
            }
        };
        Ok(self.token_set(response, Some(refresh_token)))
    }

    /// Agate: exchange the stored code again (it stays valid for the authorization's life),
    /// with the redirect URI it was issued for (`redirect_uri`; the profile's when the
    /// code was stored before Latchkey kept it). The answer keeps both for the next time.
    pub(crate) fn reexchange_code(&self, code: &Secret, redirect_uri: Option<&str>) -> Result<TokenSet> {
        let issued_for = match redirect_uri {
            Some(uri) => RedirectUrl::new(uri.to_string())
                .map_err(|e| Error::BadResponse(format!("the stored redirect URI is not valid: {e}")))?,
            None => RedirectUrl::from_url(self.profile.redirect_uri.clone()),
        };
        let mut tokens = self.exchange(code, None, &issued_for).map_err(|e| match e {
            Error::CodeRejected => self.sign_in_needed("the server no longer accepts the stored authorization"),
            // Agate: the stored code was issued for another return address (a code kept
            // before Latchkey stored the address with it); a sign-in makes both anew.
            Error::ServerError { error, .. } if error == "invalid_redirect_uri" => {
                self.sign_in_needed("the server does not accept the stored authorization with this return address")
            }
            other => other,
        })?;
        tokens.code = Some(code.clone());
        tokens.code_redirect_uri = Some(issued_for.as_str().to_string());
        Ok(tokens)
    }

    /// RFC 7009: revoke a token (`hint`: `access_token` or `refresh_token`).
    /// `Ok(false)` when the server has no revocation endpoint. Done here rather than with
    /// the `oauth2` crate, which refuses loopback http endpoints the tests use.
    pub(crate) fn revoke(&self, token: &Secret, hint: &str) -> Result<bool> {
        let Some(url) = &self.profile.server.revoke_url else { return Ok(false) };
        let mut form = vec![("token", token.expose().to_string()), ("token_type_hint", hint.to_string())];
        let basic = authenticate(&mut form, self.profile, self.client_secret.as_ref());
        let response = self.http.post_form(url, &form, basic)?;
        match response.status().as_u16() {
            200..=299 => Ok(true),
            401 => Err(Error::ClientRejected),
            status => {
                let value: serde_json::Value = serde_json::from_slice(response.body()).unwrap_or_default();
                let (error, description) = crate::oauth::callback::oauth_error_body(&value, status);
                Err(Error::ServerError {
                    error,
                    description: Some(
                        description.map_or("revoking a token".into(), |d| format!("revoking a token: {d}")),
                    ),
                })
            }
        }
    }

    /// Check a client id and secret without a real code: an unknown code is answered
    /// `invalid_grant` when the client is right and `invalid_client` when it is wrong.
    pub(crate) fn check_credentials(&self) -> Result<CredentialCheck> {
        let transport = self.http.oauth();
        let fake = AuthorizationCode::new(format!("latchkey-credential-check-{}", CsrfToken::new_random().secret()));
        match self.inner.exchange_code(fake).request(&&transport) {
            Err(RequestTokenError::ServerResponse(r)) => match r.error() {
                BasicErrorResponseType::InvalidGrant => Ok(CredentialCheck::Accepted),
                BasicErrorResponseType::InvalidClient | BasicErrorResponseType::UnauthorizedClient => {
                    Ok(CredentialCheck::Rejected)
                }
                // Agate checks the key first, then looks the code up.
                BasicErrorResponseType::Extension(name) if name == AGATE_NO_SUCH_AUTHORIZATION => {
                    Ok(CredentialCheck::Accepted)
                }
                BasicErrorResponseType::Extension(name) if name == AGATE_INVALID_KEY => Ok(CredentialCheck::Rejected),
                _ => Err(self.token_error(RequestTokenError::ServerResponse(r), &transport, false)),
            },
            Err(e) => match transport.last_status() {
                Some(401) => Ok(CredentialCheck::Rejected),
                _ => Err(self.token_error(e, &transport, false)),
            },
            Ok(_) => Err(Error::BadResponse("the server accepted a made-up code".into())),
        }
    }

    /// RFC 8628 §3.1: ask for a device code. Needs the server's device endpoint.
    ///
    /// With a PKCE challenge (RFC 7636) although RFC 8628 has none: Keycloak demands one
    /// from a client whose PKCE is enforced ("Missing parameter: code_challenge_method"),
    /// and servers that do not know the parameters ignore them (RFC 6749 §3.1).
    pub(crate) fn device_authorization(&self) -> Result<DeviceStart> {
        let transport = self.http.oauth();
        let (challenge, verifier) = oauth2::PkceCodeChallenge::new_random_sha256();
        let request = self
            .inner
            .exchange_device_code()
            .map_err(|_| Error::Unsupported("the device authorization grant (RFC 8628)".into()))?
            .add_scopes(self.profile.scopes.iter().cloned().map(Scope::new))
            .add_extra_param("code_challenge", challenge.as_str().to_string())
            .add_extra_param("code_challenge_method", challenge.method().as_str().to_string());
        let details = request.request(&&transport).map_err(|e| self.token_error(e, &transport, false))?;
        Ok(DeviceStart { details, verifier })
    }

    /// RFC 8628 §3.4–3.5: poll until the user approves, denies, or the code expires —
    /// or `cancelled` is set (the person pressed Cancel): then no further request goes
    /// out and the answer is [`Error::Cancelled`] within a tenth of a second.
    ///
    /// Written here rather than with the `oauth2` crate's poller, which retries a failed
    /// request until the code expires and so could not be stopped.
    pub(crate) fn poll_device_token(
        &self,
        start: &DeviceStart,
        timeout: Option<Duration>,
        cancelled: &AtomicBool,
    ) -> Result<TokenSet> {
        // The server's numbers, clamped so no sum with them can overflow: a device code
        // lives a day at most, and polls come at least every five minutes.
        let lifetime = start.details.expires_in().min(Duration::from_secs(24 * 3600));
        let deadline = Instant::now() + timeout.map_or(lifetime, |t| t.min(lifetime));
        // §3.2: five seconds when the server names no interval.
        let mut interval = start.details.interval().clamp(Duration::from_secs(1), Duration::from_secs(300));
        let url = &self.profile.server.token_url;
        loop {
            let wake = Instant::now() + interval;
            while Instant::now() < wake {
                if cancelled.load(Ordering::SeqCst) {
                    return Err(Error::Cancelled("the sign-in with a code was cancelled".into()));
                }
                std::thread::sleep(Duration::from_millis(100).min(wake.saturating_duration_since(Instant::now())));
            }
            if cancelled.load(Ordering::SeqCst) {
                return Err(Error::Cancelled("the sign-in with a code was cancelled".into()));
            }
            if Instant::now() >= deadline {
                return Err(Error::Cancelled("the code expired before it was approved".into()));
            }
            let mut form = vec![
                ("grant_type", DEVICE_GRANT.to_string()),
                ("device_code", start.details.device_code().secret().to_string()),
                ("code_verifier", start.verifier.secret().to_string()),
            ];
            let basic = authenticate(&mut form, self.profile, self.client_secret.as_ref());
            let response = match self.http.post_form(url, &form, basic) {
                Ok(response) => response,
                // §3.5: back off when the server cannot be reached, and keep trying.
                Err(Error::Network { .. }) => {
                    interval = (interval * 2).min(Duration::from_secs(30)).max(interval);
                    continue;
                }
                Err(e) => return Err(e),
            };
            let status = response.status().as_u16();
            if (200..300).contains(&status) {
                let tokens: BasicTokenResponse = serde_json::from_slice(response.body())
                    .map_err(|e| Error::BadResponse(format!("the token response is not valid: {e}")))?;
                return Ok(self.token_set(tokens, None));
            }
            let body: serde_json::Value = serde_json::from_slice(response.body()).unwrap_or_default();
            let (error, description) = crate::oauth::callback::oauth_error_body(&body, status);
            match error.as_str() {
                "authorization_pending" => {}
                "slow_down" => interval += Duration::from_secs(5),
                "access_denied" => return Err(Error::AuthorizationDenied { error, description }),
                "expired_token" => return Err(Error::Cancelled("the code expired before it was approved".into())),
                "invalid_client" | "unauthorized_client" => return Err(Error::ClientRejected),
                _ if status == 401 => return Err(Error::ClientRejected),
                _ => return Err(Error::ServerError { error, description }),
            }
        }
    }

    /// Read the time from `clock` instead of the system's (the engine passes its own).
    pub(crate) fn at(mut self, clock: &'a dyn Clock) -> Self {
        self.clock = clock;
        self
    }

    fn token_set(&self, response: BasicTokenResponse, old_refresh: Option<&Secret>) -> TokenSet {
        let now = self.clock.now();
        TokenSet {
            access_token: Secret::new(response.access_token().secret().clone()),
            token_type: format!("{:?}", response.token_type()).to_lowercase(),
            refresh_token: response
                .refresh_token()
                .map(|r| Secret::new(r.secret().clone()))
                .or_else(|| old_refresh.cloned()),
            // A server's number, clamped: a lifetime of more than a year is taken as a
            // year, and the sum never overflows.
            expires_at: response.expires_in().map(|d| now.saturating_add(d.as_secs().min(MAX_LIFETIME))),
            obtained_at: now,
            scopes: match response.scopes() {
                Some(scopes) => scopes.iter().map(|s| s.to_string()).collect(),
                None => self.profile.scopes.clone(),
            },
            code: None,
            code_redirect_uri: None,
        }
    }

    fn sign_in_needed(&self, reason: &str) -> Error {
        Error::SignInNeeded { profile: self.profile.name.clone(), reason: reason.into() }
    }

    /// The one place token-endpoint failures become errors. Bodies are never quoted:
    /// a half-parsed body might hold a token.
    fn token_error<RE>(
        &self,
        err: RequestTokenError<oauth2::HttpClientError<SendError>, RE>,
        transport: &OAuthTransport<'_>,
        refreshing: bool,
    ) -> Error
    where
        RE: oauth2::ErrorResponse + 'static,
    {
        let url = &self.profile.server.token_url;
        match err {
            RequestTokenError::ServerResponse(r) => {
                let value = serde_json::to_value(&r).unwrap_or_default();
                let (code, description) = crate::oauth::callback::oauth_error_body(&value, 400);
                match code.as_str() {
                    "invalid_grant" if refreshing => {
                        self.sign_in_needed("the server no longer accepts the stored refresh token")
                    }
                    "invalid_grant" | AGATE_NO_SUCH_AUTHORIZATION => Error::CodeRejected,
                    "invalid_client" | "unauthorized_client" | AGATE_INVALID_KEY => Error::ClientRejected,
                    // Majora checks two-factor authentication when the code is exchanged
                    // (its only `access_denied` there); elsewhere the user was refused.
                    "access_denied" if !refreshing && (self.profile.server.preset.is_majora()
                        || description.as_deref().is_some_and(|d| d.contains("2FA"))) =>
                    {
                        Error::TwoFactorRequired { profile: self.profile.name.clone(), description }
                    }
                    "access_denied" if !refreshing => Error::AuthorizationDenied { error: code, description },
                    _ => Error::ServerError { error: code, description },
                }
            }
            RequestTokenError::Request(e) => network(url, e),
            RequestTokenError::Parse(_, _) | RequestTokenError::Other(_) if transport.too_large() => {
                Error::BadResponse("the answer is larger than 1 MiB".into())
            }
            RequestTokenError::Parse(_, _) | RequestTokenError::Other(_) if transport.cut_off().is_some() => Error::Network {
                url: crate::oauth::callback::redact_url(url),
                reason: format!("the answer was cut off: {}", transport.cut_off().unwrap_or_default()),
            },
            RequestTokenError::Parse(_, _) | RequestTokenError::Other(_) => {
                match transport.last_status() {
                    Some(401) => Error::ClientRejected,
                    Some(status) if (300..400).contains(&status) => Error::BadResponse(format!(
                        "HTTP {status}: the endpoint redirects elsewhere, and Latchkey does not follow redirects with credentials"
                    )),
                    Some(status) if status >= 400 => Error::ServerError {
                        error: format!("HTTP {status}"),
                        description: Some("the body was not an OAuth error".into()),
                    },
                    Some(status) => Error::BadResponse(format!(
                        "HTTP {status} with a body that is not a valid token response"
                    )),
                    None => Error::BadResponse("no answer".into()),
                }
            }
        }
    }
}

fn network(url: &Url, err: oauth2::HttpClientError<SendError>) -> Error {
    let reason = match &err {
        oauth2::HttpClientError::Reqwest(e) => e.to_string(),
        other => other.to_string(),
    };
    Error::Network { url: crate::oauth::callback::redact_url(url), reason }
}

#[cfg(test)]
pub mod tests {
    use std::io::{Read, Write};
    use std::net::TcpListener;

    use super::*;
    use crate::preset::{resolve, ServerSpec};
    use crate::profile::{PresetKind, RedirectMode};

    /// A one-request token endpoint: answers `status` + `body`, returns the request seen.
    pub fn token_endpoint(status: u16, body: &'static str) -> (Url, std::thread::JoinHandle<String>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let handle = std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            let mut buf = vec![0u8; 65536];
            let mut seen = Vec::new();
            loop {
                let n = stream.read(&mut buf).unwrap();
                seen.extend_from_slice(&buf[..n]);
                let text = String::from_utf8_lossy(&seen);
                if let Some(head_end) = text.find("\r\n\r\n") {
                    let len = text[..head_end]
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length:")
                                .map(|v| v.trim().parse::<usize>().unwrap())
                        })
                        .unwrap_or(0);
                    if seen.len() >= head_end + 4 + len {
                        break;
                    }
                }
            }
            write!(
                stream,
                "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            )
            .unwrap();
            String::from_utf8_lossy(&seen).into_owned()
        });
        (Url::parse(&format!("http://127.0.0.1:{port}/")).unwrap(), handle)
    }

    fn agate_profile(base: Url) -> Profile {
        let http = Http::new().unwrap();
        let r = resolve(PresetKind::Agate, &ServerSpec { base_url: Some(base), ..Default::default() }, &http).unwrap();
        Profile {
            name: "agate".into(),
            server: r.server,
            client_id: Some("my-app".into()),
            has_client_secret: true,
            registration_client_uri: None,
            scopes: r.scopes,
            redirect_uri: r.redirect_uri,
            redirect_mode: RedirectMode::Window,
            ocarina_sync: None,
        }
    }

    #[test]
    fn agate_renews_by_re_exchanging_the_stored_code() {
        let (base, seen) =
            token_endpoint(200, r#"{"access_token": "jwt-2", "token_type": "Bearer", "expires_in": 28800}"#);
        let profile = agate_profile(base);
        let http = Http::new().unwrap();
        let client = OAuthClient::new(&profile, Some(&Secret::new("key")), &http).unwrap();
        let tokens = client.reexchange_code(&Secret::new("the-code"), None).unwrap();
        let request = seen.join().unwrap();
        assert!(request.starts_with("POST /ws/oauth2/token "), "{request}");
        assert!(request.contains("grant_type=authorization_code"), "{request}");
        assert!(request.contains("code=the-code"), "{request}");
        assert!(request.contains("redirect_uri=latchkey%3A%2F%2Fcallback"), "{request}");
        assert!(!request.contains("code_verifier"), "Agate takes no PKCE: {request}");
        assert_eq!(tokens.access_token.expose(), "jwt-2");
        assert_eq!(tokens.code.as_ref().unwrap().expose(), "the-code", "the code is kept for the next renewal");
        assert_eq!(tokens.lifetime(), Some(28800));
    }

    #[test]
    fn agate_authorize_url_has_no_pkce_and_always_redirect_and_scope() {
        let profile = agate_profile(Url::parse("https://agate.example.org/").unwrap());
        let http = Http::new().unwrap();
        let client = OAuthClient::new(&profile, None, &http).unwrap();
        let request = client.authorization_request();
        let q: std::collections::HashMap<_, _> = request.url.query_pairs().into_owned().collect();
        assert!(!q.contains_key("code_challenge"));
        assert_eq!(q["redirect_uri"], "latchkey://callback");
        assert_eq!(q["scope"], "openid email profile");
        assert!(!q.contains_key("nonce"), "no ID token is used, so no nonce is promised");
        assert!(request.pkce_verifier.is_none());
        assert!(request.state.len() >= 43, "state must carry at least 128 bits");
        assert!(!q.contains_key("prompt"), "no offline_access, no prompt");
    }

    #[test]
    fn offline_access_asks_for_consent_as_openid_connect_requires() {
        let mut profile = agate_profile(Url::parse("https://id.example.org/").unwrap());
        profile.scopes = vec!["openid".into(), "offline_access".into()];
        let http = Http::new().unwrap();
        let client = OAuthClient::new(&profile, None, &http).unwrap();
        let q: std::collections::HashMap<_, _> =
            client.authorization_request().url.query_pairs().into_owned().collect();
        assert_eq!(q.get("prompt").map(String::as_str), Some("consent"));
    }

    #[test]
    fn an_ended_agate_authorization_means_sign_in() {
        let (base, seen) = token_endpoint(400, r#"{"error": "invalid_grant"}"#);
        let profile = agate_profile(base);
        let http = Http::new().unwrap();
        let client = OAuthClient::new(&profile, Some(&Secret::new("key")), &http).unwrap();
        let err = client.reexchange_code(&Secret::new("old-code"), None).unwrap_err();
        seen.join().unwrap();
        assert_eq!(err.code(), "sign-in-needed");
    }

    #[test]
    fn a_lifetime_beyond_any_clock_is_clamped_not_overflowed() {
        let (base, seen) =
            token_endpoint(200, r#"{"access_token": "a", "token_type": "Bearer", "expires_in": 18446744073709551615}"#);
        let mut profile = agate_profile(base);
        profile.server.renewal = crate::profile::Renewal::RefreshToken;
        let http = Http::new().unwrap();
        let client = OAuthClient::new(&profile, Some(&Secret::new("key")), &http).unwrap();
        let tokens = client.refresh(&Secret::new("r")).unwrap();
        seen.join().unwrap();
        assert_eq!(tokens.lifetime(), Some(MAX_LIFETIME));
    }

    #[test]
    fn an_answer_over_one_mib_is_refused_not_buffered() {
        let huge: &'static str =
            Box::leak(format!("{{\"access_token\": \"{}\"}}", "a".repeat(2 << 20)).into_boxed_str());
        let (base, seen) = token_endpoint(200, huge);
        let mut profile = agate_profile(base);
        profile.server.renewal = crate::profile::Renewal::RefreshToken;
        let http = Http::new().unwrap();
        let client = OAuthClient::new(&profile, Some(&Secret::new("key")), &http).unwrap();
        let err = client.refresh(&Secret::new("r")).unwrap_err();
        seen.join().unwrap();
        assert_eq!(err.code(), "bad-response");
        assert!(err.to_string().contains("larger than 1 MiB"), "{err}");
    }

    #[test]
    fn html_5xx_and_redirects_are_described_not_quoted() {
        let (base, seen) = token_endpoint(502, "<html>Bad gateway access_token=leak</html>");
        let mut profile = agate_profile(base);
        profile.server.renewal = crate::profile::Renewal::RefreshToken;
        let http = Http::new().unwrap();
        let client = OAuthClient::new(&profile, Some(&Secret::new("key")), &http).unwrap();
        let err = client.refresh(&Secret::new("r")).unwrap_err();
        seen.join().unwrap();
        assert_eq!(err.code(), "server-error");
        assert!(err.to_string().contains("HTTP 502"), "{err}");
        assert!(!err.to_string().contains("leak"));
        assert!(err.is_transient());
    }
}
