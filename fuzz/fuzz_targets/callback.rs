//! Callback URLs and deep links: never panic, and whatever is accepted has the
//! properties a sign-in relies on — checked here independently of the code under test:
//! the URL's scheme, host and path are the redirect URI's (port free on loopback only),
//! it carries a state, the code and state are the URL's only ones, and nothing came from
//! both the query and the fragment.
#![no_main]

use latchkey_engine::fuzzing::parse_callback;
use libfuzzer_sys::fuzz_target;
use url::Url;

fn pairs(s: Option<&str>) -> Vec<(String, String)> {
    s.map(|s| url::form_urlencoded::parse(s.as_bytes()).into_owned().collect()).unwrap_or_default()
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let issuer = Url::parse("https://majora.covid19.climb.ac.uk/").unwrap();
    for (redirect, loopback) in [
        ("https://majora.covid19.climb.ac.uk/o/callback/", false),
        ("latchkey://callback/lab", false),
        ("http://127.0.0.1/callback", true),
    ] {
        let redirect = Url::parse(redirect).unwrap();
        for iss_required in [false, true] {
            let Ok(cb) = parse_callback(text, &redirect, &issuer, iss_required, true) else { continue };
            assert!(!cb.code.expose().is_empty());
            let Ok(url) = Url::parse(text.trim()) else {
                assert!(cb.state.is_none(), "a bare code came with a state: {text}");
                continue;
            };
            assert_eq!(url.scheme(), redirect.scheme(), "{text}");
            assert_eq!(
                url.host_str().map(str::to_ascii_lowercase),
                redirect.host_str().map(str::to_ascii_lowercase),
                "{text}"
            );
            let path = |u: &Url| if u.path().is_empty() { "/".to_string() } else { u.path().to_string() };
            assert_eq!(path(&url), path(&redirect), "{text}");
            if !loopback {
                assert_eq!(url.port_or_known_default(), redirect.port_or_known_default(), "{text}");
            }
            let (query, fragment) = (pairs(url.query()), pairs(url.fragment()));
            let signs = |ps: &[(String, String)]| {
                ps.iter().any(|(k, _)| ["code", "state", "error", "iss"].contains(&k.as_str()))
            };
            assert!(!(signs(&query) && signs(&fragment)), "parameters from both query and fragment: {text}");
            let params = if signs(&query) { query } else { fragment };
            let state = cb.state.as_deref().expect("a URL was accepted without state");
            let only = |k: &str, v: &str| {
                params.iter().filter(|(n, _)| n == k).map(|(_, x)| x.as_str()).collect::<Vec<_>>() == [v]
            };
            assert!(only("state", state), "{text}");
            assert!(only("code", cb.code.expose()), "{text}");
            if iss_required {
                assert!(params.iter().any(|(k, _)| k == "iss"), "no iss though required: {text}");
            }
        }
    }
});
