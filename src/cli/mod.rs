//! Command-line interface: one file per subcommand, each a thin call into the engine.

use clap::{Parser, Subcommand};
use latchkey::paths::Paths;
use latchkey::Result;

mod completions;
mod profile;

const AFTER_HELP: &str = "\
Exit codes: 0 ok, 1 other failure, 2 usage, 3 sign-in needed, 4 server or network error,
5 keyring unavailable.
Settings: $LATCHKEY_CONFIG_DIR, else the platform config dir. Secrets: the OS keyring only.";

/// Desktop OAuth client for research data servers: fresh tokens for your scripts.
#[derive(Debug, Parser)]
#[command(name = "latchkey", version, after_help = AFTER_HELP, propagate_version = true)]
pub struct Cli {
    /// Log what happens to stderr (-v info, -vv debug). Secrets are never logged.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Add, list and remove profiles (one client registration on one server).
    #[command(subcommand)]
    Profile(profile::ProfileCommand),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(completions::CompletionsArgs),
}

pub fn parse() -> Cli {
    Cli::parse()
}

pub fn init_logging(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("LATCHKEY_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
}

/// Run one command; `Ok(n)` is the exit code of a command that ran to its end.
pub fn run(cli: Cli) -> Result<u8> {
    match cli.command {
        Command::Completions(args) => completions::run(args),
        Command::Profile(cmd) => profile::run(cmd, &Paths::from_env()?),
    }
}
