//! The token agent runs in the tray process: `latchkey token` asks it over a user-only
//! socket instead of opening a Secret Service session of its own (see the engine's
//! `agent` module for why that is fast and can never hand out replaced tokens).

use latchkey::agent::Agent;
use latchkey::paths::Paths;

/// Serve the agent socket on a thread of its own; without it the CLI reads the keyring.
pub fn start(paths: &Paths) {
    match Agent::bind(paths) {
        Ok(agent) => {
            tracing::info!(socket = %agent.path().display(), "token agent listening");
            if let Err(e) = agent.serve_in_background() {
                tracing::warn!("token agent is off: cannot start its thread ({e})");
            }
        }
        Err(e) => tracing::warn!("token agent is off: {e}; `latchkey token` reads the keyring itself"),
    }
}
