//! `latchkey login --browser` with a loopback redirect URI (RFC 8252 §7.3): the CLI
//! listens on 127.0.0.1 for one request; the port may differ from the registered URI.

mod support;

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use support::{describe, generic_server as server, Cli, User};

#[test]
fn browser_login_caught_on_a_loopback_port() {
    let server = server();
    let cli = Cli::new();
    let client = server.create_client(3600, &["http://127.0.0.1/callback"]);
    cli.ok(
        &["profile", "add", "lb", "--preset", "generic", "--authorize-url", &server.url("/o/authorize/"), "--token-url", &server.url("/o/token/"),
          "--client-id", &client.id, "--client-secret-stdin", "--scopes", "read", "--redirect-uri", "http://127.0.0.1/callback"],
        &format!("{}\n", client.secret),
    );
    let mut child = cli
        .command()
        .args(["login", "lb", "--browser"])
        .env("BROWSER", "true")
        .env("PATH", "/nonexistent") // no xdg-open: the URL is printed instead
        .stdin(Stdio::null())
        .stderr(Stdio::piped())
        .stdout(Stdio::piped())
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
    let redirect = User::new().authorize(&url, true);
    assert!(redirect.starts_with("http://127.0.0.1:"), "{redirect}");
    // The browser follows the redirect to the CLI's listener.
    let page = reqwest::blocking::get(&redirect).unwrap().text().unwrap();
    assert!(page.contains("You can close this tab"), "{page}");
    let out = child.wait_with_output().unwrap();
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut rest).unwrap();
    assert!(out.status.success(), "{}{rest}", describe(&out));
    assert!(!cli.ok(&["token", "lb"], "").trim().is_empty());
}
