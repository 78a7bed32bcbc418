//! Every way a sign-in or renewal can go wrong ends in a clear message, the right
//! exit code, and stored tokens intact; forged callbacks are never exchanged.

use crate::support;

use support::{describe, server, AuthServer, Cli, TestServer, User};

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A signed-in profile to prove that failures leave the store alone.
fn signed_in(cli: &Cli, name: &str) -> support::Client {
    let client = cli.add_majora(server(), name, 3600);
    assert!(cli.login_paste(name, &User::new()).status.success());
    client
}

fn with_query(url: &str, key: &str, value: &str) -> String {
    let mut u = reqwest::Url::parse(url).unwrap();
    let pairs: Vec<(String, String)> =
        u.query_pairs().into_owned().map(|(k, v)| if k == key { (k, value.to_string()) } else { (k, v) }).collect();
    u.query_pairs_mut().clear().extend_pairs(pairs);
    u.to_string()
}

#[test]
fn wrong_state_is_refused_and_never_exchanged() {
    let cli = Cli::new();
    let client = signed_in(&cli, "p");
    let stored = cli.stored_tokens("p").unwrap();
    let exchanges = server().grant_count(&client.id, "authorization_code");
    let user = User::new();
    let out = cli.login_paste_with("p", |url| with_query(&user.authorize(url, true), "state", "forged-state"));
    assert_eq!(out.status.code(), Some(3), "{}", describe(&out));
    assert!(stderr(&out).contains("matches no sign-in in progress"), "{}", stderr(&out));
    assert_eq!(server().grant_count(&client.id, "authorization_code"), exchanges, "a forged callback was exchanged");
    assert_eq!(cli.stored_tokens("p").unwrap(), stored);
}

#[test]
fn foreign_redirect_uri_is_refused() {
    let cli = Cli::new();
    let client = signed_in(&cli, "p");
    let stored = cli.stored_tokens("p").unwrap();
    let exchanges = server().grant_count(&client.id, "authorization_code");
    let user = User::new();
    for evil in ["https://evil.example.org/o/callback/", "http://127.0.0.1:1/o/callback/../x"] {
        let out = cli.login_paste_with("p", |url| {
            let real = reqwest::Url::parse(&user.authorize(url, true)).unwrap();
            format!("{evil}?{}", real.query().unwrap())
        });
        assert_eq!(out.status.code(), Some(3), "{}", describe(&out));
        assert!(stderr(&out).contains("redirect URI"), "{}", stderr(&out));
        assert!(!stderr(&out).contains("code="), "the query reached the message");
    }
    assert_eq!(server().grant_count(&client.id, "authorization_code"), exchanges);
    assert_eq!(cli.stored_tokens("p").unwrap(), stored);
}

#[test]
fn access_denied_says_so() {
    // Majora skips the consent page for a client that holds a valid token, so this
    // server always asks (the user must be able to press "deny").
    let asks = TestServer::start(&[("TESTSERVER_APPROVAL_PROMPT", "force")]);
    let cli = Cli::new();
    cli.add_majora(&asks, "p", 3600);
    assert!(cli.login_paste("p", &User::new()).status.success());
    let stored = cli.stored_tokens("p").unwrap();
    let user = User::new();
    let out = cli.login_paste_with("p", |url| user.authorize(url, false));
    assert_eq!(out.status.code(), Some(3), "{}", describe(&out));
    assert!(stderr(&out).contains("refused the sign-in: access_denied"), "{}", stderr(&out));
    assert!(stderr(&out).contains("Authorize"), "no hint: {}", stderr(&out));
    assert_eq!(cli.stored_tokens("p").unwrap(), stored);
}

#[test]
fn wrong_client_secret_is_named() {
    let cli = Cli::new();
    let client = server().create_client(3600, &[&server().callback_uri()]);
    cli.ok(
        &[
            "profile",
            "add",
            "p",
            "--preset",
            "majora",
            "--base-url",
            &server().base(),
            "--client-id",
            &client.id,
            "--client-secret-stdin",
        ],
        "not-the-secret\n",
    );
    let out = cli.login_paste("p", &User::new());
    // A credentials problem, not the server's or the network's (exit 4): exit 6.
    assert_eq!(out.status.code(), Some(6), "{}", describe(&out));
    assert!(stderr(&out).contains("does not accept the client id or secret"), "{}", stderr(&out));
    assert!(!stderr(&out).contains("not-the-secret"));
    assert!(cli.stored_tokens("p").is_none());
    // `profile check` says the same, with the same code, and the profile says what to do.
    let out = cli.run(&["profile", "check", "p"], "");
    assert_eq!(out.status.code(), Some(6), "{}", describe(&out));
    assert!(stderr(&out).contains("latchkey register p") || stderr(&out).contains("set-client"), "{}", stderr(&out));
    let status = cli.ok(&["status", "p"], "");
    assert!(status.contains("refuses its client id or secret"), "{status}");
    // The right secret given again ends it.
    cli.ok(
        &["profile", "set-client", "p", "--client-id", &client.id, "--client-secret-stdin"],
        &format!("{}\n", client.secret),
    );
    assert!(cli.ok(&["profile", "check", "p"], "").contains("accepts the client id and secret"));
    let status = cli.ok(&["status", "p"], "");
    assert!(status.contains("signed out"), "{status}");
}

#[test]
fn expired_code_is_refused() {
    let short = TestServer::start(&[("TESTSERVER_CODE_LIFETIME", "1")]);
    let cli = Cli::new();
    cli.add_majora(&short, "p", 3600);
    let user = User::new();
    let out = cli.login_paste_with("p", |url| {
        let redirect = user.authorize(url, true);
        std::thread::sleep(std::time::Duration::from_millis(2500));
        redirect
    });
    assert_eq!(out.status.code(), Some(3), "{}", describe(&out));
    assert!(stderr(&out).contains("refused the authorization code"), "{}", stderr(&out));
    assert!(stderr(&out).contains("Sign in again"), "{}", stderr(&out));
}

#[test]
fn server_down_keeps_tokens_and_says_try_again() {
    let own = TestServer::start(&[]);
    let cli = Cli::new();
    cli.add_majora(&own, "p", 3600);
    assert!(cli.login_paste("p", &User::new()).status.success());
    let stored = cli.stored_tokens("p").unwrap();
    own.stop();

    // A fresh token is still handed out with the server down.
    assert_eq!(cli.ok(&["token", "p"], "").trim(), stored.access_token.expose());
    for args in [&["token", "p", "--min-valid", "7200"][..], &["refresh", "p", "--force"][..]] {
        let out = cli.run(args, "");
        assert_eq!(out.status.code(), Some(4), "{}", describe(&out));
        let text = stderr(&out);
        assert!(text.contains("cannot reach") && text.contains("tokens are unchanged"), "{text}");
        assert_eq!(text.matches("cannot reach").count(), 1, "the error is said once: {text}");
        assert!(!text.contains("\x1b["), "no colour codes when stderr is not a terminal: {text:?}");
        assert!(!text.contains(stored.access_token.expose()));
    }
    assert_eq!(cli.stored_tokens("p").unwrap(), stored);
    let status: serde_json::Value = serde_json::from_str(&cli.ok(&["status", "p", "--json"], "")).unwrap();
    assert_eq!(status[0]["status"], "failing");
}

#[test]
fn unknown_profile_and_not_signed_in() {
    let cli = Cli::new();
    let out = cli.run(&["token", "nope"], "");
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("latchkey profile list"));
    cli.add_majora(server(), "p", 3600);
    let out = cli.run(&["token", "p"], "");
    assert_eq!(out.status.code(), Some(3), "{}", describe(&out));
    assert!(stderr(&out).contains("latchkey login p"));
}

/// Majora lets a user authorize only the scopes whose permission their account holds.
#[test]
fn a_scope_the_account_lacks_names_the_scopes_and_what_to_do() {
    let server = server();
    server.create_user("reader", "reader-pass", Some(&["majora2.temp_can_read_pags_via_api"]), true);
    let cli = Cli::new();
    let client = cli.add_majora(server, "p", 3600);
    let out = cli.login_paste("p", &User::named("reader", "reader-pass"));
    assert_eq!(out.status.code(), Some(3), "{}", describe(&out));
    let text = stderr(&out);
    assert!(text.contains("your Majora account lacks the permission for one of the chosen tasks"), "{text}");
    assert!(text.contains("(\"upload\")"), "the task is named: {text}");
    let said = &text[text.find("latchkey: ").expect("an error line")..];
    assert!(!said.contains("majora2.add_biosampleartifact"), "not twenty scope names: {said}");
    assert!(text.contains("Majora administrator") && text.contains("--tasks"), "no way out: {text}");
    assert_eq!(server.grant_count(&client.id, "authorization_code"), 0);
    assert!(cli.stored_tokens("p").is_none());
    // With the task the account may do, the same user signs in.
    cli.ok(&["profile", "set", "p", "--tasks", "read"], "");
    let out = cli.login_paste("p", &User::named("reader", "reader-pass"));
    assert!(out.status.success(), "{}", describe(&out));
}

/// Majora checks two-factor authentication when the code is exchanged.
#[test]
fn no_two_factor_device_is_a_needs_you_error_with_the_servers_words() {
    let server = server();
    server.create_user("no2fa", "no2fa-pass", None, false);
    let cli = Cli::new();
    let client = cli.add_majora(server, "p", 3600);
    let out = cli.login_paste("p", &User::named("no2fa", "no2fa-pass"));
    assert_eq!(out.status.code(), Some(3), "a person is needed, not a retry: {}", describe(&out));
    let text = stderr(&out);
    assert!(text.contains("no two-factor authentication"), "{text}");
    assert!(text.contains("The requesting user has not enabled 2FA"), "the server's text: {text}");
    assert!(text.contains("Enable 2FA") && text.contains("latchkey login p"), "no way out: {text}");
    assert_eq!(server.grant_count(&client.id, "authorization_code/400"), 1, "the code reached the server once");
    assert!(cli.stored_tokens("p").is_none());
}

/// The server rejected the refresh token behind Latchkey's back (Ocarina rotated it, or
/// the grant was revoked): from then on `token` prints nothing and exits 3, on every path.
#[test]
fn a_token_is_never_handed_out_once_the_server_rejected_the_refresh_token() {
    let cli = Cli::new();
    let client = signed_in(&cli, "p");
    let stored = cli.stored_tokens("p").unwrap();
    // Rotate the pair away at the server: the stored access and refresh tokens die.
    let status = server().try_refresh(&client, stored.refresh_token.as_ref().unwrap().expose());
    assert_eq!(status, 200);
    assert!(!server().is_active(&client, stored.access_token.expose()));
    let agent = latchkey_engine::testing::Agent::bind(&latchkey_engine::Paths::in_dir(cli.config_dir())).unwrap();
    agent.serve_in_background().unwrap();
    // Renewal is refused...
    let out = cli.run(&["token", "p", "--min-valid", "7200"], "");
    assert_eq!(out.status.code(), Some(3), "{}", describe(&out));
    assert!(out.stdout.is_empty());
    // ...and then the stored access token, fresh as it looks, is never printed: not by
    // the agent, not from the keyring, whatever --min-valid says.
    for args in [&["token", "p"][..], &["token", "p", "--min-valid", "1"][..], &["exec", "p", "--", "true"][..]] {
        let out = cli.run(args, "");
        assert_eq!(out.status.code(), Some(3), "{args:?}: {}", describe(&out));
        assert!(out.stdout.is_empty(), "{args:?} printed {}", String::from_utf8_lossy(&out.stdout));
        assert!(stderr(&out).contains("latchkey login p"), "{}", stderr(&out));
    }
    assert_eq!(cli.stored_tokens("p").unwrap(), stored, "nothing deleted");
    let status: serde_json::Value = serde_json::from_str(&cli.ok(&["status", "p", "--json"], "")).unwrap();
    assert_eq!(status[0]["status"], "needs-sign-in");
    // A new sign-in ends it.
    assert!(cli.login_paste("p", &User::new()).status.success());
    assert!(server().is_active(&client, cli.ok(&["token", "p"], "").trim()));
}

/// A callback URL without `state` cannot be told from one an attacker made with a code of
/// their own: pasted, it is refused even for the profile whose sign-in waits, and its
/// code never reaches the token endpoint. (Only a bare code typed by the user may lack it.)
#[test]
fn a_pasted_url_without_state_is_refused() {
    let cli = Cli::new();
    let client = cli.add_majora(server(), "p", 3600);
    let user = User::new();
    let out = cli.login_paste_with("p", |url| {
        let mut u = reqwest::Url::parse(&user.authorize(url, true)).unwrap();
        let pairs: Vec<(String, String)> = u.query_pairs().into_owned().filter(|(k, _)| k != "state").collect();
        u.query_pairs_mut().clear().extend_pairs(pairs);
        u.to_string()
    });
    assert_eq!(out.status.code(), Some(3), "{}", describe(&out));
    assert!(stderr(&out).contains("carries no state"), "{}", stderr(&out));
    assert_eq!(server().grant_count(&client.id, "authorization_code"), 0, "the state-less code was exchanged");
    assert!(cli.stored_tokens("p").is_none());
}

/// "Test access" sends the token only to the profile's own server unless confirmed.
#[test]
fn test_access_keeps_the_token_on_the_profiles_server() {
    let cli = Cli::new();
    signed_in(&cli, "p");
    let engine = latchkey_engine::Latchkey::with_paths(latchkey_engine::Paths::in_dir(cli.config_dir())).unwrap();
    let elsewhere = reqwest::Url::parse("http://127.0.0.1:9/steal").unwrap();
    let err = engine.test_access("p", &elsewhere, false).unwrap_err();
    assert_eq!(err.code(), "foreign-host", "{err}");
    let own = reqwest::Url::parse(&server().url("/test/echo/")).unwrap();
    let answer = engine.test_access("p", &own, false).unwrap();
    assert!(answer.body.contains("Bearer [token]"), "{}", answer.body);
    // Confirmed by the person, it goes (and here finds nobody listening).
    assert_eq!(engine.test_access("p", &elsewhere, true).unwrap_err().code(), "network");
}

/// Majora has no device authorization grant: `--device` says what to use instead.
#[test]
fn login_device_on_a_server_without_the_grant_names_the_way_that_works() {
    let cli = Cli::new();
    cli.add_majora(server(), "p", 3600);
    let out = cli.run(&["login", "p", "--device"], "");
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    let said = stderr(&out);
    assert!(said.contains("does not offer the device authorization grant"), "{said}");
    assert!(said.contains("latchkey login p --paste"), "{said}");
}

/// Majora shows "Mismatching redirect URI" and never redirects: the person gives up at
/// the paste prompt, or pastes the page's words. Either way they hear what to check.
#[test]
fn giving_up_at_the_paste_prompt_says_to_check_the_redirect_uri() {
    let cli = Cli::new();
    let client = cli.add_majora(server(), "p", 3600);
    let out = cli.login_paste_with("p", |_| String::new());
    assert_eq!(out.status.code(), Some(3), "{}", describe(&out));
    let said = stderr(&out);
    assert!(said.contains("nothing was pasted"), "{said}");
    assert!(said.contains("Mismatching redirect URI"), "{said}");
    assert!(said.contains(&format!("must list {} as a redirect URI", server().callback_uri())), "{said}");
    assert!(said.contains(&format!("the application {}", client.id)), "names the client: {said}");

    for pasted in ["Mismatching redirect URI", "Mismatching"] {
        let out = cli.login_paste_with("p", |_| pasted.to_string());
        assert_eq!(out.status.code(), Some(3), "{}", describe(&out));
        let said = stderr(&out);
        assert!(said.contains("neither the address the server sent you to nor a code"), "{pasted}: {said}");
        assert!(!said.contains("expired"), "{pasted}: {said}");
    }
}
