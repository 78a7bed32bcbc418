//! Keycloak (the server distribution from Maven Central, see scripts/keycloak.sh) in dev
//! mode on 127.0.0.1 with tests/keycloak/latchkey-realm.json imported; and a headless
//! person who gets through its login page.
#![allow(dead_code)]

use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::support::{repo_root, AuthServer, Client};

pub const CLIENT_ID: &str = "latchkey";
pub const CLIENT_SECRET: &str = "latchkey-test-only-secret";
const ADMIN_PASSWORD: &str = "admin-test-only";

pub struct Keycloak {
    pub port: u16,
    // The write end of tests/support/ends-with-test's stdin: when it closes (this value
    // dropped, or the test process gone however it ended, a static included) the wrapper
    // ends kc.sh's whole session, the java it started too.
    lifeline: Mutex<Option<ChildStdin>>,
    child: Mutex<Child>,
    _data: tempfile::TempDir,
}

impl Drop for Keycloak {
    fn drop(&mut self) {
        drop(self.lifeline.lock().unwrap().take());
        let _ = self.child.lock().unwrap().wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

impl Keycloak {
    pub fn start() -> Self {
        let out = Command::new(repo_root().join("scripts/keycloak.sh")).output().expect("scripts/keycloak.sh");
        assert!(out.status.success(), "getting Keycloak: {}", String::from_utf8_lossy(&out.stderr));
        let home = std::path::PathBuf::from(String::from_utf8(out.stdout).unwrap().trim());
        let import = home.join("data/import");
        std::fs::create_dir_all(&import).unwrap();
        std::fs::copy(repo_root().join("tests/keycloak/latchkey-realm.json"), import.join("latchkey-realm.json"))
            .unwrap();
        let data = tempfile::tempdir().unwrap();
        let port = free_port();
        let log = std::fs::File::create(data.path().join("keycloak.log")).unwrap();
        let mut child = Command::new(repo_root().join("tests/support/ends-with-test"))
            .arg(home.join("bin/kc.sh"))
            .args([
                "start-dev",
                "--http-host=127.0.0.1",
                &format!("--http-port={port}"),
                "--import-realm",
                &format!("--db-url=jdbc:h2:file:{}/keycloak;NON_KEYWORDS=VALUE", data.path().display()),
                "--hostname-strict=false",
            ])
            .env("JAVA_OPTS_KC_HEAP", "-XX:MaxRAMPercentage=10")
            // The master realm's admin, to hand out initial access tokens.
            .env("KC_BOOTSTRAP_ADMIN_USERNAME", "admin")
            .env("KC_BOOTSTRAP_ADMIN_PASSWORD", ADMIN_PASSWORD)
            .stdin(Stdio::piped())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("start Keycloak");
        let lifeline = Mutex::new(child.stdin.take());
        let kc = Self { port, lifeline, child: Mutex::new(child), _data: data };
        let deadline = Instant::now() + Duration::from_secs(240);
        let http = reqwest::blocking::Client::builder().timeout(Duration::from_secs(5)).build().unwrap();
        loop {
            if let Ok(r) = http.get(kc.url("/realms/latchkey/.well-known/openid-configuration")).send() {
                if r.status().is_success() {
                    return kc;
                }
            }
            if let Ok(Some(status)) = kc.child.lock().unwrap().try_wait() {
                panic!(
                    "Keycloak exited ({status}): {}",
                    std::fs::read_to_string(kc._data.path().join("keycloak.log")).unwrap_or_default()
                );
            }
            assert!(
                Instant::now() < deadline,
                "Keycloak did not start in 4 minutes: {}",
                std::fs::read_to_string(kc._data.path().join("keycloak.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(500));
        }
    }

    pub fn issuer(&self) -> String {
        self.url("/realms/latchkey")
    }

    /// A token of the master realm's administrator, for the admin REST API.
    fn admin_token(&self) -> String {
        let admin: serde_json::Value = reqwest::blocking::Client::new()
            .post(self.url("/realms/master/protocol/openid-connect/token"))
            .form(&[
                ("grant_type", "password"),
                ("client_id", "admin-cli"),
                ("username", "admin"),
                ("password", ADMIN_PASSWORD),
            ])
            .send()
            .unwrap()
            .json()
            .unwrap();
        admin["access_token"].as_str().expect("an admin token").to_string()
    }

    /// An initial access token for one client registration, as a realm administrator
    /// makes one (Clients, then "Initial access token").
    pub fn initial_access_token(&self) -> String {
        let http = reqwest::blocking::Client::new();
        let made: serde_json::Value = http
            .post(self.url("/admin/realms/latchkey/clients-initial-access"))
            .bearer_auth(self.admin_token())
            .json(&serde_json::json!({ "count": 1, "expiration": 600 }))
            .send()
            .unwrap()
            .json()
            .unwrap();
        made["token"].as_str().expect("an initial access token").to_string()
    }

    /// Whether a client with this id is registered in the realm (RFC 7592 deletes it).
    pub fn has_client(&self, client_id: &str) -> bool {
        let http = reqwest::blocking::Client::new();
        let found: serde_json::Value = http
            .get(self.url("/admin/realms/latchkey/clients"))
            .query(&[("clientId", client_id)])
            .bearer_auth(self.admin_token())
            .send()
            .unwrap()
            .json()
            .unwrap();
        !found.as_array().unwrap().is_empty()
    }
}

impl Keycloak {
    /// A public client for a whole lab, as docs/admins.md tells a realm administrator to
    /// make it: no client authentication, the standard flow, PKCE S256 required, any
    /// loopback port.
    pub fn create_public_client(&self, client_id: &str) {
        let made = reqwest::blocking::Client::new()
            .post(self.url("/admin/realms/latchkey/clients"))
            .bearer_auth(self.admin_token())
            .json(&serde_json::json!({
                "clientId": client_id,
                "publicClient": true,
                "standardFlowEnabled": true,
                "directAccessGrantsEnabled": false,
                "redirectUris": ["http://127.0.0.1/*"],
                "attributes": { "pkce.code.challenge.method": "S256" },
            }))
            .send()
            .unwrap();
        assert!(made.status().is_success(), "creating {client_id}: {}", made.status());
    }
}

impl AuthServer for Keycloak {
    fn port(&self) -> u16 {
        self.port
    }
    const INTROSPECT: &'static str = "/realms/latchkey/protocol/openid-connect/token/introspect";
    const TOKEN: &'static str = "/realms/latchkey/protocol/openid-connect/token";
}

/// The realm's confidential test client (tests/keycloak/latchkey-realm.json).
pub fn client() -> Client {
    Client { id: CLIENT_ID.into(), secret: CLIENT_SECRET.into() }
}

/// alice, with a browser minus the browser.
pub struct KeycloakUser {
    http: reqwest::blocking::Client,
}

fn unescape(s: &str) -> String {
    s.replace("&amp;", "&").replace("&#x3d;", "=").replace("&#61;", "=")
}

fn form_action(page: &str) -> Option<String> {
    let at = page.find("<form")?;
    let tag = &page[at..at + page[at..].find('>')?];
    let start = tag.find("action=\"")? + 8;
    Some(unescape(&tag[start..start + tag[start..].find('"')?]))
}

impl KeycloakUser {
    pub fn new() -> Self {
        let http = reqwest::blocking::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap();
        Self { http }
    }

    /// Log in on Keycloak's page (and grant consent if asked); returns where Keycloak
    /// sends the browser: the redirect URI with code, state and iss.
    pub fn authorize(&self, authorize_url: &str) -> String {
        let start = reqwest::Url::parse(authorize_url).unwrap();
        let mut resp = self.http.get(authorize_url).send().unwrap();
        for _ in 0..6 {
            if resp.status().is_redirection() {
                let location = resp.headers()["location"].to_str().unwrap().to_string();
                let next = start.join(&location).unwrap();
                if next.origin() != start.origin() || next.as_str().contains("code=") {
                    return next.to_string();
                }
                resp = self.http.get(next).send().unwrap();
                continue;
            }
            let page = resp.text().unwrap();
            let action = form_action(&page).unwrap_or_else(|| panic!("no form on Keycloak's page: {page}"));
            let form: Vec<(&str, &str)> = if page.contains("name=\"password\"") {
                vec![("username", "alice"), ("password", "wonderland"), ("credentialId", "")]
            } else if page.contains("name=\"accept\"") {
                vec![("accept", "Yes")]
            } else {
                panic!("an unexpected Keycloak page: {page}");
            };
            resp = self.http.post(start.join(&action).unwrap()).form(&form).send().unwrap();
        }
        panic!("Keycloak's sign-in did not finish");
    }

    /// Open the device flow's verification_uri_complete, log in and grant the device.
    pub fn approve_device(&self, complete: &str) {
        let start = reqwest::Url::parse(complete).unwrap();
        let mut resp = self.http.get(complete).send().unwrap();
        for _ in 0..8 {
            if resp.status().is_redirection() {
                let location = resp.headers()["location"].to_str().unwrap().to_string();
                resp = self.http.get(start.join(&location).unwrap()).send().unwrap();
                continue;
            }
            let page = resp.text().unwrap();
            let Some(action) = form_action(&page) else {
                assert!(page.contains("Device Login Successful") || page.contains("device is now"), "{page}");
                return;
            };
            let form: Vec<(&str, &str)> = if page.contains("name=\"password\"") {
                vec![("username", "alice"), ("password", "wonderland"), ("credentialId", "")]
            } else if page.contains("name=\"accept\"") {
                vec![("accept", "Yes")]
            } else if page.contains("name=\"device_user_code\"") {
                panic!("Keycloak asked for the user code: verification_uri_complete did not carry it");
            } else {
                panic!("an unexpected Keycloak page: {page}");
            };
            resp = self.http.post(start.join(&action).unwrap()).form(&form).send().unwrap();
        }
        panic!("Keycloak's device approval did not finish");
    }
}
