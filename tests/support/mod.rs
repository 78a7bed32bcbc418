//! Shared harness for the engine's integration tests.
//!
//! * [`server`]: the real django-oauth-toolkit test server (tests/server) as Majora runs
//!   it — DOT 1.4.1, https-only redirect URIs, scopes as permissions, 2FA checked at code
//!   exchange — started once per test binary; [`generic_server`]: DOT 3.x, for what Majora
//!   does not have (dynamic registration, device flow, loopback and custom-scheme
//!   redirects, RFC 8414 metadata).
//! * [`agate::AgateServer`]: a server that answers as OBiBa Agate does (its own error
//!   names, prefix-matched redirect URIs, no refresh tokens), with [`agate::authorize`]
//!   as its headless person.
//! * [`User`]: a headless person who logs in and approves consent over HTTP, and
//!   returns the address the server redirected the browser to.
//! * [`Cli`]: the `latchkey` binary with a fresh config dir per test.
//!
//! The test binaries run under `tests/support/with-keyring`, so the keyring is a real
//! Secret Service (gnome-keyring) in a private D-Bus session.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use std::time::Duration;

pub mod agate;
mod auth_server;
mod dot;
pub use auth_server::{AuthServer, ServerProcess};
#[allow(unused_imports)] // each test binary uses its own part
pub use dot::{generic_server, server, TestServer};

pub const USERNAME: &str = "alice";

/// The repository root (this file is shared by the CLI's tests in cli/, tests/e2e and
/// the benches): the nearest folder above the package that holds `tests/server`.
pub fn repo_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest
        .ancestors()
        .find(|dir| dir.join("tests/server").is_dir())
        .expect("the package sits inside the Latchkey repository")
        .to_path_buf()
}
pub const PASSWORD: &str = "wonderland";

/// Poll `check` every 20 ms until it holds or `timeout` passes; whether it held.
pub fn wait_for(timeout: Duration, mut check: impl FnMut() -> bool) -> bool {
    let deadline = std::time::Instant::now() + timeout;
    while std::time::Instant::now() < deadline {
        if check() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    check()
}

#[derive(Debug, Clone)]
pub struct Client {
    pub id: String,
    pub secret: String,
}

/// A person with a browser, minus the browser.
pub struct User {
    http: reqwest::blocking::Client,
    username: String,
    password: String,
}

impl User {
    /// Alice, who holds every scope and has a two-factor device.
    pub fn new() -> Self {
        Self::named(USERNAME, PASSWORD)
    }

    /// Another user (see [`TestServer::create_user`]).
    pub fn named(username: &str, password: &str) -> Self {
        let http = reqwest::blocking::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap();
        Self { http, username: username.into(), password: password.into() }
    }

    /// Log in and press `button` ("allow" to authorize, anything else to deny) on the
    /// consent page for `authorize_url`; returns where the server redirected to.
    pub fn authorize(&self, authorize_url: &str, allow: bool) -> String {
        let url = reqwest::Url::parse(authorize_url).unwrap();
        let origin = format!("{}://{}", url.scheme(), url.host_str().unwrap())
            + &url.port().map(|p| format!(":{p}")).unwrap_or_default();
        let next = format!("{}?{}", url.path(), url.query().unwrap_or(""));
        self.log_in(&origin, &next);
        // Consent page.
        let resp = self.http.get(authorize_url).send().unwrap();
        if resp.status().is_redirection() {
            return location(&resp);
        }
        let page = resp.text().unwrap();
        let mut form = hidden_inputs(&page);
        if allow {
            form.push(("allow".into(), "Authorize".into()));
        }
        let resp = self
            .http
            .post(format!("{origin}/o/authorize/"))
            .header("Referer", authorize_url)
            .form(&form)
            .send()
            .unwrap();
        assert!(resp.status().is_redirection(), "consent did not redirect: {}", resp.status());
        location(&resp)
    }

    /// Approve a device code (RFC 8628) on the server's device page.
    pub fn approve_device(&self, origin: &str, user_code: &str) {
        self.log_in(origin, "/");
        let page = self.http.get(format!("{origin}/o/device/")).send().unwrap().text().unwrap();
        let mut form = hidden_inputs(&page);
        form.push(("user_code".into(), user_code.into()));
        let resp = self
            .http
            .post(format!("{origin}/o/device/"))
            .header("Referer", format!("{origin}/o/device/"))
            .form(&form)
            .send()
            .unwrap();
        let confirm = location(&resp);
        let confirm_url = if confirm.starts_with("http") { confirm } else { format!("{origin}{confirm}") };
        let page = self.http.get(&confirm_url).send().unwrap().text().unwrap();
        let mut form = hidden_inputs(&page);
        form.push(("action".into(), "accept".into()));
        let resp = self.http.post(&confirm_url).header("Referer", &confirm_url).form(&form).send().unwrap();
        assert!(resp.status().is_success() || resp.status().is_redirection(), "device confirm: {}", resp.status());
    }

    /// Log in on the server's login form (then go to `next`).
    fn log_in(&self, origin: &str, next: &str) {
        let login_page = self.http.get(format!("{origin}/accounts/login/")).send().unwrap().text().unwrap();
        let csrf = hidden_inputs(&login_page).into_iter().find(|(k, _)| k == "csrfmiddlewaretoken").unwrap().1;
        let resp = self
            .http
            .post(format!("{origin}/accounts/login/"))
            .header("Referer", format!("{origin}/accounts/login/"))
            .form(&[
                ("username", self.username.as_str()),
                ("password", &self.password),
                ("csrfmiddlewaretoken", &csrf),
                ("next", next),
            ])
            .send()
            .unwrap();
        assert_eq!(resp.status().as_u16(), 302, "login failed");
    }
}

impl Default for User {
    fn default() -> Self {
        Self::new()
    }
}

fn location(resp: &reqwest::blocking::Response) -> String {
    resp.headers().get("location").expect("a Location header").to_str().unwrap().to_string()
}

/// `(name, value)` of every `<input type="hidden">` in a page.
pub fn hidden_inputs(html: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for tag in html.split("<input").skip(1) {
        let tag = &tag[..tag.find('>').unwrap_or(tag.len())];
        if !tag.contains("type=\"hidden\"") {
            continue;
        }
        let attr = |name: &str| {
            let key = format!("{name}=\"");
            tag.find(&key).map(|i| {
                let rest = &tag[i + key.len()..];
                unescape(&rest[..rest.find('"').unwrap_or(rest.len())])
            })
        };
        if let Some(name) = attr("name") {
            out.push((name, attr("value").unwrap_or_default()));
        }
    }
    out
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The `latchkey` CLI with its own config dir (and so its own keyring namespace).
pub struct Cli {
    root: PathBuf,
    _temp: Option<tempfile::TempDir>,
    env: Vec<(String, String)>,
    /// The Windows build run under Wine (scripts/windows/run), instead of this machine's.
    windows_exe: Option<PathBuf>,
}

impl Cli {
    pub fn new() -> Self {
        let temp = tempfile::Builder::new().prefix("latchkey-test-").tempdir().unwrap();
        Self { root: temp.path().to_path_buf(), _temp: Some(temp), env: Vec::new(), windows_exe: None }
    }

    /// A CLI on an existing store with extra environment (e.g. a desktop app's D-Bus).
    pub fn in_dir(root: PathBuf, env: Vec<(String, String)>) -> Self {
        Self { root, _temp: None, env, windows_exe: None }
    }

    /// The Windows build `exe` of the CLI, run under Wine, on a store of its own (its
    /// secrets go to Wine's Credential Manager).
    pub fn on_windows(exe: PathBuf) -> Self {
        Self { windows_exe: Some(exe), ..Self::new() }
    }

    /// The same CLI with `key=value` in every command's environment.
    pub fn with_env(mut self, key: &str, value: impl Into<String>) -> Self {
        self.env.push((key.to_string(), value.into()));
        self
    }

    pub fn config_dir(&self) -> PathBuf {
        self.root.clone()
    }

    /// The folder a lab's admin would fill (`servers.d/`), this CLI's own.
    pub fn system_dir(&self) -> PathBuf {
        self.root.join("system")
    }

    pub fn command(&self) -> Command {
        let mut c = match &self.windows_exe {
            Some(exe) => {
                let mut c = Command::new(repo_root().join("scripts/windows/run"));
                c.arg(exe);
                // Wine shows the Unix root as drive Z:.
                c.env("LATCHKEY_CONFIG_DIR", format!("Z:{}", self.root.display()).replace('/', "\\"));
                c
            }
            None => {
                let bin = option_env!("CARGO_BIN_EXE_latchkey")
                    .map(PathBuf::from)
                    .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/debug/latchkey"));
                let mut c = Command::new(bin);
                c.env("LATCHKEY_CONFIG_DIR", &self.root);
                // A system folder of the test's own: this machine's /etc/latchkey has no say.
                c.env("LATCHKEY_SYSTEM_CONFIG_DIR", self.system_dir());
                c
            }
        };
        c.env_remove("LATCHKEY_LOG").envs(self.env.iter().map(|(k, v)| (k, v)));
        c
    }

    /// Run with `args`, feeding `stdin`.
    pub fn run(&self, args: &[&str], stdin: &str) -> Output {
        let mut child = self
            .command()
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
        child.wait_with_output().unwrap()
    }

    /// Run and expect success; returns stdout.
    pub fn ok(&self, args: &[&str], stdin: &str) -> String {
        let out = self.run(args, stdin);
        assert!(out.status.success(), "latchkey {args:?} failed: {}", describe(&out));
        String::from_utf8(out.stdout).unwrap()
    }

    /// Add a Majora-preset profile pointing at the test server with a new client.
    pub fn add_majora(&self, server: &TestServer, name: &str, ttl: u64) -> Client {
        let client = server.create_client(ttl, &[&server.callback_uri()]);
        self.ok(
            &[
                "profile",
                "add",
                name,
                "--preset",
                "majora",
                "--base-url",
                &server.base(),
                "--client-id",
                &client.id,
                "--client-secret-stdin",
            ],
            &format!("{}\n", client.secret),
        );
        client
    }

    /// A generic profile with its endpoints and client given by hand; `extra` adds
    /// options (`--scopes`, `--redirect-uri`, …).
    pub fn add_by_hand(&self, name: &str, authorize_url: &str, token_url: &str, client: &Client, extra: &[&str]) {
        let mut args = vec!["profile", "add", name, "--preset", "generic", "--authorize-url", authorize_url];
        args.extend(["--token-url", token_url, "--client-id", &client.id, "--client-secret-stdin"]);
        args.extend(extra);
        self.ok(&args, &format!("{}\n", client.secret));
    }

    /// `latchkey login NAME --paste`, with a headless user approving in between.
    pub fn login_paste(&self, name: &str, user: &User) -> Output {
        self.login_paste_with(name, |url| user.authorize(url, true))
    }

    /// Paste login where `answer` turns the authorize URL into what gets pasted.
    pub fn login_paste_with(&self, name: &str, answer: impl FnOnce(&str) -> String) -> Output {
        let mut child = self
            .command()
            .args(["login", name, "--paste"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        let mut seen = String::new();
        let url = loop {
            let mut line = String::new();
            if stderr.read_line(&mut line).unwrap() == 0 {
                panic!("login ended before printing a URL: {seen}");
            }
            seen.push_str(&line);
            if line.starts_with("http") {
                break line.trim().to_string();
            }
        };
        let pasted = answer(&url);
        child.stdin.take().unwrap().write_all(format!("{pasted}\n").as_bytes()).unwrap();
        let mut rest = String::new();
        std::io::Read::read_to_string(&mut stderr, &mut rest).unwrap();
        let mut out = child.wait_with_output().unwrap();
        out.stderr = format!("{seen}{rest}").into_bytes();
        out
    }

    /// `latchkey login NAME FLAG` running with stdin closed (so any prompt fails) and
    /// without xdg-open (so a URL to open is printed), for tests that act on what it
    /// prints while it waits.
    pub fn start_login(&self, name: &str, flag: &str) -> Login {
        self.start_login_with_path(name, flag, "/nonexistent")
    }

    /// [`Cli::start_login`] with `path` as its `PATH` (a stand-in for the system's opener).
    pub fn start_login_with_path(&self, name: &str, flag: &str, path: &str) -> Login {
        let mut child = self
            .command()
            .args(["login", name, flag])
            .env("PATH", path)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = BufReader::new(child.stderr.take().unwrap());
        Login { child, stderr, seen: String::new() }
    }

    /// The stored tokens, read straight from the keyring (as a test oracle).
    pub fn stored_tokens(&self, name: &str) -> Option<latchkey_engine::TokenSet> {
        let paths = latchkey_engine::Paths::in_dir(self.config_dir());
        latchkey_engine::testing::Store::new(&paths).tokens(name).unwrap()
    }

    /// Every file under the config dir, concatenated (to grep for secrets).
    pub fn all_files_text(&self) -> String {
        fn walk(dir: &Path, out: &mut String) {
            for entry in std::fs::read_dir(dir).unwrap().flatten() {
                let p = entry.path();
                if p.is_dir() {
                    walk(&p, out);
                } else if let Ok(bytes) = std::fs::read(&p) {
                    out.push_str(&String::from_utf8_lossy(&bytes));
                }
            }
        }
        let mut out = String::new();
        walk(&self.root, &mut out);
        out
    }
}

/// A `latchkey login` in progress (see `Cli::start_login`).
pub struct Login {
    child: std::process::Child,
    stderr: BufReader<std::process::ChildStderr>,
    seen: String,
}

impl Login {
    /// The first stderr line that starts with `prefix` (trimmed), reading on until then.
    pub fn line_starting(&mut self, prefix: &str) -> String {
        loop {
            let mut line = String::new();
            if self.stderr.read_line(&mut line).unwrap() == 0 {
                panic!("login ended before printing a line starting {prefix:?}: {}", self.seen);
            }
            self.seen.push_str(&line);
            if line.starts_with(prefix) {
                return line.trim().to_string();
            }
        }
    }

    /// Be the browser arriving at the loopback redirect: the page must say the sign-in
    /// is done; then wait for the end.
    pub fn finish_at_loopback(self, redirect: &str) -> Output {
        assert!(redirect.starts_with("http://127.0.0.1:"), "not a loopback redirect: {redirect}");
        let page = reqwest::blocking::get(redirect).unwrap().text().unwrap();
        assert!(page.contains("You can close this tab"), "{page}");
        self.finish()
    }

    /// Wait for the end; stderr in the output is all of it.
    pub fn finish(mut self) -> Output {
        let mut rest = String::new();
        std::io::Read::read_to_string(&mut self.stderr, &mut rest).unwrap();
        let mut out = self.child.wait_with_output().unwrap();
        out.stderr = format!("{}{rest}", self.seen).into_bytes();
        out
    }
}

impl Default for Cli {
    fn default() -> Self {
        Self::new()
    }
}

pub fn describe(out: &Output) -> String {
    format!(
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}
