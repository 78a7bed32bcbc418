//! Settings a lab fixes (issue 38): `policy.toml` in the system folder. A fixed setting is
//! in force and shown as "set by your organisation"; changing it is refused with those
//! words and changes nothing; people add only the lab's servers where it says so, and sign
//! in only the ways it offers; a broken policy file is said and fixes nothing.

use crate::support;

use support::{describe, Cli};

fn write_system_file(cli: &Cli, relative: &str, text: &str) -> std::path::PathBuf {
    let path = cli.system_dir().join(relative);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, text).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mut dir = path.parent().unwrap();
        loop {
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
            if dir == cli.system_dir() {
                break;
            }
            dir = dir.parent().unwrap();
        }
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    path
}

fn config_text(cli: &Cli) -> String {
    std::fs::read_to_string(cli.config_dir().join("profiles.toml")).unwrap_or_default()
}

#[test]
fn a_fixed_setting_is_in_force_shown_as_the_organisations_and_cannot_be_changed() {
    let cli = Cli::new();
    cli.ok(&["settings", "--renew-at", "90"], "");
    let policy = write_system_file(&cli, "policy.toml", "renew_at = 60\nnote = \"Ask it-help@lab.example.org.\"\n");
    let shown = cli.ok(&["settings"], "");
    let line = shown.lines().find(|l| l.starts_with("renew-at")).unwrap();
    assert_eq!(
        line,
        format!("renew-at\t60% (set by your organisation ({}). Ask it-help@lab.example.org.)", policy.display())
    );

    // Refused in those words, non-zero, and nothing changes, the other change included.
    let before = config_text(&cli);
    let out = cli.run(&["settings", "--renew-at", "80"], "");
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("renew-at cannot be changed: Set by your organisation"), "{said}");
    assert!(said.contains("Ask it-help@lab.example.org."), "{said}");
    let out = cli.run(&["settings", "--renew-at", "80", "--no-extra-ca-file"], "");
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    assert_eq!(config_text(&cli), before, "nothing changed");

    // Only what the policy names is fixed.
    std::fs::write(&policy, "extra_ca_file = \"/etc/ssl/lab-ca.pem\"\n").unwrap();
    let out = cli.run(&["settings", "--renew-at", "80", "--no-extra-ca-file"], "");
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("extra-ca-file cannot be changed"), "{}", describe(&out));
    assert_eq!(config_text(&cli), before, "the renew-at beside it did not change either");
    let shown = cli.ok(&["settings", "--renew-at", "80"], "");
    assert!(shown.contains("renew-at\t80%\n"), "{shown}");
    assert!(shown.contains("extra-ca-file\t/etc/ssl/lab-ca.pem (set by your organisation"), "{shown}");

    // A broken policy is said, fixes nothing, and stops nothing.
    std::fs::write(&policy, "renew_at = 60\nsign_in_ways = [\"sms\"]\n").unwrap();
    let out = cli.run(&["settings", "--renew-at", "70"], "");
    assert!(out.status.success(), "{}", describe(&out));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains(&format!("your organisation's policy is not applied: {}, line 2:", policy.display()))
            && said.contains("fixes nothing"),
        "{said}"
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("renew-at\t70%\n"), "{}", describe(&out));
}

#[test]
fn where_the_policy_says_so_only_the_labs_servers_are_added_and_only_its_ways_sign_in() {
    let cli = Cli::new();
    write_system_file(
        &cli,
        "servers.d/our-lab.toml",
        "title = \"Our lab\"\nkind = \"majora\"\naddress = \"https://majora.lab.example.org/\"\nclient_id = \"lab\"\n",
    );
    write_system_file(&cli, "policy.toml", "allow_other_servers = false\nsign_in_ways = [\"browser\"]\n");

    // Another server: refused, by preset and by link; the lab's: added.
    let out = cli.run(&["profile", "add", "mine", "--preset", "majora"], "");
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("only the servers your organisation provides can be added"),
        "{}",
        describe(&out)
    );
    let other = "latchkey://add?title=Other&kind=majora&address=https%3A%2F%2Fother.example.org%2F";
    assert_eq!(cli.run(&["profile", "add", "other", "--link", other], "").status.code(), Some(2));
    // The lab's server with an endpoint of someone else's beside it is not the lab's.
    let out =
        cli.run(&["profile", "add", "sneaky", "--preset", "our-lab", "--revoke-url", "https://evil.example.org/r"], "");
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    let out = cli.run(&["profile", "add", "lab", "--preset", "our-lab"], "");
    assert!(out.status.success(), "{}", describe(&out));
    let link = cli.ok(&["profile", "link", "our-lab"], "");
    let out = cli.run(&["profile", "add", "lab2", "--link", link.trim()], "");
    assert!(out.status.success(), "the lab's own server by its link: {}", describe(&out));

    // Ways the policy does not offer: refused before anything starts.
    for way in ["--device", "--paste"] {
        let out = cli.run(&["login", "lab", way], "");
        assert_eq!(out.status.code(), Some(2), "{way}: {}", describe(&out));
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(said.contains("is not offered here") && said.contains("offered: browser"), "{way}: {said}");
    }
    let shown = cli.ok(&["settings"], "");
    assert!(shown.contains("sign-in-ways\tbrowser (set by your organisation"), "{shown}");
    assert!(shown.contains("other-servers\tnot allowed"), "{shown}");
}
