//! Stopping the long-running processes (`latchkey agent`, latchkey-tray) safely.
//!
//! Why: on a server that rotates refresh tokens with no grace (Majora), a process killed
//! between the server's answer and the keyring write loses the only live refresh token.
//! Logout, shutdown and `systemctl --user stop` all send SIGTERM (a terminal SIGINT or
//! SIGHUP), whose default action is exactly such a kill. So these processes block the
//! three signals before starting any thread (every thread inherits the mask), and the
//! main thread waits for one with `sigwait` — which holds only where no library starts a
//! thread before `main`; the desktop app loads one that does and uses handlers instead
//! ([`super::deferral`]); then [`crate::renewal::worker::Renewer::stop`]
//! lets a renewal in flight be stored, refuses new ones, and the process exits.
//!
//! On Windows the same moments are console control events (Ctrl-C, Ctrl-Break, the
//! console closed, logoff, shutdown). The handler passes the event to the waiting main
//! thread; for the last three Windows ends the process as soon as the handler returns, so
//! the handler never returns: the main thread stores what is in flight and exits the
//! process itself (within the few seconds Windows allows). The tray, which has no
//! console, gets logoff and shutdown as window messages instead (tray/src/native.rs).

/// Block the termination signals in this thread and every thread it starts from now on
/// (Windows: install the console handler). Call first thing in `main`, before any thread.
pub(crate) fn block_termination_signals() -> std::io::Result<()> {
    imp::block()
}

/// Wait until one of them arrives; returns its name.
pub(crate) fn wait_for_termination() -> &'static str {
    imp::wait()
}

#[cfg(unix)]
mod imp {
    use nix::sys::signal::{SigSet, Signal};

    /// The signals that end a session or a service.
    fn termination() -> SigSet {
        let mut set = SigSet::empty();
        for signal in [Signal::SIGTERM, Signal::SIGINT, Signal::SIGHUP] {
            set.add(signal);
        }
        set
    }

    pub(super) fn block() -> std::io::Result<()> {
        termination().thread_block().map_err(std::io::Error::from)
    }

    pub(super) fn wait() -> &'static str {
        match termination().wait() {
            Ok(signal) => signal.as_str(),
            Err(_) => "an error waiting for signals",
        }
    }
}

#[cfg(windows)]
mod imp {
    use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
    use std::sync::{Mutex, OnceLock};

    use windows_sys::Win32::System::Console::{
        SetConsoleCtrlHandler, CTRL_BREAK_EVENT, CTRL_CLOSE_EVENT, CTRL_C_EVENT, CTRL_LOGOFF_EVENT, CTRL_SHUTDOWN_EVENT,
    };

    static EVENTS: OnceLock<(SyncSender<&'static str>, Mutex<Receiver<&'static str>>)> = OnceLock::new();

    fn events() -> &'static (SyncSender<&'static str>, Mutex<Receiver<&'static str>>) {
        EVENTS.get_or_init(|| {
            let (tx, rx) = sync_channel(8);
            (tx, Mutex::new(rx))
        })
    }

    extern "system" fn handler(event: u32) -> i32 {
        let name = match event {
            CTRL_C_EVENT => "Ctrl-C",
            CTRL_BREAK_EVENT => "Ctrl-Break",
            CTRL_CLOSE_EVENT => "the console closed",
            CTRL_LOGOFF_EVENT => "logoff",
            CTRL_SHUTDOWN_EVENT => "shutdown",
            _ => return 0,
        };
        let _ = events().0.try_send(name);
        if matches!(event, CTRL_CLOSE_EVENT | CTRL_LOGOFF_EVENT | CTRL_SHUTDOWN_EVENT) {
            // Returning would end the process now; the main thread exits it once the
            // renewal in flight is stored.
            loop {
                std::thread::park();
            }
        }
        1
    }

    #[allow(unsafe_code)] // registering a handler that is a plain function
    pub fn block() -> std::io::Result<()> {
        events();
        // SAFETY: `handler` is an `extern "system"` function living for the program.
        if unsafe { SetConsoleCtrlHandler(Some(handler), 1) } == 0 {
            return Err(std::io::Error::last_os_error());
        }
        Ok(())
    }

    pub fn wait() -> &'static str {
        events().1.lock().map(|rx| rx.recv().unwrap_or("an error waiting for events")).unwrap_or("a poisoned lock")
    }
}
