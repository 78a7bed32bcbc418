//! A settings file Latchkey cannot read (corrupt, or from a newer version) is an error
//! naming the file, and is never overwritten.

use crate::support;

use support::{describe, Cli};

#[test]
fn corrupt_or_newer_settings_are_named_and_never_overwritten() {
    for (content, says) in [
        ("version = 1\n[profiles.x\n", "cannot read"),
        ("version = 99\n", "written by a newer Latchkey"),
        ("version = 1\n[profiles.a]\nname = \"b\"\n", "cannot read"),
    ] {
        let cli = Cli::new();
        let path = cli.config_dir().join("profiles.toml");
        std::fs::write(&path, content).unwrap();
        for args in [&["profile", "list"][..], &["profile", "add", "m", "--preset", "majora"][..], &["status"][..]] {
            let out = cli.run(args, "");
            assert_eq!(out.status.code(), Some(1), "{args:?}: {}", describe(&out));
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(stderr.contains(says) && stderr.contains(path.to_str().unwrap()), "{stderr}");
            assert!(
                stderr.contains("will not overwrite") || stderr.contains("Upgrade Latchkey"),
                "no next step: {stderr}"
            );
        }
        assert_eq!(std::fs::read_to_string(&path).unwrap(), content, "the file was changed");
    }
}
