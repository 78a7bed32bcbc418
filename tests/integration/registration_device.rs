//! Discovery, dynamic client registration (RFC 7591/7592) and the device authorization
//! grant (RFC 8628) against django-oauth-toolkit's own implementations of them.

use crate::support;

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use support::{describe, generic_server as server, AuthServer, Cli, User};

#[test]
fn discovers_registers_signs_in_and_removes_the_client() {
    let server = server();
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
            "read write",
            "--redirect-uri",
            &server.callback_uri(),
        ],
        "",
    );
    let list: serde_json::Value = serde_json::from_str(&cli.ok(&["profile", "list", "--json"], "")).unwrap();
    assert_eq!(list[0]["client_id"], serde_json::Value::Null);

    let out = cli.run(&["register", "gen"], "");
    assert!(out.status.success(), "{}", describe(&out));
    let list: serde_json::Value = serde_json::from_str(&cli.ok(&["profile", "list", "--json"], "")).unwrap();
    let client_id = list[0]["client_id"].as_str().expect("registered client id").to_string();
    let settings = std::fs::read_to_string(cli.config_dir().join("profiles.toml")).unwrap();
    assert!(settings.contains("registration_client_uri"), "{settings}");

    let out = cli.login_paste("gen", &User::new());
    assert!(out.status.success(), "{}", describe(&out));
    let token = cli.ok(&["token", "gen"], "").trim().to_string();
    assert!(!token.is_empty());

    // Remove: revokes, and deletes the registration (RFC 7592); the client is gone.
    let out = cli.run(&["profile", "remove", "gen"], "");
    assert!(out.status.success(), "{}", describe(&out));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("tokens revoked") && said.contains("client registration deleted"), "{said}");
    assert_eq!(server.grant_count(&client_id, "authorization_code/200"), 1);
    let check = reqwest::blocking::Client::new()
        .post(server.url("/o/token/"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", "x"),
            ("client_id", client_id.as_str()),
            ("redirect_uri", &server.callback_uri()),
        ])
        .send()
        .unwrap();
    assert_eq!(check.status().as_u16(), 401, "the deleted client is still known");
}

#[test]
fn manual_registration_prints_the_form_values() {
    let cli = Cli::new();
    cli.ok(&["profile", "add", "m", "--preset", "majora-test"], "");
    let out = cli.run(&["register", "m"], "");
    assert!(out.status.success(), "{}", describe(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stdout.contains("Client type\tConfidential"), "{stdout}");
    assert!(stdout.contains("Authorization grant type\tAuthorization code"), "{stdout}");
    assert!(stdout.contains("Redirect URIs\thttps://majora-test.covid19.climb.ac.uk/o/callback/"), "{stdout}");
    assert!(stderr.contains("https://majora-test.covid19.climb.ac.uk/o/applications/register/"), "{stderr}");
    assert!(stderr.contains("latchkey profile set-client m"), "{stderr}");
}

#[test]
fn device_flow_sign_in() {
    let server = server();
    let cli = Cli::new();
    // A public client allowed the device grant, endpoints given by hand (DOT does not
    // list its device endpoint in its metadata).
    let v: serde_json::Value = reqwest::blocking::Client::new()
        .post(server.url("/test/apps/"))
        .json(&serde_json::json!({"name": "device [ttl=3600]", "client_type": "public", "grant": "urn:ietf:params:oauth:grant-type:device_code"}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let client_id = v["client_id"].as_str().unwrap();
    cli.ok(
        &[
            "profile",
            "add",
            "dev",
            "--preset",
            "generic",
            "--authorize-url",
            &server.url("/o/authorize/"),
            "--token-url",
            &server.url("/o/token/"),
            "--device-url",
            &server.url("/o/device-authorization/"),
            "--client-id",
            client_id,
            "--scopes",
            "read",
        ],
        "",
    );
    let mut child = cli
        .command()
        .args(["login", "dev", "--device"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    stderr.read_line(&mut line).unwrap();
    let code = line.trim().rsplit(' ').next().unwrap().to_string();
    assert!(line.contains("enter the code"), "{line}");
    User::new().approve_device(server.base().trim_end_matches('/'), &code);
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut rest).unwrap();
    let status = child.wait().unwrap();
    assert!(status.success(), "{line}{rest}");
    assert!(rest.contains("Signed in to `dev`"), "{rest}");
    assert!(!cli.ok(&["token", "dev"], "").trim().is_empty());
}
