//! Ocarina sync, against a stand-in that reads `~/.ocarina-tokens` as Ocarina v0.36.1
//! does (tests/server/ocarina_like.py: each command's own key, `expires_at`, its own
//! refresh saved under the granted scopes) and calls the Majora-flavoured server with
//! the token it found: every command the granted scopes cover runs without a prompt,
//! after a sign-in, after Latchkey's rotation and after Ocarina's own refresh, and none
//! has a token after logout.

use crate::support;

use std::path::Path;
use std::process::{Command, Output};

use support::{describe, repo_root, server, AuthServer, Cli, Client, User};

const COVERED_BY_UPLOAD_AND_READ: &[&str] =
    &["put biosample", "update biosample", "put library", "put sequencing", "put file", "get"];
const NOT_COVERED: &[&str] = &["empty biosample", "put metric", "put qc", "put accession", "get dataview"];

fn ocarina(cache: &Path, client: &Client, command: &str, refresh: bool) -> Output {
    let root = repo_root().join("tests/server");
    let mut c = Command::new(root.join(".venv/bin/python"));
    c.arg(root.join("ocarina_like.py"))
        .arg(cache)
        .arg(server().base())
        .arg(&client.id)
        .arg(&client.secret)
        .arg(command);
    if refresh {
        c.arg("--refresh");
    }
    c.output().unwrap()
}

/// Runs `command` as Ocarina would and returns the token it used (asserting no prompt).
fn runs(cache: &Path, client: &Client, command: &str) -> String {
    let out = ocarina(cache, client, command, false);
    assert!(out.status.success(), "ocarina {command}: {}", describe(&out));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn prompts(cache: &Path, client: &Client, command: &str) {
    let out = ocarina(cache, client, command, false);
    assert_eq!(out.status.code(), Some(3), "ocarina {command} should ask for a sign-in: {}", describe(&out));
}

fn synced_profile(cli: &Cli, tasks: &str) -> (Client, std::path::PathBuf) {
    let client = cli.add_majora(server(), "oc", 3600);
    cli.ok(&["profile", "set", "oc", "--tasks", tasks], "");
    assert!(cli.login_paste("oc", &User::new()).status.success());
    let cache = cli.config_dir().join("ocarina-tokens");
    std::fs::write(&cache, r#"{"someone else": {"access_token": "untouched", "refresh_token": "theirs"}}"#).unwrap();
    cli.ok(&["profile", "set", "oc", "--ocarina-sync", cache.to_str().unwrap()], "");
    (client, cache)
}

#[test]
fn every_covered_command_runs_without_a_prompt_through_rotations_and_none_after_logout() {
    let cli = Cli::new();
    // A running token agent (the tray's) answers `latchkey token` throughout: it must
    // never vouch for tokens Ocarina has replaced.
    let agent = latchkey_engine::testing::Agent::bind(&latchkey_engine::Paths::in_dir(cli.config_dir())).unwrap();
    agent.serve_in_background().unwrap();
    let (client, cache) = synced_profile(&cli, "upload,read");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&cache).unwrap().permissions().mode() & 0o777, 0o600);
    }

    let stored = cli.stored_tokens("oc").unwrap();
    for command in COVERED_BY_UPLOAD_AND_READ {
        assert_eq!(runs(&cache, &client, command), stored.access_token.expose(), "{command}");
    }
    for command in NOT_COVERED {
        prompts(&cache, &client, command);
    }

    // Latchkey renews: every key follows.
    std::thread::sleep(std::time::Duration::from_secs(2)); // so a whole hour is more than it has left
    let renewed = cli.ok(&["token", "oc", "--min-valid", "3599"], "").trim().to_string();
    assert_ne!(renewed, stored.access_token.expose());
    for command in COVERED_BY_UPLOAD_AND_READ {
        assert_eq!(runs(&cache, &client, command), renewed, "{command} after Latchkey's rotation");
    }

    // Ocarina refreshes on its own (`ocarina oauth refresh --scopes` with the granted
    // scopes), rotating the refresh token Latchkey holds and saving the new pair under
    // the granted-scope key only.
    let granted = cli.stored_tokens("oc").unwrap().scopes.join(" ");
    let out = ocarina(&cache, &client, &granted, true);
    assert!(out.status.success(), "{}", describe(&out));
    let ocarinas = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(server().is_active(&client, &ocarinas));
    assert!(!server().is_active(&client, &renewed), "the old pair died with the rotation");

    // Latchkey adopts Ocarina's tokens instead of presenting a dead refresh token, and
    // rewrites the other keys, which held the dead pair.
    assert_eq!(cli.ok(&["token", "oc"], "").trim(), ocarinas);
    for command in COVERED_BY_UPLOAD_AND_READ {
        assert_eq!(runs(&cache, &client, command), ocarinas, "{command} after Ocarina's own refresh");
    }
    let forced = cli.run(&["refresh", "oc", "--force"], "");
    assert!(forced.status.success(), "{}", describe(&forced));
    assert_eq!(server().grant_count(&client.id, "refresh_token/400"), 0, "a dead refresh token was presented");
    let status: serde_json::Value = serde_json::from_str(&cli.ok(&["status", "oc", "--json"], "")).unwrap();
    assert_eq!(status[0]["status"], "signed-in");

    // Logout: revoked, and every entry Latchkey wrote is gone; Ocarina asks again.
    cli.ok(&["logout", "oc"], "");
    for command in COVERED_BY_UPLOAD_AND_READ {
        prompts(&cache, &client, command);
    }
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&cache).unwrap()).unwrap();
    assert_eq!(v.as_object().unwrap().len(), 1, "{v}");
    assert_eq!(v["someone else"]["access_token"], "untouched");
}

/// Ocarina refreshes with one command's scope string, and the server narrows the grant to
/// it: the rotated refresh token is the only live one, so Latchkey adopts it rather than
/// lose the session, and the commands it no longer covers ask (never fail on a dead token).
#[test]
fn a_grant_narrowed_by_ocarinas_own_refresh_is_adopted_not_lost() {
    let cli = Cli::new();
    let (client, cache) = synced_profile(&cli, "upload");
    let out = ocarina(&cache, &client, "put file", true);
    assert!(out.status.success(), "{}", describe(&out));
    let ocarinas = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert_eq!(cli.ok(&["token", "oc"], "").trim(), ocarinas);
    assert_eq!(runs(&cache, &client, "put file"), ocarinas);
    prompts(&cache, &client, "put biosample");
    cli.ok(&["refresh", "oc", "--force"], "");
    assert_eq!(server().grant_count(&client.id, "refresh_token/400"), 0, "a dead refresh token was presented");
    let status: serde_json::Value = serde_json::from_str(&cli.ok(&["status", "oc", "--json"], "")).unwrap();
    assert_eq!(status[0]["status"], "signed-in");
    assert_eq!(status[0]["scopes"].as_array().unwrap().len(), 2, "{status}");
    // And `status` says so, with what to do, not just "fresh".
    let said = cli.ok(&["status", "oc"], "");
    assert!(said.contains(r#"granted for fewer tasks than chosen ("upload" not covered)"#), "{said}");
    assert!(said.contains("latchkey login oc"), "{said}");
}

#[test]
fn a_profile_without_read_scopes_writes_no_read_key_and_remove_cleans_up() {
    let cli = Cli::new();
    let (client, cache) = synced_profile(&cli, "upload");
    runs(&cache, &client, "put biosample");
    prompts(&cache, &client, "get");
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&cache).unwrap()).unwrap();
    assert!(v.get("majora2.temp_can_read_pags_via_api").is_none(), "{v}");
    cli.ok(&["profile", "remove", "oc"], "");
    prompts(&cache, &client, "put biosample");
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&cache).unwrap()).unwrap();
    assert_eq!(v.as_object().unwrap().keys().collect::<Vec<_>>(), ["someone else"]);
}

#[test]
fn export_ocarina_config() {
    let server = server();
    let cli = Cli::new();
    let client = cli.add_majora(server, "oc", 3600);
    assert!(cli.login_paste("oc", &User::new()).status.success());
    let v: serde_json::Value = serde_json::from_str(&cli.ok(&["export", "ocarina-config", "oc"], "")).unwrap();
    assert_eq!(v["MAJORA_DOMAIN"], server.base().as_str());
    assert_eq!(v["MAJORA_USER"], support::USERNAME);
    assert_eq!(v["MAJORA_TOKEN"], "OAUTH");
    assert_eq!(v["CLIENT_ID"], client.id.as_str());
    assert_eq!(v["CLIENT_SECRET"], "");
    let v: serde_json::Value =
        serde_json::from_str(&cli.ok(&["export", "ocarina-config", "oc", "--with-secret"], "")).unwrap();
    assert_eq!(v["CLIENT_SECRET"], client.secret.as_str());
}

#[test]
fn a_renewal_the_server_refuses_takes_the_dead_token_out_of_ocarinas_cache() {
    let cli = Cli::new();
    let (client, cache) = synced_profile(&cli, "upload,read");
    let stored = cli.stored_tokens("oc").unwrap();
    assert_eq!(runs(&cache, &client, "get"), stored.access_token.expose());
    // Another client of the same grant rotated the refresh token (Majora then also
    // revokes the access token): the next renewal is refused.
    assert_eq!(server().try_refresh(&client, stored.refresh_token.as_ref().unwrap().expose()), 200);
    let out = cli.run(&["refresh", "oc", "--force"], "");
    assert_eq!(out.status.code(), Some(3), "{}", describe(&out));
    // Ocarina now asks for a sign-in, instead of failing with the dead token.
    prompts(&cache, &client, "get");
    prompts(&cache, &client, "put biosample");
    let left: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&cache).unwrap()).unwrap();
    assert_eq!(left["someone else"]["access_token"], "untouched", "other entries stay");
}
