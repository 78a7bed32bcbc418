//! What every authorization server a test starts has in common (django-oauth-toolkit in
//! `dot.rs`, node oidc-provider in `oidc.rs`, Keycloak in `keycloak.rs`): an address on
//! 127.0.0.1, and the two questions a test asks the server itself — is this token
//! active (RFC 7662), and does this refresh token still work — so a test can check what
//! Latchkey did at the server, not only what Latchkey says.

use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::Mutex;
use std::time::Duration;

use super::Client;

pub trait AuthServer {
    /// Its port on 127.0.0.1.
    fn port(&self) -> u16;
    /// The path of its RFC 7662 introspection endpoint.
    const INTROSPECT: &'static str;
    /// The path of its token endpoint.
    const TOKEN: &'static str;

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port())
    }

    /// RFC 7662 introspection, authenticated as `client`.
    fn is_active(&self, client: &Client, token: &str) -> bool {
        let v: serde_json::Value = http()
            .post(self.url(Self::INTROSPECT))
            .basic_auth(&client.id, Some(&client.secret))
            .form(&[("token", token)])
            .send()
            .unwrap()
            .json()
            .unwrap();
        v["active"].as_bool().unwrap_or(false)
    }

    /// A refresh at the server itself (to show a refresh token is dead or alive): the
    /// HTTP status it answers.
    fn try_refresh(&self, client: &Client, refresh_token: &str) -> u16 {
        http()
            .post(self.url(Self::TOKEN))
            .basic_auth(&client.id, Some(&client.secret))
            .form(&[("grant_type", "refresh_token"), ("refresh_token", refresh_token)])
            .send()
            .unwrap()
            .status()
            .as_u16()
    }
}

fn http() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder().timeout(Duration::from_secs(30)).build().unwrap()
}

/// A client for a test's own calls to a server's test endpoints: no redirects followed.
pub fn test_client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

/// A server program the test started that prints `READY PORT` first and exits when its
/// stdin closes: held here, so it ends with the test process however that ends.
pub struct ServerProcess {
    _stdin: Mutex<ChildStdin>,
    child: Mutex<Child>,
}

impl ServerProcess {
    /// Start `command` (stdout and stdin are taken here) and wait for its READY line;
    /// also the rest of its stdout, which is read and dropped so it never blocks on a
    /// full pipe or dies of EPIPE.
    pub fn start(command: Command, what: &str) -> (Self, u16) {
        Self::start_with(command, what, |_| {})
    }

    /// The same, with `started` given the child first (to take its stderr).
    pub fn start_with(mut command: Command, what: &str, started: impl FnOnce(&mut Child)) -> (Self, u16) {
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("start {what}: {e}"));
        started(&mut child);
        let mut stdout: BufReader<ChildStdout> = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
        let port = line
            .trim()
            .strip_prefix("READY ")
            .unwrap_or_else(|| panic!("{what} did not start: {line:?}"))
            .parse()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        (Self { _stdin: Mutex::new(stdin), child: Mutex::new(child) }, port)
    }

    /// Stop it now (to test what happens when the server is down).
    pub fn kill(&self) {
        let mut child = self.child.lock().unwrap();
        let _ = child.kill();
        let _ = child.wait();
    }
}
