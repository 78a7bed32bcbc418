//! What the desktop shells share and a headless CLI does not need: starting at login
//! (`autostart`), notifications worded for people (`notify`), and a profile's status in
//! a person's words for the window and the tray menu alike (`status`). No GUI toolkit
//! here: these are files, D-Bus calls and words.

pub mod autostart;
pub mod notify;
pub mod status;
