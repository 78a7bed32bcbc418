//! node oidc-provider (tests/oidc/server.js), an OpenID Certified provider, started for
//! a test binary; and a headless person who gets through its login and consent pages.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::support::{repo_root, AuthServer, Cli, ServerProcess};

pub struct OidcProvider {
    pub port: u16,
    process: ServerProcess,
}

impl OidcProvider {
    /// Start one; `ttl` is the access-token lifetime in seconds.
    pub fn start(ttl: u64) -> Self {
        Self::start_with(ttl, &[])
    }

    /// Start one with extra environment (e.g. `OIDC_AUTO_LOGIN`).
    pub fn start_with(ttl: u64, env: &[(&str, &str)]) -> Self {
        let dir = repo_root().join("tests/oidc");
        assert!(
            dir.join("node_modules/oidc-provider").exists(),
            "tests/oidc/node_modules missing: run scripts/setup.sh"
        );
        let mut command = Command::new("node");
        command.arg(dir.join("server.js")).env("OIDC_TTL", ttl.to_string()).envs(env.iter().copied());
        command.stderr(Stdio::piped());
        let (process, port) = ServerProcess::start_with(command, "node oidc-provider", |child| {
            // Its warnings (development adapter, Node version) are noise; errors are kept.
            let stderr = child.stderr.take().unwrap();
            std::thread::spawn(move || {
                for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                    if !line.contains("WARNING") && !line.trim().is_empty() {
                        eprintln!("oidc-provider: {line}");
                    }
                }
            });
        });
        Self { port, process }
    }

    /// Stop it now (to test what a person sees when the server is down).
    pub fn stop(&self) {
        self.process.kill();
    }

    pub fn issuer(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// A profile `name` on this provider (`openid offline_access`), registered
    /// dynamically by the CLI in the store at `config_dir` (a desktop test's: the window's
    /// list follows the store).
    pub fn add_profile(&self, config_dir: &std::path::Path, env: Vec<(String, String)>, name: &str) -> Cli {
        let cli = Cli::in_dir(config_dir.to_path_buf(), env);
        let issuer = self.issuer();
        cli.ok(
            &["profile", "add", name, "--preset", "generic", "--issuer", &issuer, "--scopes", "openid offline_access"],
            "",
        );
        cli.ok(&["register", name], "");
        cli
    }

    /// Remove a client as the server's administrator would: the token endpoint refuses it
    /// (`invalid_client`) from then on.
    pub fn delete_client(&self, client_id: &str) {
        let answer = reqwest::blocking::Client::new()
            .post(self.url(&format!("/test/delete-client/{client_id}")))
            .send()
            .unwrap();
        assert!(answer.status().is_success(), "{answer:?}");
    }

    /// Token requests of this client by `grant_type/status` (e.g. `refresh_token/200`).
    pub fn grant_count(&self, client_id: &str, key: &str) -> u64 {
        let v: serde_json::Value =
            reqwest::blocking::get(self.url(&format!("/test/stats/{client_id}"))).unwrap().json().unwrap();
        v.get(key).and_then(|n| n.as_u64()).unwrap_or(0)
    }
}

impl AuthServer for OidcProvider {
    fn port(&self) -> u16 {
        self.port
    }
    const INTROSPECT: &'static str = "/token/introspection";
    const TOKEN: &'static str = "/token";
}

/// Someone with a browser, minus the browser: logs in as `login` (the dev interactions
/// take any name) and consents to whatever is asked.
pub struct OidcUser {
    http: reqwest::blocking::Client,
    login: String,
}

impl OidcUser {
    pub fn new(login: &str) -> Self {
        let http = reqwest::blocking::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap();
        Self { http, login: login.into() }
    }

    /// Follow the authorization request through login and consent; returns the address
    /// the provider finally sends the browser to (the redirect URI with code and state).
    pub fn authorize(&self, authorize_url: &str) -> String {
        match self.follow(authorize_url) {
            Ok(left_to) => left_to,
            Err(page) => panic!("the authorization ended on a page of the provider: {page}"),
        }
    }

    /// Approve a device sign-in (RFC 8628) at its complete verification URI: the code
    /// page, the confirmation, then login and consent.
    pub fn approve_device(&self, verification_uri_complete: &str) {
        let start = reqwest::Url::parse(verification_uri_complete).unwrap();
        let mut page = self.http.get(start.clone()).send().unwrap().text().unwrap();
        for _ in 0..3 {
            // The code page posts itself (xsrf, user_code); the confirmation adds confirm=yes.
            let action =
                page.split("action=\"").nth(1).and_then(|a| a.split('"').next()).unwrap_or("/device").to_string();
            let form = crate::support::hidden_inputs(&page);
            let resp = self.http.post(start.join(&action).unwrap()).form(&form).send().unwrap();
            if resp.status().is_redirection() {
                let next = resp.headers()["location"].to_str().unwrap().to_string();
                let done =
                    self.follow(start.join(&next).unwrap().as_str()).expect_err("a device sign-in redirects nowhere");
                assert!(
                    done.contains("Sign-in Success") || done.contains("success"),
                    "device approval did not succeed: {done}"
                );
                return;
            }
            page = resp.text().unwrap();
        }
        panic!("the device approval did not reach login: {page}");
    }

    /// Follow redirects and the provider's interactions: `Ok(url)` once the browser is
    /// sent elsewhere, `Err(page)` when it ends on a page of the provider's own.
    fn follow(&self, first: &str) -> Result<String, String> {
        let start = reqwest::Url::parse(first).unwrap();
        let mut next = first.to_string();
        for _ in 0..12 {
            let url = start.join(&next).unwrap();
            if url.origin() != start.origin() {
                return Ok(url.to_string()); // left the provider: the redirect URI
            }
            let resp = self.http.get(url.clone()).send().unwrap();
            if resp.status().is_redirection() {
                next = resp.headers()["location"].to_str().unwrap().to_string();
                continue;
            }
            let page = resp.text().unwrap();
            if !url.path().starts_with("/interaction/") {
                return Err(page);
            }
            let form: Vec<(&str, &str)> = if page.contains("name=\"login\"") {
                vec![("prompt", "login"), ("login", &self.login), ("password", "any")]
            } else {
                vec![("prompt", "consent")]
            };
            let resp = self.http.post(url.clone()).form(&form).send().unwrap();
            assert!(resp.status().is_redirection(), "interaction at {url} answered {}", resp.status());
            next = resp.headers()["location"].to_str().unwrap().to_string();
        }
        panic!("the authorization did not finish: last at {next}");
    }
}
