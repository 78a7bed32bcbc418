//! Sleeping until the next renewal without polling, and waking for what matters.
//!
//! On Linux one `poll` waits on three things: a `timerfd` on the *wall* clock armed for
//! the next due time (absolute, with `TFD_TIMER_CANCEL_ON_SET`, so it fires at once after
//! suspend if the time has passed, and wakes us if the clock is set), an `eventfd` that
//! other threads poke, and `inotify` on the store's directories (the CLI may have
//! renewed). Between events the thread is blocked in the kernel: no wake-ups.
//! Elsewhere the system's file watcher (notify: ReadDirectoryChangesW on Windows, FSEvents
//! on macOS) and pokes arrive on one channel, whose wait is capped at a minute so a wall
//! clock that was set, or a machine that slept, is noticed (the wall and monotonic clocks
//! disagree).

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
                crate::store::paths::private_dir(dir)?;
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
    use std::time::{Duration, Instant, SystemTime};

    use super::Wake;

    /// The longest sleep: a clock set (or a machine that slept) is noticed within it.
    const LONGEST: Duration = Duration::from_secs(60);
    /// How far the wall clock may drift from the monotonic one before it counts as set.
    const JUMP: Duration = Duration::from_secs(5);

    enum News {
        Poke,
        Files(Vec<String>),
    }

    pub struct Waiter {
        rx: Mutex<Receiver<News>>,
        /// The system's file watcher (ReadDirectoryChangesW, FSEvents); `None` if it
        /// could not start, and then every wake re-reads the store.
        watcher: Option<notify::RecommendedWatcher>,
    }

    #[derive(Clone)]
    pub struct Poker(Arc<Mutex<Sender<News>>>);

    impl Poker {
        pub fn poke(&self) {
            let _ = self.0.lock().map(|tx| tx.send(News::Poke));
        }
    }

    impl Waiter {
        pub fn new(watch: &[&Path]) -> std::io::Result<(Self, Poker)> {
            use notify::Watcher as _;
            let (tx, rx) = channel();
            let files = Mutex::new(tx.clone());
            let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
                if let Ok(event) = event {
                    let names = event
                        .paths
                        .iter()
                        .filter_map(|p| p.file_name().and_then(|n| n.to_str()).map(str::to_string))
                        .collect();
                    let _ = files.lock().map(|tx| tx.send(News::Files(names)));
                }
            })
            .map_err(|e| tracing::warn!("no file watcher ({e}): renewals by other programs are seen within a minute"))
            .ok();
            for dir in watch {
                crate::store::paths::private_dir(dir)?;
                if let Some(w) = &mut watcher {
                    if let Err(e) = w.watch(dir, notify::RecursiveMode::NonRecursive) {
                        tracing::warn!("cannot watch {}: {e}", dir.display());
                    }
                }
            }
            Ok((Self { rx: Mutex::new(rx), watcher }, Poker(Arc::new(Mutex::new(tx)))))
        }

        /// Block until `due` (Unix seconds, wall clock), a poke, a file change, or a minute
        /// (to notice a clock that was set, or a machine that slept).
        pub fn wait(&self, due: Option<u64>) -> Vec<Wake> {
            let now = crate::clock::now_secs();
            let wait = due.map_or(LONGEST, |d| Duration::from_secs(d.saturating_sub(now)).min(LONGEST));
            let (start, wall) = (Instant::now(), SystemTime::now());
            let rx = self.rx.lock().expect("waiter");
            let mut wakes = Vec::new();
            let mut files: Vec<String> = Vec::new();
            let mut take = |news: News, wakes: &mut Vec<Wake>| match news {
                News::Poke if !wakes.contains(&Wake::Poked) => wakes.push(Wake::Poked),
                News::Poke => {}
                News::Files(names) => files.extend(names),
            };
            match rx.recv_timeout(wait) {
                Ok(news) => {
                    take(news, &mut wakes);
                    while let Ok(more) = rx.try_recv() {
                        take(more, &mut wakes);
                    }
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => std::thread::sleep(wait),
            }
            if !files.is_empty() {
                wakes.push(Wake::Files(files));
            } else if self.watcher.is_none() && wakes.is_empty() {
                // Without a watcher, assume anything changed.
                wakes.push(Wake::Files(vec!["profiles.toml".into()]));
            }
            let walked = SystemTime::now().duration_since(wall).unwrap_or_default();
            let ran = start.elapsed();
            if walked.abs_diff(ran) > JUMP || SystemTime::now() < wall {
                wakes.push(Wake::ClockChanged);
            }
            if due.is_some_and(|d| crate::clock::now_secs() >= d) {
                wakes.push(Wake::Due);
            }
            wakes
        }
    }
}

pub use imp::{Poker, Waiter};

/// Build a waiter watching `dirs`.
pub fn waiter(dirs: &[&Path]) -> std::io::Result<(Waiter, Poker)> {
    Waiter::new(dirs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_written_in_a_watched_dir_wakes_the_waiter_with_its_name() {
        let dir = tempfile::tempdir().unwrap();
        let (waiter, _poker) = waiter(&[dir.path()]).unwrap();
        let path = dir.path().join("majora.json");
        let writer = std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(200));
            std::fs::write(path, b"{}").unwrap();
        });
        let far = crate::clock::now_secs() + 3600;
        let mut seen = Vec::new();
        // A watcher may report a write as more than one event; wait until the name shows.
        for _ in 0..20 {
            for wake in waiter.wait(Some(far)) {
                if let Wake::Files(names) = wake {
                    seen.extend(names);
                }
            }
            if seen.iter().any(|n| n == "majora.json") {
                break;
            }
        }
        writer.join().unwrap();
        assert!(seen.iter().any(|n| n == "majora.json"), "{seen:?}");
    }

    #[test]
    fn a_poke_wakes_the_waiter_and_a_past_due_time_is_due() {
        let dir = tempfile::tempdir().unwrap();
        let (waiter, poker) = waiter(&[dir.path()]).unwrap();
        poker.poke();
        assert!(waiter.wait(Some(crate::clock::now_secs() + 3600)).contains(&Wake::Poked));
        assert!(waiter.wait(Some(crate::clock::now_secs().saturating_sub(5))).contains(&Wake::Due));
    }
}
