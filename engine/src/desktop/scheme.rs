//! Who takes `latchkey://` links on Linux. An installed package owns the scheme through
//! its own desktop entry (`/usr/share/applications`, `MimeType=x-scheme-handler/latchkey`);
//! a build run from a checkout has none, so it writes a per-user entry
//! (`$XDG_DATA_HOME/applications/NAME-handler.desktop`, tauri's deep-link plugin) and
//! makes it the default in `$XDG_CONFIG_HOME/mimeapps.list`. Left there, that entry
//! outranks the package's and names a binary that may be gone, so the installed copy
//! takes the scheme back ([`reclaim`]), and a checkout's build writes its entry only
//! where no installed copy takes the links ([`installed_handler`]). The single-instance
//! plugin hands a link from either copy to the one running, so nothing is lost.
//! Files and text only; the shell decides when (src-tauri's `catch/deep_link.rs`).

use std::path::{Path, PathBuf};

/// The MIME type of the scheme in desktop entries and `mimeapps.list`.
pub const SCHEME_MIME: &str = "x-scheme-handler/latchkey";

/// The programs whose per-user handler entries are Latchkey's own (a checkout's build).
const OUR_PROGRAMS: [&str; 2] = ["latchkey-desktop", "latchkey"];

fn handles_scheme(entry: &str) -> bool {
    entry.lines().filter_map(|l| l.trim().strip_prefix("MimeType=")).any(|v| v.split(';').any(|m| m == SCHEME_MIME))
}

/// The lines of `text` with their own endings (`\n`, `\r\n` or none at the end), so a
/// file is written back as it came but for the lines changed.
fn lines_with_endings(text: &str) -> impl Iterator<Item = (&str, &str)> {
    text.split_inclusive('\n').map(|line| {
        let body = line.trim_end_matches(['\r', '\n']);
        (body, &line[body.len()..])
    })
}

/// A `KEY=a;b;c;` line with `drop` taken out of its values, keeping its indentation and
/// layout; `Some(None)` when no value is left (the line goes), `None` when it is not such
/// a line or holds none of them.
fn without_values(line: &str, key: &str, drop: impl Fn(&str) -> bool) -> Option<Option<String>> {
    let indent = &line[..line.len() - line.trim_start().len()];
    let value = line.trim_start().strip_prefix(key)?.strip_prefix('=')?;
    let values: Vec<&str> = value.split(';').filter(|v| !v.trim().is_empty()).collect();
    let kept: Vec<&str> = values.iter().copied().filter(|v| !drop(v.trim())).collect();
    if kept.len() == values.len() {
        return None;
    }
    Some((!kept.is_empty()).then(|| format!("{indent}{key}={};", kept.join(";"))))
}

/// `text` with each line handed to `edit` (`None`: kept as it is; `Some(None)`: dropped;
/// `Some(Some(new))`: replaced), endings kept. `None` when nothing changes.
fn edit_lines(text: &str, edit: impl Fn(&str) -> Option<Option<String>>) -> Option<String> {
    let mut changed = false;
    let mut out = String::with_capacity(text.len());
    for (line, ending) in lines_with_endings(text) {
        match edit(line) {
            None => {
                out.push_str(line);
                out.push_str(ending);
            }
            Some(new) => {
                changed = true;
                if let Some(new) = new {
                    out.push_str(&new);
                    out.push_str(ending);
                }
            }
        }
    }
    changed.then_some(out)
}

/// Whether a desktop entry starts one of Latchkey's own programs (its `Exec=`).
fn runs_latchkey(entry: &str) -> bool {
    let program = entry.lines().find_map(|l| l.trim().strip_prefix("Exec=")).and_then(|e| e.split_whitespace().next());
    program.is_some_and(|p| {
        let name = Path::new(p.trim_matches('"')).file_name().and_then(|n| n.to_str()).unwrap_or_default();
        OUR_PROGRAMS.contains(&name)
    })
}

/// What taking the scheme back does to one per-user handler entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reclaimed {
    /// Latchkey's own entry for the scheme alone: deleted.
    Deleted(PathBuf),
    /// Another program's entry, or one for more types: only the scheme's type is gone.
    SchemeDropped(PathBuf),
}

/// The per-user handler entries in `apps` that take `latchkey://` links.
pub fn user_handlers(apps: &Path) -> Vec<PathBuf> {
    let Ok(dir) = std::fs::read_dir(apps) else { return Vec::new() };
    let mut found: Vec<PathBuf> = dir
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.ends_with("-handler.desktop")))
        .filter(|p| std::fs::read_to_string(p).is_ok_and(|t| handles_scheme(&t)))
        .collect();
    found.sort();
    found
}

/// `mimeapps.list` without `names` as handlers of the scheme (in any section); the line
/// goes when none is left. Every other line, and every line ending, stays as it was.
/// `None` when nothing changes.
pub fn without_default(text: &str, names: &[String]) -> Option<String> {
    edit_lines(text, |line| without_values(line, SCHEME_MIME, |v| names.iter().any(|n| n == v)))
}

/// Take the scheme back for the installed copy from the per-user handler entries in
/// `apps` and their lines in `mimeapps`: Latchkey's own entry for the scheme alone is
/// deleted; any other keeps everything but the scheme's type. `mimeapps.list` is edited
/// through its real path, keeping its mode and line endings. Returns what was done.
pub fn reclaim(apps: &Path, mimeapps: &Path) -> std::io::Result<Vec<Reclaimed>> {
    let stale = user_handlers(apps);
    if stale.is_empty() {
        return Ok(Vec::new());
    }
    let names: Vec<String> =
        stale.iter().filter_map(|p| p.file_name().and_then(|n| n.to_str()).map(str::to_string)).collect();
    if let Ok(text) = std::fs::read_to_string(mimeapps) {
        if let Some(fixed) = without_default(&text, &names) {
            crate::store::config::rewrite_in_place(mimeapps, fixed.as_bytes()).map_err(std::io::Error::other)?;
        }
    }
    let mut done = Vec::new();
    for entry in stale {
        let text = std::fs::read_to_string(&entry)?;
        let only_the_scheme = text
            .lines()
            .filter_map(|l| l.trim().strip_prefix("MimeType="))
            .all(|v| v.split(';').map(str::trim).filter(|m| !m.is_empty()).all(|m| m == SCHEME_MIME));
        if runs_latchkey(&text) && only_the_scheme {
            std::fs::remove_file(&entry)?;
            done.push(Reclaimed::Deleted(entry));
        } else if let Some(fixed) = edit_lines(&text, |line| without_values(line, "MimeType", |v| v == SCHEME_MIME)) {
            crate::store::config::rewrite_in_place(&entry, fixed.as_bytes()).map_err(std::io::Error::other)?;
            done.push(Reclaimed::SchemeDropped(entry));
        }
    }
    Ok(done)
}

/// The system desktop entry of an installed copy that takes `latchkey://` links and
/// whose program exists (`Exec=` absolute, or found on `path`), searched in `data_dirs`
/// (`$XDG_DATA_DIRS`: `/usr/local/share`, `/usr/share`).
pub fn installed_handler(data_dirs: &[PathBuf], path: &[PathBuf]) -> Option<PathBuf> {
    data_dirs.iter().map(|d| d.join("applications")).find_map(|apps| {
        std::fs::read_dir(apps).ok()?.flatten().map(|e| e.path()).find(|entry| {
            let Ok(text) = std::fs::read_to_string(entry) else { return false };
            let program =
                text.lines().find_map(|l| l.trim().strip_prefix("Exec=")).and_then(|e| e.split_whitespace().next());
            handles_scheme(&text)
                && program.is_some_and(|p| {
                    let p = Path::new(p.trim_matches('"'));
                    if p.is_absolute() {
                        p.exists()
                    } else {
                        path.iter().any(|dir| dir.join(p).exists())
                    }
                })
        })
    })
}

/// Make the handler entry the deep-link plugin wrote (`Exec="PATH" %u`) one every
/// `xdg-open` runs: the same line without the quotes (see
/// [`crate::desktop::autostart::unquoted_exec`]), rewritten where it is. Whether it
/// changed; a missing entry is no change.
pub fn unquote_handler_entry(entry: &Path) -> crate::error::Result<bool> {
    let Ok(text) = std::fs::read_to_string(entry) else { return Ok(false) };
    match crate::desktop::autostart::unquoted_exec(&text) {
        Some(fixed) => crate::store::config::rewrite_in_place(entry, fixed.as_bytes()).map(|()| true),
        None => Ok(false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HANDLER: &str = "[Desktop Entry]\nExec=/home/lab/latchkey/target/debug/latchkey-desktop %u\nMimeType=x-scheme-handler/latchkey\n";

    #[test]
    fn the_installed_copy_takes_the_scheme_back_from_a_checkouts_entry() {
        let home = tempfile::tempdir().unwrap();
        let apps = home.path().join("applications");
        std::fs::create_dir_all(&apps).unwrap();
        std::fs::write(apps.join("latchkey-desktop-handler.desktop"), HANDLER).unwrap();
        std::fs::write(apps.join("other-handler.desktop"), "[Desktop Entry]\nMimeType=x-scheme-handler/zoommtg\n")
            .unwrap();
        let mimeapps = home.path().join("mimeapps.list");
        std::fs::write(
            &mimeapps,
            "[Default Applications]\nx-scheme-handler/latchkey=latchkey-desktop-handler.desktop\nx-scheme-handler/zoommtg=other-handler.desktop\n\n[Added Associations]\nx-scheme-handler/latchkey=latchkey-desktop-handler.desktop;Latchkey.desktop;\n",
        )
        .unwrap();
        let gone = reclaim(&apps, &mimeapps).unwrap();
        assert_eq!(gone, vec![Reclaimed::Deleted(apps.join("latchkey-desktop-handler.desktop"))]);
        assert!(apps.join("other-handler.desktop").exists(), "another program's entry stays");
        assert_eq!(
            std::fs::read_to_string(&mimeapps).unwrap(),
            "[Default Applications]\nx-scheme-handler/zoommtg=other-handler.desktop\n\n[Added Associations]\nx-scheme-handler/latchkey=Latchkey.desktop;\n"
        );
        assert!(reclaim(&apps, &mimeapps).unwrap().is_empty(), "once is enough");
    }

    /// Issue 35, item 2: another program's handler that also names the scheme loses only
    /// that type; `mimeapps.list` behind a link stays a link, with its mode, its CRLF
    /// endings and its indentation.
    #[cfg(unix)]
    #[test]
    fn other_programs_files_keep_everything_but_the_scheme() {
        use std::os::unix::fs::PermissionsExt;
        let home = tempfile::tempdir().unwrap();
        let apps = home.path().join("applications");
        std::fs::create_dir_all(&apps).unwrap();
        let zoom = apps.join("zoom-handler.desktop");
        std::fs::write(
            &zoom,
            "[Desktop Entry]\r\nExec=/opt/zoom/zoom %u\r\n  MimeType=x-scheme-handler/zoommtg;text/html;x-scheme-handler/latchkey;\r\n",
        )
        .unwrap();
        // Latchkey's program, but for more than the scheme: not deleted either.
        let wide = apps.join("latchkey-desktop-handler.desktop");
        std::fs::write(&wide, "[Desktop Entry]\nExec=\"/home/lab/target/debug/latchkey-desktop\" %u\nMimeType=text/x-lab;x-scheme-handler/latchkey\n").unwrap();
        let dotfiles = home.path().join("dotfiles");
        std::fs::create_dir_all(&dotfiles).unwrap();
        let real = dotfiles.join("mimeapps.list");
        std::fs::write(
            &real,
            "[Default Applications]\r\n  x-scheme-handler/latchkey=zoom-handler.desktop;Latchkey.desktop;\r\ntext/html=firefox.desktop\r\n",
        )
        .unwrap();
        std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o644)).unwrap();
        let mimeapps = home.path().join("mimeapps.list");
        std::os::unix::fs::symlink(&real, &mimeapps).unwrap();

        let done = reclaim(&apps, &mimeapps).unwrap();
        assert_eq!(done, vec![Reclaimed::SchemeDropped(wide.clone()), Reclaimed::SchemeDropped(zoom.clone())]);
        assert_eq!(
            std::fs::read_to_string(&zoom).unwrap(),
            "[Desktop Entry]\r\nExec=/opt/zoom/zoom %u\r\n  MimeType=x-scheme-handler/zoommtg;text/html;\r\n"
        );
        assert!(std::fs::read_to_string(&wide).unwrap().contains("MimeType=text/x-lab;\n"));
        assert!(std::fs::symlink_metadata(&mimeapps).unwrap().file_type().is_symlink(), "the link was replaced");
        assert_eq!(
            std::fs::read_to_string(&real).unwrap(),
            "[Default Applications]\r\n  x-scheme-handler/latchkey=Latchkey.desktop;\r\ntext/html=firefox.desktop\r\n"
        );
        assert_eq!(std::fs::metadata(&real).unwrap().permissions().mode() & 0o777, 0o644);
        assert!(reclaim(&apps, &mimeapps).unwrap().is_empty(), "once is enough");
    }

    #[test]
    fn an_installed_copy_counts_only_when_its_program_is_there() {
        let root = tempfile::tempdir().unwrap();
        let share = root.path().join("share");
        let bin = root.path().join("bin");
        std::fs::create_dir_all(share.join("applications")).unwrap();
        std::fs::create_dir_all(&bin).unwrap();
        let entry = share.join("applications/Latchkey.desktop");
        std::fs::write(&entry, "[Desktop Entry]\nExec=latchkey-desktop %U\nMimeType=x-scheme-handler/latchkey;\n")
            .unwrap();
        assert_eq!(
            installed_handler(std::slice::from_ref(&share), std::slice::from_ref(&bin)),
            None,
            "removed package"
        );
        std::fs::write(bin.join("latchkey-desktop"), "").unwrap();
        assert_eq!(installed_handler(&[share], &[bin]), Some(entry));
    }
}
