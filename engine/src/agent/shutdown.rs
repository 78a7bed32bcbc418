//! Stopping the long-running processes (`latchkey agent`, latchkey-tray) safely.
//!
//! Why: on a server that rotates refresh tokens with no grace (Majora), a process killed
//! between the server's answer and the keyring write loses the only live refresh token.
//! Logout, shutdown and `systemctl --user stop` all send SIGTERM (a terminal SIGINT or
//! SIGHUP), whose default action is exactly such a kill. So these processes block the
//! three signals before starting any thread (every thread inherits the mask), and the
//! main thread waits for one with `sigwait`; then [`crate::renewal::worker::Renewer::stop`]
//! lets a renewal in flight be stored, refuses new ones, and the process exits.

use nix::sys::signal::{SigSet, Signal};

/// The signals that end a session or a service.
fn termination() -> SigSet {
    let mut set = SigSet::empty();
    for signal in [Signal::SIGTERM, Signal::SIGINT, Signal::SIGHUP] {
        set.add(signal);
    }
    set
}

/// Block SIGTERM, SIGINT and SIGHUP in this thread and every thread it starts from now
/// on. Call first thing in `main`, before any thread exists.
pub fn block_termination_signals() -> std::io::Result<()> {
    termination().thread_block().map_err(std::io::Error::from)
}

/// Wait until one of them arrives; returns its name.
pub fn wait_for_termination() -> &'static str {
    match termination().wait() {
        Ok(signal) => signal.as_str(),
        Err(_) => "an error waiting for signals",
    }
}
