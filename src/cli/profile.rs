//! `latchkey profile ...`: manage profiles.

use latchkey::paths::Paths;
use latchkey::{Config, Result};
use serde::Serialize;

#[derive(Debug, clap::Subcommand)]
pub enum ProfileCommand {
    /// List profiles (never prints a secret).
    List {
        /// Print JSON for scripts.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Serialize)]
struct ProfileRow<'a> {
    name: &'a str,
    preset: &'a str,
    issuer: &'a str,
    client_id: Option<&'a str>,
    scopes: &'a [String],
    redirect_uri: &'a str,
}

pub fn run(cmd: ProfileCommand, paths: &Paths) -> Result<u8> {
    match cmd {
        ProfileCommand::List { json } => list(paths, json),
    }
}

fn list(paths: &Paths, json: bool) -> Result<u8> {
    let config = Config::load(paths)?;
    let rows: Vec<ProfileRow> = config
        .profiles()
        .map(|p| ProfileRow {
            name: &p.name,
            preset: p.server.preset.as_str(),
            issuer: p.server.issuer.as_str(),
            client_id: p.client_id.as_deref(),
            scopes: &p.scopes,
            redirect_uri: p.redirect_uri.as_str(),
        })
        .collect();
    if json {
        println!("{}", serde_json::to_string_pretty(&rows).expect("rows serialize"));
    } else if rows.is_empty() {
        eprintln!("No profiles yet. Add one with `latchkey profile add NAME --preset majora`.");
    } else {
        for row in rows {
            println!("{}\t{}\t{}", row.name, row.preset, row.issuer);
        }
    }
    Ok(0)
}
