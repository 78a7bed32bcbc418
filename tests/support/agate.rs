//! The Agate-shaped test server (tests/server/agate_like.py): Agate's grants, its error
//! names, its prefix matching of redirect URIs, its code re-exchange and its lack of
//! refresh tokens, as read from Agate's source. One per test ([`AgateServer::start`]):
//! tests change its ticket life and delete its authorizations.

use std::process::{Command, Stdio};
use std::time::Duration;

use super::{repo_root, Client, ServerProcess};

pub struct AgateServer {
    pub port: u16,
    process: ServerProcess,
}

fn http() -> reqwest::blocking::Client {
    super::auth_server::test_client()
}

impl AgateServer {
    /// A fresh server; `env` adds settings (`AGATE_AUTO_LOGIN=alice`: no sign-in page).
    pub fn start(env: &[(&str, &str)]) -> AgateServer {
        let root = repo_root().join("tests/server");
        let python = root.join(".venv/bin/python");
        assert!(python.exists(), "test server venv missing: run scripts/setup.sh");
        let mut command = Command::new(python);
        command.arg(root.join("agate_like.py")).arg("--exit-with-stdin");
        command.envs(env.iter().copied()).stderr(Stdio::inherit());
        let (process, port) = ServerProcess::start(command, "the Agate test server");
        AgateServer { port, process }
    }

    pub fn stop(&self) {
        self.process.kill();
    }

    /// Its address, as a person types it into Latchkey.
    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// An application as the administrator makes it; the client id is Agate's mangling
    /// of `name`, the secret its key.
    pub fn create_application(&self, name: &str, redirect_uris: &[&str]) -> Client {
        let body = serde_json::json!({ "name": name, "redirect_uris": redirect_uris });
        let v: serde_json::Value =
            http().post(self.url("/test/applications")).json(&body).send().unwrap().json().unwrap();
        Client { id: v["client_id"].as_str().unwrap().into(), secret: v["key"].as_str().unwrap().into() }
    }

    /// The life of the tickets it issues from now on (Agate's short timeout).
    pub fn set_ticket_life(&self, seconds: u64) {
        let body = serde_json::json!({ "seconds": seconds });
        assert!(http().post(self.url("/test/timeout")).json(&body).send().unwrap().status().is_success());
    }

    /// Remove every authorization and its tickets (the user revoked them on Agate).
    pub fn delete_authorizations(&self) {
        assert!(http().delete(self.url("/test/authorizations")).send().unwrap().status().is_success());
    }

    /// What pages of it that tried Tauri's IPC reported (`AGATE_IPC_PROBE`).
    pub fn ipc_reports(&self) -> Vec<String> {
        http().get(self.url("/test/ipc-report")).send().unwrap().json().unwrap()
    }

    /// How many token requests of `grant_type` arrived.
    pub fn grant_count(&self, grant_type: &str) -> u64 {
        let v: serde_json::Value = http().get(self.url("/test/stats")).send().unwrap().json().unwrap();
        v.get(grant_type).and_then(|n| n.as_u64()).unwrap_or(0)
    }
}

/// Alice with a browser, minus the browser, on the Agate server: follows its redirects,
/// signs in on its page, presses Authorize where it asks, and returns the address the
/// browser was sent to off the server — or `HTTP 400 …` with the body, for the error
/// page Agate shows instead.
pub fn authorize(server: &AgateServer, authorize_url: &str) -> String {
    let client = reqwest::blocking::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let origin = server.url("");
    let mut response = client.get(authorize_url).send().unwrap();
    for _ in 0..10 {
        let status = response.status().as_u16();
        if (300..400).contains(&status) {
            let location = response.headers()["location"].to_str().unwrap().to_string();
            let next = if location.starts_with('/') { format!("{origin}{location}") } else { location };
            if !next.starts_with(&format!("{origin}/")) {
                return next;
            }
            response = client.get(&next).send().unwrap();
            continue;
        }
        let url = response.url().clone();
        let page = response.text().unwrap();
        if status != 200 {
            return format!("HTTP {status} {page}");
        }
        let mut form = super::hidden_inputs(&page);
        let action = if url.path() == "/signin" {
            form.push(("username".into(), super::USERNAME.into()));
            form.push(("password".into(), super::PASSWORD.into()));
            "/signin"
        } else {
            "/ws/oauth2/authz"
        };
        response = client.post(format!("{origin}{action}")).form(&form).send().unwrap();
    }
    panic!("the Agate server sent the browser round in circles");
}
