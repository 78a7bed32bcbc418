//! Discovery metadata: never panic; an accepted document has only secure endpoints.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let issuer = url::Url::parse("https://id.example.org/").unwrap();
    if let Ok(server) = latchkey_engine::fuzzing::parse_metadata(data, &issuer) {
        server.validate().expect("accepted metadata validates");
    }
});
