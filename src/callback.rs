//! Callback URLs coming back from the authorization server.

use url::Url;

/// A URL safe to log or show: scheme, host and path, no query or fragment (where the
/// code and state travel).
pub fn redact_url(url: &Url) -> String {
    let mut shown = url.clone();
    shown.set_query(None);
    shown.set_fragment(None);
    let _ = shown.set_password(None);
    shown.to_string()
}
