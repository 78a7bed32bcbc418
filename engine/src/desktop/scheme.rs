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

fn handles_scheme(entry: &str) -> bool {
    entry.lines().filter_map(|l| l.trim().strip_prefix("MimeType=")).any(|v| v.split(';').any(|m| m == SCHEME_MIME))
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
/// goes when none is left. `None` when nothing changes.
pub fn without_default(text: &str, names: &[String]) -> Option<String> {
    let prefix = format!("{SCHEME_MIME}=");
    let mut changed = false;
    let mut out = Vec::new();
    for line in text.lines() {
        let Some(value) = line.trim().strip_prefix(&prefix) else {
            out.push(line.to_string());
            continue;
        };
        let kept: Vec<&str> = value.split(';').filter(|v| !v.is_empty() && !names.iter().any(|n| n == v)).collect();
        if kept.len() == value.split(';').filter(|v| !v.is_empty()).count() {
            out.push(line.to_string());
            continue;
        }
        changed = true;
        if !kept.is_empty() {
            out.push(format!("{prefix}{};", kept.join(";")));
        }
    }
    changed.then(|| out.join("\n") + if text.ends_with('\n') { "\n" } else { "" })
}

/// Take the scheme back for the installed copy: delete the per-user handler entries in
/// `apps` and their lines in `mimeapps`. Returns the entries deleted.
pub fn reclaim(apps: &Path, mimeapps: &Path) -> std::io::Result<Vec<PathBuf>> {
    let stale = user_handlers(apps);
    if stale.is_empty() {
        return Ok(stale);
    }
    let names: Vec<String> =
        stale.iter().filter_map(|p| p.file_name().and_then(|n| n.to_str()).map(str::to_string)).collect();
    if let Ok(text) = std::fs::read_to_string(mimeapps) {
        if let Some(fixed) = without_default(&text, &names) {
            crate::store::config::write_atomic(mimeapps, fixed.as_bytes()).map_err(std::io::Error::other)?;
        }
    }
    for entry in &stale {
        std::fs::remove_file(entry)?;
    }
    Ok(stale)
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
        assert_eq!(gone, vec![apps.join("latchkey-desktop-handler.desktop")]);
        assert!(apps.join("other-handler.desktop").exists(), "another program's entry stays");
        assert_eq!(
            std::fs::read_to_string(&mimeapps).unwrap(),
            "[Default Applications]\nx-scheme-handler/zoommtg=other-handler.desktop\n\n[Added Associations]\nx-scheme-handler/latchkey=Latchkey.desktop;\n"
        );
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
