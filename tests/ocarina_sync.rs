//! Ocarina sync: the cache file Latchkey writes is read by requests-oauthlib the way
//! Ocarina reads it; a refresh Ocarina does on its own is adopted, not lost.

mod support;

use std::process::Command;

use support::{describe, repo_root, server, Cli, User};

fn ocarina(args: &[&str]) -> std::process::Output {
    let root = repo_root().join("tests/server");
    Command::new(root.join(".venv/bin/python")).arg(root.join("ocarina_like.py")).args(args).output().unwrap()
}

#[test]
fn cache_is_ocarinas_format_and_its_own_refresh_is_adopted() {
    let server = server();
    let cli = Cli::new();
    let client = cli.add_majora(server, "oc", 3600);
    assert!(cli.login_paste("oc", &User::new()).status.success());
    // A running token agent (the tray's) answers `latchkey token` throughout: it must
    // notice the sync turned on below, and never vouch for tokens Ocarina has replaced.
    let agent = latchkey::agent::Agent::bind(&latchkey::paths::Paths::in_dir(cli.config_dir())).unwrap();
    std::thread::spawn(move || agent.serve());
    cli.ok(&["token", "oc"], ""); // the agent reads the settings, without the sync yet
    let cache = cli.config_dir().join("ocarina-tokens");
    std::fs::write(&cache, r#"{"someone else": {"access_token": "untouched"}}"#).unwrap();
    cli.ok(&["profile", "set", "oc", "--ocarina-sync", cache.to_str().unwrap()], "");

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&cache).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let stored = cli.stored_tokens("oc").unwrap();
    let token_url = server.url("/o/token/");
    let args = [cache.to_str().unwrap(), &token_url, &client.id, &client.secret];
    let read = ocarina(&args);
    assert!(read.status.success(), "{}", describe(&read));
    assert_eq!(String::from_utf8_lossy(&read.stdout).trim(), stored.access_token.expose());
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&cache).unwrap()).unwrap();
    assert_eq!(v["someone else"]["access_token"], "untouched");

    // Latchkey renews: the cache follows.
    let renewed = cli.ok(&["token", "oc", "--min-valid", "7200"], "").trim().to_string();
    let read = ocarina(&args);
    assert_eq!(String::from_utf8_lossy(&read.stdout).trim(), renewed);

    // Ocarina refreshes on its own, rotating the refresh token Latchkey holds.
    let mut refresh_args = args.to_vec();
    refresh_args.push("--refresh");
    let out = ocarina(&refresh_args);
    assert!(out.status.success(), "{}", describe(&out));
    let ocarinas = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(server.is_active(&client, &ocarinas));

    // Latchkey adopts Ocarina's tokens instead of presenting a dead refresh token.
    let token = cli.ok(&["token", "oc"], "").trim().to_string();
    assert_eq!(token, ocarinas);
    let forced = cli.run(&["refresh", "oc", "--force"], "");
    assert!(forced.status.success(), "{}", describe(&forced));
    assert_eq!(server.grant_count(&client.id, "refresh_token/400"), 0, "a dead refresh token was presented");
    let status: serde_json::Value = serde_json::from_str(&cli.ok(&["status", "oc", "--json"], "")).unwrap();
    assert_eq!(status[0]["status"], "signed-in");
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
    let v: serde_json::Value = serde_json::from_str(&cli.ok(&["export", "ocarina-config", "oc", "--with-secret"], "")).unwrap();
    assert_eq!(v["CLIENT_SECRET"], client.secret.as_str());
}
