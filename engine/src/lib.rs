//! Latchkey's engine: OAuth 2 profiles, flows, the token store and renewal.
//!
//! This crate knows nothing of Tauri or any GUI toolkit, so the `latchkey` CLI runs on
//! a headless server and the desktop app (`src-tauri/`) is a thin shell over the same
//! functions. Both shells share one store: a token fetched by one is seen by the other.
//!
//! ```no_run
//! use latchkey_engine::{store::paths::Paths, Config};
//! let paths = Paths::from_env()?;
//! let config = Config::load(&paths)?;
//! for profile in config.profiles() {
//!     println!("{} -> {}", profile.name, profile.server.describe());
//! }
//! # Ok::<(), latchkey_engine::Error>(())
//! ```

pub mod agent;
pub mod clock;
pub mod desktop;
pub mod error;
pub mod front_door;
pub mod logging;
pub mod oauth;
pub mod ocarina;
pub mod preset;
pub mod profile;
pub mod renewal;
pub mod store;
#[cfg(windows)]
mod windows_user;

pub use error::{Error, ErrorCode, Result};
pub use front_door::Latchkey;
pub use profile::Profile;
pub use store::config::Config;
