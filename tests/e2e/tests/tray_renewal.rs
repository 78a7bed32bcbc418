//! The tray process keeps tokens fresh with no window open: against the real
//! django-oauth-toolkit server with 20-second tokens, two profiles stay fresh for
//! several lifetimes; the CLI meanwhile gets valid tokens without refreshing, and a
//! CLI `--min-valid` at the moment of a scheduled refresh never causes a second one.

#[path = "../../support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use latchkey_e2e::HiddenApp;
use support::{describe, server, AuthServer, Cli, User};

const LIFETIME: u64 = 20;

#[test]
fn tray_keeps_two_profiles_fresh_and_the_cli_sees_it() {
    let server = server();
    let mut app = HiddenApp::launch();
    let cli = Cli::in_dir(app.session.config_dir(), app.cli_env());
    // This test reads the keyring itself (as an oracle): use the app's session bus.
    for (k, v) in app.cli_env() {
        std::env::set_var(k, v);
    }
    let clients: Vec<_> =
        ["one", "two"].iter().map(|name| (name.to_string(), cli.add_majora(server, name, LIFETIME))).collect();
    for (name, _) in &clients {
        let out = cli.login_paste(name, &User::new());
        assert!(out.status.success(), "{}", describe(&out));
    }
    let first: Vec<String> =
        clients.iter().map(|(n, _)| cli.stored_tokens(n).unwrap().access_token.expose().to_string()).collect();

    // 3.5 lifetimes. Every second: a plain `token` (must not renew by itself) and a
    // `token --min-valid 7` (the tray's margin: races the scheduled renewal).
    let start = Instant::now();
    let mut seen = 0;
    while start.elapsed() < Duration::from_secs(LIFETIME * 7 / 2) {
        for (name, client) in &clients {
            let out = cli.run(&["-v", "token", name], "");
            assert!(out.status.success(), "{}", describe(&out));
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(!stderr.contains("renewed"), "the CLI renewed on its own while the tray was on time: {stderr}");
            let token = String::from_utf8_lossy(&out.stdout).trim().to_string();
            // Valid when printed: either still active, or a renewal (which on a rotating
            // server kills the previous access token) has happened since.
            // A renewal in flight counts too: the server retires the old token when it
            // answers, a moment before the tray has stored the new one.
            let active = server.is_active(client, &token);
            let renewed_since = || cli.stored_tokens(name).unwrap().access_token.expose() != token;
            assert!(
                active || latchkey_e2e::wait_until(Duration::from_secs(3), renewed_since),
                "`token {name}` printed a dead token"
            );
            let out = cli.run(&["token", name, "--min-valid", "7"], "");
            assert!(out.status.success(), "{}", describe(&out));
            seen += 1;
        }
        std::thread::sleep(Duration::from_millis(900));
    }
    assert!(seen > 20);
    assert!(app.is_running(), "the app died; log:\n{}", app.session.tray_log());

    for (i, (name, client)) in clients.iter().enumerate() {
        let ok = server.grant_count(&client.id, "refresh_token/200");
        let all = server.grant_count(&client.id, "refresh_token");
        assert!(ok >= 3, "{name}: only {ok} renewals in 3.5 lifetimes; log:\n{}", app.session.tray_log());
        assert_eq!(ok, all, "{name}: a refresh was refused (two refreshes raced with a rotated token)");
        let now = cli.stored_tokens(name).unwrap();
        assert_ne!(now.access_token.expose(), first[i]);
        assert!(server.is_active(client, now.access_token.expose()));
    }
    let status: serde_json::Value = serde_json::from_str(&cli.ok(&["status", "--json"], "")).unwrap();
    for row in status.as_array().unwrap() {
        assert_eq!(row["status"], "signed-in", "{row}");
    }
    let log = app.session.tray_log();
    assert!(log.contains("renewed"), "the tray never renewed; log:\n{log}");
    app.stop();
}
