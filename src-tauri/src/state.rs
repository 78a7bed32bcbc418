//! What the app keeps for its whole life, managed by Tauri.

use latchkey::paths::Paths;

use crate::environment::Environment;

pub struct AppState {
    pub paths: Paths,
    pub environment: Environment,
}

impl AppState {
    pub fn new(paths: Paths, environment: Environment) -> Self {
        Self { paths, environment }
    }
}
