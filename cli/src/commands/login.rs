//! `latchkey login NAME [--paste | --browser | --device]`.
//!
//! `--paste` (the default unless the redirect URI is a loopback address) prints the
//! authorization URL on stderr and reads the callback URL, or the bare code, on stdin:
//! this works on a headless server and with Majora, whose callback page shows the code.
//! `--browser` opens the system browser; with a loopback redirect URI the answer is
//! caught on 127.0.0.1, otherwise it is pasted. `--device` uses RFC 8628. The browser is
//! sent to a one-use page on 127.0.0.1, never given the authorize URL on its command
//! line (`engine/src/oauth/launch.rs` says why). Every sign-in ends by saying whose
//! account it is, and warns when it is not the one the profile had.

use std::io::BufRead;

use latchkey_engine::is_loopback_redirect;
use latchkey_engine::SignInWay;
use latchkey_engine::{Error, Latchkey, Result};

#[derive(Debug, clap::Args)]
pub struct LoginArgs {
    name: String,
    /// Paste the callback URL (or code) from the browser.
    #[arg(long, group = "how")]
    paste: bool,
    /// Open the system browser.
    #[arg(long, group = "how")]
    browser: bool,
    /// Use the device authorization grant (RFC 8628).
    #[arg(long, group = "how")]
    device: bool,
}

pub fn run(args: LoginArgs, engine: &Latchkey) -> Result<u8> {
    let profile = engine.profile(&args.name)?;
    let signed_in = if args.device {
        engine
            .device_sign_in(&args.name, |code| {
                eprintln!(
                    "To sign in, open {} (a page of {}) and enter the code {}",
                    code.verification_uri, code.host, code.user_code
                );
                if let Some(complete) = &code.verification_uri_complete {
                    eprintln!("(or open {complete})");
                }
                eprintln!("Waiting for you to approve…");
            })
            .map_err(|e| match e {
                // A server without RFC 8628: name the way that works without a browser here.
                Error::Unsupported(what) => Error::Usage(format!(
                    "the server does not offer {what}, so `--device` cannot sign in to it. Without a browser on \
                 this machine, use `latchkey login {0} --paste`: open the address it prints on any device, \
                 sign in there, and paste back the address you are sent to",
                    args.name
                )),
                other => other,
            })?
    } else {
        let loopback = is_loopback_redirect(&profile.redirect_uri);
        // The lab's policy may offer only some ways: asked before anything starts.
        let way = if loopback && !args.paste { SignInWay::Browser } else { SignInWay::Paste };
        engine.check_sign_in_way(way)?;
        if loopback && !args.paste {
            let (start, wait) = engine.start_loopback_sign_in(&args.name)?;
            eprintln!("Opening your browser to sign in. If it does not open, visit:\n{}", start.authorize_url);
            open_browser(&start.authorize_url);
            engine.finish_loopback_sign_in(wait).inspect_err(|e| {
                if matches!(e, Error::Cancelled(_)) {
                    eprintln!("{}", redirect_check(&profile));
                }
            })?
        } else {
            let start = engine.start_sign_in(&args.name, None)?;
            if args.browser {
                open_browser(&start.authorize_url);
            }
            eprintln!("Open this address in a browser and sign in:\n\n{}\n", start.authorize_url);
            eprintln!("Then paste the full address you were sent to (or just the code) and press Enter:");
            let mut line = String::new();
            std::io::stdin().lock().read_line(&mut line).map_err(|e| Error::io("cannot read stdin", e))?;
            if line.trim().is_empty() {
                engine.cancel_sign_in(&args.name);
                eprintln!("{}", redirect_check(&profile));
                return Err(Error::Cancelled("nothing was pasted".into()));
            }
            engine.complete_sign_in(&line, Some(&args.name))?
        }
    };
    let expiry = signed_in
        .expires_at
        .map(|at| {
            let left = (at as i64 - latchkey_engine::now_secs() as i64).max(0) as u64;
            format!(", token valid for {}", super::output::span(left))
        })
        .unwrap_or_default();
    let as_who = match &signed_in.account {
        Some(account) => format!(" as {account}"),
        None => " (the server does not say whose account this is)".into(),
    };
    eprintln!("Signed in to `{}`{as_who}{expiry}.", signed_in.profile);
    if let (Some(before), Some(now)) = (&signed_in.account_changed_from, &signed_in.account) {
        eprintln!(
            "Warning: `{0}` was signed in as {before} before; these tokens are {now}'s. If you did not sign in as \
             {now}, someone else may have finished your sign-in: run `latchkey logout {0}`, then sign in again.",
            signed_in.profile
        );
    }
    if signed_in.expires_at.is_some_and(|at| at <= latchkey_engine::now_secs()) {
        eprintln!(
            "The server's token has already expired, so `latchkey token {}` hands nothing out: ask the server's \
             administrator for tokens that last longer (on Agate, its ticket timeout).",
            signed_in.profile
        );
    }
    Ok(0)
}

/// What to check when the browser never came back: most often the server showed an error
/// page after the login instead of sending it on (Majora: "Mismatching redirect URI"),
/// because its application page does not list the address this sign-in used.
/// What is registered is the profile's address (a loopback one without the port a
/// listener adds; on Agate, the prefix every port starts with).
fn redirect_check(profile: &latchkey_engine::Profile) -> String {
    let name = &profile.name;
    let listed = match profile.server.preset {
        latchkey_engine::PresetKind::Agate => latchkey_engine::agate_redirect(&profile.redirect_uri),
        _ => profile.redirect_uri.to_string(),
    };
    let client = profile.client_id.as_deref().unwrap_or("?");
    format!(
        "If the server showed an error page after you logged in instead of sending you on (such as \
         \"Mismatching redirect URI\"), check the server's page of the application {client}: it must list \
         {listed} as a redirect URI. Then run `latchkey login {name}` again."
    )
}

/// Best effort: the URL is printed too, for when no browser opens.
fn open_browser(url: &url::Url) {
    if let Err(e) = latchkey_engine::desktop::browser::open_sign_in_page(url) {
        tracing::info!("could not open the browser: {e}");
    }
}
