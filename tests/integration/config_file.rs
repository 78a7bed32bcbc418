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

/// Issue 25, item 8: Latchkey's directories are the user's alone (0700) and its files
/// too (0600) — settings, state, locks, logs — whatever the umask, and a directory an
/// earlier version left at 0755 is closed.
#[cfg(unix)]
#[test]
fn every_directory_and_file_latchkey_makes_is_the_users_alone() {
    use std::os::unix::fs::PermissionsExt;
    let cli = Cli::new();
    std::fs::set_permissions(cli.config_dir(), std::fs::Permissions::from_mode(0o755)).unwrap();
    cli.add_majora(support::server(), "p", 3600);
    let out = cli.login_paste("p", &support::User::new());
    assert!(out.status.success(), "{}", describe(&out));
    cli.ok(&["refresh", "p", "--force"], "");
    let mut seen = 0;
    let mut stack = vec![cli.config_dir()];
    while let Some(path) = stack.pop() {
        let mode = std::fs::symlink_metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode & 0o077, 0, "{} is {mode:o}", path.display());
        seen += 1;
        if path.is_dir() {
            stack.extend(std::fs::read_dir(&path).unwrap().flatten().map(|e| e.path()));
        }
    }
    assert!(seen >= 6, "the settings, state and lock files were all looked at ({seen})");
}

/// Issue 35, item 4: names that one disk or another takes for the same (`Lab` beside
/// `lab`, `lab.`), device names and names that read as options are refused when added;
/// settings that already hold such names keep working, and say so.
#[test]
fn profile_names_mean_one_profile_on_every_disk() {
    let cli = Cli::new();
    let add = |name: &str| cli.run(&["profile", "add", name, "--preset", "majora"], "");
    assert!(add("lab").status.success());
    for (name, says) in [
        ("Lab", "the same file name as the profile `lab`'s"),
        ("lab.", "trailing dot"),
        ("nul", "Windows keeps `nul` for a device"),
        ("-rf", "starts with `-`"),
    ] {
        // `--` so that clap hands `-rf` over as a name.
        let out = cli.run(&["profile", "add", "--preset", "majora", "--", name], "");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {}", describe(&out));
        assert!(
            stderr.contains(&format!("the profile name `{name}` cannot be used")) && stderr.contains(says),
            "{stderr}"
        );
    }
    let list = cli.ok(&["profile", "list"], "");
    assert_eq!(list.lines().count(), 1, "{list}");
    // Settings written before the rule: both profiles work, and the clash is said.
    let path = cli.config_dir().join("profiles.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let table = &text[text.find("[profiles.lab").unwrap()..];
    let copy = table.replace("[profiles.lab", "[profiles.Lab").replace("name = \"lab\"", "name = \"Lab\"");
    std::fs::write(&path, format!("{text}\n{copy}")).unwrap();
    for args in [&["status"][..], &["profile", "list"][..]] {
        let out = cli.run(args, "");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{args:?}: {}", describe(&out));
        assert!(
            stderr.contains("Warning: the profile `lab` has a name that cannot be used")
                && stderr.contains("the same file name as the profile `Lab`'s"),
            "{args:?}: {stderr}"
        );
        assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 2, "{args:?}");
    }
}
