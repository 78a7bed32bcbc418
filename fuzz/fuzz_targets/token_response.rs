//! Token endpoint answers (as the oauth2 crate parses them) and Latchkey's stored token
//! sets: never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = serde_json::from_slice::<oauth2::basic::BasicTokenResponse>(data);
    let _ = serde_json::from_slice::<oauth2::basic::BasicErrorResponse>(data);
    if let Ok(tokens) = serde_json::from_slice::<latchkey_engine::TokenSet>(data) {
        let _ = tokens.is_fresh(None, 1_800_000_000);
        assert_eq!(format!("{:?}", tokens.access_token), "Secret([redacted])");
    }
});
