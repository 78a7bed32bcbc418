//! What the desktop shells share and a headless CLI does not need: starting at login
//! (`autostart`), notifications worded for people (`notify`), and the tray's one line per
//! profile (`tray_status`). No GUI toolkit here: these are files, D-Bus calls and words.

pub mod autostart;
pub mod notify;
pub mod tray_status;
