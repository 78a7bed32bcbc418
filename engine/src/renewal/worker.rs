//! The renewal loop: plans every profile with [`crate::renewal::schedule::Schedule`], sleeps until
//! the next due time (see [`crate::renewal::wakeup`]), renews through the engine (same
//! cross-process lock as the CLI), and reports what changed to whoever runs it — the
//! desktop tray or the lean `latchkey agent` — through [`RenewalEvents`].
//!
//! Why here and not in the desktop app: keeping tokens fresh must not need WebKit. The
//! same loop runs in the tray process and in `latchkey agent`, a process of a few MB
//! (see BENCHMARKS.md). Re-plans at start, on any store change (the CLI may have
//! renewed), after a wall-clock jump or wake from sleep, and when asked.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::clock::now_secs;
use crate::error::{Error, Result};
use crate::profile::Profile;
use crate::renewal::refresh::Source;
use crate::renewal::schedule::{min_valid_for, Action, Policy, Schedule};
use crate::renewal::wakeup::{self, Poker, Wake};
use crate::store::config::Config;
use crate::store::paths::Paths;
use crate::store::Status;
use crate::store::{Store, TokenSet};

/// Something a person should know, as data: the host words it for its people (the tray
/// for a desktop, `latchkey agent` for a terminal). Each is said once until the profile
/// recovers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attention {
    /// The server refused the renewal, or nothing can renew: a sign-in is needed.
    SignInNeeded { profile: String },
    /// Renewal keeps failing for a passing reason and the token has expired meanwhile;
    /// the loop keeps trying. `reason` is the engine's message (no secret).
    CannotRenew { profile: String, code: crate::error::ErrorCode, reason: String },
    /// The keyring is locked or gone; the loop keeps trying.
    KeyringUnavailable { profile: String },
    /// The server refuses the client id or secret: nothing is tried again until a
    /// person registers again or enters the client again.
    ClientRejected { profile: String },
}

impl Attention {
    pub fn profile(&self) -> &str {
        match self {
            Attention::SignInNeeded { profile }
            | Attention::CannotRenew { profile, .. }
            | Attention::KeyringUnavailable { profile }
            | Attention::ClientRejected { profile } => profile,
        }
    }
}

/// What the loop tells its host.
pub trait RenewalEvents: Send + Sync + 'static {
    /// Something a status display shows has changed (a renewal started or ended, a
    /// profile was planned again).
    fn changed(&self);
    /// A person should know (see [`Attention`]).
    fn attention(&self, what: &Attention);
}

/// What a profile is doing right now, for status lines.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Live {
    pub refreshing: HashSet<String>,
    /// Profiles failing transiently, with the time of the next try.
    pub retry_at: Vec<(String, u64)>,
}

enum Message {
    RenewNow(String),
    Finished(String, Result<Source, Error>),
}

/// Handle to a running renewal loop.
#[derive(Clone)]
pub struct Renewer {
    tx: Arc<Mutex<Sender<Message>>>,
    poker: Poker,
    live: Arc<Mutex<Live>>,
    /// Set by [`Renewer::stop`]; read and written with `live` locked.
    stopped: Arc<AtomicBool>,
}

/// What the loop needs from the engine that runs it. The front door implements it and
/// starts the loop (`Latchkey::start_renewal`), so the loop calls down into the store and
/// the refresh rules and never up into the front door.
pub trait Tokens: Send + Sync + 'static {
    fn paths(&self) -> &Paths;
    fn store(&self) -> &Store;
    fn now(&self) -> u64;
    fn config(&self) -> Result<Config>;
    /// Renew at this percentage of a token's life: the lab's policy, else the person's
    /// setting, else `None` (the default).
    fn renew_at_percent(&self) -> Option<u8>;
    fn profile(&self, name: &str) -> Result<Profile>;
    /// A token valid for at least `min_valid` seconds, renewed if it is not.
    fn token(&self, name: &str, min_valid: Option<u64>) -> Result<(TokenSet, Source)>;
    /// A renewal now (`force`: even of a fresh token).
    fn refresh(&self, name: &str, force: bool) -> Result<(TokenSet, Source)>;
}

impl Renewer {
    /// Start the loop on a thread of its own.
    pub fn start(engine: Arc<dyn Tokens>, events: Arc<dyn RenewalEvents>) -> std::io::Result<Renewer> {
        let paths = engine.paths().clone();
        let (waiter, poker) = wakeup::waiter(&[paths.state_dir(), paths.config_dir()])?;
        let (tx, rx) = channel();
        let renewer = Renewer {
            tx: Arc::new(Mutex::new(tx)),
            poker,
            live: Arc::new(Mutex::new(Live::default())),
            stopped: Arc::new(AtomicBool::new(false)),
        };
        let me = renewer.clone();
        let run = move || {
            Loop { engine, events, me, notified: HashSet::new(), local_failures: Default::default() }.run(waiter, rx)
        };
        std::thread::Builder::new().name("renewal".into()).spawn(run)?;
        Ok(renewer)
    }

    /// Renew a profile now ("Refresh now").
    pub fn renew_now(&self, profile: &str) {
        self.send(Message::RenewNow(profile.into()));
    }

    /// Start no more renewals, and wait (at most `timeout`) for those in flight to be
    /// stored: call before the process exits, or a refresh token rotated at the server
    /// but not yet in the keyring is lost with it. `false` if one is still running.
    pub fn stop(&self, timeout: Duration) -> bool {
        {
            // With `live` locked, so no renewal is between its check and its start.
            let _live = self.live.lock().expect("live lock");
            self.stopped.store(true, Ordering::SeqCst);
        }
        let deadline = Instant::now() + timeout;
        while !self.live().refreshing.is_empty() {
            if Instant::now() >= deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        true
    }

    /// Renew again after [`Renewer::stop`] (the exit it prepared for did not happen).
    pub fn resume(&self) {
        self.stopped.store(false, Ordering::SeqCst);
        self.poker.poke(); // what fell due meanwhile is renewed now
    }

    pub fn live(&self) -> Live {
        self.live.lock().expect("live lock").clone()
    }

    fn send(&self, m: Message) {
        let _ = self.tx.lock().expect("renewer lock").send(m);
        self.poker.poke();
    }
}

fn policy(engine: &dyn Tokens) -> Policy {
    let fraction = engine.renew_at_percent().map(|p| p as f64 / 100.0);
    Policy {
        fraction: fraction.unwrap_or(crate::renewal::schedule::DEFAULT_FRACTION).clamp(0.5, 0.95),
        ..Policy::default()
    }
}

struct Loop {
    engine: Arc<dyn Tokens>,
    events: Arc<dyn RenewalEvents>,
    me: Renewer,
    /// Profiles the user has been told about (once until they recover).
    notified: HashSet<String>,
    /// Consecutive failures that left the stored state as it was (keyring, settings,
    /// lock), per profile: the schedule's own count is reset by every replan of a
    /// signed-in profile.
    local_failures: std::collections::HashMap<String, u32>,
}

impl Loop {
    fn run(mut self, waiter: wakeup::Waiter, rx: Receiver<Message>) {
        let mut schedule = Schedule::new(policy(&*self.engine));
        self.replan_all(&mut schedule);
        tracing::info!(profiles = schedule.len(), "renewal loop started");
        self.events.changed();
        loop {
            // Stopped (about to exit): nothing falls due; `resume` pokes the loop awake.
            let stopped = self.me.stopped.clone();
            let due = if stopped.load(Ordering::SeqCst) { None } else { schedule.next_due() };
            let wakes = waiter.wait(due.map(|at| self.on_wall_clock(at)));
            let mut changed = false;
            for wake in wakes {
                match wake {
                    Wake::Due => {}
                    Wake::ClockChanged => {
                        tracing::info!("wall clock changed; planning again");
                        self.replan_all(&mut schedule);
                    }
                    Wake::Files(names) => {
                        if names.iter().any(|n| n == "profiles.toml") {
                            schedule = Schedule::new(policy(&*self.engine));
                            self.replan_all(&mut schedule);
                        } else {
                            for name in
                                names.iter().filter_map(|n| n.strip_suffix(".json")).filter(|n| !n.starts_with('.'))
                            {
                                self.replan_one(&mut schedule, name);
                            }
                        }
                        changed = true;
                    }
                    Wake::Poked => {
                        while let Ok(message) = rx.try_recv() {
                            match message {
                                Message::RenewNow(name) => self.renew(&name, true, schedule.policy()),
                                Message::Finished(name, result) => {
                                    self.me.live.lock().expect("live").refreshing.remove(&name);
                                    self.finished(&mut schedule, &name, result);
                                }
                            }
                        }
                        changed = true;
                    }
                }
            }
            let due = if stopped.load(Ordering::SeqCst) { Vec::new() } else { schedule.pop_due(self.engine.now()) };
            for (name, action) in due {
                match action {
                    Action::Renew => self.renew(&name, false, schedule.policy()),
                    Action::NeedsYou => {
                        let _ = self.engine.store().update_state(&name, |s| s.status = Status::NeedsSignIn);
                        self.notify_sign_in(&name);
                    }
                }
                changed = true;
            }
            if changed {
                self.events.changed();
            }
        }
    }

    /// A due time by the engine's clock as a time on the wall clock, which the waiter's
    /// timer runs on (the same with the system clock; tests that stand the engine's clock
    /// elsewhere still sleep for the right length).
    fn on_wall_clock(&self, at: u64) -> u64 {
        (now_secs() + at).saturating_sub(self.engine.now())
    }

    fn replan_all(&self, schedule: &mut Schedule) {
        let Ok(config) = self.engine.config() else { return };
        let now = self.engine.now();
        for p in config.profiles() {
            schedule.plan(&p.name, p.server.renewal, &self.engine.store().state(&p.name), now);
        }
        self.update_retries(schedule, &config.profiles().map(|p| p.name.clone()).collect::<Vec<_>>());
    }

    fn replan_one(&self, schedule: &mut Schedule, name: &str) {
        match self.engine.profile(name) {
            Ok(p) => {
                schedule.plan(name, p.server.renewal, &self.engine.store().state(name), self.engine.now());
            }
            Err(_) => schedule.remove(name),
        }
        self.update_retries(schedule, &[name.to_string()]);
    }

    fn update_retries(&self, schedule: &Schedule, names: &[String]) {
        let mut live = self.me.live.lock().expect("live");
        live.retry_at.retain(|(n, _)| !names.contains(n));
        for name in names {
            if self.engine.store().state(name).status == Status::Failing {
                if let Some(at) = schedule.due_of(name) {
                    live.retry_at.push((name.clone(), at));
                }
            }
        }
    }

    /// Renew on a worker thread; the result comes back as a message.
    fn renew(&self, name: &str, force: bool, policy: Policy) {
        {
            let mut live = self.me.live.lock().expect("live");
            if self.me.stopped.load(Ordering::SeqCst) || !live.refreshing.insert(name.to_string()) {
                return; // stopping, or already in flight
            }
        }
        self.events.changed();
        let (engine, me, name) = (self.engine.clone(), self.me.clone(), name.to_string());
        std::thread::spawn(move || {
            let state = engine.store().state(&name);
            let result = if force {
                engine.refresh(&name, true).map(|(_, source)| source)
            } else {
                engine.token(&name, min_valid_for(&state, &policy)).map(|(_, source)| source)
            };
            me.send(Message::Finished(name, result));
        });
    }

    fn finished(&mut self, schedule: &mut Schedule, name: &str, result: Result<Source, Error>) {
        let mut nothing_done = false;
        let mut backoff_until = None;
        match result {
            Ok(source) => {
                self.notified.remove(name);
                self.local_failures.remove(name);
                nothing_done = source == Source::Stored;
            }
            Err(Error::SignInNeeded { .. }) => self.notify_sign_in(name),
            // Permanent until a person acts: the state says so and the plan has no next try.
            Err(Error::ClientRejected) => {
                if self.notified.insert(name.to_string()) {
                    self.attention(Attention::ClientRejected { profile: name.to_string() });
                }
            }
            Err(e) if e.is_transient() => {
                let attempts = schedule.record_failure(name);
                let state = self.engine.store().state(name);
                // Failing for longer than the token has left: a person should know.
                let expired = state.expires_at.is_some_and(|at| at <= self.engine.now());
                tracing::warn!(profile = name, attempts, "renewal failed, will retry: {e}");
                if expired && self.notified.insert(name.to_string()) {
                    self.attention(Attention::CannotRenew {
                        profile: name.to_string(),
                        code: e.kind(),
                        reason: e.to_string(),
                    });
                }
            }
            Err(e) => {
                // Not the server's doing (the keyring went away, the settings file is
                // unreadable, a lock is stuck): nothing in the stored state changed, so
                // the plan would be due again at once. Back off as for a network failure.
                let attempts = self.local_failures.entry(name.to_string()).or_insert(0);
                *attempts += 1;
                let (attempts, wait) = (*attempts, crate::renewal::schedule::backoff(*attempts));
                tracing::warn!(profile = name, attempts, "renewal failed, will retry in {wait} s: {e}");
                if matches!(e, Error::KeyringUnavailable(_)) && self.notified.insert(name.to_string()) {
                    self.attention(Attention::KeyringUnavailable { profile: name.to_string() });
                }
                backoff_until = Some(self.engine.now() + wait);
            }
        }
        self.replan_one(schedule, name);
        if nothing_done {
            // The token was still fresh (clock skew?): never spin on a due time in the past.
            schedule.defer(name, self.engine.now() + 30);
        }
        if let Some(at) = backoff_until {
            schedule.defer(name, at);
        }
    }

    fn notify_sign_in(&mut self, name: &str) {
        if self.notified.insert(name.to_string()) {
            self.attention(Attention::SignInNeeded { profile: name.to_string() });
        }
    }

    fn attention(&self, what: Attention) {
        tracing::info!(profile = what.profile(), "a person should know: {what:?}");
        self.events.attention(&what);
    }
}

/// The loop in-process: secrets in memory, no server (what it does with real ones is in
/// `tests/` and the tray's E2E).
#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;
    // The loop as the tray runs it: started by the front door, on its store.
    use crate::front_door::Latchkey;
    use crate::front_door::NewProfile;
    use crate::preset::ServerSpec;
    use crate::profile::PresetKind;
    use crate::store::paths::Paths;
    use crate::store::secret::{MemorySecrets, Secret};
    use crate::store::{Store, TokenSet};

    /// A store's directory for one test. On Windows it is left behind: the renewal loop's
    /// file watcher still holds it open when the test ends (the loop is never joined), and
    /// Windows (Wine, too) cannot remove a directory a process has open.
    fn store_dir() -> tempfile::TempDir {
        tempfile::Builder::new().prefix("latchkey-worker-").disable_cleanup(cfg!(windows)).tempdir().unwrap()
    }

    #[derive(Default)]
    struct Seen {
        notes: Mutex<Vec<Attention>>,
    }

    impl RenewalEvents for Seen {
        fn changed(&self) {}
        fn attention(&self, what: &Attention) {
            self.notes.lock().unwrap().push(what.clone());
        }
    }

    /// Profile `p`, a public client of a generic server at `base`.
    fn add_profile(engine: &Latchkey, base: &str) {
        let endpoint = |path: &str| Some(url::Url::parse(&format!("{base}/{path}")).unwrap());
        let spec =
            ServerSpec { authorize_url: endpoint("authorize"), token_url: endpoint("token"), ..Default::default() };
        let new = NewProfile {
            name: "p".into(),
            preset: PresetKind::Generic,
            spec,
            client_id: Some("client".into()),
            client_secret: None,
            scopes: Some(vec!["read".into()]),
            redirect_uri: None,
            redirect_mode: None,
        };
        engine.add_profile(new).unwrap();
    }

    #[test]
    fn a_keyring_that_goes_away_is_retried_with_backoff_not_in_a_busy_loop() {
        let dir = store_dir();
        let paths = Paths::in_dir(dir.path().to_path_buf());
        let secrets = Arc::new(MemorySecrets::default());
        let engine = Arc::new(Latchkey::with_store(Store::with_secrets(&paths, secrets.clone()), paths));
        add_profile(&engine, "http://127.0.0.1:9");
        let now = now_secs();
        let expired = TokenSet {
            access_token: Secret::new("a1"),
            token_type: "bearer".into(),
            refresh_token: Some(Secret::new("r1")),
            expires_at: Some(now - 5),
            obtained_at: now - 3605,
            scopes: vec!["read".into()],
            code: None,
            code_redirect_uri: None,
        };
        engine.store().save_tokens("p", &expired).unwrap();
        secrets.fail_with(Some("the Secret Service is not running"));

        let seen = Arc::new(Seen::default());
        let before = secrets.calls();
        let renewer = engine.start_renewal(seen.clone()).unwrap();
        std::thread::sleep(Duration::from_secs(2));
        let calls = secrets.calls() - before;
        assert!(renewer.stop(Duration::from_secs(5)));
        // One attempt now, the next no sooner than 15 s later (a busy loop made thousands).
        assert!(calls <= 3, "{calls} keyring calls in 2 s");
        let notes = seen.notes.lock().unwrap();
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert_eq!(notes[0], Attention::KeyringUnavailable { profile: "p".into() });
        // And nothing was lost: the keyring back, the token is still there.
        secrets.fail_with(None);
        assert_eq!(engine.store().tokens("p").unwrap().unwrap().refresh_token.unwrap().expose(), "r1");
    }

    /// A profile on a scripted server whose tokens, by the engine's clock at `T0`, are
    /// 3,000 s into a 3,600 s life: past the 75 % mark, so due now.
    fn due_by_the_engines_clock() -> (tempfile::TempDir, Arc<Latchkey>, Arc<crate::oauth::http::scripted::Script>) {
        const T0: u64 = 1_900_000_000;
        let dir = store_dir();
        let paths = Paths::in_dir(dir.path().to_path_buf());
        let script = Arc::new(crate::oauth::http::scripted::Script::default());
        let engine = Latchkey::with_store(Store::with_secrets(&paths, Arc::new(MemorySecrets::default())), paths)
            .with_http(crate::oauth::http::Http::with_transport(script.clone()))
            .with_clock(Arc::new(crate::clock::ManualClock::at(T0)));
        add_profile(&engine, "https://id.example.org");
        let tokens = TokenSet {
            access_token: Secret::new("a1"),
            token_type: "bearer".into(),
            refresh_token: Some(Secret::new("r1")),
            expires_at: Some(T0 + 600),
            obtained_at: T0 - 3000,
            scopes: vec!["read".into()],
            code: None,
            code_redirect_uri: None,
        };
        engine.store().save_tokens("p", &tokens).unwrap();
        (dir, Arc::new(engine), script)
    }

    fn wait_for(what: impl Fn() -> bool) -> bool {
        let end = std::time::Instant::now() + Duration::from_secs(10);
        while std::time::Instant::now() < end {
            if what() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }

    #[test]
    fn a_token_due_by_the_engines_clock_is_renewed_once_and_the_next_renewal_planned_on_it() {
        let (_dir, engine, script) = due_by_the_engines_clock();
        script
            .json(200, r#"{"access_token": "a2", "token_type": "Bearer", "expires_in": 3600, "refresh_token": "r2"}"#);
        let seen = Arc::new(Seen::default());
        let renewer = engine.start_renewal(seen.clone()).unwrap();
        let renewed = || engine.store().tokens("p").unwrap().is_some_and(|t| t.access_token.expose() == "a2");
        assert!(wait_for(renewed), "not renewed although due by the engine's clock");
        std::thread::sleep(Duration::from_millis(500));
        // Due again at 75 % of the new life by the same clock, 45 minutes away: no second
        // request (one would panic the script: nothing more is scripted).
        assert!(renewer.stop(Duration::from_secs(5)));
        let sent = script.sent();
        assert_eq!(sent.len(), 1, "{sent:?}");
        assert_eq!(sent[0].form("refresh_token").as_deref(), Some("r1"));
        assert!(seen.notes.lock().unwrap().is_empty());
    }

    #[test]
    fn a_refused_refresh_token_asks_for_a_person_once_and_keeps_the_tokens() {
        let (_dir, engine, script) = due_by_the_engines_clock();
        script.json(400, r#"{"error": "invalid_grant"}"#);
        let seen = Arc::new(Seen::default());
        let renewer = engine.start_renewal(seen.clone()).unwrap();
        assert!(wait_for(|| !seen.notes.lock().unwrap().is_empty()));
        std::thread::sleep(Duration::from_millis(500));
        assert!(renewer.stop(Duration::from_secs(5)));
        assert_eq!(*seen.notes.lock().unwrap(), vec![Attention::SignInNeeded { profile: "p".into() }]);
        assert_eq!(script.sent().len(), 1, "a refused refresh token is not tried again");
        assert_eq!(engine.store().state("p").status, Status::NeedsSignIn);
        assert_eq!(engine.store().tokens("p").unwrap().unwrap().access_token.expose(), "a1", "nothing deleted");
    }

    #[test]
    fn a_refused_client_asks_for_a_person_once_and_plans_no_more_tries() {
        let (_dir, engine, script) = due_by_the_engines_clock();
        script.json(401, r#"{"error": "invalid_client"}"#);
        let seen = Arc::new(Seen::default());
        let renewer = engine.start_renewal(seen.clone()).unwrap();
        assert!(wait_for(|| !seen.notes.lock().unwrap().is_empty()));
        std::thread::sleep(Duration::from_millis(500));
        let retry_at = renewer.live().retry_at.clone();
        assert!(renewer.stop(Duration::from_secs(5)));
        assert_eq!(*seen.notes.lock().unwrap(), vec![Attention::ClientRejected { profile: "p".into() }]);
        assert_eq!(engine.store().state("p").status, Status::NeedsClient);
        // No back-off to a next try (before, it tried again every 15 s up to every 900 s).
        assert!(retry_at.is_empty(), "{retry_at:?}");
        assert_eq!(engine.store().tokens("p").unwrap().unwrap().access_token.expose(), "a1", "nothing deleted");
    }
}
