//! Renewal against a server whose refresh tokens rotate with no grace (Majora):
//! `token --min-valid` forces a refresh; the old refresh token is then dead at the
//! server and the new one works; 8 processes at expiry cause exactly one refresh.

use crate::support;

use std::time::Duration;

use support::{describe, server, AuthServer, Cli, User};

#[test]
fn min_valid_forces_a_rotating_refresh() {
    let server = server();
    let cli = Cli::new();
    let client = cli.add_majora(server, "rot", 3600);
    assert!(cli.login_paste("rot", &User::new()).status.success());
    let before = cli.stored_tokens("rot").unwrap();

    // Fresh for an hour: a plain `token` does not refresh.
    assert_eq!(cli.ok(&["token", "rot"], "").trim(), before.access_token.expose());
    assert_eq!(server.grant_count(&client.id, "refresh_token"), 0);

    // Asking for more validity than the stored token has left (a whole hour, two
    // seconds after it was issued) forces a refresh.
    std::thread::sleep(std::time::Duration::from_secs(2));
    let token = cli.ok(&["token", "rot", "--min-valid", "3599"], "").trim().to_string();
    assert_ne!(token, before.access_token.expose());
    assert_eq!(server.grant_count(&client.id, "refresh_token"), 1);
    let after = cli.stored_tokens("rot").unwrap();
    assert_eq!(after.access_token.expose(), token, "the keyring holds what was handed out");
    let new_refresh = after.refresh_token.clone().unwrap();
    let old_refresh = before.refresh_token.clone().unwrap();
    assert_ne!(new_refresh, old_refresh, "the server rotated the refresh token");

    assert!(server.is_active(&client, &token));
    assert!(!server.is_active(&client, before.access_token.expose()), "old access token still active");
    assert_eq!(server.try_refresh(&client, old_refresh.expose()), 400, "old refresh token still works");

    // `refresh --force` renews with the stored (new) refresh token.
    let out = cli.run(&["refresh", "rot", "--force"], "");
    assert!(out.status.success(), "{}", describe(&out));
    // Two by Latchkey, one by the test's probe of the old refresh token (refused).
    assert_eq!(server.grant_count(&client.id, "refresh_token"), 3);
    assert_eq!(server.grant_count(&client.id, "refresh_token/200"), 2);
    let latest = cli.stored_tokens("rot").unwrap();
    assert!(server.is_active(&client, latest.access_token.expose()));
    // The refresh token before it is now dead too.
    assert_eq!(server.try_refresh(&client, new_refresh.expose()), 400);
}

#[test]
fn eight_processes_at_expiry_cause_one_refresh() {
    let server = server();
    let cli = Cli::new();
    let client = cli.add_majora(server, "many", 4);
    assert!(cli.login_paste("many", &User::new()).status.success());
    let first = cli.stored_tokens("many").unwrap();
    std::thread::sleep(Duration::from_secs(5));
    assert!(!server.is_active(&client, first.access_token.expose()), "the token should have expired");

    let children: Vec<_> = (0..8)
        .map(|_| {
            cli.command()
                .args(["token", "many"])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let outputs: Vec<_> = children.into_iter().map(|c| c.wait_with_output().unwrap()).collect();
    let mut tokens = Vec::new();
    for out in &outputs {
        assert!(out.status.success(), "{}", describe(out));
        tokens.push(String::from_utf8_lossy(&out.stdout).trim().to_string());
    }
    assert_eq!(server.grant_count(&client.id, "refresh_token"), 1, "more than one refresh reached the server");
    tokens.dedup();
    assert_eq!(tokens.len(), 1, "processes printed different tokens: {tokens:?}");
    assert!(server.is_active(&client, &tokens[0]));
}

#[test]
fn invalid_grant_means_sign_in_and_keeps_what_is_stored() {
    let server = server();
    let cli = Cli::new();
    let client = cli.add_majora(server, "dead", 3600);
    assert!(cli.login_paste("dead", &User::new()).status.success());
    let stored = cli.stored_tokens("dead").unwrap();
    // Someone else (another tool) rotates the refresh token behind our back.
    assert_eq!(server.try_refresh(&client, stored.refresh_token.as_ref().unwrap().expose()), 200);

    let out = cli.run(&["refresh", "dead", "--force"], "");
    assert_eq!(out.status.code(), Some(3), "{}", describe(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("needs you to sign in") && stderr.contains("latchkey login dead"), "{stderr}");
    assert_eq!(cli.stored_tokens("dead").unwrap(), stored, "a failed refresh changed the store");
    let status: serde_json::Value = serde_json::from_str(&cli.ok(&["status", "dead", "--json"], "")).unwrap();
    assert_eq!(status[0]["status"], "needs-sign-in");

    // The next `token` that needs renewal fails at once, without asking the server.
    let count = server.grant_count(&client.id, "refresh_token");
    let out = cli.run(&["token", "dead", "--min-valid", "7200"], "");
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(server.grant_count(&client.id, "refresh_token"), count);

    // Signing in again clears it.
    assert!(cli.login_paste("dead", &User::new()).status.success());
    let status: serde_json::Value = serde_json::from_str(&cli.ok(&["status", "dead", "--json"], "")).unwrap();
    assert_eq!(status[0]["status"], "signed-in");
}
