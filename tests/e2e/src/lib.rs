//! Harness for end-to-end tests of the desktop app.
//!
//! Each [`Desktop`] gets its own D-Bus session (`dbus-run-session`) with a real
//! Secret Service (gnome-keyring, via `tests/support/with-keyring`), its own config,
//! data and state directories, and its own tauri-driver + WebKitWebDriver pair, so runs
//! never see each other (an app on a shared bus would swallow the launch through the
//! single-instance plugin). The whole test binary runs under `xvfb-run` (see Makefile).
//! Set `LATCHKEY_DESKTOP_BIN` to the app built with `--features custom-protocol`.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};

pub mod clipboard;
pub mod drive;

pub fn desktop_bin() -> PathBuf {
    built("LATCHKEY_DESKTOP_BIN", "latchkey-desktop")
}

/// `latchkey-tray`, built beside the app (`make desktop` builds both).
pub fn tray_bin() -> PathBuf {
    built("LATCHKEY_TRAY_BIN", "latchkey-tray")
}

/// A program of ours: where `$var` says, else the debug build.
fn built(var: &str, name: &str) -> PathBuf {
    let bin = std::env::var_os(var)
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/debug").join(name));
    assert!(bin.exists(), "{name} not built at {} (run `make desktop`)", bin.display());
    bin
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Poll `check` until it is true or `timeout` passes.
pub fn wait_until(timeout: Duration, mut check: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < timeout {
        if check() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    check()
}

/// Directories and environment of one isolated desktop session.
pub struct Session {
    pub dir: tempfile::TempDir,
}

impl Session {
    pub fn new() -> Self {
        let dir = tempfile::Builder::new().prefix("latchkey-e2e-").tempdir().unwrap();
        for sub in ["config", "data", "xdg-config", "runtime", "home"] {
            std::fs::create_dir_all(dir.path().join(sub)).unwrap();
        }
        Self { dir }
    }

    pub fn config_dir(&self) -> PathBuf {
        self.dir.path().join("config")
    }

    /// The variables that isolate this session (bus address added by [`Desktop`]).
    pub fn env(&self) -> Vec<(String, String)> {
        let p = |s: &str| self.dir.path().join(s).to_string_lossy().into_owned();
        vec![
            ("LATCHKEY_CONFIG_DIR".into(), p("config")),
            // The folder a lab's admin fills (servers.d): the session's own, empty at first.
            ("LATCHKEY_SYSTEM_CONFIG_DIR".into(), p("system")),
            ("XDG_DATA_HOME".into(), p("data")),
            ("XDG_CONFIG_HOME".into(), p("xdg-config")),
            ("XDG_RUNTIME_DIR".into(), p("runtime")),
            // Some libraries write under $HOME directly (autostart entries).
            ("HOME".into(), p("home")),
            ("NO_AT_BRIDGE".into(), "1".into()),
            // The window benchmark asks for the engine's HTTP timings too.
            ("LATCHKEY_LOG".into(), std::env::var("LATCHKEY_E2E_LOG").unwrap_or_else(|_| "info".into())),
        ]
    }

    /// Everything `latchkey-tray` has logged so far.
    pub fn tray_log(&self) -> String {
        std::fs::read_to_string(self.config_dir().join("state/logs/latchkey-tray.log")).unwrap_or_default()
    }

    /// Everything the app has logged so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.config_dir().join("state/logs/latchkey-desktop.log")).unwrap_or_default()
    }
}

impl Session {
    /// SIGTERM to every `latchkey-tray` of this session (found by its config dir).
    pub fn stop_trays(&self) {
        for pid in session_processes("latchkey-tray", &self.config_dir()) {
            let _ = Command::new("kill").args(["-TERM", &pid.to_string()]).status();
        }
    }
}

/// Processes named `comm` whose environment has this session's config dir.
pub fn session_processes(comm: &str, config_dir: &std::path::Path) -> Vec<u32> {
    let marker = format!("LATCHKEY_CONFIG_DIR={}", config_dir.display());
    // The kernel keeps 15 bytes of a program's name ("latchkey-deskto").
    let comm = &comm[..comm.len().min(15)];
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            let name = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
            let env = std::fs::read(format!("/proc/{pid}/environ")).unwrap_or_default();
            let state = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
            name.trim() == comm
                && !state.rsplit_once(')').is_some_and(|(_, s)| s.trim_start().starts_with('Z'))
                && env.split(|b| *b == 0).any(|kv| kv == marker.as_bytes())
        })
        .collect()
}

impl Default for Session {
    fn default() -> Self {
        Self::new()
    }
}

/// The desktop app, launched by WebDriver inside its own D-Bus session.
pub struct Desktop {
    pub session: Session,
    pub client: Client,
    driver: Child,
    driver_pid: u32,
    bus_address: String,
}

impl Desktop {
    pub async fn launch(args: &[&str]) -> Self {
        Self::start(args, false, &|_| {}).await
    }

    /// The app started on a computer whose admin put `files` (a path in the system folder,
    /// as `servers.d/our-lab.toml` or `policy.toml`, and its text) in place before the
    /// first start.
    pub async fn launch_on_lab_computer(files: &[(&str, String)]) -> Self {
        Self::start(&[], false, &|system: &Path| place_system_files(system, files)).await
    }

    /// The app started while `latchkey-tray` runs in the same session (as after a login
    /// with start-at-login on): the app is then only a window.
    pub async fn launch_beside_tray(args: &[&str]) -> Self {
        Self::start(args, true, &|_| {}).await
    }

    /// Start the app under WebDriver; a session that WebKitWebDriver drops while it is
    /// being made (seen as "IncompleteMessage", about once in fifty launches on a busy
    /// machine) is tried once more, with a fresh session and driver.
    async fn start(args: &[&str], beside_tray: bool, prepare: &(dyn Fn(&Path) + Sync)) -> Self {
        match Self::try_start(args, beside_tray, prepare).await {
            Ok(app) => app,
            Err(first) => {
                eprintln!("{first}; starting the app once more");
                Self::try_start(args, beside_tray, prepare).await.unwrap_or_else(|e| panic!("{e}"))
            }
        }
    }

    /// `prepare` is handed the session's system folder before the app starts.
    async fn try_start(args: &[&str], beside_tray: bool, prepare: &(dyn Fn(&Path) + Sync)) -> Result<Self, String> {
        // Two TLS backends meet in this crate (fantoccini's and reqwest's): pick one.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let session = Session::new();
        prepare(&session.dir.path().join("system"));
        let (port, native_port) = (free_port(), free_port());
        let bus_file = session.dir.path().join("bus-address");
        let pid_file = session.dir.path().join("driver-pid");
        // with-keyring makes the private D-Bus session and serves the Secret Service in it.
        let with_keyring = Path::new(env!("CARGO_MANIFEST_DIR")).join("../support/with-keyring");
        let driver = Command::new(with_keyring)
            .args(["sh", "-c"])
            .arg(
                "echo \"$DBUS_SESSION_BUS_ADDRESS\" > \"$1\"; echo $$ > \"$2\"; \
                 if [ -n \"$5\" ]; then \"$5\" 2>/dev/null & echo $! > \"$6\"; fi; \
                 exec tauri-driver --port \"$3\" --native-port \"$4\" \
                 --native-driver /usr/bin/WebKitWebDriver",
            )
            .args(["sh"])
            .arg(&bus_file)
            .arg(&pid_file)
            .args([port.to_string(), native_port.to_string()])
            .arg(if beside_tray { tray_bin().into_os_string() } else { "".into() })
            .arg(session.dir.path().join("tray-pid"))
            .envs(session.env())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start dbus-run-session + tauri-driver (is tauri-driver installed?)");
        assert!(
            wait_until(Duration::from_secs(20), || {
                std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
                    && pid_file.exists()
                    && std::fs::read_to_string(&bus_file).map(|s| !s.trim().is_empty()).unwrap_or(false)
            }),
            "tauri-driver did not start"
        );
        let bus_address = std::fs::read_to_string(&bus_file).unwrap().trim().to_string();
        let driver_pid = std::fs::read_to_string(&pid_file).unwrap().trim().parse().unwrap();
        if beside_tray {
            assert!(
                wait_until(Duration::from_secs(20), || session.tray_log().contains("renewal loop started")),
                "latchkey-tray did not start; log:\n{}",
                session.tray_log()
            );
        }

        let mut caps = serde_json::Map::new();
        caps.insert(
            "tauri:options".into(),
            serde_json::json!({
                "application": desktop_bin(),
                "args": args,
            }),
        );
        let connected =
            ClientBuilder::rustls().expect("tls").capabilities(caps).connect(&format!("http://127.0.0.1:{port}")).await;
        match connected {
            Ok(client) => Ok(Self { session, client, driver, driver_pid, bus_address }),
            Err(e) => {
                // Nothing of this attempt may outlive it: its tray, its driver.
                if let Ok(tray) = std::fs::read_to_string(session.dir.path().join("tray-pid")) {
                    let _ = Command::new("kill").args(["-TERM", tray.trim()]).status();
                }
                session.stop_trays();
                let mut driver = driver;
                let _ = Command::new("kill").args(["-TERM", &driver_pid.to_string()]).status();
                let _ = driver.wait();
                Err(format!("WebDriver session (tauri-driver + WebKitWebDriver): {e}"))
            }
        }
    }

    /// The environment of this session, bus included (for launching a second instance).
    pub fn env(&self) -> Vec<(String, String)> {
        let mut env = self.session.env();
        env.push(("DBUS_SESSION_BUS_ADDRESS".into(), self.bus_address.clone()));
        env
    }

    /// Run the app binary again in this session, as the OS would for a deep link.
    pub fn launch_again(&self, args: &[&str]) -> std::process::Output {
        Command::new(desktop_bin()).args(args).envs(self.env()).output().expect("second launch")
    }

    /// Wait for an element by CSS selector.
    pub async fn find(&self, css: &str) -> fantoccini::elements::Element {
        self.client
            .wait()
            .at_most(Duration::from_secs(15))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no element `{css}`: {e}"))
    }

    /// Save a screenshot as `NAME.png` under `$LATCHKEY_SCREENSHOTS`, when set (used by
    /// `make screenshots` for the docs). Waits two animation frames: screenshots lag one.
    pub async fn screenshot(&self, name: &str) {
        let Some(dir) = std::env::var_os("LATCHKEY_SCREENSHOTS") else { return };
        let _ = self
            .client
            .execute_async("requestAnimationFrame(() => requestAnimationFrame(() => arguments[0]()))", vec![])
            .await;
        let png = self.client.screenshot().await.expect("screenshot");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(Path::new(&dir).join(format!("{name}.png")), png).unwrap();
    }

    /// Whether the page fits its window without horizontal scrolling.
    pub async fn fits_horizontally(&self) -> bool {
        let v = self
            .client
            .execute("return document.documentElement.scrollWidth <= window.innerWidth", vec![])
            .await
            .unwrap();
        v.as_bool().unwrap_or(false)
    }

    /// End the WebDriver session and stop tauri-driver with SIGTERM (SIGKILL would
    /// orphan WebKitWebDriver on its port).
    pub async fn shutdown(mut self) {
        let _ = self.client.clone().close().await;
        self.stop_tray();
        let _ = Command::new("kill").args(["-TERM", &self.driver_pid.to_string()]).status();
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(10) {
            if let Ok(Some(_)) = self.driver.try_wait() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let _ = self.driver.kill();
    }
}

impl Desktop {
    /// Stop the session's `latchkey-tray`: the one [`Desktop::launch_beside_tray`] started,
    /// or the one the app started for itself.
    fn stop_tray(&self) {
        if let Ok(tray) = std::fs::read_to_string(self.session.dir.path().join("tray-pid")) {
            let _ = Command::new("kill").args(["-TERM", tray.trim()]).status();
        }
        self.session.stop_trays();
    }
}

/// A test that fails before `shutdown` must not leave the tray or tauri-driver running.
impl Drop for Desktop {
    fn drop(&mut self) {
        self.stop_tray();
        if matches!(self.driver.try_wait(), Ok(None)) {
            let _ = Command::new("kill").args(["-TERM", &self.driver_pid.to_string()]).status();
        }
    }
}

/// A background program (`latchkey-tray`) in its own D-Bus session with a Secret
/// Service: for renewal tests, where no window is wanted.
/// Put `files` in the system folder as an admin leaves them, whatever this machine's
/// umask: others may read them, not write them.
pub fn place_system_files(system: &Path, files: &[(&str, String)]) {
    for (name, text) in files {
        let path = system.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mut dir = path.parent().unwrap();
            while dir.starts_with(system) {
                std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
                dir = dir.parent().unwrap();
            }
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        }
    }
}

pub struct HiddenApp {
    pub session: Session,
    child: Child,
    pid: u32,
    bus_address: String,
}

impl HiddenApp {
    /// `latchkey-tray`, the one tray.
    pub fn launch() -> Self {
        Self::launch_program(&tray_bin(), &[], &[])
    }

    /// Any of our programs (`latchkey-tray`, or a shell that starts the app) in a session
    /// of its own, with `env` added; returns once a renewal loop runs.
    pub fn launch_program(bin: &Path, args: &[&str], env: &[(String, String)]) -> Self {
        let session = Session::new();
        let bus_file = session.dir.path().join("bus-address");
        let pid_file = session.dir.path().join("app-pid");
        let with_keyring = Path::new(env!("CARGO_MANIFEST_DIR")).join("../support/with-keyring");
        let child = Command::new(with_keyring)
            .args([
                "sh",
                "-c",
                "echo \"$DBUS_SESSION_BUS_ADDRESS\" > \"$1\"; echo $$ > \"$2\"; shift 2; exec \"$@\"",
                "sh",
            ])
            .arg(&bus_file)
            .arg(&pid_file)
            .arg(bin)
            .args(args)
            .envs(session.env())
            .envs(env.iter().cloned())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the app");
        assert!(
            wait_until(Duration::from_secs(20), || pid_file.exists()
                && std::fs::read_to_string(&bus_file).map(|s| !s.trim().is_empty()).unwrap_or(false)
                && (session.log().contains("renewal loop started")
                    || session.tray_log().contains("renewal loop started"))),
            "the app did not start; log:\n{}",
            session.log()
        );
        let bus_address = std::fs::read_to_string(&bus_file).unwrap().trim().to_string();
        let pid = std::fs::read_to_string(&pid_file).unwrap().trim().parse().unwrap();
        Self { session, child, pid, bus_address }
    }

    /// Environment for a CLI sharing this app's store and keyring.
    pub fn cli_env(&self) -> Vec<(String, String)> {
        vec![("DBUS_SESSION_BUS_ADDRESS".into(), self.bus_address.clone())]
    }

    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Stop the app (SIGTERM) and its session.
    pub fn stop(mut self) {
        self.terminate();
    }

    fn terminate(&mut self) {
        if matches!(self.child.try_wait(), Ok(Some(_))) {
            return;
        }
        let _ = Command::new("kill").args(["-TERM", &self.pid.to_string()]).status();
        if !wait_until(Duration::from_secs(10), || matches!(self.child.try_wait(), Ok(Some(_)))) {
            let _ = self.child.kill();
        }
        self.session.stop_trays();
    }
}

/// A test that fails before `stop` must not leave the program running.
impl Drop for HiddenApp {
    fn drop(&mut self) {
        self.terminate();
    }
}
