//! `latchkey agent`: keep every profile's tokens fresh and answer `latchkey token` from
//! memory, without the desktop app — the lean background process (a few MB, no WebKit)
//! for servers, or for desktops that want renewal without the tray. Runs until SIGTERM,
//! SIGINT or SIGHUP, and then stops only once a renewal in flight has been stored.

use std::sync::Arc;

use latchkey_engine::agent::Agent;
use latchkey_engine::renewal::worker::{Attention, RenewalEvents};
use latchkey_engine::{Error, Latchkey, Result};

use super::words;

#[derive(Debug, clap::Args)]
pub struct AgentArgs {
    /// Do not show desktop notifications (they are printed on stderr either way).
    #[arg(long)]
    no_notify: bool,
}

struct Events {
    notify: bool,
}

impl RenewalEvents for Events {
    fn changed(&self) {}

    fn attention(&self, what: &Attention) {
        eprintln!("latchkey agent: {}", words::attention(what));
        if self.notify {
            let (title, body) = words::attention_notification(what);
            latchkey_engine::desktop::notify::show(&title, &body);
        }
    }
}

pub fn run(args: AgentArgs, engine: Latchkey, paths: &latchkey_engine::store::paths::Paths) -> Result<u8> {
    // Before any thread starts, so that all of them leave these signals to `sigwait`.
    latchkey_engine::agent::shutdown::block_termination_signals().map_err(|e| Error::io("cannot set up signals", e))?;
    let agent = Agent::bind(paths)?;
    let socket = agent.address();
    agent.serve_in_background().map_err(|e| Error::io("cannot start the token agent", e))?;
    let events = Arc::new(Events { notify: !args.no_notify });
    let renewer = Arc::new(engine).start_renewal(events).map_err(|e| Error::io("cannot start the renewal loop", e))?;
    eprintln!("latchkey agent: keeping tokens fresh; serving `latchkey token` on {socket}");
    let signal = latchkey_engine::agent::shutdown::wait_for_termination();
    eprintln!("latchkey agent: {signal}: stopping once any renewal in flight is stored");
    if !renewer.stop(std::time::Duration::from_secs(60)) {
        eprintln!("latchkey agent: a renewal is still running after a minute; stopping anyway");
    }
    Ok(0)
}
