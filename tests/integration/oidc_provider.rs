//! Any OpenID Connect server, proven on one that is certified: node oidc-provider
//! (tests/oidc), through the same scenario as the django-oauth-toolkit tests — discovery,
//! dynamic registration as a native client, sign-in by paste, `offline_access` → a
//! refresh token (which needs `prompt=consent`), rotation, eight concurrent `token`
//! calls at expiry with exactly one refresh (a second would present a rotated refresh
//! token, and this provider then revokes the whole grant), RFC 9207 `iss`, and
//! revocation at logout.

use crate::support;

use crate::oidc;

use oidc::{OidcProvider, OidcUser};
use support::{describe, AuthServer, Cli, Client};

fn profile(cli: &Cli, op: &OidcProvider, name: &str, scopes: &str) -> Client {
    cli.ok(&["profile", "add", name, "--preset", "generic", "--issuer", &op.issuer(), "--scopes", scopes], "");
    let out = cli.run(&["register", name], "");
    assert!(out.status.success(), "dynamic registration: {}", describe(&out));
    let list: serde_json::Value = serde_json::from_str(&cli.ok(&["profile", "list", "--json"], "")).unwrap();
    let row = list.as_array().unwrap().iter().find(|r| r["name"] == name).unwrap();
    let id = row["client_id"].as_str().unwrap().to_string();
    let paths = latchkey_engine::Paths::in_dir(cli.config_dir());
    let secret = latchkey_engine::testing::Store::new(&paths)
        .client_secret(name)
        .unwrap()
        .expect("a client secret")
        .expose()
        .to_string();
    Client { id, secret }
}

#[test]
fn sign_in_refresh_rotation_and_one_refresh_for_eight_callers() {
    let op = OidcProvider::start(60);
    let cli = Cli::new();
    let client = profile(&cli, &op, "op", "openid offline_access email");
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
    assert!(op.is_active(&client, rotated.access_token.expose()));

    // Eight processes at once need a token fresher than the one stored: one refreshes,
    // the others take its result, and the grant survives (a second refresh with the
    // rotated token would end it).
    // (A minute's tokens: two seconds on, the stored one has less than 59 s left, and
    // a renewed one has all 60.)
    std::thread::sleep(std::time::Duration::from_secs(2));
    let before = op.grant_count(&client.id, "refresh_token/200");
    let handles: Vec<_> = (0..8)
        .map(|_| {
            let mut c = cli.command();
            c.args(["token", "op", "--min-valid", "59"]);
            std::thread::spawn(move || c.output().unwrap())
        })
        .collect();
    let outs: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    for out in &outs {
        assert!(out.status.success(), "{}", describe(out));
    }
    assert_eq!(op.grant_count(&client.id, "refresh_token/200") - before, 1, "not one refresh for eight callers");
    let printed: std::collections::HashSet<_> = outs.iter().map(|o| o.stdout.clone()).collect();
    assert_eq!(printed.len(), 1, "the callers got different tokens");
    assert_eq!(
        op.grant_count(&client.id, "refresh_token/400"),
        0,
        "a rotated refresh token was presented (grant revoked)"
    );
    let last = cli.ok(&["token", "op"], "").trim().to_string();
    assert!(op.is_active(&client, &last), "the grant did not survive");
}

#[test]
fn one_refresh_at_expiry_however_many_ask() {
    let op = OidcProvider::start(4);
    let cli = Cli::new();
    let client = profile(&cli, &op, "op", "openid offline_access");
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
    assert_eq!(op.grant_count(&client.id, "refresh_token/200"), 1, "not exactly one refresh at expiry");
    assert!(tokens.windows(2).all(|w| w[0] == w[1]), "the callers got different tokens");
    assert_eq!(op.grant_count(&client.id, "refresh_token/400"), 0);
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
    let client = profile(&cli, &op, "op", "openid offline_access");
    let out = cli.login_paste_with("op", |url| {
        OidcUser::new("alice").authorize(url).replace(
            &format!("iss={}", url::form_urlencoded::byte_serialize(op.issuer().as_bytes()).collect::<String>()),
            "iss=https%3A%2F%2Fevil.example.org",
        )
    });
    assert_eq!(out.status.code(), Some(3), "{}", describe(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("RFC 9207"), "{}", describe(&out));
    assert_eq!(op.grant_count(&client.id, "authorization_code/200"), 0);

    assert!(cli.login_paste_with("op", |url| OidcUser::new("alice").authorize(url)).status.success());
    let stored = cli.stored_tokens("op").unwrap();
    assert!(op.is_active(&client, stored.access_token.expose()));
    // Remove (without a logout first) revokes the grant and deletes the client (RFC 7592).
    let out = cli.run(&["profile", "remove", "op"], "");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && err.contains("tokens revoked") && err.contains("client registration deleted"),
        "{}",
        describe(&out)
    );
    assert!(op.grant_count(&client.id, "grant-revoked") >= 1, "remove did not revoke the grant");
    assert!(
        !op.is_active(&client, stored.refresh_token.as_ref().unwrap().expose()),
        "the refresh token outlived remove"
    );
    assert!(!op.is_active(&client, stored.access_token.expose()), "the access token outlived remove");
}

#[test]
fn device_flow_signs_in_and_gets_a_refresh_token() {
    let op = OidcProvider::start(3600);
    let cli = Cli::new();
    let client = profile(&cli, &op, "op", "openid offline_access");
    let mut login = cli.start_login("op", "--device");
    let complete = login.line_starting("(or open ").trim_start_matches("(or open ").trim_end_matches(')').to_string();
    OidcUser::new("alice").approve_device(&complete);
    let out = login.finish();
    assert!(out.status.success(), "{}", describe(&out));
    assert!(cli.stored_tokens("op").unwrap().refresh_token.is_some(), "the device sign-in gave no refresh token");
    assert_eq!(op.grant_count(&client.id, "urn:ietf:params:oauth:grant-type:device_code/200"), 1);
}

#[test]
fn browser_sign_in_caught_on_a_loopback_port_of_a_native_client() {
    let op = OidcProvider::start(3600);
    let cli = Cli::new();
    cli.ok(
        &[
            "profile",
            "add",
            "lb",
            "--preset",
            "generic",
            "--issuer",
            &op.issuer(),
            "--scopes",
            "openid offline_access",
            "--redirect-uri",
            "http://127.0.0.1/callback",
        ],
        "",
    );
    cli.ok(&["register", "lb"], "");
    let mut login = cli.start_login("lb", "--browser");
    let url = login.line_starting("http");
    let redirect = OidcUser::new("alice").authorize(&url);
    assert!(redirect.contains("iss="), "{redirect}");
    let out = login.finish_at_loopback(&redirect);
    assert!(out.status.success(), "{}", describe(&out));
    assert!(cli.stored_tokens("lb").unwrap().refresh_token.is_some());
}

#[test]
fn a_two_kilobyte_jwt_token_set_is_stored_served_and_renewed() {
    let op = OidcProvider::start_with(3600, &[("OIDC_JWT_RESOURCE", "https://api.example.org/")]);
    let cli = Cli::new();
    profile(&cli, &op, "big", "openid offline_access api");
    let out = cli.login_paste_with("big", |url| OidcUser::new("alice").authorize(url));
    assert!(out.status.success(), "{}", describe(&out));
    let stored = cli.stored_tokens("big").unwrap();
    let access = stored.access_token.expose().to_string();
    assert_eq!(access.matches('.').count(), 2, "not a JWT: {access}");
    assert!(access.len() >= 2000, "the access token is {} bytes, not two kilobytes", access.len());
    assert!(stored.refresh_token.is_some());

    // Served whole, from the keyring and from the agent.
    assert_eq!(cli.ok(&["token", "big"], "").trim(), access);
    let agent = latchkey_engine::testing::Agent::bind(&latchkey_engine::Paths::in_dir(cli.config_dir())).unwrap();
    agent.serve_in_background().unwrap();
    assert_eq!(cli.ok(&["token", "big"], "").trim(), access);

    // Renewed into another big one, stored whole.
    cli.ok(&["refresh", "big", "--force"], "");
    let renewed = cli.stored_tokens("big").unwrap().access_token.expose().to_string();
    assert!(renewed != access && renewed.len() >= 2000, "renewed token: {} bytes", renewed.len());
    assert_eq!(cli.ok(&["token", "big"], "").trim(), renewed);
}
