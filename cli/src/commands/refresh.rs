//! `latchkey refresh NAME [--force]`: renew now.

use latchkey_engine::Source;
use latchkey_engine::{Latchkey, Result};

#[derive(Debug, clap::Args)]
pub struct RefreshArgs {
    name: String,
    /// Renew even if the token is still fresh.
    #[arg(long)]
    force: bool,
}

pub fn run(args: RefreshArgs, engine: &Latchkey) -> Result<u8> {
    let (tokens, source) = engine.refresh(&args.name, args.force)?;
    let now = latchkey_engine::now_secs() as i64;
    let left = tokens
        .expires_at
        .map(|at| super::output::relative(at as i64 - now))
        .map(|r| format!(", expires {r}"))
        .unwrap_or_default();
    let what = match source {
        Source::Stored => "still fresh, not renewed (use --force to renew anyway)",
        Source::RenewedElsewhere => "renewed by another Latchkey process",
        Source::Renewed => "renewed",
        Source::Unchanged => {
            "not renewed: the server handed back the token it had already issued (it makes a new one only once \
             that one has expired)"
        }
    };
    if tokens.expires_at.is_some_and(|at| at as i64 <= now) {
        eprintln!(
            "`{}`: {what}, but the token is already expired: the server issues tokens that last {} s.",
            args.name,
            tokens.lifetime().unwrap_or_default()
        );
        return Ok(4);
    }
    eprintln!("`{}`: {what}{left}.", args.name);
    Ok(0)
}
