//! Command-line interface: one file per subcommand, each a thin call into the engine.
//! Scripts depend on these names and exit codes; keep them stable.

use clap::{Parser, Subcommand};
use latchkey_engine::Logging;
use latchkey_engine::{Latchkey, Result};
use tracing::level_filters::LevelFilter;

mod agent;
mod completions;
mod exec;
mod export;
mod login;
mod logout;
mod output;
mod profile;
mod refresh;
mod register;
mod settings;
mod status;
mod token;
pub mod words;

const AFTER_HELP: &str = "\
Exit codes: 0 ok, 1 other failure, 2 usage, 3 sign-in needed, 4 server or network error,
5 keyring unavailable, 6 the server refuses the client id or secret (register again).
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
    /// Add, list, change and remove profiles (one client registration on one server).
    #[command(subcommand)]
    Profile(profile::ProfileCommand),
    /// Register Latchkey with the profile's server (RFC 7591), or print what to enter by hand.
    Register(register::RegisterArgs),
    /// Sign in and store tokens in the keyring.
    Login(login::LoginArgs),
    /// Print a valid access token, renewing it first if needed.
    Token(token::TokenArgs),
    /// Renew the tokens now.
    Refresh(refresh::RefreshArgs),
    /// Show profiles and their token status (never a secret).
    Status(status::StatusArgs),
    /// Revoke the tokens at the server, then forget them (the profile stays).
    Logout(logout::LogoutArgs),
    /// Run a command with a fresh token in its environment.
    Exec(exec::ExecArgs),
    /// Keep tokens fresh in the background and answer `latchkey token` from memory
    /// (what the tray does, without the desktop app).
    Agent(agent::AgentArgs),
    /// Show or change app-wide settings (shared with the tray).
    Settings(settings::SettingsArgs),
    /// Print configuration for other tools (e.g. Ocarina).
    #[command(subcommand)]
    Export(export::ExportCommand),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(completions::CompletionsArgs),
    /// Print the manual page (roff), e.g. `latchkey man | man -l -`.
    #[command(hide = true)]
    Man,
}

pub fn parse() -> Cli {
    // `latchkey token` runs before every upload, so it skips building the whole command
    // tree (a fifth of its time with the tray running): its own arguments are parsed
    // alone, and anything they do not take (`-v`, `--help`, a typo) goes to the full
    // parser, so help and errors read exactly as before.
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if args.get(1).is_some_and(|a| a == "token") {
        use clap::{Args, FromArgMatches};
        let parser = token::TokenArgs::augment_args(clap::Command::new("token").no_binary_name(true));
        if let Ok(matches) = parser.try_get_matches_from(&args[2..]) {
            if let Ok(token) = token::TokenArgs::from_arg_matches(&matches) {
                return Cli { verbose: 0, command: Command::Token(token) };
            }
        }
    }
    Cli::parse()
}

/// Commands that can finish before logging is set up: `latchkey token` when a running
/// agent has the token (the call every upload script makes).
/// What ran before logging was set up: the exit code, or what the rest of the command
/// takes on from it (the engine the agent was asked through).
pub enum Early {
    Done(u8),
    Continue(Option<Box<Latchkey>>),
}

pub fn run_early(cli: &Cli) -> Early {
    match &cli.command {
        Command::Token(args) if cli.verbose == 0 => match token::run_served(args) {
            token::Served::Printed(code) => Early::Done(code),
            token::Served::Missed(engine) => Early::Continue(Some(engine)),
            token::Served::Unopened => Early::Continue(None),
        },
        _ => Early::Continue(None),
    }
}

pub fn init_logging(verbose: u8) {
    let level = match verbose {
        0 => LevelFilter::WARN,
        1 => LevelFilter::INFO,
        _ => LevelFilter::DEBUG,
    };
    Logging::stderr(level).init();
}

/// Run one command; `Ok(n)` is the exit code of a command that ran to its end. `opened`:
/// the engine the fast path opened (and asked the agent through), if it did.
pub fn run(cli: Cli, opened: Option<Box<Latchkey>>) -> Result<u8> {
    match cli.command {
        Command::Completions(args) => return completions::run(args),
        Command::Man => return completions::man(),
        _ => {}
    }
    // A signal during a renewal waits until what the server rotated to is stored
    // (before any thread starts; `latchkey agent` waits for its signals itself).
    if !matches!(cli.command, Command::Agent(_)) {
        latchkey_engine::deferral::install()
            .map_err(|e| latchkey_engine::Error::io("cannot set up signal handling", e))?;
    }
    let asked_agent = opened.is_some();
    let engine = match opened {
        Some(engine) => *engine,
        None => Latchkey::open()?,
    };
    match cli.command {
        Command::Profile(cmd) => profile::run(cmd, &engine),
        Command::Register(args) => register::run(args, &engine),
        Command::Login(args) => login::run(args, &engine),
        Command::Token(args) => token::run(args, &engine, asked_agent),
        Command::Refresh(args) => refresh::run(args, &engine),
        Command::Status(args) => status::run(args, &engine),
        Command::Logout(args) => logout::run(args, &engine),
        Command::Exec(args) => exec::run(args, &engine),
        Command::Export(cmd) => export::run(cmd, &engine),
        Command::Settings(args) => settings::run(args, &engine),
        Command::Agent(args) => agent::run(args, engine),
        Command::Completions(_) | Command::Man => unreachable!("handled above"),
    }
}
