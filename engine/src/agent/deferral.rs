//! Deferring an exit until what the server rotated to is stored, in processes that renew
//! now and then (`latchkey token`, `refresh`, `exec`, the desktop app) rather than all
//! day (`latchkey agent` and latchkey-tray wait for their signals in [`super::shutdown`]).
//!
//! Why: a Ctrl-C on a script, a closed window or a logout arriving between a rotating
//! server's answer and the keyring write would kill the process with only dead tokens
//! left. So such a process calls [`install`] first thing, and every renewal holds a
//! [`Deferral`] from its request to its keyring write: a termination signal (or console
//! event) arriving outside one ends the process at once, as it always did; one arriving
//! inside waits for the deferral to end, then ends the process the same way.
//!
//! Unix: SIGTERM, SIGINT and SIGHUP are blocked in the calling thread before any other
//! thread starts (so every thread inherits the block) and one thread waits for them with
//! `sigwait`; ending the process is re-raising the signal with its default action, so
//! the exit status is the signal's, as a shell expects. Windows: a console control
//! handler that, inside a deferral, waits for it to end before letting the event take
//! its default course (for a closed console or a logoff Windows allows about five
//! seconds, which a renewal's answer and keyring write fit in).

use std::sync::atomic::{AtomicI32, AtomicUsize, Ordering};

/// Renewals holding a deferral now.
static ACTIVE: AtomicUsize = AtomicUsize::new(0);
/// A signal that arrived during a deferral (0: none).
static PENDING: AtomicI32 = AtomicI32::new(0);

/// Held from a renewal's request to its keyring write.
#[must_use = "the exit is deferred only while the guard lives"]
pub struct Deferral(());

/// Defer termination until the returned guard is dropped (a no-op where [`install`] was
/// not called: the process then ends as it would have).
pub fn defer() -> Deferral {
    ACTIVE.fetch_add(1, Ordering::SeqCst);
    Deferral(())
}

impl Drop for Deferral {
    fn drop(&mut self) {
        if ACTIVE.fetch_sub(1, Ordering::SeqCst) == 1 {
            let signal = PENDING.swap(0, Ordering::SeqCst);
            if signal != 0 {
                imp::end(signal);
            }
        }
    }
}

/// Wait until no deferral is held (at most `limit`): for a process about to exit of its
/// own accord (the desktop app's last window closed). `false` if one still is.
pub fn wait_idle(limit: std::time::Duration) -> bool {
    let deadline = std::time::Instant::now() + limit;
    while ACTIVE.load(Ordering::SeqCst) > 0 {
        if std::time::Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    true
}

/// Take over the termination signals for the deferrals. Call first thing in `main`,
/// before any thread starts.
pub fn install() -> std::io::Result<()> {
    imp::install()
}

/// A signal came: end now, or when the last deferral ends.
#[cfg(unix)]
fn arrived(signal: i32) {
    if ACTIVE.load(Ordering::SeqCst) == 0 {
        imp::end(signal);
    }
    PENDING.store(signal, Ordering::SeqCst);
    // The last deferral may have ended between the two lines above.
    if ACTIVE.load(Ordering::SeqCst) == 0 && PENDING.swap(0, Ordering::SeqCst) != 0 {
        imp::end(signal);
    }
}

#[cfg(unix)]
mod imp {
    use nix::sys::signal::{self, SigHandler, SigSet, Signal};

    use crate::agent::shutdown::imp::termination;

    pub fn install() -> std::io::Result<()> {
        termination().thread_block().map_err(std::io::Error::from)?;
        std::thread::Builder::new().name("signals".into()).spawn(|| loop {
            if let Ok(s) = termination().wait() {
                super::arrived(s as i32);
            }
        })?;
        Ok(())
    }

    /// End the process as the signal's default action would.
    #[allow(unsafe_code)] // resetting a signal's disposition to the default
    pub fn end(number: i32) {
        let Ok(s) = Signal::try_from(number) else { std::process::exit(128 + number) };
        // SAFETY: SIG_DFL installs no handler code.
        let _ = unsafe { signal::signal(s, SigHandler::SigDfl) };
        let mut only = SigSet::empty();
        only.add(s);
        let _ = only.thread_unblock();
        let _ = signal::raise(s);
        std::process::exit(128 + number);
    }
}

#[cfg(windows)]
mod imp {
    use std::sync::atomic::Ordering;
    use std::time::{Duration, Instant};

    use windows_sys::Win32::System::Console::SetConsoleCtrlHandler;

    /// Inside a deferral, wait for it to end (at most 4.5 s), then let the event take its
    /// default course (the process ends).
    extern "system" fn handler(_event: u32) -> i32 {
        let deadline = Instant::now() + Duration::from_millis(4500);
        while super::ACTIVE.load(Ordering::SeqCst) > 0 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        0
    }

    #[allow(unsafe_code)] // registering a handler that is a plain function
    pub fn install() -> std::io::Result<()> {
        // SAFETY: `handler` is an `extern "system"` function living for the program.
        if unsafe { SetConsoleCtrlHandler(Some(handler), 1) } == 0 {
            return Err(std::io::Error::last_os_error());
        }
        Ok(())
    }

    pub fn end(number: i32) {
        std::process::exit(128 + number);
    }
}
