//! `latchkey settings [--renew-at PERCENT] [--extra-ca-file PEM | --no-extra-ca-file]`:
//! app-wide settings (shared with the tray).

use latchkey_engine::{Latchkey, Result};

#[derive(Debug, clap::Args)]
pub struct SettingsArgs {
    /// Renew tokens at this percentage of their lifetime (50–95; default 75).
    #[arg(long, value_name = "PERCENT", value_parser = clap::value_parser!(u8).range(50..=95))]
    renew_at: Option<u32>,
    /// Trust the CA certificates in this PEM file beside the system's (an institution's
    /// own CA). `SSL_CERT_FILE` / `SSL_CERT_DIR` work too.
    #[arg(long, value_name = "PEM", conflicts_with = "no_extra_ca_file")]
    extra_ca_file: Option<std::path::PathBuf>,
    /// Stop trusting the extra CA file.
    #[arg(long)]
    no_extra_ca_file: bool,
}

pub fn run(args: SettingsArgs, engine: &Latchkey) -> Result<u8> {
    if let Some(percent) = args.renew_at {
        engine.set_renew_at_percent(percent)?;
    }
    if let Some(path) = args.extra_ca_file {
        let path = std::path::absolute(&path).unwrap_or(path);
        engine.set_extra_ca_file(Some(path))?;
    } else if args.no_extra_ca_file {
        engine.set_extra_ca_file(None)?;
    }
    let settings = engine.config()?.settings().clone();
    match settings.renew_at_percent {
        Some(p) => println!("renew-at\t{p}%"),
        None => {
            println!("renew-at\t{}% (default)", (latchkey_engine::DEFAULT_FRACTION * 100.0) as u8)
        }
    }
    match &settings.extra_ca_file {
        Some(p) => println!("extra-ca-file\t{}", p.display()),
        None => println!("extra-ca-file\tnone (the system's CAs only)"),
    }
    Ok(0)
}
