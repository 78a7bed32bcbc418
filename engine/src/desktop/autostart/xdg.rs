//! Start at login on Linux: an XDG autostart entry (`$XDG_CONFIG_HOME/autostart/*.desktop`)
//! that starts `latchkey-tray`, the freedesktop standard every Linux desktop reads.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// A desktop entry's `Exec="/path/prog" %u` written without the quotes, where the path
/// needs none (the Desktop Entry spec allows both, but Debian's generic `xdg-open`, the
/// one without a desktop environment behind it, runs the quotes as part of the name and
/// fails with "Permission denied"). `None` when nothing is to change.
pub fn unquoted_exec(entry: &str) -> Option<String> {
    let mut changed = false;
    let lines: Vec<String> = entry
        .lines()
        .map(|line| {
            let plain = line.strip_prefix("Exec=\"").and_then(|rest| {
                let (path, args) = rest.split_once('"')?;
                let safe = !path.is_empty() && path.chars().all(|c| c.is_ascii_alphanumeric() || "/._-+".contains(c));
                safe.then(|| format!("Exec={path}{args}"))
            });
            match plain {
                Some(l) => {
                    changed = true;
                    l
                }
                None => line.to_string(),
            }
        })
        .collect();
    changed.then(|| lines.join("\n") + if entry.ends_with('\n') { "\n" } else { "" })
}

/// The entry's file name. One per user: every store is reached from the same tray.
const FILE: &str = "latchkey-tray.desktop";

/// The autostart entry of one user (`dir` is `$XDG_CONFIG_HOME/autostart`).
#[derive(Debug, Clone)]
pub struct Autostart {
    dir: PathBuf,
}

impl Autostart {
    /// The user's autostart directory, from `$XDG_CONFIG_HOME` or `~/.config`.
    pub fn for_user() -> Result<Self> {
        let base = directories::BaseDirs::new().ok_or(Error::NoConfigDir)?;
        Ok(Self::in_dir(base.config_dir().join("autostart")))
    }

    pub fn in_dir(dir: PathBuf) -> Self {
        Self { dir }
    }

    pub fn path(&self) -> PathBuf {
        self.dir.join(FILE)
    }

    /// Whether the entry exists and is not switched off (`Hidden=true`, or GNOME's
    /// `X-GNOME-Autostart-enabled=false`, which desktops write when the user turns it off).
    pub fn is_enabled(&self) -> bool {
        match std::fs::read_to_string(self.path()) {
            Ok(text) => {
                !text.lines().map(str::trim).any(|l| l == "Hidden=true" || l == "X-GNOME-Autostart-enabled=false")
            }
            Err(_) => false,
        }
    }

    /// Write the entry so `tray` starts at login.
    pub fn enable(&self, tray: &Path) -> Result<()> {
        crate::desktop::program_place::check("Start at login", tray)?;
        super::write_file(&self.dir, &self.path(), &entry(tray))
    }

    /// Remove the entry (nothing to do if there is none).
    pub fn disable(&self) -> Result<()> {
        super::remove_file(&self.path())
    }

    /// The program the entry starts (its `Exec=` line, unquoted), if there is an entry.
    pub fn target(&self) -> Option<PathBuf> {
        let text = std::fs::read_to_string(self.path()).ok()?;
        let exec = text.lines().find_map(|l| l.trim().strip_prefix("Exec="))?;
        Some(PathBuf::from(exec_program(exec)))
    }
}

/// The program of an `Exec=` value: the inverse of [`exec_quote`] for the first word.
fn exec_program(exec: &str) -> String {
    let Some(quoted) = exec.strip_prefix('"') else {
        return exec.split_whitespace().next().unwrap_or_default().replace("%%", "%");
    };
    let mut out = String::new();
    let mut chars = quoted.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => break,
            '\\' => {
                // `\\\\` is a backslash, `\\x` an escaped x (see exec_quote).
                let _ = chars.next();
                match chars.next() {
                    Some('\\') => {
                        let _ = chars.next();
                        out.push('\\');
                    }
                    Some(other) => out.push(other),
                    None => {}
                }
            }
            '%' => {
                let _ = chars.next();
                out.push('%');
            }
            other => out.push(other),
        }
    }
    out
}

fn entry(tray: &Path) -> String {
    format!(
        "[Desktop Entry]\n\
         Type=Application\n\
         Name=Latchkey tray\n\
         Comment=Keeps your research data tokens fresh\n\
         Exec={}\n\
         Icon=latchkey-desktop\n\
         Terminal=false\n\
         NoDisplay=true\n\
         X-GNOME-Autostart-enabled=true\n",
        exec_quote(&tray.to_string_lossy())
    )
}

/// Quote a program path for `Exec=` (Desktop Entry Specification, "The Exec key"):
/// inside double quotes, `"`, `` ` ``, `$` and `\` are escaped with a backslash, and the
/// backslash itself doubles again because the value is a string with its own escapes.
fn exec_quote(path: &str) -> String {
    if !path.is_empty() && path.chars().all(|c| c.is_ascii_alphanumeric() || "/._-+".contains(c)) {
        return path.to_string();
    }
    let mut out = String::from("\"");
    for c in path.chars() {
        match c {
            '"' | '`' | '$' => {
                out.push_str("\\\\");
                out.push(c);
            }
            '\\' => out.push_str("\\\\\\\\"),
            '%' => out.push_str("%%"),
            _ => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quoted_exec_loses_its_quotes_only_where_the_path_needs_none() {
        let entry = "[Desktop Entry]\nName=Latchkey\nExec=\"/home/lab/latchkey/target/debug/latchkey-desktop\" %u\nMimeType=x-scheme-handler/latchkey\n";
        let fixed = unquoted_exec(entry).expect("a change");
        assert!(fixed.contains("\nExec=/home/lab/latchkey/target/debug/latchkey-desktop %u\n"), "{fixed}");
        assert!(fixed.starts_with("[Desktop Entry]\nName=Latchkey\n") && fixed.ends_with("latchkey\n"), "{fixed}");
        assert_eq!(unquoted_exec(&fixed), None, "already plain");
        assert_eq!(unquoted_exec("Exec=\"/home/my lab/latchkey-desktop\" %u\n"), None, "a space needs the quotes");
    }

    #[test]
    fn enable_writes_an_entry_that_disable_removes() {
        let dir = tempfile::tempdir().unwrap();
        let autostart = Autostart::in_dir(dir.path().join("autostart"));
        assert!(!autostart.is_enabled());
        autostart.enable(Path::new("/usr/bin/latchkey-tray")).unwrap();
        assert!(autostart.is_enabled());
        let text = std::fs::read_to_string(autostart.path()).unwrap();
        assert!(text.starts_with("[Desktop Entry]\n"));
        assert!(text.contains("\nExec=/usr/bin/latchkey-tray\n"));
        autostart.disable().unwrap();
        assert!(!autostart.is_enabled());
        autostart.disable().unwrap();
    }

    #[test]
    fn an_entry_the_desktop_switched_off_is_off() {
        let dir = tempfile::tempdir().unwrap();
        let autostart = Autostart::in_dir(dir.path().to_path_buf());
        autostart.enable(Path::new("/usr/bin/latchkey-tray")).unwrap();
        let text = std::fs::read_to_string(autostart.path()).unwrap();
        std::fs::write(autostart.path(), text.replace("enabled=true", "enabled=false")).unwrap();
        assert!(!autostart.is_enabled());
    }

    #[test]
    fn the_target_is_read_back_as_written_for_any_path() {
        let dir = tempfile::tempdir().unwrap();
        let autostart = Autostart::in_dir(dir.path().to_path_buf());
        assert_eq!(autostart.target(), None);
        for path in ["/usr/bin/latchkey-tray", "/home/a b/tray", "/x/$y", "/x/100%", "/x/back\\slash", "/x/\"q\""] {
            autostart.enable(Path::new(path)).unwrap();
            assert_eq!(autostart.target(), Some(PathBuf::from(path)), "{path}");
        }
    }

    #[test]
    fn odd_paths_are_quoted_for_exec() {
        assert_eq!(exec_quote("/usr/bin/latchkey-tray"), "/usr/bin/latchkey-tray");
        assert_eq!(exec_quote("/home/a b/tray"), "\"/home/a b/tray\"");
        assert_eq!(exec_quote("/x/$y"), "\"/x/\\\\$y\"");
        assert_eq!(exec_quote("/x/100%"), "\"/x/100%%\"");
    }
}
