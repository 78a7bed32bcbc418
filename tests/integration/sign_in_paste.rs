//! Paste-flow sign-in through the CLI against the real django-oauth-toolkit server,
//! with the real Secret Service; then `token`, `status`, `exec` and `logout`.

use crate::support;

use support::{describe, server, AuthServer, Cli, User};

#[test]
fn paste_login_token_status_exec_and_logout() {
    let server = server();
    let cli = Cli::new();
    let client = cli.add_majora(server, "majora-local", 3600);

    let out = cli.login_paste("majora-local", &User::new());
    assert!(out.status.success(), "{}", describe(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("Signed in to `majora-local`"), "{stderr}");

    let token = cli.ok(&["token", "majora-local"], "").trim().to_string();
    assert!(!token.is_empty());
    assert!(server.is_active(&client, &token), "the printed token is not active at the server");
    let stored = cli.stored_tokens("majora-local").unwrap();
    assert_eq!(stored.access_token.expose(), token);
    let refresh = stored.refresh_token.clone().unwrap();

    let header = cli.ok(&["token", "majora-local", "--format", "header"], "");
    assert_eq!(header.trim(), format!("Authorization: Bearer {token}"));
    let json: serde_json::Value =
        serde_json::from_str(&cli.ok(&["token", "majora-local", "--format", "json"], "")).unwrap();
    assert_eq!(json["access_token"], token.as_str());

    let status = cli.ok(&["status", "--json"], "");
    let rows: serde_json::Value = serde_json::from_str(&status).unwrap();
    assert_eq!(rows[0]["status"], "signed-in");
    assert!(rows[0]["expires_in"].as_i64().unwrap() > 3500);

    // exec hands the token to the command in its environment.
    let echoed = cli.ok(&["exec", "majora-local", "--", "sh", "-c", "printf %s \"$LATCHKEY_ACCESS_TOKEN\""], "");
    assert_eq!(echoed, token);
    let code = cli.run(&["exec", "majora-local", "--", "sh", "-c", "exit 7"], "").status.code();
    assert_eq!(code, Some(7), "exec must pass the command's exit code through");

    // No secret anywhere in the config dir or in what the CLI printed about status.
    let files = cli.all_files_text();
    for secret in [token.as_str(), refresh.expose(), client.secret.as_str()] {
        assert!(!files.contains(secret), "a secret reached the config dir");
        assert!(!status.contains(secret), "a secret reached `status`");
        assert!(!stderr.contains(secret), "a secret reached login's output");
    }

    // Logout revokes at the server, then forgets.
    let out = cli.run(&["logout", "majora-local"], "");
    assert!(out.status.success(), "{}", describe(&out));
    assert!(!server.is_active(&client, &token), "access token still active after logout");
    assert!(cli.stored_tokens("majora-local").is_none());
    assert_eq!(server.try_refresh(&client, refresh.expose()), 400, "refresh token still usable after logout");
    let out = cli.run(&["token", "majora-local"], "");
    assert_eq!(out.status.code(), Some(3), "{}", describe(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("latchkey login majora-local"));
}

#[test]
fn bare_code_paste_works_for_the_pending_flow() {
    let server = server();
    let cli = Cli::new();
    cli.add_majora(server, "bare", 3600);
    let user = User::new();
    let out = cli.login_paste_with("bare", |url| {
        let redirect = user.authorize(url, true);
        let redirect = reqwest::Url::parse(&redirect).unwrap();
        redirect.query_pairs().find(|(k, _)| k == "code").unwrap().1.into_owned()
    });
    assert!(out.status.success(), "{}", describe(&out));
    assert!(cli.stored_tokens("bare").is_some());
}

#[test]
fn profile_list_and_remove() {
    let server = server();
    let cli = Cli::new();
    assert_eq!(cli.ok(&["profile", "list", "--json"], "").trim(), "[]");
    let client = cli.add_majora(server, "one", 3600);
    let list: serde_json::Value = serde_json::from_str(&cli.ok(&["profile", "list", "--json"], "")).unwrap();
    assert_eq!(list[0]["name"], "one");
    assert_eq!(list[0]["client_id"], client.id.as_str());
    assert_eq!(list[0]["redirect_uri"], server.callback_uri().as_str());
    let out = cli.run(&["profile", "add", "one", "--preset", "majora"], "");
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    cli.ok(&["profile", "remove", "one"], "");
    assert_eq!(cli.ok(&["profile", "list", "--json"], "").trim(), "[]");
    let out = cli.run(&["profile", "remove", "one"], "");
    assert_eq!(out.status.code(), Some(2));
}
