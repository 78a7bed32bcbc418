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

#[cfg(unix)]
pub mod agent;
pub mod autostart;
pub mod callback;
pub mod client;
pub mod clock;
pub mod config;
pub mod discovery;
pub mod engine;
pub mod error;
pub mod flow;
pub mod http;
pub mod lock;
pub mod loopback;
pub mod notify;
pub mod ocarina;
pub mod paths;
pub mod preset;
pub mod probe;
pub mod profile;
pub mod refresh;
pub mod registration;
pub mod renewal;
pub mod renewer;
pub mod secret;
#[cfg(target_os = "linux")]
pub mod shutdown;
pub mod store;
pub mod tray_status;
pub mod wakeup;

pub use config::Config;
pub use engine::Latchkey;
pub use error::{Error, ErrorCode, Result};
pub use profile::Profile;
