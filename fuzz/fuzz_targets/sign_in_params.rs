//! How `complete_sign_in` reads what came back: the state that picks the sign-in
//! (`state_of`) is the state `parse_callback` then hands on — one reading of one source.
#![no_main]

use latchkey_engine::fuzzing::{parse_callback, state_of};
use libfuzzer_sys::fuzz_target;
use url::Url;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let picked = state_of(text);
    let redirect = Url::parse("latchkey://callback/lab").unwrap();
    let issuer = Url::parse("https://id.example.org/").unwrap();
    if let Ok(cb) = parse_callback(text, &redirect, &issuer, false, true) {
        assert_eq!(picked.as_ref().ok().cloned().flatten(), cb.state, "{text:?}");
    }
    if let Ok(Some(state)) = &picked {
        // (URL parsing drops tabs and newlines, as WHATWG says.)
        let plain: String = text.chars().filter(|c| !matches!(c, '\t' | '\n' | '\r')).collect();
        assert!(plain.contains("state"), "{text:?} {state:?}");
    }
});
