//! `latchkey settings [--renew-at PERCENT] [--extra-ca-file PEM | --no-extra-ca-file]`:
//! app-wide settings (shared with the tray).

use latchkey_engine::{Latchkey, Result};

#[derive(Debug, clap::Args)]
pub struct SettingsArgs {
    /// Renew tokens at this percentage of their lifetime (50–95; default 75).
    #[arg(long, value_name = "PERCENT", value_parser = clap::value_parser!(u32).range(50..=95))]
    renew_at: Option<u32>,
    /// Trust the CA certificates in this PEM file beside the system's (an institution's
    /// own CA). `SSL_CERT_FILE` / `SSL_CERT_DIR` work too.
    #[arg(long, value_name = "PEM", conflicts_with = "no_extra_ca_file")]
    extra_ca_file: Option<std::path::PathBuf>,
    /// Stop trusting the extra CA file.
    #[arg(long)]
    no_extra_ca_file: bool,
    /// Keep this profile's access token in the file tools look for ($XDG_RUNTIME_DIR/bt_u$UID,
    /// else /tmp/bt_u$UID: the WLCG discovery standard), renewed by the tray or
    /// `latchkey agent` while it runs. Never a refresh token.
    #[arg(long, value_name = "NAME", conflicts_with = "no_token_file")]
    token_file_profile: Option<String>,
    /// Stop keeping the token file for tools, and remove it.
    #[arg(long)]
    no_token_file: bool,
}

pub fn run(args: SettingsArgs, engine: &Latchkey) -> Result<u8> {
    let (policy, problem) = engine.lab_policy();
    if let Some(problem) = &problem {
        eprintln!("latchkey: warning: your organisation's policy is not applied: {problem}");
    }
    // Checked whole, then saved whole: a change the policy refuses changes nothing.
    let extra_ca_file = match (args.extra_ca_file, args.no_extra_ca_file) {
        (Some(path), _) => Some(Some(std::path::absolute(&path).unwrap_or(path))),
        (None, true) => Some(None),
        (None, false) => None,
    };
    // The profile the token file is for must exist before anything is saved.
    if let Some(name) = &args.token_file_profile {
        engine.profile(name)?;
    }
    if args.renew_at.is_some() || extra_ca_file.is_some() {
        engine.change_settings(args.renew_at, extra_ca_file)?;
    }
    if let Some(name) = &args.token_file_profile {
        engine.set_token_file_profile(Some(name))?;
    } else if args.no_token_file {
        engine.set_token_file_profile(None)?;
    }
    let fixed = format!(" ({})", lower_first(&policy.why_fixed()));
    // The settings in force (the engine's answer, as the renewal loop and the HTTP client
    // get it), each marked where the policy fixes it.
    let mark = |is_fixed: bool| if is_fixed { fixed.as_str() } else { "" };
    match engine.renew_at_percent()? {
        Some(p) => println!("renew-at\t{p}%{}", mark(policy.renew_at_percent.is_some())),
        None => println!("renew-at\t{}% (default)", (latchkey_engine::DEFAULT_FRACTION * 100.0) as u8),
    }
    match engine.extra_ca_file()? {
        Some(p) => println!("extra-ca-file\t{}{}", p.display(), mark(policy.extra_ca_file.is_some())),
        None => println!("extra-ca-file\tnone (the system's CAs only)"),
    }
    match (engine.config()?.settings().token_file_profile.clone(), engine.default_token_file()) {
        (Some(name), Some(path)) => {
            println!("token-file\t{} ({name}; kept fresh while the tray or `latchkey agent` runs)", path.display())
        }
        _ => println!("token-file\toff"),
    }
    // What only the policy sets: shown where it is set.
    if let Some(on) = policy.start_at_login {
        println!("start-at-login\t{}{fixed}", if on { "on" } else { "off" });
    }
    if let Some(ways) = &policy.sign_in_ways {
        let ways: Vec<&str> = ways.iter().map(|w| w.as_str()).collect();
        println!("sign-in-ways\t{}{fixed}", ways.join(", "));
    }
    if !policy.allows_other_servers() {
        println!("other-servers\tnot allowed: only the servers your organisation provides{fixed}");
    }
    Ok(0)
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_lowercase().collect::<String>() + c.as_str()).unwrap_or_default()
}
