//! `latchkey exec NAME [--token-file] -- CMD ARGS...`: run CMD with a fresh token.
//!
//! Without `--token-file` the token goes into CMD's environment once, and on Unix CMD
//! replaces this process (its pid, its signals, its status), as `exec` in a shell: right
//! for a command that ends within the token's life.
//!
//! With `--token-file` CMD gets `BEARER_TOKEN_FILE` (the WLCG discovery standard, which
//! htgettoken, HTCondor, XRootD and Davix read) and this process stays its parent for as
//! long as it runs: it renews at each renewal point and the engine replaces the file whole
//! at every renewal of the profile, whichever process renews (`crate::token_file` in the
//! engine says why). Termination signals go to CMD; this process ends when CMD does, with
//! its status, and the file goes with it.

use std::process::{Command, ExitStatus};
use std::sync::mpsc::{channel, RecvTimeoutError};
use std::time::Duration;

use latchkey_engine::{Attention, Error, Latchkey, Result, TokenSet};

use super::words;

#[derive(Debug, clap::Args)]
pub struct ExecArgs {
    name: String,
    /// The environment variable that carries the token (without --token-file).
    #[arg(long, default_value = "LATCHKEY_ACCESS_TOKEN", conflicts_with = "token_file")]
    env_var: String,
    /// Renew unless the token stays valid this many seconds.
    #[arg(long, value_name = "SECONDS")]
    min_valid: Option<u64>,
    /// For jobs that outlive a token (uploads, pipelines): give CMD a file that always
    /// holds a valid token, named by BEARER_TOKEN_FILE, renewed for as long as CMD runs.
    /// Without it CMD gets one token, which expires while a long job still runs.
    #[arg(long)]
    token_file: bool,
    /// The command and its arguments.
    #[arg(last = true, required = true, num_args = 1..)]
    command: Vec<String>,
}

pub fn run(args: ExecArgs, engine: &Latchkey) -> Result<u8> {
    if args.token_file {
        return run_with_file(&args, engine);
    }
    let (tokens, _) = engine.token(&args.name, args.min_valid)?;
    let mut command = Command::new(&args.command[0]);
    command.args(&args.command[1..]).env(&args.env_var, tokens.access_token.expose());
    // Unix: become the command (its pid, its signals, its status), as `exec` in a shell.
    // Windows has no exec: run it, and end with its status.
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        let err = command.exec();
        Err(Error::io(format!("cannot run `{}`", args.command[0]), err))
    }
    #[cfg(not(unix))]
    {
        let status = command.status().map_err(|e| Error::io(format!("cannot run `{}`", args.command[0]), e))?;
        Ok(status.code().unwrap_or(1) as u8)
    }
}

/// How long a passing failure (the network, a 5xx) waits before the next try, at most.
const RETRY_AT_MOST: u64 = 60;

fn run_with_file(args: &ExecArgs, engine: &Latchkey) -> Result<u8> {
    let name = &args.name;
    let (mut tokens, _) = engine.token(name, args.min_valid)?;
    let file = engine.job_token_file(name, &tokens.access_token)?;
    let mut command = Command::new(&args.command[0]);
    command
        .args(&args.command[1..])
        .env("BEARER_TOKEN_FILE", file.path())
        // The standard's readers take BEARER_TOKEN first: an old one would win over the file.
        .env_remove("BEARER_TOKEN");
    let mut child = latchkey_engine::deferral::spawn_forwarding(&mut command)
        .map_err(|e| Error::io(format!("cannot run `{}`", args.command[0]), e))?;
    let (tx, ended) = channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait());
    });

    let fraction =
        engine.renew_at_percent().ok().flatten().map_or(latchkey_engine::DEFAULT_FRACTION, |p| p as f64 / 100.0);
    let mut failures = 0u32;
    let mut told = false;
    let mut emptied = false;
    let status = loop {
        let now = engine.now();
        let due = match (renewal_point(&tokens, fraction), failures) {
            (Some(at), 0) => at,
            // A token the server gave no end: nothing is due; looked at hourly all the same.
            (None, 0) => now + 3600,
            // After a failure: again soon, doubling.
            (_, n) => now + (5u64 << n.min(4)).min(RETRY_AT_MOST),
        };
        // Also wake at the token's end, to stop handing it out.
        let wake = match tokens.expires_at {
            Some(end) if !emptied && end > now => due.min(end),
            _ => due,
        };
        match ended.recv_timeout(Duration::from_secs(wake.saturating_sub(now).max(1))) {
            Ok(status) => break status.map_err(|e| Error::io(format!("cannot wait for `{}`", args.command[0]), e))?,
            Err(RecvTimeoutError::Disconnected) => return Err(Error::Usage("the job's waiter ended".into())),
            Err(RecvTimeoutError::Timeout) => {}
        }
        let now = engine.now();
        if now < due {
            // The token's end, before this process renewed: another may have (the tray, a
            // sign-in); else readers look further, not at a dead token.
            if tokens.expires_at.is_some_and(|end| end <= now) && !emptied {
                match engine.token(name, Some(1)) {
                    Ok((fresh, _)) => {
                        keep(&file, &fresh);
                        tokens = fresh;
                        (failures, told) = (0, false);
                    }
                    Err(_) => {
                        let _ = file.empty();
                        emptied = true;
                    }
                }
            }
            continue;
        }
        // The renewal point: renewed here, or taken from whoever renewed first (the tray,
        // another job); the engine has written the file either way, and this makes sure.
        let min_valid = tokens.expires_at.map(|end| end.saturating_sub(now) + 1);
        let renewed = match engine.token(name, min_valid) {
            // Renewed, but the server's new tokens are shorter than the old one's rest (a
            // session near its maximum): what was stored is the renewed token still.
            Err(Error::TokenTooShort { .. }) => engine.token(name, Some(1)),
            other => other,
        };
        match renewed {
            Ok((fresh, _)) => {
                if fresh.access_token.expose() != tokens.access_token.expose() || emptied {
                    keep(&file, &fresh);
                }
                if told {
                    eprintln!("latchkey: `{name}` is renewed again; the job's token file is fresh");
                }
                tokens = fresh;
                (failures, told, emptied) = (0, false, false);
            }
            Err(e) if e.is_transient() => {
                // Quietly: the network comes back, and the token in the file is still good.
                tracing::info!(profile = %name, "renewal failed, trying again: {e}");
                failures += 1;
            }
            Err(e) => {
                failures += 1;
                if !told {
                    say_a_person_is_needed(name, &e, &tokens);
                    told = true;
                }
            }
        }
    };
    latchkey_engine::deferral::stop_forwarding();
    drop(file);
    Ok(exit_code(status))
}

/// Write the job's file (the engine's hook has, where this process renewed: this makes
/// sure). A write that fails is said, and the job goes on with the file it has: ending
/// here would leave the job running without its parent.
fn keep(file: &latchkey_engine::JobTokenFile, tokens: &TokenSet) {
    if let Err(e) = file.write(&tokens.access_token) {
        eprintln!("latchkey: cannot update the job's token file: {e}");
    }
}

/// When to renew: this share of the token's life after it was obtained (`None`: the
/// server gave no lifetime, so nothing is due).
fn renewal_point(tokens: &TokenSet, fraction: f64) -> Option<u64> {
    let end = tokens.expires_at?;
    let life = end.saturating_sub(tokens.obtained_at);
    Some(tokens.obtained_at + (life as f64 * fraction) as u64)
}

/// Renewal failed for good: stderr and a notification say what to do, and how long the
/// job's token lasts.
fn say_a_person_is_needed(name: &str, e: &Error, tokens: &TokenSet) {
    let until = match tokens.expires_at.map(|end| end as i64 - latchkey_engine::now_secs() as i64) {
        Some(left) if left > 0 => format!("its token lasts {} more", super::output::span(left as u64)),
        _ => "its token has expired".to_string(),
    };
    eprintln!("latchkey: the job's token for `{name}` cannot be renewed: {e}; {until}.");
    if let Some(hint) = words::hint(e) {
        eprintln!("{hint}");
    }
    let attention = match e {
        Error::ClientRejected => Attention::ClientRejected { profile: name.to_string() },
        Error::KeyringUnavailable(_) => Attention::KeyringUnavailable { profile: name.to_string() },
        _ => Attention::SignInNeeded { profile: name.to_string() },
    };
    let (title, body) =
        latchkey_ipc::words::notify::attention(&attention, latchkey_ipc::words::notify::ActIn::Terminal);
    latchkey_engine::desktop::notify::show(&title, &body);
}

/// The job's status as a shell gives it: its exit code, or 128 + the signal that ended it.
fn exit_code(status: ExitStatus) -> u8 {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return (128 + signal).clamp(0, 255) as u8;
        }
    }
    // A code that does not fit a byte (Windows) is a failure still, never 0.
    status.code().map_or(1, |c| u8::try_from(c).unwrap_or(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_renewal_point_is_the_share_of_the_life() {
        let mut t = TokenSet {
            access_token: latchkey_engine::Secret::new("a"),
            token_type: "bearer".into(),
            refresh_token: None,
            expires_at: Some(1_000 + 40),
            obtained_at: 1_000,
            scopes: vec![],
            code: None,
            code_redirect_uri: None,
        };
        assert_eq!(renewal_point(&t, 0.75), Some(1_030));
        t.expires_at = None;
        assert_eq!(renewal_point(&t, 0.75), None);
    }
}
