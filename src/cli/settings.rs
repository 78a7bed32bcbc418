//! `latchkey settings [--renew-at PERCENT]`: app-wide settings (shared with the tray).

use latchkey::{Latchkey, Result};

#[derive(Debug, clap::Args)]
pub struct SettingsArgs {
    /// Renew tokens at this percentage of their lifetime (50–95; default 75).
    #[arg(long, value_name = "PERCENT", value_parser = clap::value_parser!(u8).range(50..=95))]
    renew_at: Option<u8>,
}

pub fn run(args: SettingsArgs, engine: &Latchkey) -> Result<u8> {
    if let Some(percent) = args.renew_at {
        engine.set_renew_at_percent(percent)?;
    }
    let settings = engine.config()?.settings().clone();
    match settings.renew_at_percent {
        Some(p) => println!("renew-at\t{p}%"),
        None => println!("renew-at\t{}% (default)", (latchkey::renewal::DEFAULT_FRACTION * 100.0) as u8),
    }
    Ok(0)
}
