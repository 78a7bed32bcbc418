//! `latchkey status [NAME] [--json]`: profiles and token status, never a secret.

use latchkey_engine::Status;
use latchkey_engine::{Latchkey, Result};

#[derive(Debug, clap::Args)]
pub struct StatusArgs {
    name: Option<String>,
    /// Print JSON for scripts.
    #[arg(long)]
    json: bool,
}

pub fn run(args: StatusArgs, engine: &Latchkey) -> Result<u8> {
    let rows = engine.status(args.name.as_deref())?;
    super::output::warn_name_clashes(&engine.config()?);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&rows).expect("status serializes"));
        return Ok(0);
    }
    if rows.is_empty() {
        eprintln!("No profiles yet. Add one with `latchkey profile add NAME --preset majora`.");
    }
    for r in rows {
        let state = match (r.status, r.expires_in) {
            (Status::SignedOut, _) => "signed out".to_string(),
            (Status::NeedsSignIn, _) => "needs sign-in".to_string(),
            (Status::NeedsClient, _) => format!(
                "the server refuses its client id or secret: `latchkey register {0}` or `latchkey profile set-client {0} ...`",
                r.name
            ),
            (Status::Failing, _) => format!("renewal failing: {}", r.last_error.as_deref().unwrap_or("?")),
            (Status::SignedIn, Some(left)) if left > 0 && !r.renews_silently => format!(
                "fresh, expires {}; the server gave no refresh token, so sign in again then (`latchkey login {}`)",
                super::output::relative(left),
                r.name
            ),
            (Status::SignedIn, Some(left)) if left > 0 => format!("fresh, expires {}", super::output::relative(left)),
            (Status::SignedIn, Some(left)) => format!(
                "expired {}{}",
                super::output::relative(left),
                if r.has_refresh_token { " (renews on next use)" } else { "" }
            ),
            (Status::SignedIn, None) => "signed in".to_string(),
        };
        let missing = r.not_granted();
        let state = if missing.is_empty() {
            state
        } else {
            let what = if r.preset.is_majora() { "tasks" } else { "scopes" };
            format!(
                "{state}; granted for fewer {what} than chosen ({} not covered): sign in again with `latchkey login {}`",
                missing.join(", "),
                r.name
            )
        };
        // The last sign-in was another account's than before: someone else may have
        // finished it (said until the next sign-in or sign-out).
        let state = match (&r.account, &r.account_changed_from) {
            (Some(now), Some(before)) if r.status == Status::SignedIn => format!(
                "{state}; signed in as {now}, before as {before}: if that is not you, `latchkey logout {}` and sign in \
                 again",
                r.name
            ),
            _ => state,
        };
        println!("{}\t{}\t{}", r.name, r.server, state);
    }
    Ok(0)
}
