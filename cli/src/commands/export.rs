//! `latchkey export ...`: configuration for other tools.

use latchkey_engine::{Latchkey, Result};

#[derive(Debug, clap::Subcommand)]
pub enum ExportCommand {
    /// Print the `~/.ocarina` JSON for a profile (client secret only with --with-secret).
    OcarinaConfig {
        name: String,
        /// Include the client secret (it is then on your screen and in whatever you pipe to).
        #[arg(long)]
        with_secret: bool,
    },
}

pub fn run(cmd: ExportCommand, engine: &Latchkey) -> Result<u8> {
    match cmd {
        ExportCommand::OcarinaConfig { name, with_secret } => {
            let config = engine.ocarina_config(&name, with_secret)?;
            println!("{}", serde_json::to_string_pretty(&config).expect("config serializes"));
            if config["MAJORA_USER"] == "" {
                eprintln!("MAJORA_USER is empty: sign in first (`latchkey login {name}`) so Latchkey learns your username, or fill it in.");
            }
            Ok(0)
        }
    }
}
