//! A sign-in's answer can only finish that sign-in, at its own server: profiles on two
//! servers each have their own redirect path, so a code carrying the other sign-in's
//! state is refused before any token endpoint sees it (the mix-up attack); where the
//! server advertises RFC 9207, an answer without `iss` is refused; PKCE is sent and
//! verified where the server requires it.

use crate::support;

use latchkey_engine::Latchkey;
use latchkey_engine::Paths;
use support::{describe, generic_server, AuthServer, Cli, TestServer, User};

fn add_by_hand(cli: &Cli, server: &TestServer, name: &str) -> support::Client {
    let client = server.create_client(3600, &[&format!("latchkey://callback/{name}")]);
    cli.add_by_hand(name, &server.url("/o/authorize/"), &server.url("/o/token/"), &client, &["--scopes", "read"]);
    client
}

#[test]
fn a_code_with_the_other_sign_ins_state_reaches_no_token_endpoint() {
    let (x, y) = (generic_server(), TestServer::start_generic(&[]));
    let cli = Cli::new();
    let (client_a, client_b) = (add_by_hand(&cli, x, "a"), add_by_hand(&cli, &y, "b"));
    let list: serde_json::Value = serde_json::from_str(&cli.ok(&["profile", "list", "--json"], "")).unwrap();
    assert_eq!(list[0]["redirect_uri"], "latchkey://callback/a", "each profile has its own redirect path");

    // Both sign-ins are in progress in one process (the desktop app's case).
    let engine = Latchkey::with_paths(Paths::in_dir(cli.config_dir())).unwrap();
    let (start_a, start_b) = (engine.start_sign_in("a", None).unwrap(), engine.start_sign_in("b", None).unwrap());
    let answer_a = User::new().authorize(start_a.authorize_url.as_str(), true);
    let answer_b = User::new().authorize(start_b.authorize_url.as_str(), true);
    let code_a =
        reqwest::Url::parse(&answer_a).unwrap().query_pairs().find(|(k, _)| k == "code").unwrap().1.into_owned();

    // X's code on a's path, carrying b's state: b's sign-in must not take it to Y.
    let mixed = format!("latchkey://callback/a?code={code_a}&state={}", start_b.state());
    let err = engine.complete_sign_in(&mixed, None).unwrap_err();
    assert_eq!(err.code(), "callback-rejected", "{err}");
    assert!(err.to_string().contains("redirect URI"), "{err}");
    assert_eq!(x.grant_count(&client_a.id, "authorization_code"), 0);
    assert_eq!(y.grant_count(&client_b.id, "authorization_code"), 0, "a's code reached b's token endpoint");

    // The real answers still finish their own sign-ins.
    engine.complete_sign_in(&answer_a, None).unwrap();
    engine.complete_sign_in(&answer_b, None).unwrap();
    assert_eq!(x.grant_count(&client_a.id, "authorization_code/200"), 1);
    assert_eq!(y.grant_count(&client_b.id, "authorization_code/200"), 1);
}

#[test]
fn an_issuer_that_advertises_iss_must_send_it() {
    let server = TestServer::start_generic(&[("TESTSERVER_ISS", "1")]);
    let cli = Cli::new();
    cli.ok(
        &[
            "profile",
            "add",
            "gen",
            "--preset",
            "generic",
            "--issuer",
            server.base().trim_end_matches('/'),
            "--scopes",
            "read",
        ],
        "",
    );
    let settings = std::fs::read_to_string(cli.config_dir().join("profiles.toml")).unwrap();
    assert!(settings.contains("authorization_response_iss = true"), "{settings}");
    cli.ok(&["register", "gen"], "");
    let client_id = serde_json::from_str::<serde_json::Value>(&cli.ok(&["profile", "list", "--json"], "")).unwrap()[0]
        ["client_id"]
        .as_str()
        .unwrap()
        .to_string();
    let user = User::new();
    let strip_iss = |answer: String| {
        let mut u = reqwest::Url::parse(&answer).unwrap();
        assert!(u.query_pairs().any(|(k, _)| k == "iss"), "the server sent no iss: {answer}");
        let pairs: Vec<(String, String)> = u.query_pairs().into_owned().filter(|(k, _)| k != "iss").collect();
        u.query_pairs_mut().clear().extend_pairs(pairs);
        u.to_string()
    };
    let out = cli.login_paste_with("gen", |url| strip_iss(user.authorize(url, true)));
    assert_eq!(out.status.code(), Some(3), "{}", describe(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not name its issuer"), "{}", describe(&out));
    assert_eq!(server.grant_count(&client_id, "authorization_code"), 0, "an answer without iss was exchanged");
    let out = cli.login_paste("gen", &User::new());
    assert!(out.status.success(), "{}", describe(&out));
}

#[test]
fn pkce_is_sent_and_verified_where_the_server_requires_it() {
    let server = TestServer::start_generic(&[("TESTSERVER_PKCE_REQUIRED", "1")]);
    let cli = Cli::new();
    let client = add_by_hand(&cli, &server, "pkce");
    let mut authorize = String::new();
    let out = cli.login_paste_with("pkce", |url| {
        authorize = url.to_string();
        User::new().authorize(url, true)
    });
    assert!(out.status.success(), "{}", describe(&out));
    let q: std::collections::HashMap<String, String> =
        reqwest::Url::parse(&authorize).unwrap().query_pairs().into_owned().collect();
    assert_eq!(q.get("code_challenge_method").map(String::as_str), Some("S256"), "{authorize}");
    assert!(q.get("code_challenge").is_some_and(|c| c.len() == 43), "{authorize}");
    // The server checked the verifier against the challenge when it issued the tokens.
    assert_eq!(server.grant_count(&client.id, "authorization_code/200"), 1);
}
