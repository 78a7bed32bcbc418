//! `latchkey login --browser` with a loopback redirect URI (RFC 8252 §7.3): the CLI
//! listens on 127.0.0.1 for one request; the port may differ from the registered URI.

use crate::support;

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
    // No xdg-open: the URL is printed instead.
    let mut login = cli.start_login("lb", "--browser");
    let url = login.line_starting("http");
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
    let out = login.finish_at_loopback(&redirect);
    assert!(out.status.success(), "{}", describe(&out));
    drop(idle);
    assert!(!cli.ok(&["token", "lb"], "").trim().is_empty());
    assert_eq!(
        server.grant_count(&client.id, "authorization_code"),
        1,
        "the attacker's code reached the token endpoint"
    );
}

/// Issue 35, item 1: another user of the computer cannot finish a loopback sign-in, even
/// knowing its `state` and holding a code bound to its PKCE challenge (obtained with the
/// same authorize URL and their own session); the browser is never handed the authorize
/// URL on its command line; and the sign-in says whose account it is.
#[cfg(unix)]
#[test]
fn another_user_cannot_finish_a_loopback_sign_in_and_the_url_is_on_no_command_line() {
    let server = server();
    server.create_user("mallory", "mallory-pass", None, false);
    let cli = Cli::new();
    let client = server.create_client(3600, &["http://127.0.0.1/callback"]);
    cli.ok(
        &[
            "profile",
            "add",
            "lb",
            "--preset",
            "generic",
            "--issuer",
            server.base().trim_end_matches('/'),
            "--client-id",
            &client.id,
            "--client-secret-stdin",
            "--scopes",
            "read",
            "--redirect-uri",
            "http://127.0.0.1/callback",
        ],
        &format!("{}\n", client.secret),
    );
    // The system's opener, as a script that writes down what it was given.
    let bin = tempfile::tempdir().unwrap();
    let argv = bin.path().join("argv");
    let opener = bin.path().join("xdg-open");
    std::fs::write(
        &opener,
        format!("#!/bin/sh\nprintf '%s\\n' \"$0\" \"$@\" > {}.part\nmv {0}.part {0}\n", argv.display()),
    )
    .unwrap();
    std::fs::set_permissions(&opener, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let mut login = cli.start_login_with_path("lb", "--browser", &format!("{}:/usr/bin:/bin", bin.path().display()));
    // The authorize URL is printed for the person (stderr is theirs alone); the tests
    // hand it to the attacker, as a command line once did.
    let url = login.line_starting("http");
    let state = reqwest::Url::parse(&url).unwrap().query_pairs().find(|(k, _)| k == "state").unwrap().1.into_owned();
    let opened = (0..100)
        .find_map(|_| {
            std::thread::sleep(std::time::Duration::from_millis(50));
            std::fs::read_to_string(&argv).ok()
        })
        .expect("the opener was never run");
    assert!(
        !opened.contains(&state) && !opened.contains("authorize"),
        "the authorize URL is on a command line: {opened}"
    );
    let launch = opened.lines().nth(1).unwrap().to_string();
    assert!(launch.starts_with("http://127.0.0.1:") && launch.contains("/sign-in/"), "{opened}");

    // Mallory opens the same authorize URL with her own session: her code is bound to
    // this sign-in's PKCE challenge, and the redirect carries this sign-in's state.
    let forged = User::named("mallory", "mallory-pass").authorize(&url, true);
    assert!(forged.contains(&format!("state={state}")) && forged.contains("code="), "{forged}");
    let as_root = is_root();
    if as_root {
        // From another uid: the launch page and the listener close without a word.
        for target in [launch.as_str(), forged.as_str()] {
            let answer = as_nobody_get(target);
            assert!(answer.starts_with("closed") || answer.starts_with("refused"), "{target}: {answer}");
        }
    } else {
        eprintln!("not root: the other-user part of this test needs setpriv as root");
    }
    // The person's browser: the launch page sends it to the authorize URL, once.
    let http = reqwest::blocking::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let sent = http.get(&launch).send().unwrap();
    assert_eq!(sent.status().as_u16(), 303);
    assert_eq!(sent.headers()["location"].to_str().unwrap(), url);
    assert!(http.get(&launch).send().is_err(), "the launch page answered twice");
    let redirect = User::new().authorize(&url, true);
    let out = login.finish_at_loopback(&redirect);
    let rest = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{}", describe(&out));
    assert!(rest.contains("Signed in to `lb` as alice"), "{rest}");
    assert!(!rest.contains("Warning"), "{rest}");
    if as_root {
        // Mallory's code never reached the token endpoint: one exchange, Alice's.
        assert_eq!(server.grant_count(&client.id, "authorization_code"), 1);
    }

    // Mallory signs in on the person's behalf this time (a paste, as if the person took
    // her link): the sign-in works, and says loudly that the account changed.
    let out = cli.login_paste("lb", &User::named("mallory", "mallory-pass"));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{}", describe(&out));
    assert!(said.contains("Signed in to `lb` as mallory"), "{said}");
    assert!(said.contains("Warning: `lb` was signed in as alice before; these tokens are mallory's"), "{said}");
    let status: serde_json::Value = serde_json::from_str(&cli.ok(&["status", "lb", "--json"], "")).unwrap();
    assert_eq!(status[0]["account_changed_from"], "alice", "{status}");
    let status = cli.ok(&["status", "lb"], "");
    assert!(
        status.contains("signed in as mallory, before as alice: if that is not you, `latchkey logout lb`"),
        "{status}"
    );
    // Signed out and in again as Alice: the account is compared across the sign-out.
    cli.ok(&["logout", "lb"], "");
    let out = cli.login_paste("lb", &User::new());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("Signed in to `lb` as alice") && said.contains("was signed in as mallory before"), "{said}");
}

/// A GET of `url` by the user `nobody` (CI runs as root, so `setpriv` can switch): what
/// came back ("answer: ..."), or how the connection ended ("closed", "refused").
#[cfg(unix)]
fn as_nobody_get(url: &str) -> String {
    let u = reqwest::Url::parse(url).unwrap();
    let target = format!("{}?{}", u.path(), u.query().unwrap_or(""));
    let script = format!(
        "import socket\ns=socket.create_connection(('127.0.0.1',{}))\ntry:\n s.sendall(b'GET {} HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n')\n d=s.recv(65536)\n print('answer: '+d.decode('latin1') if d else 'closed')\nexcept OSError as e:\n print('closed:', e.errno)\n",
        u.port().unwrap(),
        target.trim_end_matches('?')
    );
    let out = std::process::Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/python3", "-c", &script])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    if text.is_empty() {
        format!("refused: {}", String::from_utf8_lossy(&out.stderr))
    } else {
        text
    }
}

#[cfg(unix)]
#[allow(unsafe_code)] // geteuid: no arguments, cannot fail
fn is_root() -> bool {
    // SAFETY: a libc call with no arguments.
    unsafe { libc::geteuid() == 0 }
}
