//! Checking what a token is good for: whose it is, and what a test call answers.
//!
//! "Who am I" uses OpenID Connect userinfo where the server has it, else RFC 7662
//! introspection (Majora, django-oauth-toolkit: it answers `username`). The test call
//! shows the status and the start of the body, so a person can see access works.

use serde::Serialize;
use url::Url;

use crate::http::{describe_reqwest_error, Http};
use crate::profile::{check_secure_url, ClientAuth, Profile};
use crate::secret::Secret;
use crate::{Error, Result};

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
pub fn call(http: &Http, url: &Url, token: &Secret) -> Result<ApiAnswer> {
    check_secure_url("test", url)?;
    let response =
        http.client().get(url.clone()).bearer_auth(token.expose()).send().map_err(|e| Error::Network {
            url: crate::callback::redact_url(url),
            reason: describe_reqwest_error(&e),
        })?;
    let status = response.status().as_u16();
    let content_type = response.headers().get("content-type").and_then(|v| v.to_str().ok()).map(str::to_string);
    let text = String::from_utf8_lossy(&crate::http::read_body(response, url)?).into_owned();
    // Servers sometimes echo credentials; never show the token back.
    let body: String = text.replace(token.expose(), "[token]").chars().take(500).collect();
    Ok(ApiAnswer { status, content_type, body })
}

/// The account a token belongs to, where the server can say.
pub fn account(
    http: &Http,
    profile: &Profile,
    client_secret: Option<&Secret>,
    token: &Secret,
) -> Result<Option<String>> {
    if let Some(url) = &profile.server.userinfo_url {
        let response = http
            .client()
            .get(url.clone())
            .bearer_auth(token.expose())
            .send()
            .map_err(|e| Error::Network { url: url.to_string(), reason: describe_reqwest_error(&e) })?;
        if response.status().is_success() {
            let v: serde_json::Value =
                serde_json::from_slice(&crate::http::read_body(response, url)?).unwrap_or_default();
            return Ok(pick(&v, &["preferred_username", "email", "name", "sub"]));
        }
    }
    if let Some(url) = &profile.server.introspect_url {
        let client_id = profile.client_id.clone().unwrap_or_default();
        let mut request = http.client().post(url.clone());
        let mut form = vec![("token", token.expose().to_string())];
        match (client_secret, profile.server.client_auth) {
            (Some(s), ClientAuth::ClientSecretBasic) => request = request.basic_auth(&client_id, Some(s.expose())),
            (Some(s), ClientAuth::ClientSecretPost) => {
                form.push(("client_id", client_id));
                form.push(("client_secret", s.expose().to_string()));
            }
            (None, _) => request = request.bearer_auth(token.expose()),
        }
        let response = request
            .form(&form)
            .send()
            .map_err(|e| Error::Network { url: url.to_string(), reason: describe_reqwest_error(&e) })?;
        if response.status().is_success() {
            let v: serde_json::Value =
                serde_json::from_slice(&crate::http::read_body(response, url)?).unwrap_or_default();
            return Ok(pick(&v, &["username", "email", "sub"]));
        }
    }
    Ok(None)
}

fn pick(v: &serde_json::Value, keys: &[&str]) -> Option<String> {
    keys.iter()
        .find_map(|k| v.get(*k).and_then(|x| x.as_str()))
        .map(|s| s.chars().filter(|c| !c.is_control()).take(120).collect())
}
