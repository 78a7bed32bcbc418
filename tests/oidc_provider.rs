//! Any OpenID Connect server, proven on one that is certified: node oidc-provider
//! (tests/oidc), through the same scenario as the django-oauth-toolkit tests — discovery,
//! dynamic registration as a native client, sign-in by paste, `offline_access` → a
//! refresh token (which needs `prompt=consent`), rotation, eight concurrent `token`
//! calls at expiry with exactly one refresh (a second would present a rotated refresh
//! token, and this provider then revokes the whole grant), RFC 9207 `iss`, and
//! revocation at logout.

mod support;

#[path = "support/oidc.rs"]
mod oidc;

use oidc::{OidcProvider, OidcUser};
use support::{describe, Cli};

fn profile(cli: &Cli, op: &OidcProvider, name: &str, scopes: &str) -> (String, String) {
    cli.ok(&["profile", "add", name, "--preset", "generic", "--issuer", &op.issuer(), "--scopes", scopes], "");
    let out = cli.run(&["register", name], "");
    assert!(out.status.success(), "dynamic registration: {}", describe(&out));
    let list: serde_json::Value = serde_json::from_str(&cli.ok(&["profile", "list", "--json"], "")).unwrap();
    let row = list.as_array().unwrap().iter().find(|r| r["name"] == name).unwrap();
    let id = row["client_id"].as_str().unwrap().to_string();
    let paths = latchkey::paths::Paths::in_dir(cli.config_dir());
    let secret = latchkey::store::Store::new(&paths).client_secret(name).unwrap().expect("a client secret").expose().to_string();
    (id, secret)
}

#[test]
fn sign_in_refresh_rotation_and_one_refresh_for_eight_callers() {
    let op = OidcProvider::start(60);
    let cli = Cli::new();
    let (client_id, secret) = profile(&cli, &op, "op", "openid offline_access email");
    let settings = std::fs::read_to_string(cli.config_dir().join("profiles.toml")).unwrap();
    assert!(settings.contains("authorization_response_iss = true"), "{settings}");
    assert!(settings.contains("latchkey://callback/op"), "{settings}");

    let user = OidcUser::new("alice");
    let out = cli.login_paste_with("op", |url| {
        assert!(url.contains("prompt=consent"), "offline_access without prompt=consent: {url}");
        let answer = user.authorize(url);
        assert!(answer.contains("iss="), "{answer}");
        answer
    });
    assert!(out.status.success(), "{}", describe(&out));
    let stored = cli.stored_tokens("op").unwrap();
    assert!(stored.refresh_token.is_some(), "no refresh token: offline_access was dropped");
    assert!(stored.scopes.iter().any(|s| s == "offline_access"), "{:?}", stored.scopes);
    let status: serde_json::Value = serde_json::from_str(&cli.ok(&["status", "op", "--json"], "")).unwrap();
    assert_eq!(status[0]["renews_silently"], true, "{status}");
    assert_eq!(status[0]["account"], "alice@example.org", "{status}");

    // Rotation: a forced refresh gives a new pair; the old access token is gone.
    cli.ok(&["refresh", "op", "--force"], "");
    let rotated = cli.stored_tokens("op").unwrap();
    assert_ne!(rotated.refresh_token, stored.refresh_token, "the refresh token did not rotate");
    assert!(op.is_active(&client_id, &secret, rotated.access_token.expose()));

    // Eight processes at once need a token fresher than the one stored: one refreshes,
    // the others take its result, and the grant survives (a second refresh with the
    // rotated token would end it).
    let before = op.grant_count(&client_id, "refresh_token/200");
    let handles: Vec<_> = (0..8)
        .map(|_| {
            let mut c = cli.command();
            c.args(["token", "op", "--min-valid", "3600"]);
            std::thread::spawn(move || c.output().unwrap())
        })
        .collect();
    let outs: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    for out in &outs {
        assert!(out.status.success(), "{}", describe(out));
    }
    assert_eq!(op.grant_count(&client_id, "refresh_token/200") - before, 1, "not one refresh for eight callers");
    let printed: std::collections::HashSet<_> = outs.iter().map(|o| o.stdout.clone()).collect();
    assert_eq!(printed.len(), 1, "the callers got different tokens");
    assert_eq!(op.grant_count(&client_id, "refresh_token/400"), 0, "a rotated refresh token was presented (grant revoked)");
    let last = cli.ok(&["token", "op"], "").trim().to_string();
    assert!(op.is_active(&client_id, &secret, &last), "the grant did not survive");
}

#[test]
fn one_refresh_at_expiry_however_many_ask() {
    let op = OidcProvider::start(4);
    let cli = Cli::new();
    let (client_id, _) = profile(&cli, &op, "op", "openid offline_access");
    assert!(cli.login_paste_with("op", |url| OidcUser::new("alice").authorize(url)).status.success());
    std::thread::sleep(std::time::Duration::from_secs(4));
    let handles: Vec<_> = (0..8)
        .map(|_| {
            let mut c = cli.command();
            c.args(["token", "op"]);
            std::thread::spawn(move || c.output().unwrap())
        })
        .collect();
    let tokens: Vec<String> = handles
        .into_iter()
        .map(|h| {
            let out = h.join().unwrap();
            assert!(out.status.success(), "{}", describe(&out));
            String::from_utf8_lossy(&out.stdout).trim().to_string()
        })
        .collect();
    assert_eq!(op.grant_count(&client_id, "refresh_token/200"), 1, "not exactly one refresh at expiry");
    assert!(tokens.windows(2).all(|w| w[0] == w[1]), "the callers got different tokens");
    assert_eq!(op.grant_count(&client_id, "refresh_token/400"), 0);
    assert!(cli.run(&["refresh", "op", "--force"], "").status.success(), "the grant did not survive");
}

#[test]
fn without_offline_access_no_refresh_token_and_status_says_so() {
    let op = OidcProvider::start(3600);
    let cli = Cli::new();
    profile(&cli, &op, "op", "openid email");
    let out = cli.login_paste_with("op", |url| {
        assert!(!url.contains("prompt="), "prompt sent without offline_access: {url}");
        OidcUser::new("alice").authorize(url)
    });
    assert!(out.status.success(), "{}", describe(&out));
    assert!(cli.stored_tokens("op").unwrap().refresh_token.is_none());
    let status = cli.ok(&["status", "op"], "");
    assert!(status.contains("no refresh token") && status.contains("latchkey login op"), "{status}");
    let json: serde_json::Value = serde_json::from_str(&cli.ok(&["status", "op", "--json"], "")).unwrap();
    assert_eq!(json[0]["renews_silently"], false);
}

#[test]
fn a_foreign_iss_is_refused_and_remove_revokes() {
    let op = OidcProvider::start(3600);
    let cli = Cli::new();
    let (client_id, secret) = profile(&cli, &op, "op", "openid offline_access");
    let out = cli.login_paste_with("op", |url| {
        OidcUser::new("alice").authorize(url).replace(
            &format!("iss={}", url::form_urlencoded::byte_serialize(op.issuer().as_bytes()).collect::<String>()),
            "iss=https%3A%2F%2Fevil.example.org",
        )
    });
    assert_eq!(out.status.code(), Some(3), "{}", describe(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("RFC 9207"), "{}", describe(&out));
    assert_eq!(op.grant_count(&client_id, "authorization_code/200"), 0);

    assert!(cli.login_paste_with("op", |url| OidcUser::new("alice").authorize(url)).status.success());
    let stored = cli.stored_tokens("op").unwrap();
    assert!(op.is_active(&client_id, &secret, stored.access_token.expose()));
    let out = cli.run(&["logout", "op"], "");
    assert!(out.status.success() && String::from_utf8_lossy(&out.stderr).contains("revoked"), "{}", describe(&out));
    assert!(!op.is_active(&client_id, &secret, stored.refresh_token.as_ref().unwrap().expose()), "the refresh token outlived logout");
    assert!(!op.is_active(&client_id, &secret, stored.access_token.expose()));
    cli.ok(&["profile", "remove", "op"], "");
}

#[test]
fn device_flow_signs_in_and_gets_a_refresh_token() {
    use std::io::{BufRead, BufReader};
    let op = OidcProvider::start(3600);
    let cli = Cli::new();
    let (client_id, _) = profile(&cli, &op, "op", "openid offline_access");
    let mut child = cli
        .command()
        .args(["login", "op", "--device"])
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let complete = loop {
        let mut line = String::new();
        assert!(stderr.read_line(&mut line).unwrap() > 0, "no verification URI printed");
        if let Some(rest) = line.trim().strip_prefix("(or open ") {
            break rest.trim_end_matches(')').to_string();
        }
    };
    OidcUser::new("alice").approve_device(&complete);
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    assert!(cli.stored_tokens("op").unwrap().refresh_token.is_some(), "the device sign-in gave no refresh token");
    assert_eq!(op.grant_count(&client_id, "urn:ietf:params:oauth:grant-type:device_code/200"), 1);
}

#[test]
fn browser_sign_in_caught_on_a_loopback_port_of_a_native_client() {
    use std::io::{BufRead, BufReader};
    let op = OidcProvider::start(3600);
    let cli = Cli::new();
    cli.ok(&["profile", "add", "lb", "--preset", "generic", "--issuer", &op.issuer(), "--scopes", "openid offline_access",
             "--redirect-uri", "http://127.0.0.1/callback"], "");
    cli.ok(&["register", "lb"], "");
    let mut child = cli
        .command()
        .args(["login", "lb", "--browser"])
        .env("PATH", "/nonexistent") // no xdg-open: the URL is printed instead
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let url = loop {
        let mut line = String::new();
        assert!(stderr.read_line(&mut line).unwrap() > 0, "no URL printed");
        if line.starts_with("http") {
            break line.trim().to_string();
        }
    };
    let redirect = OidcUser::new("alice").authorize(&url);
    assert!(redirect.starts_with("http://127.0.0.1:") && redirect.contains("iss="), "{redirect}");
    let page = reqwest::blocking::get(&redirect).unwrap().text().unwrap();
    assert!(page.contains("You can close this tab"), "{page}");
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    assert!(cli.stored_tokens("lb").unwrap().refresh_token.is_some());
}
