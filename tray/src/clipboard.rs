//! "Copy token": the clipboard without GTK (arboard speaks X11 directly). On X11 the
//! owner of a copied text must stay alive to hand it over, so the clipboard is kept for
//! the life of the tray.

use std::sync::Mutex;

static CLIPBOARD: Mutex<Option<arboard::Clipboard>> = Mutex::new(None);

/// Put `text` on the clipboard.
pub fn copy(text: &str) -> Result<(), String> {
    let mut slot = CLIPBOARD.lock().unwrap_or_else(|e| e.into_inner());
    if slot.is_none() {
        *slot = Some(arboard::Clipboard::new().map_err(|e| e.to_string())?);
    }
    slot.as_mut().expect("set above").set_text(text).map_err(|e| e.to_string())
}
