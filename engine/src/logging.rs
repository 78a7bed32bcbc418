//! The one logging setup of every Latchkey process: the CLI, the tray and the desktop app.
//!
//! Logs go to stderr, coloured only when stderr is a terminal (never in the journal or a
//! script's log file), and — for the processes that run without a terminal — to a file of
//! their own in the state dir's `logs/`. `LATCHKEY_LOG` takes `tracing` filter directives
//! (`LATCHKEY_LOG=latchkey_engine::renewal=debug`); without it the process's own level
//! holds. Nothing secret is ever passed to a log call; URLs are logged without their query.

use std::path::PathBuf;
use std::sync::Mutex;

use tracing::level_filters::LevelFilter;
use tracing_subscriber::{fmt, prelude::*, EnvFilter};

use crate::store::paths::Paths;

/// The desktop app's log file, in the state dir's `logs/` (its About page shows the end).
pub const DESKTOP_LOG: &str = "latchkey-desktop.log";
/// The tray's log file, beside the app's.
pub const TRAY_LOG: &str = "latchkey-tray.log";

/// Where a process logs, and how much.
#[derive(Debug, Clone)]
pub struct Logging {
    level: LevelFilter,
    file: Option<PathBuf>,
}

impl Logging {
    /// Stderr only, at `level` (the CLI: warnings unless `-v`).
    pub fn stderr(level: LevelFilter) -> Self {
        Logging { level, file: None }
    }

    /// Stderr and `logs/NAME` in the state dir, at info (the tray, the desktop app).
    pub fn with_file(paths: &Paths, name: &str) -> Self {
        Logging { level: LevelFilter::INFO, file: Some(paths.log_dir().join(name)) }
    }

    /// Install it as the process's subscriber. A log file that cannot be opened is
    /// skipped (the process still runs and logs to stderr); a second call does nothing.
    pub fn init(self) {
        // try_init also hands the `log` records of the libraries (tao, wry) to tracing.
        let _ = self.subscriber().try_init();
    }

    fn subscriber(self) -> impl tracing::Subscriber + Send + Sync + 'static {
        // Parsing filter directives is a visible share of `latchkey token`'s time, so the
        // usual case (no LATCHKEY_LOG) takes the plain level.
        let (level, directives) = match std::env::var("LATCHKEY_LOG") {
            Ok(text) => {
                let parsed = EnvFilter::try_new(&text).unwrap_or_else(|_| EnvFilter::new(self.level.to_string()));
                (LevelFilter::TRACE, Some(parsed))
            }
            Err(_) => (self.level, None),
        };
        let file = self.file.and_then(|path| {
            crate::store::paths::private_dir(path.parent()?).ok()?;
            crate::store::paths::private_file().create(true).append(true).open(path).ok()
        });
        let stderr =
            fmt::layer().with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr())).with_writer(std::io::stderr);
        let file_layer = file.map(|f| fmt::layer().with_ansi(false).with_writer(Mutex::new(f)));
        tracing_subscriber::registry().with(level).with(directives).with(stderr).with(file_layer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_process_with_a_file_logs_into_the_state_dirs_logs_and_stays_quiet_below_its_level() {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths::in_dir(dir.path().to_path_buf());
        tracing::subscriber::with_default(Logging::with_file(&paths, TRAY_LOG).subscriber(), || {
            tracing::info!("renewal loop started");
            tracing::debug!("a detail below the level");
        });
        let text = std::fs::read_to_string(paths.log_dir().join(TRAY_LOG)).unwrap();
        assert!(text.contains("renewal loop started"), "{text}");
        assert!(!text.contains("a detail below the level"), "{text}");
        assert!(!text.contains('\u{1b}'), "no colours in a file: {text}");
    }
}
