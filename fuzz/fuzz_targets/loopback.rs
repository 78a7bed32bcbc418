//! The loopback listener's request classifier: never panics; ends the wait only for a
//! complete GET of the callback path on its own origin carrying exactly its state.
#![no_main]

use latchkey_engine::fuzzing::{classify, Verdict, MAX_REQUEST};
use libfuzzer_sys::fuzz_target;
use url::Url;

fuzz_target!(|data: &[u8]| {
    let base = Url::parse("http://127.0.0.1:5000/callback").unwrap();
    for complete in [true, false] {
        if let Verdict::Callback(url) = classify(data, complete, &base, "/callback", "the-state") {
            assert!(complete && data.len() as u64 <= MAX_REQUEST);
            assert!(data.starts_with(b"GET "), "{:?}", String::from_utf8_lossy(data));
            assert_eq!(url.origin(), base.origin());
            assert_eq!(url.path(), "/callback");
            assert_eq!(latchkey_engine::fuzzing::state_of(url.as_str()).unwrap().as_deref(), Some("the-state"));
        }
    }
});
