//! Logs go to stderr and to `latchkey-desktop.log` in the state dir's `logs/`.
//! Nothing secret is ever passed to a log call; URLs are logged without their query.

use std::sync::Mutex;

use tracing_subscriber::{fmt, prelude::*, EnvFilter};

pub fn init(paths: &latchkey::store::paths::Paths) {
    let filter = || EnvFilter::try_from_env("LATCHKEY_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let dir = paths.log_dir();
    let file = std::fs::create_dir_all(&dir)
        .and_then(|_| std::fs::OpenOptions::new().create(true).append(true).open(dir.join("latchkey-desktop.log")));
    let file_layer = file.ok().map(|f| fmt::layer().with_ansi(false).with_writer(Mutex::new(f)).with_filter(filter()));
    tracing_subscriber::registry()
        // Colours only for a terminal, never in the journal or a redirected log.
        .with(
            fmt::layer()
                .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
                .with_writer(std::io::stderr)
                .with_filter(filter()),
        )
        .with(file_layer)
        .init();
}
