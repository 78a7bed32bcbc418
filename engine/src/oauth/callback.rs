//! Callback URLs coming back from the authorization server.
//!
//! However the redirect is caught — in-app window, `latchkey://` link, loopback
//! listener, or pasted by hand — it ends up here as text. A callback is accepted only if
//! it is sent to the profile's exact redirect URI (scheme, host and path; the port may
//! differ only on loopback, RFC 8252 §7.3), and, when the server names itself with
//! `iss` (RFC 9207), only from the profile's issuer. Matching the `state` to a pending
//! flow is [`crate::oauth::flow`]'s job.

use url::Url;

use crate::error::{Error, Result};
use crate::profile::is_loopback_redirect;

/// What a callback carried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Callback {
    /// The authorization code. Short-lived and single-use, but still never logged.
    pub code: crate::store::secret::Secret,
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
    let same_port =
        candidate.port_or_known_default() == redirect_uri.port_or_known_default() || is_loopback_redirect(redirect_uri);
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

/// The parameters of a callback URL: from its query (the code flow) or its fragment
/// (some servers), never a mix. A URL that carries sign-in parameters in both is refused:
/// `?state=A#code=X&state=B` would otherwise pair one sign-in's state with another's code.
pub(crate) fn callback_params(url: &Url) -> Result<Vec<(String, String)>> {
    const SIGN_IN_KEYS: [&str; 4] = ["code", "state", "error", "iss"];
    let query: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    let fragment: Vec<(String, String)> =
        url.fragment().map(|f| url::form_urlencoded::parse(f.as_bytes()).into_owned().collect()).unwrap_or_default();
    let carries = |ps: &[(String, String)]| ps.iter().any(|(k, _)| SIGN_IN_KEYS.contains(&k.as_str()));
    match (carries(&query), carries(&fragment)) {
        (true, true) => {
            Err(Error::CallbackRejected("it carries sign-in parameters both in its query and in its fragment".into()))
        }
        (false, true) => Ok(fragment),
        _ => Ok(query),
    }
}

/// The one value of `name` among `params`; a parameter given twice is refused.
fn single(params: &[(String, String)], name: &str) -> Result<Option<String>> {
    let mut values = params.iter().filter(|(k, _)| k == name).map(|(_, v)| v.clone());
    let first = values.next();
    if values.next().is_some() {
        return Err(Error::CallbackRejected(format!("`{name}` appears more than once")));
    }
    Ok(first)
}

/// The `state` of what came back: `None` for a bare code (no `://`), the one `state` of a
/// URL otherwise — read exactly as [`parse_callback`] reads it.
pub fn state_of(input: &str) -> Result<Option<String>> {
    let input = input.trim();
    if !input.contains("://") {
        return Ok(None);
    }
    let url =
        Url::parse(input).map_err(|e| Error::CallbackRejected(format!("the address is not a valid URL ({e})")))?;
    single(&callback_params(&url)?, "state")
}

/// Whether `iss` names `issuer` (RFC 9207 §2.4: simple string comparison). The one
/// latitude is the slash `Url` adds to an issuer with an empty path.
fn same_issuer(iss: &str, issuer: &Url) -> bool {
    iss == issuer.as_str() || (issuer.path() == "/" && iss == issuer.as_str().trim_end_matches('/'))
}

/// Parse what came back: a full callback URL, or (when `allow_bare_code`, i.e. typed by
/// the user) a bare code. A URL must carry `state`: without it, it cannot be told from
/// one an attacker made with a code of their own. When the server advertises RFC 9207
/// (`iss_required`), the URL must also carry `iss` naming the profile's issuer.
pub fn parse_callback(
    input: &str,
    redirect_uri: &Url,
    issuer: &Url,
    iss_required: bool,
    allow_bare_code: bool,
) -> Result<Callback> {
    let input = input.trim();
    if input.is_empty() {
        return Err(Error::CallbackRejected("nothing was pasted".into()));
    }
    if !input.contains("://") {
        // A code is random: a short word of letters alone ("Mismatching", copied from an
        // error page) is not one, and exchanging it would be reported as an expired code.
        let word = input.len() < 20 && input.chars().all(|c| c.is_ascii_alphabetic());
        let bare_ok =
            !word && input.len() <= 2048 && input.chars().all(|c| c.is_ascii_alphanumeric() || "-._~+/=".contains(c));
        return if allow_bare_code && bare_ok {
            Ok(Callback { code: crate::store::secret::Secret::new(input), state: None })
        } else {
            Err(Error::CallbackRejected("this is neither the address the server sent you to nor a code".into()))
        };
    }
    let url =
        Url::parse(input).map_err(|e| Error::CallbackRejected(format!("the address is not a valid URL ({e})")))?;
    if !matches_redirect_uri(&url, redirect_uri) {
        return Err(Error::CallbackRejected(format!(
            "it was sent to {}, but this profile's redirect URI is {}",
            redact_url(&url),
            redact_url(redirect_uri)
        )));
    }
    let params = callback_params(&url)?;
    match single(&params, "iss")? {
        Some(iss) if !same_issuer(&iss, issuer) => {
            return Err(Error::CallbackRejected(format!(
                "it names issuer `{}`, not this profile's `{issuer}` (RFC 9207 mix-up defence)",
                printable(&iss)
            )));
        }
        None if iss_required => {
            return Err(Error::CallbackRejected(format!(
                "it does not name its issuer, which `{issuer}` always does (RFC 9207 mix-up defence)"
            )));
        }
        _ => {}
    }
    let state = single(&params, "state")?
        .ok_or_else(|| Error::CallbackRejected("it carries no state, so it cannot be told from a forged one".into()))?;
    if let Some(error) = single(&params, "error")? {
        return Err(Error::AuthorizationDenied {
            error: oauth_error_code(&error),
            description: single(&params, "error_description")?.map(|d| printable(&d)),
        });
    }
    let code = single(&params, "code")?
        .filter(|c| !c.is_empty())
        .ok_or_else(|| Error::CallbackRejected("it carries no authorization code".into()))?;
    Ok(Callback { code: crate::store::secret::Secret::new(code), state: Some(state) })
}

/// An error code a server sent, as Latchkey repeats it (terminal, notification, state
/// file): RFC 6749's character set for `error` (printable ASCII but `"` and `\`), at
/// most 64 characters; anything else is named for what it is.
pub(crate) fn oauth_error_code(code: &str) -> String {
    let ok = !code.is_empty()
        && code.len() <= 64
        && code.bytes().all(|b| (0x20..=0x7e).contains(&b) && b != b'"' && b != b'\\');
    if ok {
        code.to_string()
    } else {
        "unrecognized_error".to_string()
    }
}

/// An OAuth error body (RFC 6749 §5.2; RFC 7009, 7591 answer the same way): its
/// `error`, checked as above (or `HTTP STATUS` where there is none), and its
/// `error_description` made printable. The one reader of such bodies.
pub(crate) fn oauth_error_body(body: &serde_json::Value, status: u16) -> (String, Option<String>) {
    let error = match body.get("error").and_then(|v| v.as_str()) {
        Some(code) => oauth_error_code(code),
        None => format!("HTTP {status}"),
    };
    let description = body.get("error_description").and_then(|v| v.as_str()).map(printable);
    (error, description)
}

/// Server-supplied text shown to the user: printable, and not too long.
pub(crate) fn printable(text: &str) -> String {
    text.chars().filter(|c| shown(*c)).take(300).collect()
}

/// Whether a character of a server's text may reach a terminal, a notification or the
/// window: not a control character (escapes), nor a format character (Unicode's `Cf`:
/// bidirectional overrides such as U+202E that turn text around, zero-width ones).
pub(crate) fn shown(c: char) -> bool {
    use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};
    !c.is_control() && c.general_category() != GeneralCategory::Format
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }
    /// Issue 35, item 6: bidirectional overrides and zero-width characters from a server
    /// never reach the terminal (U+202E was printed).
    #[test]
    fn format_characters_are_dropped_with_control_characters() {
        let body = serde_json::json!({
            "error": "invalid_grant",
            "error_description": "fine\u{202e}txt.exe\u{200b}\u{2066}x\u{feff}\u{ad}\u{e0001}y é ü ✓"
        });
        assert_eq!(oauth_error_body(&body, 400).1.as_deref(), Some("finetxt.exexy é ü ✓"));
    }

    #[test]
    fn an_oauth_error_body_is_read_once_and_made_safe() {
        let body = serde_json::json!({"error": "invalid_scope", "error_description": "no\u{1b}[31m way\n"});
        assert_eq!(oauth_error_body(&body, 400), ("invalid_scope".into(), Some("no[31m way".into())));
        let odd = serde_json::json!({"error": "bad\"code"});
        assert_eq!(oauth_error_body(&odd, 400).0, "unrecognized_error");
        assert_eq!(oauth_error_body(&serde_json::json!({}), 503), ("HTTP 503".into(), None));
    }
    const MAJORA_CB: &str = "https://majora.covid19.climb.ac.uk/o/callback/";
    const ISSUER: &str = "https://majora.covid19.climb.ac.uk/";

    fn parse(input: &str) -> Result<Callback> {
        parse_callback(input, &url(MAJORA_CB), &url(ISSUER), false, true)
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
        let no_bare = parse_callback("abc", &url(MAJORA_CB), &url(ISSUER), false, false).unwrap_err();
        assert_eq!(no_bare.code(), "callback-rejected");
        // Words from an error page are named as what they are, never sent as a code.
        for pasted in ["Mismatching", "Mismatching redirect URI", "Error: invalid_request"] {
            let err = parse(pasted).unwrap_err();
            assert!(err.to_string().contains("neither the address the server sent you to nor a code"), "{err}");
        }
        assert_eq!(parse("abcdefghijklmnopqrstuvwxyzABCD").unwrap().code.expose().len(), 30, "a long code of letters");
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
        let cb =
            parse_callback("http://127.0.0.1:53123/callback?code=a&state=s", &loopback, &url(ISSUER), false, false)
                .unwrap();
        assert_eq!(cb.code.expose(), "a");
        let scheme = url("latchkey://callback");
        for ok in ["latchkey://callback?code=a&state=s", "latchkey://callback/?code=a&state=s"] {
            parse_callback(ok, &scheme, &url(ISSUER), false, false).unwrap();
        }
        assert!(parse_callback("latchkey://evil?code=a&state=s", &scheme, &url(ISSUER), false, false).is_err());
    }

    #[test]
    fn issuer_mix_up_and_duplicates_are_refused() {
        let err = parse("https://majora.covid19.climb.ac.uk/o/callback/?code=a&state=s&iss=https%3A%2F%2Fevil.org")
            .unwrap_err();
        assert!(err.to_string().contains("RFC 9207"), "{err}");
        parse("https://majora.covid19.climb.ac.uk/o/callback/?code=a&state=s&iss=https%3A%2F%2Fmajora.covid19.climb.ac.uk").unwrap();
        assert!(parse("https://majora.covid19.climb.ac.uk/o/callback/?code=a&code=b&state=s").is_err());
        assert!(parse("https://majora.covid19.climb.ac.uk/o/callback/?state=s").is_err());
        // Compared exactly: another path is another issuer.
        let tenant = url("https://id.example.org/realms/a");
        let cb = |iss: &str| {
            format!(
                "{MAJORA_CB}?code=c&state=s&iss={}",
                url::form_urlencoded::byte_serialize(iss.as_bytes()).collect::<String>()
            )
        };
        assert!(parse_callback(&cb("https://id.example.org/realms/a"), &url(MAJORA_CB), &tenant, true, false).is_ok());
        assert!(parse_callback(&cb("https://id.example.org/realms/a/"), &url(MAJORA_CB), &tenant, true, false).is_err());
        assert!(parse_callback(&cb("https://id.example.org/realms/ab"), &url(MAJORA_CB), &tenant, true, false).is_err());
    }

    #[test]
    fn an_advertised_iss_must_be_there() {
        let without = format!("{MAJORA_CB}?code=c&state=s");
        let err = parse_callback(&without, &url(MAJORA_CB), &url(ISSUER), true, false).unwrap_err();
        assert!(err.to_string().contains("does not name its issuer"), "{err}");
        parse_callback(&without, &url(MAJORA_CB), &url(ISSUER), false, false).unwrap();
    }

    #[test]
    fn a_url_without_state_is_refused_even_for_a_known_profile() {
        for no_state in [format!("{MAJORA_CB}?code=attackers-code"), format!("{MAJORA_CB}?error=access_denied")] {
            let err = parse(&no_state).unwrap_err();
            assert_eq!(err.code(), "callback-rejected", "{no_state}");
            assert!(err.to_string().contains("no state"), "{err}");
        }
        assert_eq!(state_of("just-a-code").unwrap(), None);
        assert_eq!(state_of(&format!("{MAJORA_CB}?code=c&state=s")).unwrap().as_deref(), Some("s"));
    }

    #[test]
    fn query_and_fragment_are_never_mixed() {
        for mixed in [
            format!("{MAJORA_CB}?state=A#code=X&state=B"),
            format!("{MAJORA_CB}?code=X#state=B"),
            format!("{MAJORA_CB}?state=A#iss=x"),
        ] {
            assert_eq!(parse(&mixed).unwrap_err().code(), "callback-rejected", "{mixed}");
            assert!(state_of(&mixed).is_err(), "{mixed}");
        }
        // Other things in the fragment (a page anchor) do not count.
        assert_eq!(parse(&format!("{MAJORA_CB}?code=c&state=s#top")).unwrap().code.expose(), "c");
    }

    #[test]
    fn server_error_codes_are_restricted() {
        assert_eq!(oauth_error_code("invalid_scope"), "invalid_scope");
        for bad in ["\x1b[31mred", "a\"b", &"x".repeat(65), "", "naïve"] {
            assert_eq!(oauth_error_code(bad), "unrecognized_error", "{bad:?}");
        }
        let err = parse(&format!("{MAJORA_CB}?error=%1B%5B2J&state=s")).unwrap_err();
        assert!(!err.to_string().contains('\x1b'), "{err}");
        // Descriptions, from a token endpoint's body: printable, 300 characters at most.
        let body = serde_json::json!({"error": "invalid_grant", "error_description": format!("\x1b]8;;x\x07{}", "y".repeat(400))});
        let (code, description) = oauth_error_body(&body, 400);
        assert_eq!(code, "invalid_grant");
        let description = description.unwrap();
        assert!(!description.chars().any(char::is_control), "{description:?}");
        assert_eq!(description.chars().count(), 300);
    }

    #[test]
    fn redaction_drops_query_fragment_and_userinfo() {
        assert_eq!(redact_url(&url("latchkey://callback?code=x&state=y")), "latchkey://callback");
        assert_eq!(redact_url(&url("https://u:p@h.org/p?q=1#f")), "https://h.org/p");
    }
}
