//! `latchkey token NAME`: print a valid access token, renewing first if needed.
//! Never hangs waiting for a person: with no silent way to renew it exits 3 at once.

use latchkey_engine::TokenSet;
use latchkey_engine::{Latchkey, Result};

#[derive(Debug, clap::Args)]
pub struct TokenArgs {
    name: String,
    /// Renew unless the token stays valid this many seconds (default: 60, or a fifth of the
    /// token's lifetime if shorter).
    #[arg(long, value_name = "SECONDS")]
    min_valid: Option<u64>,
    /// How to print it.
    #[arg(long, value_enum, default_value = "raw")]
    format: Format,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Format {
    /// The token alone.
    Raw,
    /// `Authorization: Bearer TOKEN`.
    Header,
    /// `{"access_token": ..., "token_type": ..., "expires_at": ...}`.
    Json,
    /// `LATCHKEY_ACCESS_TOKEN=...` for `eval` / `.env` files.
    Env,
}

/// `asked_agent`: [`run_served`] asked the agent already and it had none to vouch for.
pub fn run(args: TokenArgs, engine: &Latchkey, asked_agent: bool) -> Result<u8> {
    let (tokens, _source) = match asked_agent {
        true => engine.token_after_agent(&args.name, args.min_valid)?,
        false => engine.token(&args.name, args.min_valid)?,
    };
    print(args.format, &tokens);
    Ok(0)
}

/// What the fast path found.
pub enum Served {
    /// The agent vouched for a token; it is printed: the exit code.
    Printed(u8),
    /// It did not: the engine opened to ask it, for the rest of the command.
    Missed(Box<Latchkey>),
    /// Latchkey could not even be opened; the full path says why.
    Unopened,
}

/// The token a running agent vouches for, printed. `main` tries this before it sets up
/// logging: a script's `latchkey token` then costs little more than starting a process
/// (BENCHMARKS.md). A miss hands the opened engine on, so the full path neither opens
/// Latchkey again nor asks the agent twice.
pub fn run_served(args: &TokenArgs) -> Served {
    let Ok(engine) = Latchkey::open() else { return Served::Unopened };
    match engine.served_token(&args.name, args.min_valid) {
        Some(tokens) => {
            print(args.format, &tokens);
            Served::Printed(0)
        }
        None => Served::Missed(Box::new(engine)),
    }
}

fn print(format: Format, tokens: &TokenSet) {
    let token = tokens.access_token.expose();
    match format {
        Format::Raw => println!("{token}"),
        Format::Header => println!("Authorization: Bearer {token}"),
        Format::Json => println!(
            "{}",
            serde_json::json!({
                "access_token": token,
                "token_type": "Bearer",
                "expires_at": tokens.expires_at,
                "scope": tokens.scopes.join(" "),
            })
        ),
        Format::Env => println!("LATCHKEY_ACCESS_TOKEN={token}"),
    }
}
