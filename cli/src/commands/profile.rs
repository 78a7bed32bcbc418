//! `latchkey profile ...`: manage profiles.

use std::io::Read;

use latchkey_engine::RedirectMode;
use latchkey_engine::Secret;
use latchkey_engine::ServerSpec;
use latchkey_engine::{Error, Latchkey, Result};
use url::Url;

#[derive(Debug, clap::Subcommand)]
pub enum ProfileCommand {
    /// Add a profile for a server.
    Add(Box<AddArgs>),
    /// List the servers a profile can be added for: those built in, and those your lab
    /// provides (files in the system folder's servers.d).
    Presets {
        /// Print JSON for scripts.
        #[arg(long)]
        json: bool,
    },
    /// Print the "add our server" link (latchkey://add?…) for a server your lab provides,
    /// by its id or a server file's path, to put on a wiki or in an email. It holds what
    /// the file holds and never a secret.
    Link {
        /// The server's id (`latchkey profile presets`), or the path of a .toml server file.
        #[arg(value_name = "ID|FILE")]
        server: String,
    },
    /// List profiles (never prints a secret).
    List {
        /// Print JSON for scripts.
        #[arg(long)]
        json: bool,
    },
    /// Set the client id (and secret, read from stdin) of a profile.
    SetClient {
        name: String,
        #[arg(long)]
        client_id: String,
        /// Read the client secret from standard input (keeps it out of shell history).
        #[arg(long)]
        client_secret_stdin: bool,
    },
    /// Ask the server whether it accepts the profile's client id and secret (a made-up
    /// code at the token endpoint: `invalid_grant` means yes, `invalid_client` no).
    Check { name: String },
    /// Change a profile's settings.
    Set {
        name: String,
        /// The redirect URI registered with the server (e.g. after registering again).
        #[arg(long, value_name = "URI")]
        redirect_uri: Option<Url>,
        /// Majora: what you will do, comma-separated (upload, read, qc, addempty,
        /// dataviews); sets the scopes those need. Takes effect at the next sign-in.
        #[arg(long, value_name = "TASKS", value_delimiter = ',', conflicts_with = "scopes")]
        tasks: Option<Vec<String>>,
        /// Scopes, space-separated. Takes effect at the next sign-in.
        #[arg(long)]
        scopes: Option<String>,
        /// Keep Ocarina's token cache current after every renewal (default path:
        /// ~/.ocarina-tokens).
        #[arg(long, value_name = "PATH", num_args = 0..=1, conflicts_with = "no_ocarina_sync")]
        ocarina_sync: Option<Option<std::path::PathBuf>>,
        /// Stop writing Ocarina's token cache.
        #[arg(long)]
        no_ocarina_sync: bool,
    },
    /// Remove a profile: revoke its tokens, delete a client Latchkey registered, forget its secrets.
    Remove {
        #[arg(required_unless_present = "all")]
        name: Option<String>,
        /// Remove every profile (the Windows uninstaller's "Also remove my servers and sign-ins").
        #[arg(long, conflicts_with = "name")]
        all: bool,
    },
}

#[derive(Debug, clap::Args)]
pub struct AddArgs {
    /// Profile name (letters, digits, `-`, `_`, `.`).
    name: String,
    /// The server: majora, majora-test, agate, generic, or the id of a server your lab
    /// provides (`latchkey profile presets` lists them).
    #[arg(long, value_name = "ID", required_unless_present = "link", conflicts_with = "link")]
    preset: Option<String>,
    /// An "add our server" link (latchkey://add?…) your lab sent: the server it describes.
    #[arg(long, value_name = "LINK")]
    link: Option<String>,
    /// Base URL (Majora: overrides the preset's; Agate: required).
    #[arg(long, conflicts_with = "issuer")]
    base_url: Option<Url>,
    /// Issuer URL to discover endpoints from (generic).
    #[arg(long)]
    issuer: Option<Url>,
    /// Authorization endpoint, by hand (generic).
    #[arg(long, requires = "token_url")]
    authorize_url: Option<Url>,
    /// Token endpoint, by hand (generic).
    #[arg(long, requires = "authorize_url")]
    token_url: Option<Url>,
    /// Revocation endpoint, by hand (RFC 7009).
    #[arg(long)]
    revoke_url: Option<Url>,
    /// Device authorization endpoint, by hand (RFC 8628).
    #[arg(long)]
    device_url: Option<Url>,
    /// The client id the server gave you.
    #[arg(long)]
    client_id: Option<String>,
    /// Read the client secret from standard input.
    #[arg(long)]
    client_secret_stdin: bool,
    /// Scopes, space-separated (default: the preset's).
    #[arg(long, conflicts_with = "tasks")]
    scopes: Option<String>,
    /// Majora: what you will do, comma-separated (upload, read, qc, addempty,
    /// dataviews); the scopes follow (default: upload).
    #[arg(long, value_name = "TASKS", value_delimiter = ',')]
    tasks: Option<Vec<String>>,
    /// Redirect URI registered with the server (default: the preset's).
    #[arg(long)]
    redirect_uri: Option<Url>,
}

pub fn run(cmd: ProfileCommand, engine: &Latchkey) -> Result<u8> {
    match cmd {
        ProfileCommand::Add(args) => add(*args, engine),
        ProfileCommand::List { json } => list(engine, json),
        ProfileCommand::Presets { json } => presets(engine, json),
        ProfileCommand::Link { server } => {
            println!("{}", engine.add_link_for(&server)?);
            Ok(0)
        }
        ProfileCommand::SetClient { name, client_id, client_secret_stdin } => {
            let secret = if client_secret_stdin { Some(read_secret()?) } else { None };
            engine.set_client(&name, &client_id, secret.as_ref())?;
            eprintln!("Client of `{name}` updated. Check it: latchkey profile check {name}; then sign in: latchkey login {name}");
            Ok(0)
        }
        ProfileCommand::Check { name } => match engine.check_credentials(&name)? {
            latchkey_engine::CredentialCheck::Accepted => {
                println!("The server accepts the client id and secret of `{name}`.");
                Ok(0)
            }
            latchkey_engine::CredentialCheck::Rejected => Err(Error::ClientRejected),
        },
        ProfileCommand::Set { name, redirect_uri, tasks, scopes, ocarina_sync, no_ocarina_sync } => {
            let mut changed = false;
            if let Some(uri) = redirect_uri {
                engine.set_redirect_uri(&name, uri.clone())?;
                eprintln!("`{name}` now uses the redirect URI {uri}; it must be registered with the server.");
                changed = true;
            }
            let scopes = match (tasks, scopes) {
                (Some(tasks), _) => Some(task_scopes(engine, &name, &tasks)?),
                (None, Some(scopes)) => Some(scopes.split_whitespace().map(str::to_string).collect()),
                (None, None) => None,
            };
            if let Some(scopes) = scopes {
                engine.set_scopes(&name, scopes.clone())?;
                eprintln!(
                    "`{name}` will ask for: {}\nSign in again for it to take effect: latchkey login {name}",
                    scopes.join(" ")
                );
                changed = true;
            }
            if no_ocarina_sync {
                engine.set_ocarina_sync(&name, None)?;
                eprintln!("`{name}` no longer writes Ocarina's token cache.");
                changed = true;
            } else if let Some(path) = ocarina_sync {
                let path = match path.or_else(latchkey_engine::ocarina_tokens_path) {
                    Some(p) => p,
                    None => return Err(Error::Usage("no home directory; give the path to --ocarina-sync".into())),
                };
                engine.set_ocarina_sync(&name, Some(path.clone()))?;
                eprintln!("`{name}` keeps {} current after every renewal.", path.display());
                changed = true;
            }
            if !changed {
                return Err(Error::Usage(
                    "nothing to change: try --redirect-uri, --tasks, --scopes or --ocarina-sync [PATH]".into(),
                ));
            }
            Ok(0)
        }
        ProfileCommand::Remove { name, all } => {
            let names: Vec<String> = match name {
                Some(name) => vec![name],
                None => engine.config()?.profiles().map(|p| p.name.clone()).collect(),
            };
            if all && names.is_empty() {
                eprintln!("No profiles to remove.");
            }
            for name in names {
                let (report, problems) = engine.remove_profile(&name)?;
                for p in &problems {
                    eprintln!("warning: {p}");
                }
                eprintln!(
                    "Removed `{name}`{}{}.",
                    if report.revoked { "; tokens revoked at the server" } else { "" },
                    if report.client_deleted { "; client registration deleted" } else { "" }
                );
            }
            Ok(0)
        }
    }
}

/// Read a secret from stdin: the first line, trimmed.
pub fn read_secret() -> Result<Secret> {
    let mut text = String::new();
    std::io::stdin().read_to_string(&mut text).map_err(|e| Error::io("cannot read stdin", e))?;
    let secret = text.lines().next().unwrap_or("").trim().to_string();
    if secret.is_empty() {
        return Err(Error::Usage("no client secret on standard input".into()));
    }
    Ok(Secret::new(secret))
}

/// The scopes of Majora tasks, for a profile that is a Majora one.
fn task_scopes(engine: &Latchkey, name: &str, tasks: &[String]) -> Result<Vec<String>> {
    if !engine.profile(name)?.server.preset.is_majora() {
        return Err(Error::Usage(format!("`{name}` is not a Majora profile: give --scopes instead of --tasks")));
    }
    let ids: Vec<&str> = tasks.iter().map(|t| t.trim()).filter(|t| !t.is_empty()).collect();
    latchkey_engine::majora_task_scopes(&ids)
}

fn add(args: AddArgs, engine: &Latchkey) -> Result<u8> {
    let client_secret = if args.client_secret_stdin { Some(read_secret()?) } else { None };
    // What the server's id gives (a lab's file: the address, a client, the scopes), then
    // what the command line says instead.
    let mut new = match (&args.preset, &args.link) {
        (_, Some(link)) => engine.new_profile_from_link(&args.name, link)?,
        (Some(id), None) => engine.new_profile_for(&args.name, id)?,
        (None, None) => return Err(Error::Usage("give --preset ID or --link LINK".into())),
    };
    match (&args.tasks, &args.scopes) {
        (Some(_), _) if !new.preset.is_majora() => {
            return Err(Error::Usage("--tasks is for the Majora presets; give --scopes instead".into()))
        }
        (Some(tasks), _) => {
            let ids: Vec<&str> = tasks.iter().map(|t| t.trim()).filter(|t| !t.is_empty()).collect();
            new.scopes = Some(latchkey_engine::majora_task_scopes(&ids)?);
        }
        (None, Some(s)) => new.scopes = Some(s.split_whitespace().map(str::to_string).collect()),
        (None, None) => {}
    }
    let given = ServerSpec {
        base_url: args.base_url,
        issuer: args.issuer,
        authorize_url: args.authorize_url,
        token_url: args.token_url,
        revoke_url: args.revoke_url,
        device_url: args.device_url,
    };
    // An address on the command line names the server whole; else only the extra
    // endpoints given are added to what the server's id says.
    if given.base_url.is_some() || given.issuer.is_some() || given.authorize_url.is_some() {
        new.spec = given;
    } else {
        new.spec.revoke_url = given.revoke_url.or(new.spec.revoke_url);
        new.spec.device_url = given.device_url.or(new.spec.device_url);
    }
    if args.client_id.is_some() {
        new.client_id = args.client_id;
    }
    new.client_secret = client_secret;
    if args.redirect_uri.is_some() {
        new.redirect_uri = args.redirect_uri;
    }
    new.redirect_mode = new.redirect_uri.as_ref().map(|u| match u.scheme() {
        "http" => RedirectMode::Loopback,
        _ => RedirectMode::Window,
    });
    if args.link.is_some() {
        engine.check_linked_server(&new)?;
    }
    let profile = engine.add_profile(new)?;
    eprintln!("Added `{}` for {}.", profile.name, profile.server.describe());
    // The address the server's application page must list, exactly.
    // Agate matches by prefix, and a loopback sign-in's address carries its port.
    let register = match profile.server.preset {
        latchkey_engine::PresetKind::Agate => latchkey_engine::agate_redirect(&profile.redirect_uri),
        _ => profile.redirect_uri.to_string(),
    };
    eprintln!("Redirect URI: {register}");
    if profile.client_id.is_none() {
        eprintln!("Next: latchkey register {}", profile.name);
    } else {
        eprintln!("Next: latchkey login {}", profile.name);
    }
    Ok(0)
}

fn presets(engine: &Latchkey, json: bool) -> Result<u8> {
    let (lab, problems) = engine.lab_servers();
    for problem in &problems {
        eprintln!("latchkey: warning: skipped a server file: {problem}");
    }
    #[derive(serde::Serialize)]
    struct Row {
        id: String,
        title: String,
        kind: &'static str,
        /// `null`: built in; else the file it came from.
        file: Option<std::path::PathBuf>,
        /// Whether the lab registered a client: nothing to register, only sign in.
        has_client: bool,
    }
    let built_in = latchkey_engine::CATALOGUE.iter().map(|p| Row {
        id: p.kind.as_str().to_string(),
        title: p.title.to_string(),
        kind: p.kind.as_str(),
        file: None,
        has_client: false,
    });
    let lab = lab.into_iter().map(|s| Row {
        file: s.file().map(Into::into),
        id: s.id,
        title: s.title,
        kind: s.kind.as_str(),
        has_client: s.client_id.is_some(),
    });
    // The lab's first: they are what its people are meant to choose.
    let rows: Vec<Row> = lab.chain(built_in).collect();
    if json {
        println!("{}", serde_json::to_string_pretty(&rows).map_err(|e| Error::Usage(e.to_string()))?);
        return Ok(0);
    }
    for row in &rows {
        let from = match &row.file {
            Some(path) => path.display().to_string(),
            None => "built in".to_string(),
        };
        println!("{}\t{}\t{}", row.id, row.title, from);
    }
    Ok(0)
}

fn list(engine: &Latchkey, json: bool) -> Result<u8> {
    let config = engine.config()?;
    super::output::warn_name_clashes(&config);
    if json {
        #[derive(serde::Serialize)]
        struct Row<'a> {
            name: &'a str,
            preset: &'a str,
            issuer: &'a str,
            client_id: Option<&'a str>,
            scopes: &'a [String],
            redirect_uri: &'a str,
        }
        let rows: Vec<Row> = config
            .profiles()
            .map(|p| Row {
                name: &p.name,
                preset: p.server.preset.as_str(),
                issuer: p.server.issuer.as_str(),
                client_id: p.client_id.as_deref(),
                scopes: &p.scopes,
                redirect_uri: p.redirect_uri.as_str(),
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&rows).expect("rows serialize"));
        return Ok(0);
    }
    let mut any = false;
    for p in config.profiles() {
        any = true;
        println!("{}\t{}\t{}", p.name, p.server.preset.as_str(), p.server.issuer);
    }
    if !any {
        eprintln!("No profiles yet. Add one with `latchkey profile add NAME --preset majora`.");
    }
    Ok(0)
}
