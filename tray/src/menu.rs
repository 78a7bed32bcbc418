//! The tray item and its menu: one submenu per profile with its status and actions, then
//! Open / Start at login / Quit — each status in the window's own words
//! ([`latchkey::desktop::status`]). A left click opens the window.

use std::sync::Arc;

use ksni::menu::{CheckmarkItem, StandardItem, SubMenu};
use ksni::{MenuItem, Status, ToolTip};
use latchkey::desktop::autostart::Autostart;
use latchkey::desktop::status as tray_status;
use latchkey::renewal::worker::Renewer;
use latchkey::Latchkey;

use crate::{clipboard, desktop_app, icon};

pub struct LatchkeyTray {
    pub engine: Arc<Latchkey>,
    pub renewer: Renewer,
    pub autostart: Option<Autostart>,
}

impl LatchkeyTray {
    fn attention(&self) -> bool {
        tray_status::needs_attention(&self.engine)
    }
}

impl ksni::Tray for LatchkeyTray {
    fn id(&self) -> String {
        "latchkey".into()
    }

    fn title(&self) -> String {
        "Latchkey".into()
    }

    fn status(&self) -> Status {
        if self.attention() {
            Status::NeedsAttention
        } else {
            Status::Active
        }
    }

    fn icon_pixmap(&self) -> Vec<ksni::Icon> {
        // Hosts differ in whether they show the attention icon: change the icon itself.
        if self.attention() {
            icon::attention()
        } else {
            icon::normal()
        }
    }

    fn attention_icon_pixmap(&self) -> Vec<ksni::Icon> {
        icon::attention()
    }

    fn tool_tip(&self) -> ToolTip {
        ToolTip { title: tray_status::tooltip(self.attention()).into(), ..Default::default() }
    }

    fn activate(&mut self, _x: i32, _y: i32) {
        desktop_app::open();
    }

    fn menu(&self) -> Vec<MenuItem<Self>> {
        let live = self.renewer.live();
        let mut items: Vec<MenuItem<Self>> = tray_status::tray_lines(&self.engine, Some(&live))
            .into_iter()
            .map(|line| {
                let (sign_in, refresh, copy) = (line.name.clone(), line.name.clone(), line.name.clone());
                SubMenu {
                    label: label(&line.text),
                    submenu: vec![
                        item("Sign in again", true, move |_| desktop_app::sign_in(&sign_in)),
                        item("Refresh now", line.signed_in, move |t: &mut Self| t.renewer.renew_now(&refresh)),
                        item("Copy token", line.signed_in, move |t: &mut Self| copy_token(&t.engine, &copy)),
                    ],
                    ..Default::default()
                }
                .into()
            })
            .collect();
        items.extend([
            MenuItem::Separator,
            item("Open Latchkey", true, |_| desktop_app::open()),
            CheckmarkItem {
                label: "Start at login".into(),
                enabled: self.autostart.is_some(),
                checked: self.autostart.as_ref().is_some_and(Autostart::is_enabled),
                activate: Box::new(|t: &mut Self| toggle_autostart(t.autostart.as_ref())),
                ..Default::default()
            }
            .into(),
            MenuItem::Separator,
            item("Quit", true, |t: &mut Self| quit(t.renewer.clone())),
        ]);
        items
    }
}

fn item(text: &str, enabled: bool, activate: impl Fn(&mut LatchkeyTray) + Send + 'static) -> MenuItem<LatchkeyTray> {
    StandardItem { label: text.into(), enabled, activate: Box::new(activate), ..Default::default() }.into()
}

/// A menu label shows `_` as a mnemonic marker; `__` is a literal underscore.
fn label(text: &str) -> String {
    text.replace('_', "__")
}

fn copy_token(engine: &Arc<Latchkey>, name: &str) {
    // Off the D-Bus thread: this may read the keyring or renew.
    let (engine, name) = (engine.clone(), name.to_string());
    std::thread::spawn(move || match engine.token(&name, None) {
        Ok((tokens, _)) => match clipboard::copy(tokens.access_token.expose()) {
            Ok(()) => tracing::info!(profile = %name, "token copied"),
            Err(e) => tracing::warn!(profile = %name, "cannot copy the token: {e}"),
        },
        Err(e) => {
            tracing::warn!(profile = %name, "cannot copy a token: {e}");
            latchkey::desktop::notify::show("Latchkey", &format!("No token to copy for {name}: {e}"));
        }
    });
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
fn quit(renewer: Renewer) {
    std::thread::spawn(move || {
        if !renewer.stop(std::time::Duration::from_secs(60)) {
            tracing::warn!("a renewal is still running after a minute; quitting anyway");
        }
        tracing::info!("quit from the tray menu");
        std::process::exit(0);
    });
}
