//! What the desktop shells share, and the CLI where a browser is at hand: starting at
//! login (`autostart`), showing a notification (`notify`), opening a sign-in page
//! (`browser`), taking a copied token back off the clipboard (`copied`), whether a program sits where only this user can change it
//! (`program_place`), and where the in-app sign-in window keeps its browser data
//! (`sign_in_data`). No GUI toolkit here, and no
//! words: these are files, D-Bus calls and data (the desktop's words are latchkey-ipc's
//! `words`).

pub mod autostart;
pub mod browser;
pub mod copied;
pub mod notify;
pub mod program_place;
pub mod scheme;
pub mod sign_in_data;
