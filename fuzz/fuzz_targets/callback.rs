//! Callback URLs and deep links: never panic; anything accepted really is for the
//! redirect URI, and no accepted code is empty.
#![no_main]

use latchkey::callback::{matches_redirect_uri, parse_callback};
use libfuzzer_sys::fuzz_target;
use url::Url;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let issuer = Url::parse("https://majora.covid19.climb.ac.uk/").unwrap();
    for redirect in ["https://majora.covid19.climb.ac.uk/o/callback/", "latchkey://callback", "http://127.0.0.1/callback"] {
        let redirect = Url::parse(redirect).unwrap();
        if let Ok(cb) = parse_callback(text, &redirect, &issuer, false, true) {
            assert!(!cb.code.expose().is_empty());
            if let Ok(url) = Url::parse(text.trim()) {
                assert!(matches_redirect_uri(&url, &redirect), "accepted a foreign URL: {text}");
            }
        }
    }
});
