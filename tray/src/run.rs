//! Start-up: one tray per store (the token agent's socket decides), then the renewal
//! loop, then the icon. Without a StatusNotifier host (GNOME without the AppIndicator
//! extension, a bare X server) there is no icon, but renewal and the agent run, and the
//! icon appears when a host does.

use std::process::ExitCode;
use std::sync::{Arc, OnceLock};

use ksni::blocking::{Handle, TrayMethods};
use latchkey::agent::Agent;
use latchkey::desktop::autostart::Autostart;
use latchkey::renewal::worker::{Attention, RenewalEvents, Renewer};
use latchkey::{Error, Latchkey};

use crate::menu::LatchkeyTray;

/// What the renewal loop's events mean here: redraw the icon and menu, notify.
struct Events {
    tray: Arc<OnceLock<Handle<LatchkeyTray>>>,
}

impl RenewalEvents for Events {
    fn changed(&self) {
        if let Some(handle) = self.tray.get() {
            handle.update(|_| {}); // the host re-reads status, icon and menu
        }
    }

    fn attention(&self, what: &Attention) {
        let (title, body) = latchkey::desktop::notify::words(what);
        tracing::info!("notification: {title}: {body}");
        latchkey::desktop::notify::show(&title, &body);
    }
}

pub fn run(after: Option<u32>) -> ExitCode {
    // Before any thread starts: SIGTERM (logout, shutdown), SIGINT and SIGHUP are waited
    // for below, so a renewal in flight is stored before the process ends.
    if let Err(e) = latchkey::agent::shutdown::block_termination_signals() {
        eprintln!("latchkey-tray: cannot set up signals: {e}");
        return ExitCode::from(1);
    }
    let paths = match latchkey::store::paths::Paths::from_env() {
        Ok(paths) => paths,
        Err(e) => {
            eprintln!("latchkey-tray: {e}");
            return ExitCode::from(1);
        }
    };
    let engine = match Latchkey::with_paths(paths.clone()) {
        Ok(engine) => engine,
        Err(e) => {
            eprintln!("latchkey-tray: {e}");
            return ExitCode::from(1);
        }
    };
    crate::logging::init(&paths);
    if let Some(pid) = after {
        wait_for_exit(pid);
    }
    let agent = match Agent::bind(&paths) {
        Ok(agent) => agent,
        Err(Error::AlreadyRunning(_)) => {
            eprintln!("latchkey-tray: Latchkey is already running (its tray, the app or `latchkey agent`)");
            return ExitCode::from(2);
        }
        Err(e) => {
            eprintln!("latchkey-tray: cannot serve `latchkey token`: {e}");
            return ExitCode::from(1);
        }
    };
    tracing::info!(socket = %agent.path().display(), "token agent listening");
    if let Err(e) = agent.serve_in_background() {
        tracing::error!("token agent is off: {e}");
    }

    let engine = Arc::new(engine);
    let slot = Arc::new(OnceLock::new());
    let renewer = match Renewer::start(engine.clone(), Arc::new(Events { tray: slot.clone() })) {
        Ok(renewer) => renewer,
        Err(e) => {
            eprintln!("latchkey-tray: cannot start the renewal loop: {e}");
            return ExitCode::from(1);
        }
    };
    let autostart = Autostart::for_user().ok();
    let tray = LatchkeyTray { engine, renewer: renewer.clone(), autostart };
    match tray.assume_sni_available(true).spawn() {
        Ok(handle) => {
            let _ = slot.set(handle);
            tracing::info!("tray icon registered");
        }
        Err(e) => tracing::warn!("no tray icon ({e}); tokens are still kept fresh"),
    }
    let signal = latchkey::agent::shutdown::wait_for_termination();
    tracing::info!("{signal}: stopping once any renewal in flight is stored");
    if !renewer.stop(std::time::Duration::from_secs(60)) {
        tracing::warn!("a renewal is still running after a minute; stopping anyway");
    }
    ExitCode::SUCCESS
}

/// Wait (at most 5 s) until process `pid`, the app handing its tray over, has exited, so
/// its icon is gone before ours appears. It has given up the agent's socket already, so a
/// slow exit only delays the icon, never the take-over.
fn wait_for_exit(pid: u32) {
    let start = std::time::Instant::now();
    let proc = std::path::PathBuf::from(format!("/proc/{pid}"));
    while proc.exists() && !is_zombie(&proc) && start.elapsed() < std::time::Duration::from_secs(5) {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let ms = start.elapsed().as_millis() as u64;
    if proc.exists() && !is_zombie(&proc) {
        tracing::warn!(pid, ms, "the app handing over its tray is still running; taking over anyway");
    } else {
        tracing::info!(pid, ms, "the app handed its tray over");
    }
}

/// An exited child not yet reaped by its parent still has a /proc entry, in state Z.
fn is_zombie(proc: &std::path::Path) -> bool {
    std::fs::read_to_string(proc.join("stat"))
        .ok()
        .and_then(|stat| stat.rsplit_once(')').map(|(_, rest)| rest.trim_start().starts_with('Z')))
        .unwrap_or(false)
}
