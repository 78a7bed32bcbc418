//! The life of the processes that run in the background, written once: `latchkey agent`
//! and latchkey-tray both bind the token agent, serve it, start the renewal loop, wait
//! for an end, and stop so that a renewal in flight is stored first.
//!
//! Why one place: the order is a safety invariant. Signals are blocked before any thread
//! starts ([`crate::agent::shutdown`]), so none of them ends the process mid-renewal; the agent
//! is bound before renewal starts, so a second copy fails before it renews anything; and
//! the end — a termination signal, a console event, or a `quit` question from an installer
//! (`latchkey-tray --quit`) — always goes through [`Renewer::stop`].

use std::sync::mpsc::{channel, Receiver};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::agent::Agent;
use crate::error::Result;
use crate::front_door::Latchkey;
use crate::renewal::worker::{RenewalEvents, Renewer};

/// Why the process stops when an installer asks it to (`latchkey-tray --quit`).
pub(crate) const ASKED_TO_QUIT: &str = "asked to quit (latchkey-tray --quit)";
/// How long a renewal in flight may take to be stored at the end.
pub(crate) const STOP_WITHIN: Duration = Duration::from_secs(60);

/// A running agent and renewal loop, and the ends it waits for.
pub struct Background {
    renewer: Renewer,
    address: String,
    ends: Mutex<Receiver<&'static str>>,
}

impl Background {
    /// First thing in `main`, before any thread: the termination signals are blocked and
    /// left to [`Background::wait`] (Windows: the console handler).
    pub fn prepare() -> std::io::Result<()> {
        crate::agent::shutdown::block_termination_signals()
    }

    /// Bind and serve the token agent, then start the renewal loop. An agent already
    /// serving this store is [`crate::error::Error::AlreadyRunning`], before anything renews.
    pub fn start(engine: Arc<Latchkey>, events: Arc<dyn RenewalEvents>) -> Result<Background> {
        let (tx, ends) = channel();
        let quit = tx.clone();
        let agent = Agent::bind(engine.paths())?.on_quit(move || {
            let _ = quit.send(ASKED_TO_QUIT);
        });
        let address = agent.address();
        agent.serve_in_background().map_err(|e| crate::error::Error::io("cannot start the token agent", e))?;
        // The runtime folder is emptied at each login: the token file for tools is
        // written again now (renewals keep it from here on).
        if let Err(e) = engine.keep_token_file() {
            tracing::warn!("cannot write the token file for tools: {e}");
        }
        let renewer =
            engine.start_renewal(events).map_err(|e| crate::error::Error::io("cannot start the renewal loop", e))?;
        std::thread::Builder::new()
            .name("termination".into())
            .spawn(move || {
                let _ = tx.send(crate::agent::shutdown::wait_for_termination());
            })
            .map_err(|e| crate::error::Error::io("cannot wait for signals", e))?;
        Ok(Background { renewer, address, ends: Mutex::new(ends) })
    }

    /// Where `latchkey token` finds the agent: the socket's path, or the pipe's name.
    pub fn address(&self) -> &str {
        &self.address
    }

    pub fn renewer(&self) -> &Renewer {
        &self.renewer
    }

    /// Block until the process is to end (a signal, a console event, a `quit` question);
    /// returns why.
    pub fn wait(&self) -> &'static str {
        self.ends.lock().map(|ends| ends.recv().unwrap_or("no more ends to wait for")).unwrap_or("a poisoned lock")
    }

    /// Stop the renewal loop once a renewal in flight is stored ([`STOP_WITHIN`] at
    /// most); whether it stopped in time.
    pub fn stop(&self) -> bool {
        self.renewer.stop(STOP_WITHIN)
    }
}
