//! Start-up: one tray per store (the token agent decides), then the renewal loop, then
//! the icon. Without a tray host (GNOME without the AppIndicator extension, a bare X
//! server) there is no icon, but renewal and the agent run, and on Linux the icon appears
//! when a host does.

use std::process::ExitCode;
use std::sync::{Arc, OnceLock};

use latchkey_engine::desktop::autostart::Autostart;
use latchkey_engine::Background;
use latchkey_engine::Logging;
use latchkey_engine::{Attention, RenewalEvents};
use latchkey_engine::{Error, Latchkey};

use crate::model::{LatchkeyTray, Redraw};

/// What the renewal loop's events mean here: redraw the icon and menu, notify.
struct Events {
    redraw: Redraw,
    engine: std::sync::Weak<Latchkey>,
    /// The sign-ins into another account than before that were told, by profile (the
    /// accounts now and before): each is told once, when the tray sees it happen.
    told_account_changes: std::sync::Mutex<std::collections::HashMap<String, (String, String)>>,
}

/// A profile's sign-in into another account than before, as (now, before).
fn account_change(row: &latchkey_engine::ProfileStatus) -> Option<(String, String)> {
    Some((row.account.clone()?, row.account_changed_from.clone()?))
}

impl RenewalEvents for Events {
    fn changed(&self) {
        if let Some(engine) = self.engine.upgrade() {
            let rows = engine.status(None).unwrap_or_default();
            // Signed out or removed (here, in the app or by the CLI): a token copied from
            // the menu leaves the clipboard.
            let signed_in: std::collections::HashSet<&str> =
                rows.iter().filter(|r| r.has_tokens).map(|r| r.name.as_str()).collect();
            crate::clipboard::take_back_signed_out(|name| signed_in.contains(name));
            // A sign-in (here, in the app or by the CLI) into another account than the
            // profile had: someone else may have finished it.
            let mut told = self.told_account_changes.lock().expect("told lock");
            told.retain(|name, _| rows.iter().any(|r| &r.name == name && r.account_changed_from.is_some()));
            for row in &rows {
                let Some(change) = account_change(row) else { continue };
                if told.get(&row.name) != Some(&change) {
                    let (title, body) = latchkey_ipc::words::notify::account_changed(&row.name, &change.0, &change.1);
                    tracing::info!("notification: {title}: {body}");
                    crate::notify::show(&title, &body);
                    told.insert(row.name.clone(), change);
                }
            }
        }
        if let Some(redraw) = self.redraw.get() {
            redraw();
        }
    }

    fn attention(&self, what: &Attention) {
        let (title, body) = latchkey_ipc::words::notify::attention(what, latchkey_ipc::words::notify::ActIn::Window);
        tracing::info!("notification: {title}: {body}");
        crate::notify::show(&title, &body);
    }
}

/// `latchkey-tray --quit`: the running tray stops as its Quit does; wait for it.
pub fn quit_running() -> ExitCode {
    let paths = match latchkey_engine::Paths::from_env() {
        Ok(paths) => paths,
        Err(e) => {
            eprintln!("latchkey-tray: {e}");
            return ExitCode::from(1);
        }
    };
    // A minute for a renewal in flight (the tray's own limit), and a little more.
    match latchkey_engine::ask_to_quit(&paths, std::time::Duration::from_secs(65)) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => {
            eprintln!("latchkey-tray: no tray is running");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("latchkey-tray: the running tray did not stop: {e}");
            ExitCode::from(1)
        }
    }
}

pub fn run() -> ExitCode {
    // Before any thread starts: SIGTERM (logout, shutdown), SIGINT and SIGHUP are waited
    // for, so a renewal in flight is stored before the process ends.
    if let Err(e) = Background::prepare() {
        eprintln!("latchkey-tray: cannot set up signals: {e}");
        return ExitCode::from(1);
    }
    let paths = match latchkey_engine::Paths::from_env() {
        Ok(paths) => paths,
        Err(e) => {
            eprintln!("latchkey-tray: {e}");
            return ExitCode::from(1);
        }
    };
    let engine = match Latchkey::with_paths(paths.clone()) {
        Ok(engine) => Arc::new(engine),
        Err(e) => {
            eprintln!("latchkey-tray: {e}");
            return ExitCode::from(1);
        }
    };
    Logging::with_file(&paths, latchkey_engine::TRAY_LOG).init();
    let redraw: Redraw = Arc::new(OnceLock::new());
    // What was there before the tray started is in the menu, not told again.
    let told = engine
        .status(None)
        .unwrap_or_default()
        .iter()
        .filter_map(|row| Some((row.name.clone(), account_change(row)?)))
        .collect();
    let events = Events {
        redraw: redraw.clone(),
        engine: Arc::downgrade(&engine),
        told_account_changes: std::sync::Mutex::new(told),
    };
    let background = match Background::start(engine.clone(), Arc::new(events)) {
        Ok(background) => Arc::new(background),
        Err(Error::AlreadyRunning(_)) => {
            eprintln!("latchkey-tray: Latchkey is already running (its tray, the app or `latchkey agent`)");
            return ExitCode::from(2);
        }
        Err(e) => {
            eprintln!("latchkey-tray: {e}");
            return ExitCode::from(1);
        }
    };
    tracing::info!(address = %background.address(), "token agent listening");
    let autostart = Autostart::for_user().ok();
    crate::model::follow_policy(&engine, autostart.as_ref());
    let tray = LatchkeyTray { engine, renewer: background.renewer().clone(), autostart };
    crate::drawing::show(tray, redraw, background)
}
