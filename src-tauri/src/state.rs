//! What the app keeps for its whole life, managed by Tauri.

use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use latchkey_engine::Latchkey;
use latchkey_engine::Paths;

use crate::environment::Environment;
use crate::error::IpcResult;

pub struct AppState {
    /// The engine; its pending flows live here, so every catcher finds them.
    pub engine: Arc<Latchkey>,
    /// Where the engine keeps its files (the app opened them; logs, the sign-in
    /// windows' browser data and the store watcher need the directories).
    pub paths: Paths,
    pub environment: Environment,
    /// Warnings about links that arrived before the window could listen (cold start).
    pub link_warnings: LinkWarnings,
    /// The latest "add our server" link that arrived before the window could listen (a
    /// later one replaces it: the page shows one at a time).
    pub add_offer: Mutex<Option<latchkey_ipc::models::AddServerOffer>>,
    /// When the process started, and whether the first window has reported ready.
    pub started: Instant,
    pub first_ready: AtomicBool,
    /// The tokens "Copy token" put on the clipboard (the engine's rule): signing out
    /// clears the clipboard if it still holds the profile's.
    pub copied: latchkey_engine::desktop::copied::CopiedTokens,
}

/// Warnings kept for a window that is not listening yet. Each is kept once, however
/// often it comes: anyone can send `latchkey://` links, as many as they like, so the
/// list may not grow with them.
#[derive(Default)]
pub struct LinkWarnings(Mutex<Vec<String>>);

impl LinkWarnings {
    pub fn keep(&self, warning: &str) {
        let mut kept = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if !kept.iter().any(|w| w == warning) {
            kept.push(warning.to_string());
        }
    }

    /// The warnings kept so far, handed over once.
    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

impl AppState {
    pub fn new(engine: Latchkey, paths: Paths, environment: Environment) -> Self {
        Self {
            engine: Arc::new(engine),
            paths,
            environment,
            link_warnings: LinkWarnings::default(),
            add_offer: Mutex::new(None),
            started: Instant::now(),
            first_ready: AtomicBool::new(false),
            copied: Default::default(),
        }
    }

    /// Run a blocking engine call off the async runtime (the engine does network and
    /// keyring I/O).
    pub async fn run<T, F>(&self, f: F) -> IpcResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Latchkey) -> latchkey_engine::Result<T> + Send + 'static,
    {
        let engine = self.engine.clone();
        tauri::async_runtime::spawn_blocking(move || f(&engine))
            .await
            .map_err(|e| crate::error::IpcError::internal(e.to_string()))?
            .map_err(Into::into)
    }
}

#[cfg(test)]
mod tests {
    use super::LinkWarnings;

    #[test]
    fn a_warning_that_comes_again_and_again_is_kept_once() {
        let kept = LinkWarnings::default();
        for _ in 0..10_000 {
            kept.keep("A sign-in link arrived that matches no sign-in in progress.");
        }
        kept.keep("another");
        assert_eq!(kept.take().len(), 2);
        assert!(kept.take().is_empty(), "handed over once");
    }
}
