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

use std::collections::HashMap;
use std::sync::Mutex;

static CLIPBOARD: Mutex<Option<arboard::Clipboard>> = Mutex::new(None);
/// What this tray put on the clipboard, by profile: a fingerprint, never the token.
static COPIED: Mutex<Option<HashMap<String, u64>>> = Mutex::new(None);

fn fingerprint(text: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut h);
    h.finish()
}

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
    COPIED
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get_or_insert_with(HashMap::new)
        .insert(profile.into(), fingerprint(text));
    Ok(())
}

/// After a store change: for each profile this tray copied a token of that is no longer
/// signed in (`signed_in` says), take the token off the clipboard if it is still there.
pub fn take_back_signed_out(signed_in: impl Fn(&str) -> bool) {
    let mut copied = COPIED.lock().unwrap_or_else(|e| e.into_inner());
    let Some(map) = copied.as_mut() else { return };
    let gone: Vec<(String, u64)> =
        map.iter().filter(|(name, _)| !signed_in(name)).map(|(n, f)| (n.clone(), *f)).collect();
    if gone.is_empty() {
        return;
    }
    let mut slot = CLIPBOARD.lock().unwrap_or_else(|e| e.into_inner());
    for (name, print) in gone {
        map.remove(&name);
        let Some(clipboard) = slot.as_mut() else { continue };
        if clipboard.get_text().is_ok_and(|now| fingerprint(&now) == print) {
            match clipboard.clear() {
                Ok(()) => tracing::info!(profile = %name, "signed out: its token is off the clipboard"),
                Err(e) => tracing::warn!(profile = %name, "cannot clear the clipboard: {e}"),
            }
        }
    }
}
