//! The tray on Linux: a StatusNotifierItem over D-Bus (ksni, pure Rust: no GTK), drawing
//! the menu of [`crate::model`]. A left click opens the window.

use ksni::menu::{CheckmarkItem, StandardItem, SubMenu};
use ksni::{MenuItem, Status, ToolTip};

use crate::icon;
use crate::model::{Entry, LatchkeyTray};

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
        pixmap(self.attention())
    }

    fn attention_icon_pixmap(&self) -> Vec<ksni::Icon> {
        pixmap(true)
    }

    fn tool_tip(&self) -> ToolTip {
        ToolTip { title: self.tooltip().into(), ..Default::default() }
    }

    fn activate(&mut self, _x: i32, _y: i32) {
        self.perform(&crate::model::Action::Open);
    }

    fn menu(&self) -> Vec<MenuItem<Self>> {
        LatchkeyTray::menu(self).into_iter().map(draw).collect()
    }
}

fn draw(entry: Entry) -> MenuItem<LatchkeyTray> {
    match entry {
        Entry::Item { label: text, enabled, action } => StandardItem {
            label: label(&text),
            enabled,
            activate: Box::new(move |t: &mut LatchkeyTray| t.perform(&action)),
            ..Default::default()
        }
        .into(),
        Entry::Check { label: text, enabled, checked, action } => CheckmarkItem {
            label: label(&text),
            enabled,
            checked,
            activate: Box::new(move |t: &mut LatchkeyTray| t.perform(&action)),
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
