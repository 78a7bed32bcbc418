//! `latchkey logout NAME`: revoke at the server, then forget the tokens.

use latchkey_engine::{Latchkey, Result};

#[derive(Debug, clap::Args)]
pub struct LogoutArgs {
    name: String,
}

pub fn run(args: LogoutArgs, engine: &Latchkey) -> Result<u8> {
    let report = engine.logout(&args.name)?;
    if report.revoked {
        eprintln!("Signed out of `{}`: tokens revoked at the server and forgotten.", args.name);
    } else {
        eprintln!("Signed out of `{}`: tokens forgotten (the server offers no revocation).", args.name);
    }
    Ok(0)
}
