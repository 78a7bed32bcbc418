//! The token agent's one-line protocol: never panics; takes only `fresh NAME [SECONDS]`
//! with a valid profile name, and reads the same question back from its own wording.
#![no_main]

use latchkey_engine::fuzzing::parse_question;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(line) = std::str::from_utf8(data) else { return };
    if let Some((profile, min_valid)) = parse_question(line) {
        assert!(latchkey_engine::validate_name(&profile).is_ok(), "{line:?}");
        let again = match min_valid {
            None => format!("fresh {profile}"),
            Some(s) => format!("fresh {profile} {s}"),
        };
        assert_eq!(parse_question(&again), Some((profile.clone(), min_valid)), "{line:?}");
        assert!(line.starts_with("fresh ") && line.contains(profile.as_str()), "{line:?}");
    }
});
