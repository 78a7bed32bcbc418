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
//! Unix: SIGTERM, SIGINT and SIGHUP get handlers (signal-hook) that hand them to one
//! thread; ending the process is restoring the signal's default action and raising it,
//! so the exit status is the signal's, as a shell expects. Handlers, not a blocked mask
//! and `sigwait` (as the agent and the tray do): a mask covers only threads started after
//! it, and a library may start threads before `main` — WebKitGTK's JavaScriptCore does,
//! with every signal open, so in the desktop app a SIGTERM landed on that thread and
//! took its default action mid-renewal (found by
//! `journeys.rs` `a_sigterm_to_the_app_mid_refresh_waits_until_the_rotated_tokens_are_stored`).
//! A handler runs whichever thread a signal reaches. Windows: a console control
//! handler that, inside a deferral, waits for it to end before letting the event take
//! its default course (for a closed console or a logoff Windows allows about five
//! seconds, which a renewal's answer and keyring write fit in).

use std::sync::atomic::{AtomicI32, AtomicU32, AtomicUsize, Ordering};

/// Renewals holding a deferral now.
static ACTIVE: AtomicUsize = AtomicUsize::new(0);
/// A signal that arrived during a deferral (0: none).
static PENDING: AtomicI32 = AtomicI32::new(0);
/// A child the termination signals go to instead (`latchkey exec --token-file`: the job
/// decides when it ends, and this process ends with it). 0: none; [`STARTING`]: a child
/// is being started, and a signal waits in [`EARLY`] for its pid.
static FORWARD_TO: AtomicU32 = AtomicU32::new(0);
const STARTING: u32 = u32::MAX;
/// A signal that came while the child was starting (0: none).
static EARLY: AtomicI32 = AtomicI32::new(0);

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

/// Take over the termination signals for the deferrals. Call first thing in `main`.
pub fn install() -> std::io::Result<()> {
    imp::install()
}

/// Start `command` and hand it SIGINT, SIGTERM and SIGHUP from then on (Windows: leave
/// it the console's events) instead of ending this process: a parent that stays for its
/// child (`latchkey exec --token-file`) ends when the child does, with its status. A
/// signal that comes while the child starts is handed to it as soon as it has a pid (the
/// child may already be talking to someone who sends it).
pub fn spawn_forwarding(command: &mut std::process::Command) -> std::io::Result<std::process::Child> {
    FORWARD_TO.store(STARTING, Ordering::SeqCst);
    match command.spawn() {
        Ok(child) => {
            FORWARD_TO.store(child.id(), Ordering::SeqCst);
            deliver_early(child.id());
            Ok(child)
        }
        Err(e) => {
            FORWARD_TO.store(0, Ordering::SeqCst);
            let signal = EARLY.swap(0, Ordering::SeqCst);
            if signal != 0 {
                imp::end(signal);
            }
            Err(e)
        }
    }
}

/// The child has ended: signals end this process again, as before (a late one never
/// reaches a process that has taken the child's pid since).
pub fn stop_forwarding() {
    FORWARD_TO.store(0, Ordering::SeqCst);
}

/// Hand the child a signal that came before its pid was known (whoever swaps it out first
/// delivers it: this, or the handler that stored it).
fn deliver_early(pid: u32) {
    let signal = EARLY.swap(0, Ordering::SeqCst);
    if signal != 0 {
        send(pid, signal);
    }
}

#[cfg(unix)]
fn send(pid: u32, signal: i32) {
    // Ctrl-C and a closed terminal reach the whole foreground process group, the child
    // with it: a second SIGINT would read as "force quit" to many tools (Snakemake, make).
    if (signal == libc::SIGINT || signal == libc::SIGHUP) && in_the_terminals_foreground() {
        return;
    }
    if let Ok(pid) = i32::try_from(pid) {
        // A child that is gone already is no error worth saying.
        let _ =
            nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), nix::sys::signal::Signal::try_from(signal).ok());
    }
}

/// Whether this process (and so the child, started in its group) is the foreground of a
/// terminal: then the terminal's signals reach the child without us.
#[cfg(unix)]
#[allow(unsafe_code)] // two libc calls with no pointers
fn in_the_terminals_foreground() -> bool {
    use std::os::fd::AsRawFd;
    let fd = std::io::stdin().as_raw_fd();
    // SAFETY: plain calls on a descriptor number; an error (no terminal) is -1.
    let (foreground, ours) = unsafe { (libc::tcgetpgrp(fd), libc::getpgrp()) };
    foreground != -1 && foreground == ours
}

#[cfg(windows)]
fn send(_pid: u32, _signal: i32) {
    // The console's events reach the child itself.
}

/// A signal came: hand it to the child, or end now, or when the last deferral ends.
#[cfg(unix)]
fn arrived(signal: i32) {
    match FORWARD_TO.load(Ordering::SeqCst) {
        0 => {}
        STARTING => {
            EARLY.store(signal, Ordering::SeqCst);
            // The pid may have come between the two lines above.
            let pid = FORWARD_TO.load(Ordering::SeqCst);
            if pid != STARTING && pid != 0 {
                deliver_early(pid);
            }
            return;
        }
        pid => return send(pid, signal),
    }
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
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    use signal_hook::iterator::Signals;

    pub(super) fn install() -> std::io::Result<()> {
        let mut signals = Signals::new([SIGTERM, SIGINT, SIGHUP])?;
        std::thread::Builder::new().name("signals".into()).spawn(move || {
            for signal in signals.forever() {
                super::arrived(signal);
            }
        })?;
        Ok(())
    }

    /// End the process as the signal's default action would.
    pub(super) fn end(number: i32) {
        let _ = signal_hook::low_level::emulate_default_handler(number);
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
        // A child in the same console gets the event itself; this process waits for it
        // (`latchkey exec --token-file`) and ends with its status.
        if super::FORWARD_TO.load(Ordering::SeqCst) != 0 {
            return 1;
        }
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
