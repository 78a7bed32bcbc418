//! The settings file: never panic; what parses writes back and parses to the same.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let path = std::path::Path::new("profiles.toml");
    if let Ok(config) = latchkey_engine::Config::parse(text, path) {
        let written = toml::to_string_pretty(&config).unwrap_or_default();
        let again = latchkey_engine::Config::parse(&written, path).expect("what Latchkey writes, it reads");
        assert_eq!(again.profiles().count(), config.profiles().count());
    }
});
