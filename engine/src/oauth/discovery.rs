//! Finding a server's endpoints from its issuer URL.
//!
//! RFC 8414 first (`/.well-known/oauth-authorization-server`, inserted before the
//! issuer's path), then OpenID Connect Discovery (`/.well-known/openid-configuration`,
//! appended). Parsing is separate from fetching so it can be tested and fuzzed.

use serde::Deserialize;
use url::Url;

use crate::error::{Error, Result};
use crate::oauth::http::Http;
use crate::profile::{ClientAuth, PresetKind, Renewal, Server};

/// The metadata fields Latchkey uses (RFC 8414 §2; OIDC Discovery §3).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Metadata {
    pub issuer: Url,
    pub authorization_endpoint: Url,
    pub token_endpoint: Url,
    #[serde(default)]
    pub revocation_endpoint: Option<Url>,
    #[serde(default)]
    pub introspection_endpoint: Option<Url>,
    #[serde(default)]
    pub registration_endpoint: Option<Url>,
    #[serde(default)]
    pub device_authorization_endpoint: Option<Url>,
    #[serde(default)]
    pub userinfo_endpoint: Option<Url>,
    #[serde(default)]
    pub grant_types_supported: Option<Vec<String>>,
    #[serde(default)]
    pub token_endpoint_auth_methods_supported: Option<Vec<String>>,
    /// RFC 9207 §3.
    #[serde(default)]
    pub authorization_response_iss_parameter_supported: bool,
}

/// The well-known URLs to try for an issuer, in order.
pub(crate) fn well_known_urls(issuer: &Url) -> Vec<Url> {
    let path = issuer.path().trim_end_matches('/');
    let mut rfc8414 = issuer.clone();
    rfc8414.set_path(&format!("/.well-known/oauth-authorization-server{path}"));
    let mut oidc = issuer.clone();
    oidc.set_path(&format!("{path}/.well-known/openid-configuration"));
    for u in [&mut rfc8414, &mut oidc] {
        u.set_query(None);
        u.set_fragment(None);
    }
    vec![rfc8414, oidc]
}

/// Fetch and parse the issuer's metadata.
pub(crate) fn discover(issuer: &Url, http: &Http) -> Result<Server> {
    crate::profile::check_secure_url("issuer", issuer)?;
    let mut last_problem = String::new();
    for url in well_known_urls(issuer) {
        let response = http.get(&url, None)?;
        if !response.status().is_success() {
            last_problem = format!("{url} answered HTTP {}", response.status().as_u16());
            continue;
        }
        match parse_metadata(response.body(), issuer) {
            Ok(server) => return Ok(server),
            Err(e) => last_problem = format!("{url}: {e}"),
        }
    }
    Err(Error::DiscoveryFailed(last_problem))
}

/// Parse a metadata document and check it describes `issuer` (RFC 8414 §3.3).
pub fn parse_metadata(body: &[u8], issuer: &Url) -> Result<Server> {
    let meta: Metadata =
        serde_json::from_slice(body).map_err(|e| Error::BadResponse(format!("metadata is not valid: {e}")))?;
    if meta.issuer.as_str().trim_end_matches('/') != issuer.as_str().trim_end_matches('/') {
        return Err(Error::BadResponse(format!("metadata names issuer `{}`, not `{issuer}`", meta.issuer)));
    }
    let supports = |list: &Option<Vec<String>>, item: &str| list.as_ref().map(|l| l.iter().any(|x| x == item));
    // PKCE S256 whatever the metadata lists (RFC 9700 §2.1.1): a server that does not
    // know it ignores the parameters (RFC 6749 §3.1), and a list that lacks S256 must not
    // turn off the defence against a stolen code. Only a preset (Agate) turns it off.
    let pkce = true;
    let renewal = if supports(&meta.grant_types_supported, "refresh_token").unwrap_or(true) {
        Renewal::RefreshToken
    } else {
        Renewal::SignIn
    };
    let client_auth = match (
        supports(&meta.token_endpoint_auth_methods_supported, "client_secret_basic"),
        supports(&meta.token_endpoint_auth_methods_supported, "client_secret_post"),
    ) {
        (Some(false), Some(true)) => ClientAuth::ClientSecretPost,
        _ => ClientAuth::ClientSecretBasic,
    };
    let server = Server {
        revoke_url: meta.revocation_endpoint,
        introspect_url: meta.introspection_endpoint,
        registration_url: meta.registration_endpoint,
        device_url: meta.device_authorization_endpoint,
        userinfo_url: meta.userinfo_endpoint,
        pkce,
        renewal,
        client_auth,
        authorization_response_iss: meta.authorization_response_iss_parameter_supported,
        ..Server::new(PresetKind::Generic, meta.issuer, meta.authorization_endpoint, meta.token_endpoint)
    };
    server.validate()?;
    Ok(server)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn well_known_locations() {
        let urls = well_known_urls(&url("https://id.example.org/tenant/"));
        assert_eq!(urls[0].as_str(), "https://id.example.org/.well-known/oauth-authorization-server/tenant");
        assert_eq!(urls[1].as_str(), "https://id.example.org/tenant/.well-known/openid-configuration");
        let urls = well_known_urls(&url("https://id.example.org"));
        assert_eq!(urls[0].as_str(), "https://id.example.org/.well-known/oauth-authorization-server");
    }

    #[test]
    fn parses_dot_metadata() {
        let body = br#"{"issuer": "https://id.example.org", "authorization_endpoint": "https://id.example.org/o/authorize/",
            "token_endpoint": "https://id.example.org/o/token/", "revocation_endpoint": "https://id.example.org/o/revoke_token/",
            "registration_endpoint": "https://id.example.org/o/register/", "grant_types_supported": ["authorization_code", "refresh_token"],
            "code_challenge_methods_supported": ["plain", "S256"], "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"]}"#;
        let s = parse_metadata(body, &url("https://id.example.org/")).unwrap();
        assert_eq!(s.token_url.as_str(), "https://id.example.org/o/token/");
        assert_eq!(s.registration_url.unwrap().as_str(), "https://id.example.org/o/register/");
        assert!(s.pkce);
        assert_eq!(s.renewal, Renewal::RefreshToken);
        assert_eq!(s.client_auth, ClientAuth::ClientSecretBasic);
    }

    #[test]
    fn post_only_no_refresh_and_pkce_all_the_same() {
        let body = br#"{"issuer": "https://a.org", "authorization_endpoint": "https://a.org/a", "token_endpoint": "https://a.org/t",
            "grant_types_supported": ["authorization_code"], "code_challenge_methods_supported": ["plain"],
            "token_endpoint_auth_methods_supported": ["client_secret_post"]}"#;
        let s = parse_metadata(body, &url("https://a.org")).unwrap();
        assert!(s.pkce, "a method list without S256 does not turn PKCE off");
        assert_eq!(s.renewal, Renewal::SignIn);
        assert_eq!(s.client_auth, ClientAuth::ClientSecretPost);
    }

    #[test]
    fn refuses_wrong_issuer_insecure_endpoints_and_junk() {
        let other = br#"{"issuer": "https://evil.org", "authorization_endpoint": "https://evil.org/a", "token_endpoint": "https://evil.org/t"}"#;
        assert_eq!(parse_metadata(other, &url("https://a.org")).unwrap_err().code(), "bad-response");
        let http = br#"{"issuer": "https://a.org", "authorization_endpoint": "https://a.org/a", "token_endpoint": "http://a.org/t"}"#;
        assert_eq!(parse_metadata(http, &url("https://a.org")).unwrap_err().code(), "insecure-endpoint");
        for junk in [&b"<html>"[..], b"{}", b"{\"issuer\": 5}", b""] {
            assert!(parse_metadata(junk, &url("https://a.org")).is_err());
        }
    }
}
