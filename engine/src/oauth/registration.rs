//! Registering Latchkey as a client: dynamically (RFC 7591/7592) where the server
//! offers it, otherwise the exact values a person types into the server's form.

use serde::Deserialize;
use serde_json::json;
use url::Url;

use crate::error::{Error, Result};
use crate::oauth::http::Http;
use crate::profile::{PresetKind, Profile};
use crate::store::secret::Secret;

/// What RFC 7591 §3.2.1 returns (the fields Latchkey keeps).
#[derive(Debug, Deserialize)]
pub struct Registration {
    pub client_id: String,
    #[serde(default)]
    pub client_secret: Option<Secret>,
    #[serde(default)]
    pub registration_access_token: Option<Secret>,
    #[serde(default)]
    pub registration_client_uri: Option<Url>,
}

/// One value to type into a registration form.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FormField {
    pub label: &'static str,
    pub value: String,
}

/// The client name Latchkey registers under.
pub(crate) fn client_name(profile: &Profile) -> String {
    let host = std::env::var("HOSTNAME").ok().filter(|h| !h.is_empty());
    match host {
        Some(h) => format!("Latchkey ({h}, {})", profile.name),
        None => format!("Latchkey ({})", profile.name),
    }
}

/// RFC 7591: register a native client for the profile's redirect URI, with the initial
/// access token (§3) where the server's administrator handed one out.
///
/// No `scope` is sent: servers read it as a limit, and they disagree on what may be in
/// it (Keycloak refuses `openid`, which is no client scope there; oidc-provider then
/// refuses any `openid` request of a client registered without it). Without it the
/// client may ask for every scope the server has, which is what the profile does.
pub(crate) fn register(
    http: &Http,
    endpoint: &Url,
    profile: &Profile,
    initial_access_token: Option<&Secret>,
) -> Result<Registration> {
    let mut grant_types = vec!["authorization_code", "refresh_token"];
    if profile.server.device_url.is_some() {
        // RFC 8628 §7.2: a client may use the device grant only if registered for it.
        grant_types.push("urn:ietf:params:oauth:grant-type:device_code");
    }
    let body = json!({
        "client_name": client_name(profile),
        "redirect_uris": [profile.redirect_uri.as_str()],
        "grant_types": grant_types,
        "response_types": ["code"],
        "token_endpoint_auth_method": "client_secret_basic",
        "application_type": "native",
    });
    let response = http.post_json(endpoint, &body, initial_access_token)?;
    let status = response.status();
    let bytes = response.body();
    if !status.is_success() {
        let value: serde_json::Value = serde_json::from_slice(bytes).unwrap_or_default();
        let (error, description) = crate::oauth::callback::oauth_error_body(&value, status.as_u16());
        // 401/403: the endpoint is closed to this request (Keycloak's "Trusted Hosts"
        // policy refuses anonymous registration with 403), not broken.
        if matches!(status.as_u16(), 401 | 403) {
            return Err(Error::RegistrationRefused {
                profile: profile.name.clone(),
                had_initial_token: initial_access_token.is_some(),
                description,
            });
        }
        return Err(Error::ServerError { error, description });
    }
    let registration = parse_registration(bytes)?;
    // The registration access token goes there later: plain http only where the issuer
    // itself is on loopback (as for every endpoint), never to a local port a remote
    // server names.
    if let Some(uri) = &registration.registration_client_uri {
        profile.server.check_endpoint("registration client", uri)?;
        check_client_uri(uri, endpoint)?;
    }
    Ok(registration)
}

/// RFC 7592's client configuration endpoint must be the registration endpoint's own
/// origin: the registration access token goes there (and `DELETE` at removal), so an
/// answer naming another host would hand that token to it.
fn check_client_uri(uri: &Url, registration_endpoint: &Url) -> Result<()> {
    if uri.origin() == registration_endpoint.origin() {
        return Ok(());
    }
    Err(Error::BadResponse(format!(
        "the server named its registration management address on another host ({}) than its registration \
         endpoint ({}); Latchkey sends the registration token nowhere else",
        uri.host_str().unwrap_or("?"),
        registration_endpoint.host_str().unwrap_or("?")
    )))
}

pub fn parse_registration(bytes: &[u8]) -> Result<Registration> {
    let registration: Registration = serde_json::from_slice(bytes)
        .map_err(|e| Error::BadResponse(format!("registration answer is not valid: {e}")))?;
    if registration.client_id.is_empty() {
        return Err(Error::BadResponse("registration answer has an empty client_id".into()));
    }
    if let Some(uri) = &registration.registration_client_uri {
        crate::profile::check_secure_url("registration client", uri)?;
    }
    Ok(registration)
}

/// RFC 7592 §2.3: delete a dynamically registered client at `client_uri`, only where it
/// is on the origin of the profile's registration endpoint (its issuer's, when a profile
/// no longer knows that endpoint): a profile written before that rule may name any host.
pub(crate) fn delete(http: &Http, profile: &Profile, client_uri: &Url, token: &Secret) -> Result<()> {
    let endpoint = profile.server.registration_url.as_ref().unwrap_or(&profile.server.issuer);
    check_client_uri(client_uri, endpoint)?;
    let response = http.delete(client_uri, token)?;
    match response.status().as_u16() {
        200..=299 | 404 | 401 => Ok(()), // gone already, or the token is no longer valid
        status => Err(Error::ServerError {
            error: format!("HTTP {status}"),
            description: Some("deleting the client registration".into()),
        }),
    }
}

/// What to register on Agate for `redirect_uri`. Agate takes a redirect URI that *starts
/// with* one of the application's, and a loopback sign-in's carries the port it listens
/// on (`http://127.0.0.1:PORT/callback`), which `http://127.0.0.1/callback` does not
/// start: so for a loopback address with no fixed port, `http://127.0.0.1:`.
pub fn agate_redirect(redirect_uri: &Url) -> String {
    match (crate::profile::is_loopback_redirect(redirect_uri), redirect_uri.port(), redirect_uri.host_str()) {
        (true, None, Some(host)) => format!("{}://{host}:", redirect_uri.scheme()),
        _ => redirect_uri.to_string(),
    }
}

/// The exact values for a server's "new application" form.
pub(crate) fn manual_form(profile: &Profile) -> Vec<FormField> {
    let name = FormField { label: "Name", value: client_name(profile) };
    let redirect = FormField { label: "Redirect URIs", value: profile.redirect_uri.to_string() };
    match profile.server.preset {
        PresetKind::Majora | PresetKind::MajoraTest => vec![
            name,
            FormField { label: "Client type", value: "Confidential".into() },
            FormField { label: "Authorization grant type", value: "Authorization code".into() },
            redirect,
        ],
        PresetKind::Agate => {
            let redirect = FormField { label: "Redirect URIs", value: agate_redirect(&profile.redirect_uri) };
            vec![name, redirect, FormField { label: "Scopes", value: profile.scope_string() }]
        }
        PresetKind::Generic => vec![
            name,
            FormField { label: "Client type", value: "Confidential (or public, with PKCE)".into() },
            FormField { label: "Grant types", value: "Authorization code, refresh token".into() },
            redirect,
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn public_profile_for(issuer: &Url) -> Profile {
        use crate::profile::{RedirectMode, Server};
        Profile {
            name: "lab".into(),
            server: Server::new(
                PresetKind::Generic,
                issuer.clone(),
                issuer.join("a").unwrap(),
                issuer.join("t").unwrap(),
            ),
            client_id: None,
            has_client_secret: false,
            registration_client_uri: None,
            scopes: vec![],
            redirect_uri: Url::parse("latchkey://callback/lab").unwrap(),
            redirect_mode: RedirectMode::Window,
            ocarina_sync: None,
        }
    }

    #[test]
    fn a_remote_server_cannot_send_the_registration_token_to_a_local_port() {
        use crate::oauth::http::scripted::Script;
        let issuer = Url::parse("https://id.example.org/").unwrap();
        let profile = public_profile_for(&issuer);
        let script = std::sync::Arc::new(Script::default());
        script.json(201, r#"{"client_id": "c", "registration_access_token": "t", "registration_client_uri": "http://127.0.0.1:9/reg/c"}"#);
        let http = Http::with_transport(script.clone());
        let err = register(&http, &issuer.join("register").unwrap(), &profile, None).unwrap_err();
        assert_eq!(err.code(), "insecure-endpoint", "{err}");
        // On a loopback issuer (a server on this machine) it may.
        let mut local = profile.clone();
        local.server.issuer = Url::parse("http://127.0.0.1:9/").unwrap();
        script.json(201, r#"{"client_id": "c", "registration_access_token": "t", "registration_client_uri": "http://127.0.0.1:9/reg/c"}"#);
        assert!(register(&http, &local.server.issuer.join("register").unwrap(), &local, None).is_ok());
    }

    #[test]
    fn agate_is_given_a_loopback_prefix_every_port_starts_with() {
        let u = |s: &str| Url::parse(s).unwrap();
        assert_eq!(agate_redirect(&u("http://127.0.0.1/callback")), "http://127.0.0.1:");
        assert!("http://127.0.0.1:49152/callback".starts_with(&agate_redirect(&u("http://127.0.0.1/callback"))));
        assert_eq!(agate_redirect(&u("http://127.0.0.1:8765/callback")), "http://127.0.0.1:8765/callback");
        assert_eq!(agate_redirect(&u("latchkey://callback/lab")), "latchkey://callback/lab");
    }

    #[test]
    fn parses_rfc7591_answers() {
        let r = parse_registration(
            br#"{"client_id": "abc", "client_secret": "s", "registration_access_token": "t",
            "registration_client_uri": "https://id.example.org/register/abc/"}"#,
        )
        .unwrap();
        assert_eq!(r.client_id, "abc");
        assert_eq!(r.client_secret.unwrap().expose(), "s");
        assert!(parse_registration(br#"{"client_id": ""}"#).is_err());
        assert!(parse_registration(b"<html>").is_err());
        assert_eq!(
            parse_registration(br#"{"client_id": "a", "registration_client_uri": "http://evil.org/x"}"#)
                .unwrap_err()
                .code(),
            "insecure-endpoint"
        );
    }

    /// Issue 35, item 3: a registration answer that names another host for the client's
    /// management address is refused, and an old profile that holds one sends nothing.
    #[test]
    fn the_registration_token_goes_only_to_the_registration_endpoints_origin() {
        let endpoint = Url::parse("https://id.example.org/o/register/").unwrap();
        assert!(check_client_uri(&Url::parse("https://id.example.org/o/register/abc").unwrap(), &endpoint).is_ok());
        for elsewhere in
            ["https://evil.example.net/o/register/abc", "https://id.example.org:8443/x", "http://id.example.org/x"]
        {
            let err = check_client_uri(&Url::parse(elsewhere).unwrap(), &endpoint).unwrap_err();
            assert_eq!(err.code(), "bad-response", "{elsewhere}");
        }
        let mut profile = public_profile_for(&endpoint);
        profile.server.registration_url = Some(endpoint.clone());
        let http = Http::new().unwrap();
        // No request is made: the address is refused before anything is sent.
        let err =
            delete(&http, &profile, &Url::parse("https://evil.example.net/c").unwrap(), &Secret::new("t")).unwrap_err();
        assert_eq!(err.code(), "bad-response");
    }
}
