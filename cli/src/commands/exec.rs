//! `latchkey exec NAME -- CMD ARGS...`: run CMD with a fresh token in its environment.
//! On Unix the command replaces this process, so its exit code is the exit code.

use latchkey_engine::{Error, Latchkey, Result};

#[derive(Debug, clap::Args)]
pub struct ExecArgs {
    name: String,
    /// The environment variable that carries the token.
    #[arg(long, default_value = "LATCHKEY_ACCESS_TOKEN")]
    env_var: String,
    /// Renew unless the token stays valid this many seconds.
    #[arg(long, value_name = "SECONDS")]
    min_valid: Option<u64>,
    /// The command and its arguments.
    #[arg(last = true, required = true, num_args = 1..)]
    command: Vec<String>,
}

pub fn run(args: ExecArgs, engine: &Latchkey) -> Result<u8> {
    let (tokens, _) = engine.token(&args.name, args.min_valid)?;
    let mut command = std::process::Command::new(&args.command[0]);
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
