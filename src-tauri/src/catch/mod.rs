//! Catchers for the redirect back from the authorization server: the in-app window,
//! `latchkey://` deep links, and a loopback listener. Pasting is a plain command.

pub mod deep_link;
pub mod loopback;
mod page_status;
pub mod window;
