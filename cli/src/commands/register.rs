//! `latchkey register NAME`: RFC 7591 where offered, else the values to type by hand.

use latchkey_engine::RegisterOutcome;
use latchkey_engine::{Latchkey, Result};

#[derive(Debug, clap::Args)]
pub struct RegisterArgs {
    name: String,
    /// Read an initial access token (RFC 7591 §3) from stdin: some servers (Keycloak,
    /// for one) register clients only with one from their administrator. Used once,
    /// never stored.
    #[arg(long)]
    initial_access_token_stdin: bool,
}

pub fn run(args: RegisterArgs, engine: &Latchkey) -> Result<u8> {
    let initial = if args.initial_access_token_stdin { Some(super::profile::read_secret()?) } else { None };
    match engine.register(&args.name, initial.as_ref())? {
        RegisterOutcome::Registered { client_id } => {
            eprintln!("Registered `{}` with the server: client id {client_id}.", args.name);
            eprintln!("Next: latchkey login {}", args.name);
        }
        RegisterOutcome::Manual { registration_page, fields } => {
            eprintln!("This server has no dynamic registration. Register the application by hand:");
            if let Some(page) = registration_page {
                eprintln!("  1. Open {page}");
            }
            eprintln!("  2. Enter these values:");
            for f in fields {
                println!("{}\t{}", f.label, f.value);
            }
            eprintln!(
                "  3. Then give Latchkey the client id and secret the server shows you:\n     \
                 latchkey profile set-client {} --client-id ID --client-secret-stdin",
                args.name
            );
        }
    }
    Ok(0)
}
