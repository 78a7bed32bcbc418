//! Servers a lab provides: one TOML file a server in a system folder (`servers.d` under
//! [`crate::Paths::system_dir`]), so one admin adds a server for every account on a
//! machine without a rebuild, and a person adds it without seeing a client id, a scope or
//! a redirect URI.
//!
//! Why files in a system folder: that is what a package, Group Policy or a configuration
//! profile can put in place (oidc-agent reads `/etc/oidc-agent/issuer.config.d/` the same
//! way), and only an administrator can change them. Every user of the machine can read
//! them, so they hold no secret: a file that tries is refused, in words. A file that is
//! wrong is refused on its own, with its path and line; the other files still load.
//!
//! The file's name without `.toml` is the server's id (`latchkey profile add NAME
//! --preset ID`); built-in ids keep their meaning and a file cannot take one.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;
use url::Url;

use crate::profile::{validate_name, PresetKind};

mod fields;
mod link;
mod policy;

use fields::{names_a_secret, Fields, Key};
pub use link::LINK_HOST;
pub(crate) use link::{link_for, read_link};
pub(crate) use policy::load as load_policy;
pub use policy::{LabPolicy, SignInWay};

/// The folder of server files inside the system folder.
pub(crate) const SERVERS_DIR: &str = "servers.d";

/// A server a lab's file describes, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabServer {
    /// The file's name without `.toml`.
    pub id: String,
    /// What people see.
    pub title: String,
    /// A sentence under the title.
    pub about: Option<String>,
    pub kind: PresetKind,
    /// The issuer (generic) or the server's address (Majora, Agate).
    pub address: Url,
    /// A public client the admin registered: sign-in with PKCE and no secret, no
    /// registration step.
    pub client_id: Option<String>,
    /// What was registered for that client.
    pub redirect_uri: Option<Url>,
    /// The scopes to ask for (Majora: made from `tasks`).
    pub scopes: Option<Vec<String>>,
    /// Where it came from.
    pub source: LabSource,
}

/// Where a lab's server was described.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LabSource {
    /// A file in `servers.d`.
    File(PathBuf),
    /// An "add our server" link (`latchkey://add?…`), confirmed by the person.
    Link,
}

impl LabServer {
    fn new(id: String, c: fields::Checked, source: LabSource) -> Self {
        let fields::Checked { title, about, kind, address, client_id, redirect_uri, scopes } = c;
        LabServer { id, title, about, kind, address, client_id, redirect_uri, scopes, source }
    }

    /// The file it came from, if it came from one.
    pub fn file(&self) -> Option<&Path> {
        match &self.source {
            LabSource::File(path) => Some(path),
            LabSource::Link => None,
        }
    }
}

/// A file that was not taken, and why: said with its path and, where one is to blame,
/// its line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabProblem {
    pub path: PathBuf,
    pub line: Option<usize>,
    pub message: String,
}

impl std::fmt::Display for LabProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}, line {line}: {}", self.path.display(), self.message),
            None => write!(f, "{}: {}", self.path.display(), self.message),
        }
    }
}

/// The ids of the built-in servers, which no file may take.
pub(super) const BUILT_IN: [&str; 4] = ["majora", "majora-test", "agate", "generic"];

/// Every server file in `system_dir/servers.d`, in the order of their ids, and the files
/// that were refused. No folder is no server and no problem.
pub(crate) fn load(system_dir: &Path) -> (Vec<LabServer>, Vec<LabProblem>) {
    let dir = system_dir.join(SERVERS_DIR);
    let Ok(entries) = std::fs::read_dir(&dir) else { return (Vec::new(), Vec::new()) };
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml") && p.is_file())
        .collect();
    files.sort();
    let (mut servers, mut problems) = (Vec::new(), Vec::new());
    for path in files {
        if let Some(why) = others_may_change(&dir, &path) {
            problems.push(LabProblem { path, line: None, message: why });
            continue;
        }
        match std::fs::read_to_string(&path) {
            Ok(text) => match parse(&path, &text) {
                Ok(server) => servers.push(server),
                Err(problem) => problems.push(problem),
            },
            Err(e) => problems.push(LabProblem { path, line: None, message: format!("cannot be read ({e})") }),
        }
    }
    (servers, problems)
}

/// A server file decides where people type their passwords (and the policy what they
/// trust): one that another user of the computer could change (or put there) is not
/// taken. Unix: the folder and the file may be written by their owner only, and that
/// owner is root or this user. Windows: owned by the administrators or this user (any
/// user may create a folder in `%ProgramData%` first, and would own it).
pub(crate) fn others_may_change(dir: &Path, path: &Path) -> Option<String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let me = nix::unistd::getuid().as_raw();
        for (what, place) in [("the folder", dir), ("the file", path)] {
            let Ok(meta) = std::fs::metadata(place) else { continue };
            if meta.mode() & 0o022 != 0 {
                return Some(format!(
                    "{what} can be changed by other users (mode {:o}): only its owner may write it (chmod go-w)",
                    meta.mode() & 0o777
                ));
            }
            if meta.uid() != 0 && meta.uid() != me {
                return Some(format!(
                    "{what} belongs to another user (uid {}), who could change it: it must be root's (chown root)",
                    meta.uid()
                ));
            }
        }
    }
    #[cfg(windows)]
    for (what, place) in [("the folder", dir), ("the file", path)] {
        match crate::windows_user::owned_by_administrators_or_me(place) {
            Ok(true) => {}
            Ok(false) => {
                return Some(format!(
                    "{what} belongs to another user, who could have put it there or change it: an administrator must \
                     create it (or take ownership of it)"
                ))
            }
            Err(e) => return Some(format!("cannot tell who owns {what} ({e})")),
        }
    }
    let _ = (dir, path);
    None
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    title: Spanned<String>,
    #[serde(default)]
    about: Option<Spanned<String>>,
    kind: Spanned<String>,
    address: Spanned<String>,
    #[serde(default)]
    client_id: Option<Spanned<String>>,
    #[serde(default)]
    redirect_uri: Option<Spanned<String>>,
    #[serde(default)]
    scopes: Option<Spanned<Vec<String>>>,
    #[serde(default)]
    tasks: Option<Spanned<Vec<String>>>,
}

impl Raw {
    /// Where in the file `key` is set.
    fn span(&self, key: Key) -> Option<std::ops::Range<usize>> {
        let of = |v: &Option<Spanned<String>>| v.as_ref().map(Spanned::span);
        match key {
            Key::Title => Some(self.title.span()),
            Key::About => of(&self.about),
            Key::Kind => Some(self.kind.span()),
            Key::Address => Some(self.address.span()),
            Key::ClientId => of(&self.client_id),
            Key::RedirectUri => of(&self.redirect_uri),
            Key::Scopes => self.scopes.as_ref().map(Spanned::span),
            Key::Tasks => self.tasks.as_ref().map(Spanned::span),
        }
    }

    fn fields(&self) -> Fields {
        let text = |v: &Option<Spanned<String>>| v.as_ref().map(|s| s.get_ref().clone());
        Fields {
            title: Some(self.title.get_ref().clone()),
            about: text(&self.about),
            kind: Some(self.kind.get_ref().clone()),
            address: Some(self.address.get_ref().clone()),
            client_id: text(&self.client_id),
            redirect_uri: text(&self.redirect_uri),
            scopes: self.scopes.as_ref().map(|s| s.get_ref().clone()),
            tasks: self.tasks.as_ref().map(|s| s.get_ref().clone()),
        }
    }
}

/// One file, checked: `Err` says what is wrong in words that name the file and the line.
pub(crate) fn parse(path: &Path, text: &str) -> Result<LabServer, LabProblem> {
    let problem = |span: Option<std::ops::Range<usize>>, message: String| LabProblem {
        path: path.to_path_buf(),
        line: span.map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1),
        message,
    };
    let id = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    if validate_name(&id).is_err() {
        return Err(problem(
            None,
            "the file's name is the server's id: use letters, digits, `-`, `_` and `.` (for example `our-lab.toml`)"
                .into(),
        ));
    }
    if BUILT_IN.contains(&id.as_str()) {
        return Err(problem(None, format!("`{id}` is a server Latchkey has built in: give the file another name")));
    }
    // A secret first, in its own words: the file is readable by every user.
    let table: toml::Table = text.parse().map_err(|e: toml::de::Error| problem(e.span(), short(e.message())))?;
    if let Some(key) = table.keys().find(|k| names_a_secret(k)) {
        return Err(problem(
            line_of_key(text, key),
            format!(
                "`{key}` is refused: every user of this computer can read this file, so it holds no secret. Register \
                 a public client (PKCE, no secret) and give only its `client_id`"
            ),
        ));
    }
    let raw: Raw = toml::from_str(text).map_err(|e| problem(e.span(), short(e.message())))?;
    let checked = fields::check(raw.fields()).map_err(|(key, message)| problem(raw.span(key), message))?;
    Ok(LabServer::new(id, checked, LabSource::File(path.to_path_buf())))
}

/// The first line of a TOML error's message (the crate adds the text around the spot).
fn short(message: &str) -> String {
    message.lines().next().unwrap_or(message).trim().to_string()
}

/// The line on which `key` is set, for words about it.
fn line_of_key(text: &str, key: &str) -> Option<std::ops::Range<usize>> {
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let bare = line.trim_start().trim_start_matches(['"', '\'']);
        if bare.starts_with(key) && bare[key.len()..].trim_start_matches(['"', '\'']).trim_start().starts_with('=') {
            return Some(at..at + line.len());
        }
        at += line.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::preset::majora_task_scopes;

    fn parsed(text: &str) -> Result<LabServer, LabProblem> {
        parse(Path::new("/etc/latchkey/servers.d/our-lab.toml"), text)
    }

    const GOOD: &str = r#"title = "Our lab's data server"
about = "Sign in with your lab account."
kind = "generic"
address = "https://auth.lab.example.org/realms/lab"
client_id = "latchkey-lab"
redirect_uri = "http://127.0.0.1/callback"
scopes = ["openid", "offline_access"]
"#;

    #[test]
    fn a_good_file_is_a_server_named_for_its_file() {
        let s = parsed(GOOD).unwrap();
        assert_eq!(s.id, "our-lab");
        assert_eq!(s.title, "Our lab's data server");
        assert_eq!(s.kind, PresetKind::Generic);
        assert_eq!(s.client_id.as_deref(), Some("latchkey-lab"));
        assert_eq!(s.scopes, Some(vec!["openid".to_string(), "offline_access".to_string()]));
    }

    #[test]
    fn majora_tasks_become_its_scopes() {
        let s = parsed(
            "title = \"COG\"\nkind = \"majora\"\naddress = \"https://majora.example.org/\"\ntasks = [\"upload\"]\n",
        )
        .unwrap();
        assert_eq!(s.scopes, Some(majora_task_scopes(&["upload"]).unwrap()));
        let e =
            parsed("title = \"X\"\nkind = \"generic\"\naddress = \"https://x.example.org/\"\ntasks = [\"upload\"]\n")
                .unwrap_err();
        assert_eq!(e.line, Some(4), "{e}");
    }

    #[test]
    fn a_secret_is_refused_in_words_naming_the_line() {
        let e = parsed(&format!("{GOOD}client_secret = \"s3cret\"\n")).unwrap_err();
        assert_eq!(e.line, Some(8), "{e}");
        assert!(e.message.contains("every user of this computer can read this file"), "{e}");
        assert!(!e.to_string().contains("s3cret"), "the secret itself is never repeated: {e}");
    }

    #[test]
    fn unknown_keys_and_kinds_and_bad_syntax_name_the_line() {
        let e = parsed(&GOOD.replace("about =", "abuot =")).unwrap_err();
        assert_eq!(e.line, Some(2), "{e}");
        assert!(e.message.contains("abuot"), "{e}");
        let e = parsed(&GOOD.replace("\"generic\"", "\"keycloak\"")).unwrap_err();
        assert_eq!(e.line, Some(3), "{e}");
        assert!(e.message.contains("\"majora\", \"agate\" or \"generic\""), "{e}");
        let e = parsed(&GOOD.replace("client_id = \"latchkey-lab\"", "client_id = latchkey-lab")).unwrap_err();
        assert_eq!(e.line, Some(5), "{e}");
        assert!(e.to_string().starts_with("/etc/latchkey/servers.d/our-lab.toml, line 5: "), "{e}");
    }

    #[test]
    fn an_address_in_the_clear_or_with_credentials_is_refused() {
        let e = parsed(&GOOD.replace("https://auth.lab", "http://auth.lab")).unwrap_err();
        assert_eq!(e.line, Some(4), "{e}");
        assert!(e.message.contains("use https://"), "{e}");
        assert!(parsed(&GOOD.replace("https://auth.lab", "https://me:pw@auth.lab")).is_err());
        assert!(parsed(&GOOD.replace("https://auth.lab.example.org", "http://127.0.0.1:8000")).is_ok());
        let e = parsed(&GOOD.replace("http://127.0.0.1/callback", "http://lab.example.org/cb")).unwrap_err();
        assert_eq!(e.line, Some(6), "{e}");
    }

    #[test]
    fn a_file_may_not_take_a_built_in_id_and_one_bad_file_leaves_the_others() {
        let dir = tempfile::tempdir().unwrap();
        let servers = dir.path().join(SERVERS_DIR);
        std::fs::create_dir_all(&servers).unwrap();
        std::fs::write(servers.join("majora.toml"), GOOD).unwrap();
        std::fs::write(servers.join("broken.toml"), "title = ").unwrap();
        std::fs::write(servers.join("our-lab.toml"), GOOD).unwrap();
        std::fs::write(servers.join("notes.txt"), "not a server").unwrap();
        let (ok, problems) = load(dir.path());
        assert_eq!(ok.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(), ["our-lab"]);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems.iter().any(|p| p.message.contains("built in")), "{problems:?}");
        assert!(load(&dir.path().join("none")).0.is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn a_file_or_folder_other_users_may_change_is_not_taken() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let servers = dir.path().join(SERVERS_DIR);
        std::fs::create_dir_all(&servers).unwrap();
        std::fs::set_permissions(&servers, std::fs::Permissions::from_mode(0o755)).unwrap();
        let file = servers.join("our-lab.toml");
        std::fs::write(&file, GOOD).unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert_eq!(load(dir.path()).0.len(), 1);
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o666)).unwrap();
        let (ok, problems) = load(dir.path());
        assert!(ok.is_empty());
        assert!(problems[0].message.contains("the file can be changed by other users (mode 666)"), "{problems:?}");
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        std::fs::set_permissions(&servers, std::fs::Permissions::from_mode(0o777)).unwrap();
        assert!(load(dir.path()).1[0].message.contains("the folder can be changed"));
        std::fs::set_permissions(&servers, std::fs::Permissions::from_mode(0o755)).unwrap();
        // Another user's file, however closed, is theirs to change (root can give it away).
        if nix::unistd::getuid().is_root() {
            std::os::unix::fs::chown(&file, Some(65534), None).unwrap();
            let (ok, problems) = load(dir.path());
            assert!(ok.is_empty());
            assert!(problems[0].message.contains("belongs to another user (uid 65534)"), "{problems:?}");
        }
    }
}
