//! `latchkey register NAME`: RFC 7591 where offered, else the values to type by hand.

use latchkey::engine::RegisterOutcome;
use latchkey::{Latchkey, Result};

#[derive(Debug, clap::Args)]
pub struct RegisterArgs {
    name: String,
}

pub fn run(args: RegisterArgs, engine: &Latchkey) -> Result<u8> {
    match engine.register(&args.name)? {
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
