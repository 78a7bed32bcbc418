//! Latchkey's engine: OAuth 2 profiles, flows, the token store and renewal.
//!
//! This crate knows nothing of Tauri or any GUI toolkit, so the `latchkey` CLI runs on
//! a headless server and the desktop app (`src-tauri/`) is a thin shell over the same
//! functions. Both shells share one store: a token fetched by one is seen by the other.
//!
//! ```no_run
//! use latchkey::{Config, paths::Paths};
//! let paths = Paths::from_env()?;
//! let config = Config::load(&paths)?;
//! for profile in config.profiles() {
//!     println!("{} -> {}", profile.name, profile.server.describe());
//! }
//! # Ok::<(), latchkey::Error>(())
//! ```

pub mod callback;
pub mod config;
pub mod error;
pub mod paths;
pub mod profile;
pub mod secret;

pub use config::Config;
pub use error::{Error, Result};
pub use profile::Profile;
