//! "Copy token": the clipboard without GTK (arboard speaks X11 directly). On X11 the
//! owner of a copied text must stay alive to hand it over, so the clipboard is kept for
//! the life of the tray.
//!
//! A token is a credential: it is marked for clipboard managers to keep out of their
//! history (Linux: the `x-kde-passwordManagerHint` type; Windows: excluded from
//! monitoring, so from history and the cloud clipboard; macOS: nspasteboard.org's
//! concealed type), as the app's Copy token is, and when its profile is signed out or
//! removed, a token this tray copied and still on the clipboard is taken off it, as the
//! desktop app does.

use std::sync::Mutex;

use latchkey_engine::desktop::copied::{Clipboard, CopiedTokens};

static CLIPBOARD: Mutex<Option<arboard::Clipboard>> = Mutex::new(None);
/// What this tray put on the clipboard (the engine's rule for taking it back).
static COPIED: std::sync::LazyLock<CopiedTokens> = std::sync::LazyLock::new(CopiedTokens::default);

/// Put `profile`'s token `text` on the clipboard.
pub fn copy(profile: &str, text: &str) -> Result<(), String> {
    let mut slot = CLIPBOARD.lock().unwrap_or_else(|e| e.into_inner());
    if slot.is_none() {
        *slot = Some(arboard::Clipboard::new().map_err(|e| e.to_string())?);
    }
    let set = slot.as_mut().expect("set above").set();
    #[cfg(target_os = "linux")]
    let set = arboard::SetExtLinux::exclude_from_history(set);
    #[cfg(target_os = "macos")]
    let set = arboard::SetExtApple::exclude_from_history(set);
    #[cfg(windows)]
    let set = arboard::SetExtWindows::exclude_from_monitoring(set);
    set.text(text).map_err(|e| e.to_string())?;
    COPIED.copied(profile, text);
    Ok(())
}

/// The tray's clipboard, as the engine's rule sees it.
struct Ours<'a>(std::cell::RefCell<&'a mut arboard::Clipboard>);

impl Clipboard for Ours<'_> {
    fn text(&self) -> Option<String> {
        self.0.borrow_mut().get_text().ok()
    }
    fn clear(&self) -> Result<(), String> {
        self.0.borrow_mut().clear().map_err(|e| e.to_string())
    }
}

/// After a store change: for each profile this tray copied a token of that is no longer
/// signed in (`signed_in` says), take the token off the clipboard if it is still there.
pub fn take_back_signed_out(signed_in: impl Fn(&str) -> bool) {
    let mut slot = CLIPBOARD.lock().unwrap_or_else(|e| e.into_inner());
    let Some(clipboard) = slot.as_mut() else { return }; // nothing was ever copied
    COPIED.take_back(signed_in, &Ours(std::cell::RefCell::new(clipboard)));
}
