//! The tray on Linux: a StatusNotifierItem over D-Bus (ksni, pure Rust: no GTK), drawing
//! the [`crate::model`]'s view. The host reads the icon, tooltip and menu property by
//! property; they all come from one view, made once per redraw. A left click opens the
//! window. Without a tray host there is no icon, but renewal and the agent run, and the
//! icon appears when a host does.

use std::process::ExitCode;
use std::sync::Arc;

use ksni::menu::{CheckmarkItem, StandardItem, SubMenu};
use ksni::{MenuItem, Status, ToolTip};
use latchkey_engine::Background;

use crate::icon;
use crate::model::{Entry, LatchkeyTray, Redraw, View};

/// The tray and what it shows now.
pub struct Drawn {
    tray: LatchkeyTray,
    view: View,
}

/// Show the icon (when a host takes it), then wait for the end; store what is in flight.
pub fn show(tray: LatchkeyTray, redraw: Redraw, background: Arc<Background>) -> ExitCode {
    use ksni::blocking::TrayMethods;
    let view = tray.view();
    match (Drawn { tray, view }).assume_sni_available(true).spawn() {
        Ok(handle) => {
            let _ = redraw.set(Box::new(move || {
                // One status read; the host then re-reads status, icon and menu from it.
                handle.update(|drawn| drawn.view = drawn.tray.view());
            }));
            tracing::info!("tray icon registered");
        }
        Err(e) => tracing::warn!("no tray icon ({e}); tokens are still kept fresh"),
    }
    let why = background.wait();
    crate::model::stop_and_exit(background.renewer(), why)
}

impl ksni::Tray for Drawn {
    fn id(&self) -> String {
        "latchkey".into()
    }

    fn title(&self) -> String {
        "Latchkey".into()
    }

    fn status(&self) -> Status {
        if self.view.attention {
            Status::NeedsAttention
        } else {
            Status::Active
        }
    }

    fn icon_pixmap(&self) -> Vec<ksni::Icon> {
        // Hosts differ in whether they show the attention icon: change the icon itself.
        pixmap(self.view.attention)
    }

    fn attention_icon_pixmap(&self) -> Vec<ksni::Icon> {
        pixmap(true)
    }

    fn tool_tip(&self) -> ToolTip {
        ToolTip { title: self.view.tooltip.into(), ..Default::default() }
    }

    fn activate(&mut self, _x: i32, _y: i32) {
        self.tray.perform(&crate::model::Action::Open);
    }

    fn menu(&self) -> Vec<MenuItem<Self>> {
        self.view.entries.iter().cloned().map(draw).collect()
    }
}

fn draw(entry: Entry) -> MenuItem<Drawn> {
    match entry {
        Entry::Item { label: text, enabled, action } => StandardItem {
            label: label(&text),
            enabled,
            activate: Box::new(move |d: &mut Drawn| d.tray.perform(&action)),
            ..Default::default()
        }
        .into(),
        Entry::Check { label: text, enabled, checked, action } => CheckmarkItem {
            label: label(&text),
            enabled,
            checked,
            activate: Box::new(move |d: &mut Drawn| d.tray.perform(&action)),
            ..Default::default()
        }
        .into(),
        Entry::Sub { label: text, entries } => {
            SubMenu { label: label(&text), submenu: entries.into_iter().map(draw).collect(), ..Default::default() }
                .into()
        }
        Entry::Separator => MenuItem::Separator,
    }
}

/// A menu label shows `_` as a mnemonic marker; `__` is a literal underscore.
fn label(text: &str) -> String {
    text.replace('_', "__")
}

/// The icon in the ARGB32 (network byte order) form the protocol carries, so no icon
/// theme has to be installed.
fn pixmap(attention: bool) -> Vec<ksni::Icon> {
    let (rgba, width, height) = icon::rgba(attention);
    if rgba.is_empty() {
        return vec![];
    }
    let data = rgba.chunks_exact(4).flat_map(|p| [p[3], p[0], p[1], p[2]]).collect();
    vec![ksni::Icon { width: width as i32, height: height as i32, data }]
}
