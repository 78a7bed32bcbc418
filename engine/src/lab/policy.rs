//! Settings a lab fixes for every user of a computer: `policy.toml` in the system folder
//! beside `servers.d` (what Group Policy, a configuration profile or a package puts in
//! place, as Git Credential Manager and Tailscale read theirs).
//!
//! A fixed setting wins over the person's own and cannot be changed from the window, the
//! tray or the CLI; each says "Set by your organisation" and why. A policy file that is
//! wrong fixes nothing at all (a half-read policy would be a policy nobody wrote) and is
//! reported in words with its line; Latchkey goes on with the person's settings.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use super::LabProblem;

/// The policy's file name in the system folder.
pub(crate) const POLICY_FILE: &str = "policy.toml";

/// One way to sign in, as the policy names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "kebab-case")]
pub enum SignInWay {
    /// Latchkey's own sign-in window (the desktop app).
    Window,
    /// The system browser, its answer caught on loopback or by the `latchkey:` scheme.
    Browser,
    /// The address the browser ends on, pasted back by hand.
    Paste,
    /// A code typed on the server's page on any device (RFC 8628).
    Code,
}

impl SignInWay {
    pub const ALL: [SignInWay; 4] = [SignInWay::Window, SignInWay::Browser, SignInWay::Paste, SignInWay::Code];

    pub fn as_str(self) -> &'static str {
        match self {
            SignInWay::Window => "window",
            SignInWay::Browser => "browser",
            SignInWay::Paste => "paste",
            SignInWay::Code => "code",
        }
    }

    /// The way in words, for "… is not offered here".
    pub fn words(self) -> &'static str {
        match self {
            SignInWay::Window => "signing in in Latchkey's window",
            SignInWay::Browser => "signing in with your browser",
            SignInWay::Paste => "pasting the address back",
            SignInWay::Code => "signing in with a code",
        }
    }
}

/// What the policy fixes; `None` leaves a setting to each person.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LabPolicy {
    /// Renew at this percentage of a token's life (50–95).
    pub renew_at_percent: Option<u8>,
    /// The institution's CA certificates (a PEM file), trusted beside the system's.
    pub extra_ca_file: Option<PathBuf>,
    /// The tray starts at login, or never does.
    pub start_at_login: Option<bool>,
    /// The ways to sign in that are offered (others are neither shown nor taken).
    pub sign_in_ways: Option<Vec<SignInWay>>,
    /// `false`: people add only the lab's servers (its files, or a link to one of them).
    pub allow_other_servers: Option<bool>,
    /// A sentence from the admin, shown with every fixed setting (whom to ask).
    pub note: Option<String>,
    /// The file, when there is one.
    pub path: Option<PathBuf>,
}

impl LabPolicy {
    /// Whether any setting is fixed.
    pub fn fixes_anything(&self) -> bool {
        self.renew_at_percent.is_some()
            || self.extra_ca_file.is_some()
            || self.start_at_login.is_some()
            || self.sign_in_ways.is_some()
            || self.allow_other_servers.is_some()
    }

    /// "Set by your organisation (/etc/latchkey/policy.toml). Ask it-help@…": why a
    /// setting cannot be changed, the same words everywhere.
    pub fn why_fixed(&self) -> String {
        let mut why = String::from("Set by your organisation");
        if let Some(path) = &self.path {
            why.push_str(&format!(" ({})", path.display()));
        }
        why.push('.');
        if let Some(note) = &self.note {
            why.push(' ');
            why.push_str(note);
        }
        why
    }

    /// Whether the policy offers this way to sign in (no list: every way).
    pub fn offers(&self, way: SignInWay) -> bool {
        self.sign_in_ways.as_ref().is_none_or(|ways| ways.contains(&way))
    }

    /// Whether people may add servers the lab does not provide.
    pub fn allows_other_servers(&self) -> bool {
        self.allow_other_servers != Some(false)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    #[serde(default)]
    renew_at: Option<Spanned<i64>>,
    #[serde(default)]
    extra_ca_file: Option<Spanned<String>>,
    #[serde(default)]
    start_at_login: Option<bool>,
    #[serde(default)]
    sign_in_ways: Option<Spanned<Vec<String>>>,
    #[serde(default)]
    allow_other_servers: Option<bool>,
    #[serde(default)]
    note: Option<Spanned<String>>,
}

/// The policy in `system_dir`, and what is wrong with its file. No file: nothing fixed.
pub(crate) fn load(system_dir: &Path) -> (LabPolicy, Option<LabProblem>) {
    let path = system_dir.join(POLICY_FILE);
    let problem = |message: String| LabProblem { path: path.clone(), line: None, message };
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return (LabPolicy::default(), None),
        Err(e) => return (LabPolicy::default(), Some(problem(format!("cannot be read ({e}); it fixes nothing")))),
    };
    if let Some(why) = super::others_may_change(system_dir, &path) {
        return (LabPolicy::default(), Some(problem(format!("{why}; it fixes nothing until then"))));
    }
    match parse(&path, &text) {
        // The CA the policy trusts for everyone must be no one else's to change either.
        Ok(policy) => match policy.extra_ca_file.as_deref().and_then(|ca| {
            super::others_may_change(ca.parent().unwrap_or(Path::new("/")), ca).map(|why| (ca.to_path_buf(), why))
        }) {
            Some((ca, why)) => (
                LabPolicy::default(),
                Some(problem(format!("`extra_ca_file` {}: {why}; the policy fixes nothing until then", ca.display()))),
            ),
            None => (policy, None),
        },
        Err(mut p) => {
            p.message.push_str("; the policy fixes nothing until it is mended");
            (LabPolicy::default(), Some(p))
        }
    }
}

/// The policy file, checked whole: `Err` names the line.
pub(crate) fn parse(path: &Path, text: &str) -> Result<LabPolicy, LabProblem> {
    let problem = |span: Option<std::ops::Range<usize>>, message: String| LabProblem {
        path: path.to_path_buf(),
        line: span.map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1),
        message,
    };
    let raw: Raw = toml::from_str(text).map_err(|e| problem(e.span(), super::short(e.message())))?;
    let renew_at_percent = match &raw.renew_at {
        Some(r) => match u8::try_from(*r.get_ref()) {
            Ok(p) if (50..=95).contains(&p) => Some(p),
            _ => {
                return Err(problem(
                    Some(r.span()),
                    "`renew_at` is a percentage of a token's life from 50 to 95".into(),
                ))
            }
        },
        None => None,
    };
    let extra_ca_file = match &raw.extra_ca_file {
        Some(f) => {
            let p = PathBuf::from(f.get_ref().trim());
            if !p.is_absolute() {
                return Err(problem(
                    Some(f.span()),
                    "`extra_ca_file` must be a full path (it is read by every user)".into(),
                ));
            }
            Some(p)
        }
        None => None,
    };
    let sign_in_ways = match &raw.sign_in_ways {
        Some(w) => {
            let mut ways = Vec::new();
            for name in w.get_ref() {
                match SignInWay::ALL.into_iter().find(|x| x.as_str() == name) {
                    Some(way) if !ways.contains(&way) => ways.push(way),
                    Some(_) => {}
                    None => {
                        return Err(problem(
                            Some(w.span()),
                            format!(
                                "`sign_in_ways` has \"{name}\", which is not a way Latchkey signs in: write any of \"window\", \"browser\", \"paste\", \"code\""
                            ),
                        ))
                    }
                }
            }
            if ways.is_empty() {
                return Err(problem(Some(w.span()), "`sign_in_ways` is empty: nobody could sign in".into()));
            }
            Some(ways)
        }
        None => None,
    };
    let note = match &raw.note {
        Some(n) => {
            let s = n.get_ref().trim();
            if s.is_empty() || s.len() > 512 || s.chars().any(char::is_control) {
                return Err(problem(Some(n.span()), "`note` is one sentence of up to 512 characters".into()));
            }
            Some(s.to_string())
        }
        None => None,
    };
    Ok(LabPolicy {
        renew_at_percent,
        extra_ca_file,
        start_at_login: raw.start_at_login,
        sign_in_ways,
        allow_other_servers: raw.allow_other_servers,
        note,
        path: Some(path.to_path_buf()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> Result<LabPolicy, LabProblem> {
        parse(Path::new("/etc/latchkey/policy.toml"), text)
    }

    #[test]
    fn a_policy_fixes_what_it_names_and_nothing_else() {
        // A full path on this system (TOML's literal string: a Windows path as it is).
        let ca = if cfg!(windows) { r"C:\Lab\lab-ca.pem" } else { "/etc/ssl/lab-ca.pem" };
        let p = parsed(&format!(
            "renew_at = 60\nextra_ca_file = '{ca}'\nsign_in_ways = [\"window\", \"browser\"]\n\
             allow_other_servers = false\nnote = \"Ask it-help@lab.example.org.\"\n"
        ))
        .unwrap();
        assert_eq!(p.renew_at_percent, Some(60));
        assert_eq!(p.extra_ca_file.as_deref(), Some(Path::new(ca)));
        assert_eq!(p.start_at_login, None);
        assert!(p.offers(SignInWay::Browser) && !p.offers(SignInWay::Code) && !p.offers(SignInWay::Paste));
        assert!(!p.allows_other_servers());
        assert_eq!(p.why_fixed(), "Set by your organisation (/etc/latchkey/policy.toml). Ask it-help@lab.example.org.");
        let none = LabPolicy::default();
        assert!(!none.fixes_anything() && none.offers(SignInWay::Code) && none.allows_other_servers());
    }

    #[test]
    fn each_wrong_value_is_refused_with_its_line() {
        for (text, line, words) in [
            ("note = \"x\"\nrenew_at = 30\n", 2, "from 50 to 95"),
            ("renew_at = 75\nextra_ca_file = \"lab.pem\"\n", 2, "full path"),
            ("sign_in_ways = [\"window\", \"sms\"]\n", 1, "\"sms\""),
            ("sign_in_ways = []\n", 1, "nobody could sign in"),
            ("renew_at = 75\nstart_at_logn = true\n", 2, "start_at_logn"),
            ("start_at_login = \"yes\"\n", 1, "boolean"),
        ] {
            let e = parsed(text).unwrap_err();
            assert_eq!(e.line, Some(line), "{text}: {e}");
            assert!(e.message.contains(words), "{text}: {e}");
        }
    }

    #[test]
    fn a_broken_or_open_policy_file_fixes_nothing_and_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(POLICY_FILE);
        assert_eq!(load(dir.path()), (LabPolicy::default(), None));
        std::fs::write(&file, "renew_at = 60\nsign_in_ways = [\"sms\"]\n").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        }
        let (policy, problem) = load(dir.path());
        assert_eq!(policy, LabPolicy::default(), "not half of it: renew_at is not fixed either");
        let problem = problem.unwrap();
        assert_eq!(problem.line, Some(2));
        assert!(problem.message.ends_with("the policy fixes nothing until it is mended"), "{problem}");
        std::fs::write(&file, "renew_at = 60\n").unwrap();
        assert_eq!(load(dir.path()).0.renew_at_percent, Some(60));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o666)).unwrap();
            let (policy, problem) = load(dir.path());
            assert_eq!(policy.renew_at_percent, None);
            assert!(problem.unwrap().message.contains("can be changed by other users"));
        }
    }
}
