//! django-oauth-toolkit (tests/server/serve.py), the server most tests sign in to: as
//! Majora runs it (DOT 1.4.1, `--majora`) or with everything the generic paths need
//! (DOT 3.x). One of each is started per test binary ([`server`], [`generic_server`]);
//! a test that stops one starts its own ([`TestServer::start`]).

use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use super::{repo_root, AuthServer, Client, ServerProcess};

/// Which server [`TestServer`] runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavour {
    /// django-oauth-toolkit 1.4.1 with Majora's settings and checks (`serve.py --majora`).
    Majora,
    /// django-oauth-toolkit 3.x with every feature the generic paths need.
    Generic,
}

pub struct TestServer {
    pub port: u16,
    pub flavour: Flavour,
    process: ServerProcess,
}

/// The shared Majora-flavoured test server of this test binary.
pub fn server() -> &'static TestServer {
    static SERVER: OnceLock<TestServer> = OnceLock::new();
    SERVER.get_or_init(|| TestServer::start(&[]))
}

/// The shared generic (DOT 3.x) test server of this test binary.
pub fn generic_server() -> &'static TestServer {
    static SERVER: OnceLock<TestServer> = OnceLock::new();
    SERVER.get_or_init(|| TestServer::start_generic(&[]))
}

impl TestServer {
    /// Start a fresh Majora-flavoured server; `env` adds settings (e.g. token lifetime).
    pub fn start(env: &[(&str, &str)]) -> TestServer {
        Self::start_flavour(Flavour::Majora, env)
    }

    /// Start a fresh generic (DOT 3.x) server.
    pub fn start_generic(env: &[(&str, &str)]) -> TestServer {
        Self::start_flavour(Flavour::Generic, env)
    }

    fn start_flavour(flavour: Flavour, env: &[(&str, &str)]) -> TestServer {
        let root = repo_root().join("tests/server");
        let venv = if flavour == Flavour::Majora { ".venv-majora" } else { ".venv" };
        let python = root.join(venv).join("bin/python");
        assert!(python.exists(), "test server venv {venv} missing: run scripts/setup.sh");
        let mut command = Command::new(python);
        command.arg(root.join("serve.py")).arg("--exit-with-stdin");
        if flavour == Flavour::Majora {
            command.arg("--majora");
        }
        command.envs(env.iter().copied()).stderr(Stdio::inherit());
        let (process, port) = ServerProcess::start(command, "the test server");
        TestServer { port, flavour, process }
    }

    /// Stop the server (to test what happens when it is down).
    pub fn stop(&self) {
        self.process.kill();
    }

    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }

    fn http() -> reqwest::blocking::Client {
        super::auth_server::test_client()
    }

    /// Register a confidential authorization-code client (as a person would on
    /// Majora's form). `ttl` is the access-token lifetime in seconds.
    pub fn create_client(&self, ttl: u64, redirect_uris: &[&str]) -> Client {
        let body = serde_json::json!({
            "name": format!("latchkey test [ttl={ttl}]"),
            "redirect_uris": redirect_uris,
        });
        let v: serde_json::Value =
            Self::http().post(self.url("/test/apps/")).json(&body).send().unwrap().json().unwrap();
        Client {
            id: v["client_id"].as_str().unwrap().to_string(),
            secret: v["client_secret"].as_str().unwrap().to_string(),
        }
    }

    /// Register a public client (no secret: PKCE only), as a lab's admin registers one for
    /// every member of the lab; its id.
    pub fn create_public_client(&self, redirect_uris: &[&str]) -> String {
        let body = serde_json::json!({
            "name": "latchkey lab client",
            "redirect_uris": redirect_uris,
            "client_type": "public",
        });
        let v: serde_json::Value =
            Self::http().post(self.url("/test/apps/")).json(&body).send().unwrap().json().unwrap();
        v["client_id"].as_str().unwrap().to_string()
    }

    /// Majora's redirect URI on this server: its callback page, which Majora (and so the
    /// Majora-flavoured server) accepts only as https. This server speaks plain http, so
    /// a sign-in that loads the page instead of catching the redirect fails.
    pub fn callback_uri(&self) -> String {
        match self.flavour {
            Flavour::Majora => format!("https://127.0.0.1:{}/o/callback/", self.port),
            Flavour::Generic => self.url("/o/callback/"),
        }
    }

    /// Add a user holding `scopes` as Majora permissions (`None`: all of them), with a
    /// two-factor device if `two_factor`.
    pub fn create_user(&self, username: &str, password: &str, scopes: Option<&[&str]>, two_factor: bool) {
        let body = serde_json::json!({
            "username": username, "password": password, "scopes": scopes, "two_factor": two_factor,
        });
        let status = Self::http().post(self.url("/test/users/")).json(&body).send().unwrap().status();
        assert!(status.is_success(), "creating user {username}: {status}");
    }

    /// How many token requests of `grant_type` reached the server for this client.
    pub fn grant_count(&self, client_id: &str, grant_type: &str) -> u64 {
        let v: serde_json::Value =
            Self::http().get(self.url(&format!("/test/stats/{client_id}/"))).send().unwrap().json().unwrap();
        v.get(grant_type).and_then(|n| n.as_u64()).unwrap_or(0)
    }

    /// Wait until the server has finished every token request of this client it has
    /// received (after killing a client mid-request).
    pub fn settle(&self, client_id: &str) {
        std::thread::sleep(Duration::from_millis(100));
        for _ in 0..200 {
            if self.grant_count(client_id, "inflight") == 0 {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        panic!("the server is still busy with requests of {client_id}");
    }
}

impl AuthServer for TestServer {
    fn port(&self) -> u16 {
        self.port
    }
    const INTROSPECT: &'static str = "/o/introspect/";
    const TOKEN: &'static str = "/o/token/";
}
