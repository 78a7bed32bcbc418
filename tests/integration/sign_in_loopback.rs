//! `latchkey login --browser` with a loopback redirect URI (RFC 8252 §7.3): the CLI
//! listens on 127.0.0.1 for one request; the port may differ from the registered URI.

use crate::support;

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use support::{describe, generic_server as server, AuthServer, Cli, User};

#[test]
fn browser_login_caught_on_a_loopback_port() {
    let server = server();
    let cli = Cli::new();
    let client = server.create_client(3600, &["http://127.0.0.1/callback"]);
    cli.add_by_hand(
        "lb",
        &server.url("/o/authorize/"),
        &server.url("/o/token/"),
        &client,
        &["--scopes", "read", "--redirect-uri", "http://127.0.0.1/callback"],
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

    // While the CLI waits, another local process tries to finish the sign-in with a code
    // of its own (obtained for the same client, no PKCE, no state), and to jam the
    // listener. None of it ends the wait, and the attacker's code is never exchanged.
    let port = reqwest::Url::parse(&redirect).unwrap().port().unwrap();
    let attackers = {
        let mut own = reqwest::Url::parse(&url).unwrap();
        let pairs: Vec<(String, String)> = own
            .query_pairs()
            .into_owned()
            .filter(|(k, _)| !k.starts_with("code_challenge"))
            .map(|(k, v)| if k == "state" { (k, "attackers-state".to_string()) } else { (k, v) })
            .collect();
        own.query_pairs_mut().clear().extend_pairs(pairs);
        let location = User::new().authorize(own.as_str(), true);
        reqwest::Url::parse(&location).unwrap().query_pairs().find(|(k, _)| k == "code").unwrap().1.into_owned()
    };
    let idle = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    let huge = std::thread::spawn(move || {
        let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        let mut line = b"GET /callback?state=".to_vec();
        line.extend(std::iter::repeat_n(b'a', 16 << 20));
        let _ = std::io::Write::write_all(&mut s, &line);
    });
    for forged in [format!("code={attackers}"), format!("code={attackers}&state=wrong")] {
        let answer = reqwest::blocking::get(format!("http://127.0.0.1:{port}/callback?{forged}")).unwrap();
        assert_eq!(answer.status().as_u16(), 400, "{forged}");
        assert!(answer.text().unwrap().contains("Not this sign-in"));
    }
    huge.join().unwrap();
    // The browser follows the redirect to the CLI's listener.
    let page = reqwest::blocking::get(&redirect).unwrap().text().unwrap();
    assert!(page.contains("You can close this tab"), "{page}");
    let out = child.wait_with_output().unwrap();
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut rest).unwrap();
    assert!(out.status.success(), "{}{rest}", describe(&out));
    drop(idle);
    assert!(!cli.ok(&["token", "lb"], "").trim().is_empty());
    assert_eq!(
        server.grant_count(&client.id, "authorization_code"),
        1,
        "the attacker's code reached the token endpoint"
    );
}
