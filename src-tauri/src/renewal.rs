//! The tray process's renewal loop: plans every profile with the engine's
//! [`latchkey::renewal::Schedule`], sleeps until the next due time (see [`wakeup`]),
//! renews through the engine (same cross-process lock as the CLI), and tells the tray
//! and the user what changed. Re-plans at start, on any store change (the CLI may have
//! renewed), after a wall-clock jump or wake from sleep, and when the UI asks.

use std::collections::HashSet;
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Mutex};

use latchkey::client::now_secs;
use latchkey::refresh::Source;
use latchkey::renewal::{min_valid_for, Action, Policy, Schedule};
use latchkey::store::Status;
use latchkey::{Error, Latchkey};
use tauri::{AppHandle, Emitter, Manager};
use tauri_plugin_notification::NotificationExt;

use crate::sign_in::PROFILES_CHANGED;
use crate::state::AppState;
use crate::wakeup::{self, Poker, Wake};

/// What a profile is doing right now, for the tray's lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Live {
    pub refreshing: HashSet<String>,
    /// Profiles failing transiently, with the time of the next try.
    pub retry_at: Vec<(String, u64)>,
}

enum Message {
    RenewNow(String),
    Finished(String, Result<Source, Error>),
}

/// Handle to the renewal loop.
#[derive(Clone)]
pub struct Renewer {
    tx: Arc<Mutex<Sender<Message>>>,
    poker: Poker,
    live: Arc<Mutex<Live>>,
}

impl Renewer {
    /// Renew a profile now (tray "Refresh now").
    pub fn renew_now(&self, profile: &str) {
        self.send(Message::RenewNow(profile.into()));
    }

    pub fn live(&self) -> Live {
        self.live.lock().expect("live lock").clone()
    }

    fn send(&self, m: Message) {
        let _ = self.tx.lock().expect("renewer lock").send(m);
        self.poker.poke();
    }
}

/// Start the loop on its own thread.
pub fn start(app: &AppHandle) -> std::io::Result<Renewer> {
    let engine = app.state::<AppState>().engine.clone();
    let paths = engine.paths().clone();
    let (waiter, poker) = wakeup::waiter(&[paths.state_dir(), paths.config_dir()])?;
    let (tx, rx) = channel();
    let renewer = Renewer {
        tx: Arc::new(Mutex::new(tx)),
        poker,
        live: Arc::new(Mutex::new(Live { refreshing: HashSet::new(), retry_at: Vec::new() })),
    };
    let (app, me) = (app.clone(), renewer.clone());
    std::thread::Builder::new().name("renewal".into()).spawn(move || run(app, engine, me, waiter, rx))?;
    Ok(renewer)
}

fn policy(engine: &Latchkey) -> Policy {
    let fraction = engine.config().ok().and_then(|c| c.settings().renew_at_percent).map(|p| p as f64 / 100.0);
    Policy { fraction: fraction.unwrap_or(latchkey::renewal::DEFAULT_FRACTION).clamp(0.5, 0.95), ..Policy::default() }
}

fn run(app: AppHandle, engine: Arc<Latchkey>, me: Renewer, waiter: wakeup::Waiter, rx: Receiver<Message>) {
    let mut schedule = Schedule::new(policy(&engine));
    let mut notified: HashSet<String> = HashSet::new();
    replan_all(&engine, &mut schedule, &me);
    tracing::info!(profiles = schedule.len(), "renewal loop started");
    crate::tray::refresh(&app);
    loop {
        let wakes = waiter.wait(schedule.next_due());
        let mut changed = false;
        for wake in wakes {
            match wake {
                Wake::Due => {}
                Wake::ClockChanged => {
                    tracing::info!("wall clock changed; planning again");
                    replan_all(&engine, &mut schedule, &me);
                }
                Wake::Files(names) => {
                    if names.iter().any(|n| n == "profiles.toml") {
                        schedule = Schedule::new(policy(&engine));
                        replan_all(&engine, &mut schedule, &me);
                    } else {
                        for name in names.iter().filter_map(|n| n.strip_suffix(".json")).filter(|n| !n.starts_with('.')) {
                            replan_one(&engine, &mut schedule, &me, name);
                        }
                    }
                    changed = true;
                }
                Wake::Poked => {
                    while let Ok(message) = rx.try_recv() {
                        match message {
                            Message::RenewNow(name) => renew(&app, &engine, &me, &name, true, schedule.policy()),
                            Message::Finished(name, result) => {
                                me.live.lock().expect("live").refreshing.remove(&name);
                                finished(&app, &engine, &mut schedule, &me, &mut notified, &name, result);
                            }
                        }
                    }
                    changed = true;
                }
            }
        }
        for (name, action) in schedule.pop_due(now_secs()) {
            match action {
                Action::Renew => renew(&app, &engine, &me, &name, false, schedule.policy()),
                Action::NeedsYou => {
                    let _ = engine.store().update_state(&name, |s| s.status = Status::NeedsSignIn);
                    notify_sign_in(&app, &mut notified, &name);
                }
            }
            changed = true;
        }
        if changed {
            crate::tray::refresh(&app);
            let _ = app.emit(PROFILES_CHANGED, ());
        }
    }
}

fn replan_all(engine: &Latchkey, schedule: &mut Schedule, me: &Renewer) {
    let Ok(config) = engine.config() else { return };
    let now = now_secs();
    for p in config.profiles() {
        schedule.plan(&p.name, p.server.renewal, &engine.store().state(&p.name), now);
    }
    update_retries(schedule, me, &config.profiles().map(|p| p.name.clone()).collect::<Vec<_>>(), engine);
}

fn replan_one(engine: &Latchkey, schedule: &mut Schedule, me: &Renewer, name: &str) {
    match engine.profile(name) {
        Ok(p) => {
            schedule.plan(name, p.server.renewal, &engine.store().state(name), now_secs());
        }
        Err(_) => schedule.remove(name),
    }
    update_retries(schedule, me, &[name.to_string()], engine);
}

fn update_retries(schedule: &Schedule, me: &Renewer, names: &[String], engine: &Latchkey) {
    let mut live = me.live.lock().expect("live");
    live.retry_at.retain(|(n, _)| !names.contains(n));
    for name in names {
        if engine.store().state(name).status == Status::Failing {
            if let Some(at) = schedule.due_of(name) {
                live.retry_at.push((name.clone(), at));
            }
        }
    }
}

/// Renew on a worker thread; the result comes back as a message.
fn renew(app: &AppHandle, engine: &Arc<Latchkey>, me: &Renewer, name: &str, force: bool, policy: Policy) {
    if !me.live.lock().expect("live").refreshing.insert(name.to_string()) {
        return; // already in flight
    }
    crate::tray::refresh(app);
    let (engine, me, name) = (engine.clone(), me.clone(), name.to_string());
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

fn finished(
    app: &AppHandle,
    engine: &Latchkey,
    schedule: &mut Schedule,
    me: &Renewer,
    notified: &mut HashSet<String>,
    name: &str,
    result: Result<Source, Error>,
) {
    let mut nothing_done = false;
    match result {
        Ok(source) => {
            notified.remove(name);
            nothing_done = source == Source::Stored;
        }
        Err(Error::SignInNeeded { .. }) => notify_sign_in(app, notified, name),
        Err(e) if e.is_transient() => {
            let attempts = schedule.record_failure(name);
            let state = engine.store().state(name);
            // Failing for longer than the token has left: a person should know.
            let expired = state.expires_at.is_some_and(|at| at <= now_secs());
            tracing::warn!(profile = name, attempts, "renewal failed, will retry: {e}");
            if expired && notified.insert(name.to_string()) {
                notify(app, "Latchkey cannot renew a token", &format!("{name}: {e}. It keeps trying; check your connection."));
            }
        }
        Err(e) => tracing::warn!(profile = name, "renewal failed: {e}"),
    }
    replan_one(engine, schedule, me, name);
    if nothing_done {
        // The token was still fresh (clock skew?): never spin on a due time in the past.
        schedule.defer(name, now_secs() + 30);
    }
}

fn notify_sign_in(app: &AppHandle, notified: &mut HashSet<String>, name: &str) {
    if notified.insert(name.to_string()) {
        notify(app, "Sign in to keep your tokens fresh", &format!("{name} needs you to sign in again. Use the Latchkey tray menu."));
    }
}

fn notify(app: &AppHandle, title: &str, body: &str) {
    tracing::info!("notification: {title}: {body}");
    if let Err(e) = app.notification().builder().title(title).body(body).show() {
        tracing::info!("no desktop notification shown ({e})");
    }
}
