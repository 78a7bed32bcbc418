//! What the desktop shells share, and the CLI where a browser is at hand: starting at
//! login (`autostart`), showing a notification (`notify`), opening a sign-in page
//! (`browser`), taking a copied token back off the clipboard (`copied`), whether a program sits where only this user can change it
//! (`program_place`), and whether a profile needs the person. No GUI toolkit here, and no
//! words: these are files, D-Bus calls and data (the desktop's words are latchkey-ipc's
//! `words`).

pub mod autostart;
pub mod browser;
pub mod copied;
pub mod notify;
pub mod program_place;
pub mod scheme;

use crate::front_door::ProfileStatus;
use crate::store::Status;

/// Whether any of these profiles needs the person (sign in again, give the client again)
/// or keeps failing: the tray's icon changes.
pub fn needs_attention(rows: &[ProfileStatus]) -> bool {
    rows.iter().any(|r| matches!(r.status, Status::NeedsSignIn | Status::NeedsClient | Status::Failing))
}
