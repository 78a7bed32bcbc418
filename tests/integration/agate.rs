//! OBiBa Agate, as its users meet it: against the Agate-shaped server (agate_like.py),
//! which answers with Agate's own error names, matches redirect URIs by prefix, issues
//! no refresh tokens and hands back the same ticket while it lasts.

use crate::support;

use support::agate::{self, AgateServer};
use support::{describe, Cli, Client};

/// A profile on the Agate server with `client`; `extra` adds options.
fn add_agate(cli: &Cli, server: &AgateServer, name: &str, client: &Client, extra: &[&str]) {
    let mut args = vec!["profile", "add", name, "--preset", "agate", "--base-url"];
    let base = server.base();
    args.extend([base.as_str(), "--client-id", &client.id, "--client-secret-stdin"]);
    args.extend(extra);
    cli.ok(&args, &format!("{}\n", client.secret));
}

/// A signed-in profile: the person pastes the `latchkey://` address Agate sent them to.
fn signed_in(server: &AgateServer, name: &str) -> (Cli, Client) {
    let cli = Cli::new();
    let client = server.create_application(&format!("Latchkey {name}"), &[&format!("latchkey://callback/{name}")]);
    add_agate(&cli, server, name, &client, &[]);
    let out = cli.login_paste_with(name, |url| agate::authorize(server, url));
    assert!(out.status.success(), "{}", describe(&out));
    (cli, client)
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn agates_client_id_is_the_application_name_as_agate_mangles_it() {
    let server = AgateServer::start(&[]);
    let client = server.create_application("My Lab:  Latchkey", &["latchkey://callback/lab"]);
    assert_eq!(client.id, "my-lab-latchkey");
}

#[test]
fn profile_check_tells_a_right_key_from_a_wrong_one() {
    let server = AgateServer::start(&[]);
    let cli = Cli::new();
    let client = server.create_application("Latchkey lab", &["latchkey://callback/lab"]);
    add_agate(&cli, &server, "lab", &client, &[]);
    let out = cli.run(&["profile", "check", "lab"], "");
    assert!(out.status.success(), "the right key: {}", describe(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("accepts"), "{}", describe(&out));

    let wrong = Client { id: client.id.clone(), secret: "not-the-key".into() };
    let cli = Cli::new();
    add_agate(&cli, &server, "lab", &wrong, &[]);
    let out = cli.run(&["profile", "check", "lab"], "");
    assert_eq!(out.status.code(), Some(6), "a wrong key is a credentials problem: {}", describe(&out));
    let said = stderr(&out);
    assert!(said.contains("does not accept the client id or secret"), "{said}");
    assert!(!said.contains("connection"), "not a network problem: {said}");
}

#[test]
fn a_deleted_authorization_needs_a_sign_in_not_a_better_connection() {
    let server = AgateServer::start(&[]);
    let (cli, _) = signed_in(&server, "lab");
    server.delete_authorizations();
    let out = cli.run(&["refresh", "lab", "--force"], "");
    assert_eq!(out.status.code(), Some(3), "{}", describe(&out));
    let said = stderr(&out);
    assert!(said.contains("needs you to sign in"), "{said}");
    assert!(said.contains("latchkey login lab"), "{said}");
    assert!(!said.to_lowercase().contains("connection"), "{said}");
    assert!(cli.stored_tokens("lab").is_some(), "nothing stored is deleted");
    // And a script asking for a token hears the same, without another request.
    let out = cli.run(&["token", "lab"], "");
    assert_eq!(out.status.code(), Some(3), "{}", describe(&out));
}

#[test]
fn a_loopback_sign_in_renews_with_the_address_its_code_was_issued_for() {
    let server = AgateServer::start(&[]);
    let cli = Cli::new();
    // What docs/agate.md and the wizard tell the administrator to register.
    let client = server.create_application("Latchkey lb", &["http://127.0.0.1:"]);
    add_agate(&cli, &server, "lb", &client, &["--redirect-uri", "http://127.0.0.1/callback"]);
    let mut login = cli.start_login("lb", "--browser");
    let url = login.line_starting("http");
    let redirect = agate::authorize(&server, &url);
    assert!(redirect.starts_with("http://127.0.0.1:") && redirect.contains("code="), "{redirect}");
    let out = login.finish_at_loopback(&redirect);
    assert!(out.status.success(), "{}", describe(&out));
    let stored = cli.stored_tokens("lb").unwrap();
    let port = reqwest::Url::parse(&redirect).unwrap().port().unwrap();
    assert_eq!(stored.code_redirect_uri.as_deref(), Some(format!("http://127.0.0.1:{port}/callback").as_str()));

    // The re-exchange sends that address, port and all, and Agate takes it.
    let out = cli.run(&["refresh", "lb", "--force"], "");
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(server.grant_count("authorization_code"), 2);
}

#[test]
fn a_ticket_shorter_than_asked_is_never_handed_out() {
    let server = AgateServer::start(&[]);
    server.set_ticket_life(0);
    let (cli, _) = signed_in(&server, "lab");
    let out = cli.run(&["token", "lab"], "");
    assert_eq!(out.status.code(), Some(4), "{}", describe(&out));
    assert!(out.stdout.is_empty(), "no token printed: {}", describe(&out));
    let said = stderr(&out);
    assert!(said.contains("valid for only 0 s"), "{said}");
    assert!(said.contains("--min-valid"), "says what to do: {said}");

    // A ticket of an hour is handed out for 60 s, but not when an hour and more is asked.
    server.set_ticket_life(3600);
    server.delete_authorizations();
    let (cli, _) = signed_in(&server, "lab");
    let token = cli.ok(&["token", "lab"], "");
    assert!(!token.trim().is_empty());
    let out = cli.run(&["token", "lab", "--min-valid", "7200"], "");
    assert_eq!(out.status.code(), Some(4), "{}", describe(&out));
    assert!(out.stdout.is_empty(), "{}", describe(&out));
    let said = stderr(&out);
    assert!(said.contains("handed back the token it had already issued"), "{said}");
    assert!(said.contains("7200 s (2 h 0 min) asked for"), "{said}");
}

#[test]
fn refresh_force_says_when_agate_hands_back_the_same_ticket() {
    let server = AgateServer::start(&[]);
    let (cli, _) = signed_in(&server, "lab");
    let before = cli.stored_tokens("lab").unwrap();
    let out = cli.run(&["refresh", "lab", "--force"], "");
    assert!(out.status.success(), "{}", describe(&out));
    let said = stderr(&out);
    assert!(said.contains("not renewed: the server handed back the token it had already issued"), "{said}");
    assert!(!said.contains(": renewed"), "{said}");
    assert_eq!(cli.stored_tokens("lab").unwrap().access_token, before.access_token);

    // Once the ticket has expired, the same code brings a new one: that is a renewal.
    server.set_ticket_life(3);
    server.delete_authorizations();
    let (cli, _) = signed_in(&server, "lab");
    let before = cli.stored_tokens("lab").unwrap();
    std::thread::sleep(std::time::Duration::from_millis(3100));
    let out = cli.run(&["refresh", "lab", "--force"], "");
    assert!(stderr(&out).contains("`lab`: renewed"), "{}", describe(&out));
    assert_ne!(cli.stored_tokens("lab").unwrap().access_token, before.access_token);
}

#[test]
fn a_refresh_token_grant_is_never_tried_on_agate() {
    let server = AgateServer::start(&[]);
    let (cli, _) = signed_in(&server, "lab");
    cli.ok(&["refresh", "lab", "--force"], "");
    assert_eq!(server.grant_count("refresh_token"), 0);
}

#[test]
fn a_loopback_profile_pasted_or_in_the_window_names_a_port_agates_prefix_takes() {
    let server = AgateServer::start(&[]);
    let cli = Cli::new();
    let client = server.create_application("Latchkey lp", &["http://127.0.0.1:"]);
    add_agate(&cli, &server, "lp", &client, &["--redirect-uri", "http://127.0.0.1/callback"]);
    // The person's browser lands on http://127.0.0.1:PORT/callback?code=… (nothing
    // listens there) and they paste the address from its address bar.
    let out = cli.login_paste_with("lp", |url| {
        let redirect =
            reqwest::Url::parse(url).unwrap().query_pairs().find(|(k, _)| k == "redirect_uri").unwrap().1.into_owned();
        assert!(redirect.starts_with("http://127.0.0.1:") && redirect.ends_with("/callback"), "{redirect}");
        assert_ne!(redirect, "http://127.0.0.1/callback", "Agate would refuse an address without a port");
        agate::authorize(&server, url)
    });
    assert!(out.status.success(), "{}", describe(&out));
    cli.ok(&["refresh", "lp", "--force"], "");
}
