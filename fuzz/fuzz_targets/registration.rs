//! RFC 7591 registration answers: never panic; a client id is never empty.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(r) = latchkey_engine::fuzzing::parse_registration(data) {
        assert!(!r.client_id.is_empty());
    }
});
