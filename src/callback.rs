//! Callback URLs coming back from the authorization server.
//!
//! However the redirect is caught — in-app window, `latchkey://` link, loopback
//! listener, or pasted by hand — it ends up here as text. A callback is accepted only if
//! it is sent to the profile's exact redirect URI (scheme, host and path; the port may
//! differ only on loopback, RFC 8252 §7.3), and, when the server names itself with
//! `iss` (RFC 9207), only from the profile's issuer. Matching the `state` to a pending
//! flow is [`crate::flow`]'s job.

use url::Url;

use crate::profile::is_loopback;
use crate::{Error, Result};

/// What a callback carried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Callback {
    /// The authorization code. Short-lived and single-use, but still never logged.
    pub code: crate::secret::Secret,
    /// `state`, absent only when the user pasted a bare code.
    pub state: Option<String>,
}

/// A URL safe to log or show: scheme, host and path, no query or fragment (where the
/// code and state travel) and no user info.
pub fn redact_url(url: &Url) -> String {
    let mut shown = url.clone();
    shown.set_query(None);
    shown.set_fragment(None);
    let _ = shown.set_password(None);
    let _ = shown.set_username("");
    shown.to_string()
}

/// Whether `candidate` is the registered `redirect_uri` (scheme, host, path; the port
/// may differ on loopback hosts). Query and fragment are not compared.
pub fn matches_redirect_uri(candidate: &Url, redirect_uri: &Url) -> bool {
    let same_host = match (candidate.host_str(), redirect_uri.host_str()) {
        (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
        (None, None) => true,
        _ => false,
    };
    let same_port = candidate.port_or_known_default() == redirect_uri.port_or_known_default()
        || (is_loopback(redirect_uri) && candidate.scheme() == "http");
    candidate.scheme() == redirect_uri.scheme()
        && same_host
        && same_port
        && candidate.username().is_empty()
        && candidate.password().is_none()
        && normalized_path(candidate) == normalized_path(redirect_uri)
}

/// `latchkey://callback` parses with host `callback` and an empty path; treat the
/// empty path and `/` alike.
fn normalized_path(url: &Url) -> &str {
    match url.path() {
        "" => "/",
        p => p,
    }
}

/// Parse what came back: a full callback URL, or (when `allow_bare_code`) a bare code.
pub fn parse_callback(
    input: &str,
    redirect_uri: &Url,
    issuer: &Url,
    allow_bare_code: bool,
) -> Result<Callback> {
    let input = input.trim();
    if input.is_empty() {
        return Err(Error::CallbackRejected("nothing was pasted".into()));
    }
    if !input.contains("://") {
        let bare_ok = input.len() <= 2048
            && input.chars().all(|c| c.is_ascii_alphanumeric() || "-._~+/=".contains(c));
        return if allow_bare_code && bare_ok {
            Ok(Callback { code: crate::secret::Secret::new(input), state: None })
        } else {
            Err(Error::CallbackRejected(
                "this is neither the address the server sent you to nor a code".into(),
            ))
        };
    }
    let url = Url::parse(input)
        .map_err(|e| Error::CallbackRejected(format!("the address is not a valid URL ({e})")))?;
    if !matches_redirect_uri(&url, redirect_uri) {
        return Err(Error::CallbackRejected(format!(
            "it was sent to {}, but this profile's redirect URI is {}",
            redact_url(&url),
            redact_url(redirect_uri)
        )));
    }
    // Parameters are in the query (code flow), or in the fragment for some servers.
    let mut params: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    let has = |ps: &[(String, String)], k: &str| ps.iter().any(|(n, _)| n == k);
    if !has(&params, "code") && !has(&params, "error") {
        if let Some(fragment) = url.fragment() {
            params = url::form_urlencoded::parse(fragment.as_bytes()).into_owned().collect();
        }
    }
    let single = |name: &str| -> Result<Option<String>> {
        let mut values = params.iter().filter(|(k, _)| k == name).map(|(_, v)| v.clone());
        let first = values.next();
        if values.next().is_some() {
            return Err(Error::CallbackRejected(format!("`{name}` appears more than once")));
        }
        Ok(first)
    };
    if let Some(iss) = single("iss")? {
        if iss.trim_end_matches('/') != issuer.as_str().trim_end_matches('/') {
            return Err(Error::CallbackRejected(format!(
                "it names issuer `{iss}`, not this profile's `{issuer}` (RFC 9207 mix-up defence)"
            )));
        }
    }
    if let Some(error) = single("error")? {
        return Err(Error::AuthorizationDenied {
            error: printable(&error),
            description: single("error_description")?.map(|d| printable(&d)),
        });
    }
    let code = single("code")?
        .filter(|c| !c.is_empty())
        .ok_or_else(|| Error::CallbackRejected("it carries no authorization code".into()))?;
    let state = single("state")?;
    Ok(Callback { code: crate::secret::Secret::new(code), state })
}

/// Server-supplied text shown to the user: printable, and not too long.
fn printable(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).take(300).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }
    const MAJORA_CB: &str = "https://majora.covid19.climb.ac.uk/o/callback/";
    const ISSUER: &str = "https://majora.covid19.climb.ac.uk/";

    fn parse(input: &str) -> Result<Callback> {
        parse_callback(input, &url(MAJORA_CB), &url(ISSUER), true)
    }

    #[test]
    fn full_url_query() {
        let cb = parse("https://majora.covid19.climb.ac.uk/o/callback/?code=abc&state=xyz").unwrap();
        assert_eq!(cb.code.expose(), "abc");
        assert_eq!(cb.state.as_deref(), Some("xyz"));
    }

    #[test]
    fn fragment_and_bare_code() {
        let cb = parse("https://majora.covid19.climb.ac.uk/o/callback/#code=abc&state=s").unwrap();
        assert_eq!(cb.code.expose(), "abc");
        let bare = parse("  Zx9-abc_DEF  ").unwrap();
        assert_eq!(bare.code.expose(), "Zx9-abc_DEF");
        assert_eq!(bare.state, None);
        let no_bare = parse_callback("abc", &url(MAJORA_CB), &url(ISSUER), false).unwrap_err();
        assert_eq!(no_bare.code(), "callback-rejected");
    }

    #[test]
    fn errors_become_messages() {
        let err = parse("https://majora.covid19.climb.ac.uk/o/callback/?error=access_denied&error_description=User%20said%20no&state=s").unwrap_err();
        assert_eq!(err.code(), "authorization-denied");
        assert_eq!(err.to_string(), "the server refused the sign-in: access_denied (User said no)");
        assert_eq!(err.exit_code(), 3);
    }

    #[test]
    fn foreign_redirects_are_refused() {
        for bad in [
            "https://majora.covid19.climb.ac.uk.evil.org/o/callback/?code=a&state=s",
            "https://evil.org/o/callback/?code=a&state=s",
            "https://majora.covid19.climb.ac.uk/o/callback/../x?code=a&state=s",
            "https://majora.covid19.climb.ac.uk/o/callback/x?code=a&state=s",
            "https://majora.covid19.climb.ac.uk/o/callbac?code=a&state=s",
            "http://majora.covid19.climb.ac.uk/o/callback/?code=a&state=s",
            "https://majora.covid19.climb.ac.uk:8443/o/callback/?code=a&state=s",
            "https://user:pw@majora.covid19.climb.ac.uk/o/callback/?code=a&state=s",
            "latchkey://callback?code=a&state=s",
        ] {
            let err = parse(bad).unwrap_err();
            assert_eq!(err.code(), "callback-rejected", "{bad} accepted");
            assert!(!err.to_string().contains("code=a"), "query leaked: {err}");
        }
    }

    #[test]
    fn loopback_port_may_differ_and_scheme_uri_matches() {
        let loopback = url("http://127.0.0.1/callback");
        let cb = parse_callback("http://127.0.0.1:53123/callback?code=a&state=s", &loopback, &url(ISSUER), false).unwrap();
        assert_eq!(cb.code.expose(), "a");
        let scheme = url("latchkey://callback");
        for ok in ["latchkey://callback?code=a&state=s", "latchkey://callback/?code=a&state=s"] {
            parse_callback(ok, &scheme, &url(ISSUER), false).unwrap();
        }
        assert!(parse_callback("latchkey://evil?code=a&state=s", &scheme, &url(ISSUER), false).is_err());
    }

    #[test]
    fn issuer_mix_up_and_duplicates_are_refused() {
        let err = parse("https://majora.covid19.climb.ac.uk/o/callback/?code=a&state=s&iss=https%3A%2F%2Fevil.org").unwrap_err();
        assert!(err.to_string().contains("RFC 9207"), "{err}");
        parse("https://majora.covid19.climb.ac.uk/o/callback/?code=a&state=s&iss=https%3A%2F%2Fmajora.covid19.climb.ac.uk").unwrap();
        assert!(parse("https://majora.covid19.climb.ac.uk/o/callback/?code=a&code=b&state=s").is_err());
        assert!(parse("https://majora.covid19.climb.ac.uk/o/callback/?state=s").is_err());
    }

    #[test]
    fn redaction_drops_query_fragment_and_userinfo() {
        assert_eq!(redact_url(&url("latchkey://callback?code=x&state=y")), "latchkey://callback");
        assert_eq!(redact_url(&url("https://u:p@h.org/p?q=1#f")), "https://h.org/p");
    }
}
