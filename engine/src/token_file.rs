//! Token files for jobs that run for hours: the WLCG Bearer Token Discovery standard
//! (v1.0), read by htgettoken, HTCondor, XRootD, Davix and the mytoken client.
//!
//! A tool looks for its token in `BEARER_TOKEN`, then the file `BEARER_TOKEN_FILE` names,
//! then `$XDG_RUNTIME_DIR/bt_u$UID`, then `/tmp/bt_u$UID`; the file holds the access token
//! alone, and an empty file means "look further". Latchkey keeps two kinds:
//!
//! - **a job's file** (`latchkey exec --token-file`): one per running job, in a folder only
//!   the user can open (`$XDG_RUNTIME_DIR/latchkey/jobs`, else the state folder), named
//!   for its profile and the `exec` process that owns it;
//! - **the default file** (`bt_u$UID`), for the one profile the settings name.
//!
//! Why every renewal writes them, whichever process renews (the tray, `latchkey agent`,
//! the CLI, the job's own `exec`): a rotating server (Majora) kills the old access token
//! the moment it answers a refresh, so a file written only by its owner on its own
//! schedule would hold a dead token until the owner looked. Here the file is replaced in
//! the same breath as the keyring write ([`after_new_tokens`]), whole: written beside it,
//! then renamed, so a reader sees the old token or the new one and never half of either.
//!
//! A file never holds a refresh token: what leaks from it is one access token, for
//! the rest of its life.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::store::paths::private_dir;
use crate::{Config, Paths, Secret};

/// Where the jobs' files are: the runtime folder (gone at logout, never on disk on most
/// systems), else the state folder; the user's alone either way.
pub(crate) fn jobs_dir(paths: &Paths) -> PathBuf {
    let tag = paths.keyring_service().replace(':', "-");
    match std::env::var_os("XDG_RUNTIME_DIR").filter(|d| !d.is_empty()) {
        Some(run) => PathBuf::from(run).join("latchkey").join(format!("jobs-{tag}")),
        None => paths.state_dir().join("jobs"),
    }
}

/// `bt_u$UID` in the runtime folder, else in `/tmp`, as the standard looks for it. Unix
/// only: Windows has no such place (a job there uses `exec --token-file`).
pub(crate) fn default_file() -> Option<PathBuf> {
    #[cfg(unix)]
    {
        let name = format!("bt_u{}", nix::unistd::getuid().as_raw());
        let dir = std::env::var_os("XDG_RUNTIME_DIR")
            .filter(|d| !d.is_empty())
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("/tmp"));
        Some(dir.join(name))
    }
    #[cfg(not(unix))]
    None
}

/// A running job's token file: created for it, kept fresh by every renewal of its profile
/// while the process that made it lives, removed when it is dropped.
#[derive(Debug)]
pub struct JobTokenFile {
    path: PathBuf,
}

impl JobTokenFile {
    /// A new file for `profile`'s job, holding `token`.
    pub(crate) fn create(paths: &Paths, profile: &str, token: &Secret) -> Result<Self> {
        let dir = jobs_dir(paths);
        private_dir(&dir).map_err(|e| Error::io(format!("cannot create {}", dir.display()), e))?;
        refuse_unless_private(&dir)?;
        let path = dir.join(format!("{profile}@{}@{}.token", this_host(), std::process::id()));
        let file = JobTokenFile { path };
        replace(&file.path, token.expose())?;
        Ok(file)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Write `token` now (the job's own renewal, or after another process renewed).
    pub fn write(&self, token: &Secret) -> Result<()> {
        replace(&self.path, token.expose())
    }

    /// Leave the file empty ("look further"): the token in it has expired and none came.
    pub fn empty(&self) -> Result<()> {
        replace(&self.path, "")
    }
}

impl Drop for JobTokenFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// After a sign-in or a renewal stored `token` for `profile`: every job file of that
/// profile whose job still runs, and the default file where it is this profile's.
/// Best effort and logged: the renewal itself has succeeded.
pub(crate) fn after_new_tokens(paths: &Paths, profile: &str, token: &Secret) {
    after_new_tokens_with(paths, profile, default_profile(paths).as_deref(), token)
}

/// The profile whose token the default file holds (the settings), if any.
pub(crate) fn default_profile(paths: &Paths) -> Option<String> {
    Config::load(paths).ok().and_then(|c| c.settings().token_file_profile.clone())
}

fn after_new_tokens_with(paths: &Paths, profile: &str, default_for: Option<&str>, token: &Secret) {
    for (path, owner) in job_files(paths, profile) {
        if !process_lives(owner) {
            // An `exec` that was killed outright left it: no job reads it any more.
            let _ = std::fs::remove_file(&path);
            continue;
        }
        if let Err(e) = replace(&path, token.expose()) {
            tracing::warn!(profile, file = %path.display(), "cannot update a job's token file: {e}");
        }
    }
    if default_for == Some(profile) {
        if let Err(e) = write_default(token) {
            tracing::warn!(profile, "cannot update the token file for tools: {e}");
        }
    }
}

/// After `profile` signed out: its jobs' files hold no token any more (their jobs look
/// further, or fail saying so), and the default file goes where it was this profile's.
pub(crate) fn after_sign_out(paths: &Paths, profile: &str) {
    after_sign_out_with(paths, profile, default_profile(paths).as_deref())
}

fn after_sign_out_with(paths: &Paths, profile: &str, default_for: Option<&str>) {
    for (path, _) in job_files(paths, profile) {
        let _ = replace(&path, "");
    }
    if default_for == Some(profile) {
        remove_default();
    }
}

/// The job files of `profile` made on this computer, each with the process id that owns
/// it (`PROFILE@HOST@PID.token`: a state folder on a shared home, as on a cluster, holds
/// other computers' jobs too, whose processes are not ours to look for).
fn job_files(paths: &Paths, profile: &str) -> Vec<(PathBuf, u32)> {
    let Ok(entries) = std::fs::read_dir(jobs_dir(paths)) else { return Vec::new() };
    let host = this_host();
    entries
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let mut parts = name.strip_suffix(".token")?.rsplitn(3, '@');
            let (pid, on, who) = (parts.next()?, parts.next()?, parts.next()?);
            (who == profile && on == host).then_some(())?;
            Some((e.path(), pid.parse().ok()?))
        })
        .collect()
}

/// This computer's name, as a job file's name carries it (letters, digits and `-`).
fn this_host() -> String {
    #[cfg(unix)]
    let name = nix::unistd::gethostname().map(|h| h.to_string_lossy().into_owned()).unwrap_or_default();
    #[cfg(not(unix))]
    let name = std::env::var("COMPUTERNAME").unwrap_or_default();
    let name: String = name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '-' }).collect();
    if name.is_empty() {
        "localhost".into()
    } else {
        name
    }
}

fn process_lives(pid: u32) -> bool {
    #[cfg(unix)]
    {
        let Ok(pid) = i32::try_from(pid) else { return false };
        // Signal 0: is there such a process (ours: the folder is the user's alone)?
        match nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), None) {
            Ok(()) => true,
            Err(nix::errno::Errno::EPERM) => true,
            Err(_) => false,
        }
    }
    #[cfg(not(unix))]
    {
        crate::windows_user::process_exists(pid)
    }
}

/// Write the default file for tools (`bt_u$UID`) with `token`.
pub(crate) fn write_default(token: &Secret) -> Result<()> {
    let Some(path) = default_file() else { return Ok(()) };
    refuse_unless_ours(&path)?;
    replace(&path, token.expose())
}

/// `Err` when a default file exists that is not ours (it would never be replaced).
pub(crate) fn check_default() -> Result<()> {
    match default_file() {
        Some(path) => refuse_unless_ours(&path),
        None => Ok(()),
    }
}

/// Remove the default file, if it is ours.
pub(crate) fn remove_default() {
    if let Some(path) = default_file() {
        if refuse_unless_ours(&path).is_ok() {
            let _ = std::fs::remove_file(&path);
        }
    }
}

/// Replace `path` whole with `text`: a new file (the user's alone) beside it, then a
/// rename over it.
fn replace(path: &Path, text: &str) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".latchkey-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| Error::io(format!("cannot write beside {}", path.display()), e))?;
    tmp.write_all(text.as_bytes()).map_err(|e| Error::io(format!("cannot write beside {}", path.display()), e))?;
    // Readers see whole files, and after a crash the file is the old token or the new.
    tmp.as_file().sync_all().map_err(|e| Error::io(format!("cannot write beside {}", path.display()), e))?;
    tmp.persist(path).map_err(|e| Error::io(format!("cannot replace {}", path.display()), e.error))?;
    Ok(())
}

/// A job's folder must be the user's alone (it may have been made by someone else first,
/// in a shared `/tmp`-like runtime folder).
fn refuse_unless_private(dir: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let meta =
            std::fs::symlink_metadata(dir).map_err(|e| Error::io(format!("cannot open {}", dir.display()), e))?;
        if !meta.is_dir() || meta.uid() != nix::unistd::getuid().as_raw() || meta.mode() & 0o077 != 0 {
            return Err(Error::Usage(format!(
                "{} is not a folder only you can open (it must be yours, mode 0700): remove it, or fix it, and try again",
                dir.display()
            )));
        }
    }
    let _ = dir;
    Ok(())
}

/// The default file is in a folder others may write (`/tmp`): one that exists and is
/// not ours (or is a link) is refused, never followed or replaced.
fn refuse_unless_ours(path: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match std::fs::symlink_metadata(path) {
            Ok(meta) if !meta.file_type().is_file() || meta.uid() != nix::unistd::getuid().as_raw() => {
                return Err(Error::Usage(format!(
                    "{} exists and is not a file of yours: Latchkey will not replace it (someone else made it). Remove \
                     it, or ask whoever looks after this computer",
                    path.display()
                )))
            }
            _ => {}
        }
    }
    let _ = path;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths() -> (tempfile::TempDir, Paths) {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths::in_dir(dir.path().to_path_buf());
        (dir, paths)
    }

    #[cfg(unix)]
    #[test]
    fn a_jobs_file_is_the_users_alone_and_goes_with_it() {
        use std::os::unix::fs::PermissionsExt;
        let (_dir, paths) = paths();
        let file = JobTokenFile::create(&paths, "lab", &Secret::new("t1")).unwrap();
        let path = file.path().to_path_buf();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "t1");
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(std::fs::metadata(path.parent().unwrap()).unwrap().permissions().mode() & 0o777, 0o700);
        drop(file);
        assert!(!path.exists());
    }

    #[test]
    fn a_renewal_rewrites_the_files_of_its_profiles_live_jobs_only() {
        let (_dir, paths) = paths();
        let ours = JobTokenFile::create(&paths, "lab", &Secret::new("old")).unwrap();
        let other = JobTokenFile::create(&paths, "lab.two", &Secret::new("other")).unwrap();
        // A job killed outright left its file (a pid no process has).
        let orphan = jobs_dir(&paths).join(format!("lab@{}@{}.token", this_host(), u32::MAX - 1));
        std::fs::write(&orphan, "old").unwrap();
        // Another computer's job, on a shared home: not ours to look for, nor to tidy.
        let elsewhere = jobs_dir(&paths).join(format!("lab@another-node@{}.token", u32::MAX - 1));
        std::fs::write(&elsewhere, "theirs").unwrap();
        after_new_tokens_with(&paths, "lab", None, &Secret::new("new"));
        assert_eq!(std::fs::read_to_string(ours.path()).unwrap(), "new");
        assert_eq!(std::fs::read_to_string(other.path()).unwrap(), "other", "another profile's is left");
        assert!(!orphan.exists(), "a dead job's file goes");
        assert_eq!(std::fs::read_to_string(&elsewhere).unwrap(), "theirs");
        after_sign_out_with(&paths, "lab", None);
        assert_eq!(std::fs::read_to_string(ours.path()).unwrap(), "", "signed out: nothing to use");
    }

    #[cfg(unix)]
    #[test]
    fn the_default_file_is_not_replaced_when_it_is_a_link() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("elsewhere");
        std::fs::write(&target, "keep").unwrap();
        let link = dir.path().join("bt_u1");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        assert!(refuse_unless_ours(&link).is_err());
        assert!(refuse_unless_ours(&dir.path().join("absent")).is_ok());
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep");
    }
}
