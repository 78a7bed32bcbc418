//! The checks a server's description passes, whichever way it came: a file in
//! `servers.d` or an "add our server" link. One set of rules, so a link can never carry
//! what a file may not (a secret, an address in the clear), and the words for each
//! refusal are the same. Only where the words point differs: a file's line, a link's field.
//!
//! No message repeats the value it refuses: a link is anyone's text, and what the window
//! shows must be Latchkey's own words.

use url::Url;

use crate::preset::majora_task_scopes;
use crate::profile::{is_loopback, PresetKind};

/// The longest value a description may give (a title, an address, a client id).
pub(super) const MAX_VALUE: usize = 512;

/// The keys a description may have, as a file and a link spell them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Key {
    Title,
    About,
    Kind,
    Address,
    ClientId,
    RedirectUri,
    Scopes,
    Tasks,
}

impl Key {
    pub(super) const ALL: [Key; 8] =
        [Key::Title, Key::About, Key::Kind, Key::Address, Key::ClientId, Key::RedirectUri, Key::Scopes, Key::Tasks];

    pub(super) fn as_str(self) -> &'static str {
        match self {
            Key::Title => "title",
            Key::About => "about",
            Key::Kind => "kind",
            Key::Address => "address",
            Key::ClientId => "client_id",
            Key::RedirectUri => "redirect_uri",
            Key::Scopes => "scopes",
            Key::Tasks => "tasks",
        }
    }
}

/// A key that names a secret. Said in its own words, before anything else: whatever
/// carries it (a file every user reads, a link in an email) is no place for one.
pub(super) fn names_a_secret(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    ["secret", "password", "token", "credential"].iter().any(|w| key.contains(w))
}

/// A description as it came, before any check.
#[derive(Debug, Default)]
pub(super) struct Fields {
    pub title: Option<String>,
    pub about: Option<String>,
    pub kind: Option<String>,
    pub address: Option<String>,
    pub client_id: Option<String>,
    pub redirect_uri: Option<String>,
    pub scopes: Option<Vec<String>>,
    pub tasks: Option<Vec<String>>,
}

/// A description that passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Checked {
    pub title: String,
    pub about: Option<String>,
    pub kind: PresetKind,
    pub address: Url,
    pub client_id: Option<String>,
    pub redirect_uri: Option<Url>,
    pub scopes: Option<Vec<String>>,
}

/// Check every field; `Err` names the key to blame and says what is wrong.
pub(super) fn check(f: Fields) -> Result<Checked, (Key, String)> {
    let required = |v: Option<String>, key: Key| v.ok_or((key, format!("`{}` is missing", key.as_str())));
    let title = value(&required(f.title, Key::Title)?, Key::Title)?;
    let about = f.about.map(|a| value(&a, Key::About)).transpose()?;
    let kind = match value(&required(f.kind, Key::Kind)?, Key::Kind)?.as_str() {
        "majora" => PresetKind::Majora,
        "majora-test" => PresetKind::MajoraTest,
        "agate" => PresetKind::Agate,
        "generic" => PresetKind::Generic,
        _ => {
            return Err((
                Key::Kind,
                "`kind` is not one Latchkey knows: write \"majora\", \"agate\" or \"generic\"".into(),
            ))
        }
    };
    let address = web_address(&required(f.address, Key::Address)?, Key::Address)?;
    let client_id = f.client_id.map(|c| value(&c, Key::ClientId)).transpose()?;
    let redirect_uri = f.redirect_uri.map(|r| redirect(&r)).transpose()?;
    let scopes = match (f.scopes, f.tasks) {
        (Some(_), Some(_)) => return Err((Key::Tasks, "give `scopes` or `tasks`, not both".into())),
        (Some(s), None) => {
            if s.len() > 64 {
                return Err((Key::Scopes, "`scopes` names more than 64 scopes".into()));
            }
            if s.iter().any(|x| x.is_empty() || x.len() > 200 || !x.chars().all(|c| c.is_ascii_graphic())) {
                return Err((
                    Key::Scopes,
                    "`scopes` holds something that is no scope (one word of printable characters)".into(),
                ));
            }
            Some(s)
        }
        (None, Some(t)) if kind.is_majora() => {
            let tasks: Vec<&str> = t.iter().map(String::as_str).collect();
            Some(majora_task_scopes(&tasks).map_err(|_| {
                let known: Vec<&str> = crate::MAJORA_TASKS.iter().map(|t| t.id).collect();
                (Key::Tasks, format!("`tasks` names a task Majora does not have: choose from {}", known.join(", ")))
            })?)
        }
        (None, Some(_)) => {
            return Err((Key::Tasks, "`tasks` are Majora's: give this server's `scopes` instead".into()))
        }
        (None, None) => None,
    };
    Ok(Checked { title, about, kind, address, client_id, redirect_uri, scopes })
}

/// Plain text a person will see: not empty, not over-long, no control characters.
fn value(v: &str, key: Key) -> Result<String, (Key, String)> {
    let k = key.as_str();
    let s = v.trim();
    if s.is_empty() {
        return Err((key, format!("`{k}` is empty")));
    }
    if s.len() > MAX_VALUE {
        return Err((key, format!("`{k}` is longer than {MAX_VALUE} characters")));
    }
    if s.chars().any(char::is_control) {
        return Err((key, format!("`{k}` holds a control character")));
    }
    Ok(s.to_string())
}

/// A server's address: https, or http on this computer only; no user name or password.
fn web_address(v: &str, key: Key) -> Result<Url, (Key, String)> {
    let k = key.as_str();
    let text = value(v, key)?;
    let url = Url::parse(&text).map_err(|e| (key, format!("`{k}` is not a web address ({e})")))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err((key, format!("`{k}` holds a user name or password: give the address alone")));
    }
    // Nothing rides along in a `?…` or `#…` part (a secret by another name, say).
    if url.query().is_some() || url.fragment().is_some() {
        return Err((key, format!("`{k}` has a `?…` or `#…` part: give the address alone")));
    }
    match url.scheme() {
        "https" if url.host().is_some() => Ok(url),
        "http" if is_loopback(&url) => Ok(url),
        "http" => Err((
            key,
            format!("`{k}` is http:// on another computer, where a sign-in would travel in the clear: use https://"),
        )),
        _ => Err((key, format!("`{k}` must start with https://"))),
    }
}

/// A redirect URI: a web address as [`web_address`] takes it, or the `latchkey:` scheme.
fn redirect(v: &str) -> Result<Url, (Key, String)> {
    let text = value(v, Key::RedirectUri)?;
    match Url::parse(&text) {
        Ok(url) if url.scheme() == "latchkey" && url.query().is_none() && url.fragment().is_none() => Ok(url),
        _ => web_address(v, Key::RedirectUri),
    }
}
