//! Sleeping until the next renewal without polling, and waking for what matters.
//!
//! On Linux one `poll` waits on three things: a `timerfd` on the *wall* clock armed for
//! the next due time (absolute, with `TFD_TIMER_CANCEL_ON_SET`, so it fires at once after
//! suspend if the time has passed, and wakes us if the clock is set), an `eventfd` that
//! other threads poke, and `inotify` on the store's directories (the CLI may have
//! renewed). Between events the thread is blocked in the kernel: no wake-ups.
//! Elsewhere a channel timeout, capped at a minute so a wall-clock jump is noticed.

use std::path::Path;

/// Why the waiter returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Wake {
    /// The due time arrived (or has passed: the machine slept).
    Due,
    /// The wall clock was set: re-check everything.
    ClockChanged,
    /// Files changed in a watched directory (their names).
    Files(Vec<String>),
    /// Another thread has news.
    Poked,
}

#[cfg(target_os = "linux")]
mod imp {
    use std::os::fd::{AsFd, AsRawFd};
    use std::path::Path;
    use std::sync::Arc;

    use nix::errno::Errno;
    use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
    use nix::sys::eventfd::{EfdFlags, EventFd};
    use nix::sys::inotify::{AddWatchFlags, InitFlags, Inotify};
    use nix::sys::time::TimeSpec;
    use nix::sys::timerfd::{ClockId, Expiration, TimerFd, TimerFlags, TimerSetTimeFlags};

    use super::Wake;

    pub struct Waiter {
        timer: TimerFd,
        poke: Arc<EventFd>,
        inotify: Inotify,
    }

    #[derive(Clone)]
    pub struct Poker(Arc<EventFd>);

    impl Poker {
        pub fn poke(&self) {
            let _ = self.0.write(1);
        }
    }

    impl Waiter {
        pub fn new(watch: &[&Path]) -> std::io::Result<(Self, Poker)> {
            let timer = TimerFd::new(ClockId::CLOCK_REALTIME, TimerFlags::TFD_NONBLOCK | TimerFlags::TFD_CLOEXEC)?;
            let poke = Arc::new(EventFd::from_flags(EfdFlags::EFD_NONBLOCK | EfdFlags::EFD_CLOEXEC)?);
            let inotify = Inotify::init(InitFlags::IN_NONBLOCK | InitFlags::IN_CLOEXEC)?;
            for dir in watch {
                std::fs::create_dir_all(dir)?;
                inotify.add_watch(
                    *dir,
                    AddWatchFlags::IN_CLOSE_WRITE | AddWatchFlags::IN_MOVED_TO | AddWatchFlags::IN_DELETE,
                )?;
            }
            Ok((Self { timer, poke: poke.clone(), inotify }, Poker(poke)))
        }

        /// Block until `due` (Unix seconds, wall clock), a poke, or a file change.
        pub fn wait(&self, due: Option<u64>) -> Vec<Wake> {
            match due {
                Some(at) => {
                    let at = TimeSpec::new(at.max(1) as i64, 0);
                    let flags = TimerSetTimeFlags::TFD_TIMER_ABSTIME | TimerSetTimeFlags::TFD_TIMER_CANCEL_ON_SET;
                    if let Err(e) = self.timer.set(Expiration::OneShot(at), flags) {
                        tracing::warn!("cannot arm the renewal timer: {e}");
                    }
                }
                None => {
                    let _ = self.timer.unset();
                }
            }
            let mut fds = [
                PollFd::new(self.timer.as_fd(), PollFlags::POLLIN),
                PollFd::new(self.poke.as_fd(), PollFlags::POLLIN),
                PollFd::new(self.inotify.as_fd(), PollFlags::POLLIN),
            ];
            loop {
                match poll(&mut fds, PollTimeout::NONE) {
                    Ok(_) => break,
                    Err(Errno::EINTR) => continue,
                    Err(e) => {
                        tracing::error!("poll failed: {e}");
                        std::thread::sleep(std::time::Duration::from_secs(1));
                        return vec![Wake::ClockChanged];
                    }
                }
            }
            let ready = |i: usize| fds[i].revents().is_some_and(|r| r.contains(PollFlags::POLLIN));
            let (timer_ready, poke_ready, files_ready) = (ready(0), ready(1), ready(2));
            let mut wakes = Vec::new();
            if timer_ready {
                match nix::unistd::read(self.timer.as_fd().as_raw_fd(), &mut [0u8; 8]) {
                    Err(Errno::ECANCELED) => wakes.push(Wake::ClockChanged),
                    _ => wakes.push(Wake::Due),
                }
            }
            if poke_ready {
                let _ = self.poke.read();
                wakes.push(Wake::Poked);
            }
            if files_ready {
                let names = self
                    .inotify
                    .read_events()
                    .unwrap_or_default()
                    .into_iter()
                    .filter_map(|e| e.name.and_then(|n| n.into_string().ok()))
                    .collect();
                wakes.push(Wake::Files(names));
            }
            wakes
        }
    }
}

#[cfg(not(target_os = "linux"))]
mod imp {
    use std::path::Path;
    use std::sync::mpsc::{channel, Receiver, RecvTimeoutError, Sender};
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    use super::Wake;

    pub struct Waiter {
        rx: Mutex<Receiver<()>>,
    }

    #[derive(Clone)]
    pub struct Poker(Arc<Mutex<Sender<()>>>);

    impl Poker {
        pub fn poke(&self) {
            let _ = self.0.lock().map(|tx| tx.send(()));
        }
    }

    impl Waiter {
        pub fn new(_watch: &[&Path]) -> std::io::Result<(Self, Poker)> {
            let (tx, rx) = channel();
            Ok((Self { rx: Mutex::new(rx) }, Poker(Arc::new(Mutex::new(tx)))))
        }

        pub fn wait(&self, due: Option<u64>) -> Vec<Wake> {
            let now = crate::clock::now_secs();
            let wait = due.map(|d| d.saturating_sub(now)).unwrap_or(60).min(60);
            match self.rx.lock().expect("waiter").recv_timeout(Duration::from_secs(wait)) {
                Ok(()) => vec![Wake::Poked],
                Err(RecvTimeoutError::Timeout) => vec![Wake::Due, Wake::Files(Vec::new())],
                Err(RecvTimeoutError::Disconnected) => vec![Wake::ClockChanged],
            }
        }
    }
}

pub use imp::{Poker, Waiter};

/// Build a waiter watching `dirs`.
pub fn waiter(dirs: &[&Path]) -> std::io::Result<(Waiter, Poker)> {
    Waiter::new(dirs)
}
