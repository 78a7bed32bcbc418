//! `latchkey agent`: keep every profile's tokens fresh and answer `latchkey token` from
//! memory, without the desktop app — the lean background process (a few MB, no WebKit)
//! for servers, or for desktops that want renewal without the tray. Runs until SIGTERM,
//! SIGINT or SIGHUP (or `latchkey-tray --quit`), and then stops only once a renewal in
//! flight has been stored; the engine's `Background` is that life, shared with the tray.

use std::sync::Arc;

use latchkey_engine::Background;
use latchkey_engine::{Attention, RenewalEvents};
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
            let (title, body) =
                latchkey_ipc::words::notify::attention(what, latchkey_ipc::words::notify::ActIn::Terminal);
            latchkey_engine::desktop::notify::show(&title, &body);
        }
    }
}

pub fn run(args: AgentArgs, engine: Latchkey) -> Result<u8> {
    // Before any thread starts, so that all of them leave these signals to the waiter.
    Background::prepare().map_err(|e| Error::io("cannot set up signals", e))?;
    let events = Arc::new(Events { notify: !args.no_notify });
    let background = Background::start(Arc::new(engine), events)?;
    eprintln!("latchkey agent: keeping tokens fresh; serving `latchkey token` on {}", background.address());
    let why = background.wait();
    eprintln!("latchkey agent: {why}: stopping once any renewal in flight is stored");
    if !background.stop() {
        eprintln!("latchkey agent: a renewal is still running after a minute; stopping anyway");
    }
    Ok(0)
}
