//! Whether a program Latchkey points the system at (start at login, the `latchkey://`
//! handler) sits where only this user, or the system, can change it.
//!
//! Why: those entries run the program as this user, at every login or link, without
//! asking. If the program, or any folder above it, can be written by another user (a
//! build in a shared folder, a group-writable checkout), that user can put their own
//! program in its place and run it as this person. So such a place is refused, in words.
//!
//! Unix: the program and every folder above it must belong to this user or to root, and
//! not be writable by group or others, except a sticky folder (`/tmp`) whose entry below
//! is ours or root's (nobody else may rename or delete it there). Windows: the installer
//! puts programs in the user's own folder (`%LOCALAPPDATA%\Programs`), whose ACL only the
//! user and the system may write; a build run from elsewhere is not checked.

use std::path::Path;

/// Why another user could replace the program at `path`, or `None` when nobody can.
#[cfg(unix)]
pub fn others_can_replace(path: &Path) -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    let me = nix::unistd::geteuid().as_raw();
    let ours = |uid: u32| uid == me || uid == 0;
    // From the program up: each place, and the one below it (whose owner counts in a
    // sticky folder).
    let mut below: Option<std::fs::Metadata> = None;
    for place in path.ancestors().filter(|p| !p.as_os_str().is_empty()) {
        let Ok(meta) = std::fs::metadata(place) else { continue }; // not made yet
        let shown = place.display();
        if !ours(meta.uid()) {
            return Some(format!("{shown} belongs to another user"));
        }
        let writable_by_others = meta.mode() & 0o022 != 0;
        let sticky = meta.is_dir() && meta.mode() & 0o1000 != 0;
        if writable_by_others && !(sticky && below.as_ref().is_some_and(|b| ours(b.uid()))) {
            return Some(format!("other users may write to {shown}"));
        }
        below = Some(meta);
    }
    None
}

/// Windows: not checked (see the module's note).
#[cfg(not(unix))]
pub fn others_can_replace(_path: &Path) -> Option<String> {
    None
}

/// [`others_can_replace`] as the error that refuses to point `what` at the program.
pub fn check(what: &str, program: &Path) -> crate::error::Result<()> {
    match others_can_replace(program) {
        None => Ok(()),
        Some(why) => Err(crate::error::Error::Usage(format!(
            "{what} would start {}, but {why}: another user could put their own program there and have it run \
             as you. Install Latchkey (or move this build to a folder only you can write to), then try again",
            program.display()
        ))),
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn a_program_in_a_folder_others_can_write_is_refused() {
        let dir = tempfile::tempdir().unwrap(); // 0700 in the sticky /tmp
        let program = dir.path().join("bin/latchkey-tray");
        std::fs::create_dir_all(program.parent().unwrap()).unwrap();
        std::fs::write(&program, "").unwrap();
        assert_eq!(others_can_replace(&program), None);
        assert_eq!(others_can_replace(Path::new("/usr/bin/latchkey-tray")), None, "the system's own folder");
        // Not made yet: its folders count.
        assert_eq!(others_can_replace(&dir.path().join("gone/latchkey-tray")), None);
        let mode = |p: &Path, m: u32| std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap();
        mode(program.parent().unwrap(), 0o777);
        let why = others_can_replace(&program).unwrap();
        assert!(why.starts_with("other users may write to ") && why.ends_with("/bin"), "{why}");
        mode(program.parent().unwrap(), 0o775);
        assert!(others_can_replace(&program).is_some(), "group-writable");
        mode(program.parent().unwrap(), 0o755);
        mode(&program, 0o666);
        assert!(others_can_replace(&program).unwrap().ends_with("latchkey-tray"));
        let err = check("Start at login", &program).unwrap_err().to_string();
        assert!(err.contains("another user could put their own program there"), "{err}");
    }
}
