//! Checking what a token is good for: whose it is, and what a test call answers.
//!
//! "Who am I" uses OpenID Connect userinfo where the server has it, else RFC 7662
//! introspection (Majora, django-oauth-toolkit: it answers `username`). The test call
//! shows the status and the start of the body, so a person can see access works.

use serde::Serialize;
use url::Url;

use crate::error::Result;
use crate::oauth::http::Http;
use crate::profile::{check_secure_url, Profile};
use crate::store::secret::Secret;

/// What a test call answered.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ApiAnswer {
    pub status: u16,
    pub content_type: Option<String>,
    /// The first 500 characters of the body.
    pub body: String,
}

/// Call `url` with the token as a Bearer credential (GET).
pub(crate) fn call(http: &Http, url: &Url, token: &Secret) -> Result<ApiAnswer> {
    check_secure_url("test", url)?;
    let response = http.get(url, Some(token))?;
    Ok(answer(&response, token))
}

/// A response as shown to a person: status, type and the start of the body.
fn answer(response: &crate::oauth::http::Response, token: &Secret) -> ApiAnswer {
    let status = response.status().as_u16();
    let content_type = response.headers().get("content-type").and_then(|v| v.to_str().ok()).map(str::to_string);
    let text = String::from_utf8_lossy(response.body()).into_owned();
    // Servers sometimes echo credentials; never show the token back.
    let body: String = text.replace(token.expose(), "[token]").chars().take(500).collect();
    ApiAnswer { status, content_type, body }
}

/// What the server says about a token: "Test access" with no address to call, and the
/// account shown after a sign-in. Works wherever the server has userinfo or
/// introspection (Majora has no API call that only says who you are; its
/// django-oauth-toolkit introspection does).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Identity {
    /// Whose token it is, where the server said.
    pub account: Option<String>,
    /// Whether the server still takes the token (introspection's `active`; a userinfo
    /// answer of 200 means yes, 401 no). `None`: the server could not say.
    pub active: Option<bool>,
    /// Where the answer came from (the userinfo or introspection address).
    pub asked: Option<String>,
    /// The server's answer as it came (its first 500 characters; the token never).
    pub answer: Option<ApiAnswer>,
}

/// Ask the server whose token this is (userinfo, else introspection). When neither says
/// (both refused), the last answer is kept, so the person sees what the server said.
pub(crate) fn identity(
    http: &Http,
    profile: &Profile,
    client_secret: Option<&Secret>,
    token: &Secret,
) -> Result<Identity> {
    let mut last = Identity { account: None, active: None, asked: None, answer: None };
    if let Some(url) = &profile.server.userinfo_url {
        let response = http.get(url, Some(token))?;
        let status = response.status();
        let v: serde_json::Value = serde_json::from_slice(response.body()).unwrap_or_default();
        last = Identity {
            account: status.is_success().then(|| pick(&v, &["preferred_username", "email", "name", "sub"])).flatten(),
            active: if status.is_success() { Some(true) } else { (status.as_u16() == 401).then_some(false) },
            asked: Some(url.to_string()),
            answer: Some(answer(&response, token)),
        };
        if status.is_success() {
            return Ok(last);
        }
    }
    if let Some(url) = &profile.server.introspect_url {
        let mut form = vec![("token", token.expose().to_string())];
        let basic = crate::oauth::client::authenticate(&mut form, profile, client_secret);
        let response = http.post_form(url, &form, basic)?;
        let ok = response.status().is_success();
        let v: serde_json::Value =
            if ok { serde_json::from_slice(response.body()).unwrap_or_default() } else { Default::default() };
        last = Identity {
            account: pick(&v, &["username", "email", "sub"]),
            active: v.get("active").and_then(|a| a.as_bool()),
            asked: Some(url.to_string()),
            answer: Some(answer(&response, token)),
        };
    }
    Ok(last)
}

fn pick(v: &serde_json::Value, keys: &[&str]) -> Option<String> {
    keys.iter()
        .find_map(|k| v.get(*k).and_then(|x| x.as_str()))
        .map(|s| s.chars().filter(|c| crate::oauth::callback::shown(*c)).take(120).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oauth::client::tests::token_endpoint;
    use crate::profile::{PresetKind, RedirectMode, Server};

    fn public_profile(introspect: Url) -> Profile {
        let base = Url::parse("http://127.0.0.1:9/").unwrap();
        let mut server =
            Server::new(PresetKind::Generic, base.clone(), base.join("a").unwrap(), base.join("t").unwrap());
        server.introspect_url = Some(introspect);
        Profile {
            name: "p".into(),
            server,
            client_id: Some("public-app".into()),
            has_client_secret: false,
            registration_client_uri: None,
            scopes: vec![],
            redirect_uri: Url::parse("latchkey://callback/p").unwrap(),
            redirect_mode: RedirectMode::Window,
            ocarina_sync: None,
        }
    }

    #[test]
    fn introspection_by_a_public_client_names_the_client_and_never_uses_the_token_as_a_credential() {
        let (url, seen) = token_endpoint(200, r#"{"active": true, "username": "alice"}"#);
        let http = Http::new().unwrap();
        let who =
            identity(&http, &public_profile(url.join("introspect").unwrap()), None, &Secret::new("tok-1")).unwrap();
        assert_eq!((who.account.as_deref(), who.active), (Some("alice"), Some(true)));
        let request = seen.join().unwrap();
        assert!(!request.to_ascii_lowercase().contains("authorization:"), "{request}");
        assert!(request.contains("token=tok-1") && request.contains("client_id=public-app"), "{request}");
    }

    #[test]
    fn introspection_by_a_confidential_client_uses_basic_with_encoded_credentials() {
        let (url, seen) = token_endpoint(200, r#"{"active": true, "username": "bob"}"#);
        let http = Http::new().unwrap();
        let mut profile = public_profile(url.join("introspect").unwrap());
        profile.client_id = Some("app:1".into());
        identity(&http, &profile, Some(&Secret::new("s e")), &Secret::new("tok-2")).unwrap();
        let request = seen.join().unwrap();
        // RFC 6749 §2.3.1: "app:1" and "s e" form-encoded before Basic: app%3A1:s+e.
        let basic = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, "app%3A1:s+e");
        assert!(request.contains(&format!("Basic {basic}")), "{request}");
        assert!(!request.contains("client_secret="), "{request}");
    }

    #[test]
    fn a_refused_introspection_still_says_where_it_asked_and_what_came_back() {
        let (url, _seen) = token_endpoint(401, r#"{"error": "invalid_client"}"#);
        let http = Http::new().unwrap();
        let who =
            identity(&http, &public_profile(url.join("introspect").unwrap()), None, &Secret::new("tok-3")).unwrap();
        assert_eq!((who.account, who.active), (None, None));
        assert!(who.asked.is_some_and(|a| a.ends_with("/introspect")));
        assert_eq!(who.answer.map(|a| a.status), Some(401));
    }
}
