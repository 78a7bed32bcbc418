//! The tray's view-model, in one file: what the icon, the tooltip and the menu show (one
//! [`View`], from one status read per redraw), each profile's status in the window's own
//! words ([`latchkey_ipc::words::status`]), and what each entry does. Drawn by
//! [`crate::linux`] (a StatusNotifierItem over D-Bus) and [`crate::native`] (the Windows
//! notification area, the macOS menu bar), so what the tray says and does is written once.

use std::sync::{Arc, OnceLock};

use latchkey_engine::desktop::autostart::Autostart;
use latchkey_engine::Latchkey;
use latchkey_engine::Renewer;
use latchkey_ipc::words::{notify as words, status as tray_status, tray as menu};

use crate::{clipboard, desktop_app};

/// What a menu entry does when chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    SignIn(String),
    Refresh(String),
    CopyToken(String),
    Open,
    ToggleStartAtLogin,
    Quit,
}

/// One line of the menu.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    Item { label: String, enabled: bool, action: Action },
    Check { label: String, enabled: bool, checked: bool, action: Action },
    Sub { label: String, entries: Vec<Entry> },
    Separator,
}

fn item(label: &str, enabled: bool, action: Action) -> Entry {
    Entry::Item { label: label.into(), enabled, action }
}

/// How the renewal loop asks the tray to draw itself again (set once the tray exists).
pub type Redraw = Arc<OnceLock<Box<dyn Fn() + Send + Sync>>>;

pub struct LatchkeyTray {
    pub engine: Arc<Latchkey>,
    pub renewer: Renewer,
    pub autostart: Option<Autostart>,
}

/// What the tray shows now: whether a profile needs the person (the icon changes), the
/// tooltip, and the menu.
pub struct View {
    pub attention: bool,
    pub tooltip: &'static str,
    pub entries: Vec<Entry>,
}

impl LatchkeyTray {
    /// The view as it should look now, from one read of the profiles' status.
    pub fn view(&self) -> View {
        let rows = self.engine.status(None).unwrap_or_default();
        let live = self.renewer.live();
        let mut entries: Vec<Entry> = tray_status::tray_lines(&rows, Some(&live), self.engine.now())
            .into_iter()
            .map(|line| Entry::Sub {
                label: line.text.clone(),
                entries: vec![
                    item(menu::SIGN_IN_AGAIN, true, Action::SignIn(line.name.clone())),
                    item(menu::REFRESH_NOW, line.signed_in, Action::Refresh(line.name.clone())),
                    item(menu::COPY_TOKEN, line.signed_in, Action::CopyToken(line.name.clone())),
                ],
            })
            .collect();
        // Fixed by the lab's policy: shown, checked as it is, and not to be changed.
        let fixed = self.engine.lab_policy().0.start_at_login.is_some();
        entries.extend([
            Entry::Separator,
            item(menu::OPEN, true, Action::Open),
            Entry::Check {
                label: if fixed { menu::START_AT_LOGIN_FIXED.into() } else { menu::START_AT_LOGIN.into() },
                enabled: self.autostart.is_some() && !fixed,
                checked: self.autostart.as_ref().is_some_and(Autostart::is_enabled),
                action: Action::ToggleStartAtLogin,
            },
            Entry::Separator,
            item(menu::QUIT, true, Action::Quit),
        ]);
        View {
            attention: rows.iter().any(|r| r.status.needs_attention()),
            tooltip: tray_status::tooltip(&rows),
            entries,
        }
    }

    /// Do what an entry (or a click on the icon: [`Action::Open`]) asks.
    pub fn perform(&self, action: &Action) {
        match action {
            Action::SignIn(name) => desktop_app::sign_in(name),
            Action::Refresh(name) => self.renewer.renew_now(name),
            Action::CopyToken(name) => copy_token(&self.engine, name),
            Action::Open => desktop_app::open(),
            Action::ToggleStartAtLogin => {
                if self.engine.lab_policy().0.start_at_login.is_some() {
                    return tracing::info!("start at login is set by the organisation's policy; not changed");
                }
                toggle_autostart(self.autostart.as_ref())
            }
            Action::Quit => quit(self.renewer.clone(), "quit from the tray menu"),
        }
    }
}

fn copy_token(engine: &Arc<Latchkey>, name: &str) {
    // Off the menu's thread: this may read the keyring or renew.
    let (engine, name) = (engine.clone(), name.to_string());
    std::thread::spawn(move || match engine.token(&name, None) {
        Ok((tokens, _)) => match clipboard::copy(&name, tokens.access_token.expose()) {
            Ok(()) => tracing::info!(profile = %name, "token copied"),
            Err(e) => tracing::warn!(profile = %name, "cannot copy the token: {e}"),
        },
        Err(e) => {
            tracing::warn!(profile = %name, "cannot copy a token: {e}");
            let (title, body) = words::no_token_to_copy(&name, &e);
            crate::notify::show(&title, &body);
        }
    });
}

/// Where the lab's policy fixes start at login, make this user's entry say so (at each
/// start of the tray, as the app does at its own).
pub fn follow_policy(engine: &Latchkey, autostart: Option<&Autostart>) {
    let (Some(wanted), Some(autostart)) = (engine.lab_policy().0.start_at_login, autostart) else { return };
    if autostart.is_enabled() != wanted {
        toggle_autostart(Some(autostart));
    }
}

fn toggle_autostart(autostart: Option<&Autostart>) {
    let Some(autostart) = autostart else { return };
    let result = match (autostart.is_enabled(), std::env::current_exe()) {
        (true, _) => autostart.disable(),
        (false, Ok(me)) => autostart.enable(&me),
        (false, Err(e)) => return tracing::warn!("cannot find this program to start at login: {e}"),
    };
    match result {
        Ok(()) => tracing::info!(enabled = autostart.is_enabled(), "start at login changed"),
        Err(e) => tracing::warn!("cannot change start at login: {e}"),
    }
}

/// Quit, after any renewal in flight has been stored (see [`Renewer::stop`]).
pub fn quit(renewer: Renewer, why: &'static str) {
    std::thread::spawn(move || stop_and_exit(&renewer, why));
}

/// Store what is in flight, then end the process.
pub fn stop_and_exit(renewer: &Renewer, why: &str) -> ! {
    if !renewer.stop(std::time::Duration::from_secs(60)) {
        tracing::warn!("a renewal is still running after a minute; stopping anyway");
    }
    tracing::info!("{why}: stopped");
    std::process::exit(0);
}
