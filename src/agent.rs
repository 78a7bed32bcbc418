//! The token agent: a running Latchkey answers `latchkey token` from memory.
//!
//! Why: a script calls `latchkey token` before every upload, and reading the keyring costs
//! each new process a D-Bus connection, a Secret Service session with a Diffie-Hellman key
//! exchange, and several round trips to the keyring daemon — most of the command's time
//! (see BENCHMARKS.md). The tray process is running anyway and has read the tokens
//! already, so it serves them on a Unix socket only this user can reach, and the CLI
//! falls back to the keyring whenever no agent answers.
//!
//! Why it can never hand out stale tokens: the agent is a cache of the keyring, never a
//! second source of truth. Every keyring write of a token set carries a fresh random id,
//! and the state file names the id of the write in force; that id is written *before*
//! the keyring changes ([`crate::store::Store::save_tokens`]). The agent answers only
//! with the token set whose id the state file names at that moment (reloading from the
//! keyring if its copy is older), and the asking process checks the id against the state
//! file again. A renewal by any process therefore makes every older copy worthless at
//! once, even one read in the middle of the renewal.
//!
//! Who may ask: the socket lives in `$XDG_RUNTIME_DIR` (a directory only the user can
//! enter), has mode 0600, and the agent checks the peer's uid (`SO_PEERCRED`). That is
//! the same boundary as the unlocked Secret Service, which any process of the user may
//! read without a prompt. The agent only reads; renewals still go through the store.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::paths::Paths;
use crate::store::{Store, TokenSet};
use crate::{Error, Result};

/// How long a client waits for the agent before reading the keyring itself.
const ASK_TIMEOUT: Duration = Duration::from_millis(500);
/// How long the agent waits for a client to send its question.
const READ_TIMEOUT: Duration = Duration::from_secs(1);

/// A token agent bound to its socket; [`Agent::serve`] answers until the process ends.
pub struct Agent {
    listener: UnixListener,
    store: Store,
    path: PathBuf,
    cache: HashMap<String, (u64, TokenSet)>,
}

impl Agent {
    /// Bind the store's agent socket. A socket left by a process that died is replaced;
    /// one that answers belongs to another running agent, and that is an error.
    pub fn bind(paths: &Paths) -> Result<Self> {
        let path = paths.agent_socket();
        let wrap = |source| Error::ConfigWrite { path: path.clone(), source };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(wrap)?;
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(wrap)?;
        }
        if path.exists() {
            if UnixStream::connect(&path).is_ok() {
                return Err(Error::Usage(format!("another Latchkey agent is serving {}", path.display())));
            }
            std::fs::remove_file(&path).map_err(wrap)?;
        }
        let listener = UnixListener::bind(&path).map_err(wrap)?;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).map_err(wrap)?;
        Ok(Self { listener, store: Store::new(paths), path, cache: HashMap::new() })
    }

    /// The socket's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Answer questions one at a time, forever. Blocks in `accept` between them: an idle
    /// agent costs no CPU and no wake-ups.
    pub fn serve(mut self) {
        loop {
            match self.listener.accept() {
                Ok((stream, _)) => {
                    if let Err(err) = self.answer(stream) {
                        tracing::debug!(%err, "token agent: a question went unanswered");
                    }
                }
                Err(err) => {
                    tracing::warn!(%err, "token agent: accept failed");
                    std::thread::sleep(Duration::from_millis(100));
                }
            }
        }
    }

    fn answer(&mut self, stream: UnixStream) -> std::io::Result<()> {
        if peer_uid(&stream)? != current_uid() {
            return Err(std::io::Error::other("a process of another user asked"));
        }
        stream.set_read_timeout(Some(READ_TIMEOUT))?;
        stream.set_write_timeout(Some(READ_TIMEOUT))?;
        let mut line = String::new();
        BufReader::new(&stream).take_line(&mut line)?;
        let reply = match line.trim_end().strip_prefix("token ") {
            Some(profile) if crate::profile::validate_name(profile).is_ok() => self.current(profile),
            _ => None,
        };
        let mut stream = stream;
        match reply {
            Some((id, tokens)) => {
                let stored = crate::store::StoredTokens { tokens, id };
                let mut json = serde_json::to_vec(&stored).expect("token set serializes");
                json.push(b'\n');
                stream.write_all(&json)
            }
            None => stream.write_all(b"\n"),
        }
    }

    /// The token set the state file names now, from memory or else from the keyring.
    fn current(&mut self, profile: &str) -> Option<(u64, TokenSet)> {
        let want = self.store.state(profile).tokens_id?;
        if let Some((id, tokens)) = self.cache.get(profile) {
            if *id == want {
                return Some((*id, tokens.clone()));
            }
        }
        self.cache.remove(profile);
        let stored = self.store.stored_tokens(profile).ok()??;
        if stored.id != want {
            return None; // a renewal is being written; the asker reads the keyring
        }
        self.cache.insert(profile.to_string(), (stored.id, stored.tokens.clone()));
        Some((stored.id, stored.tokens))
    }
}

/// Ask a running agent for `profile`'s tokens, accepting only the keyring write `id`.
/// `None` when no agent runs, it does not answer in time, or its copy is not that write.
pub fn ask(paths: &Paths, profile: &str, id: u64) -> Option<TokenSet> {
    let mut stream = UnixStream::connect(paths.agent_socket()).ok()?;
    stream.set_read_timeout(Some(ASK_TIMEOUT)).ok()?;
    stream.set_write_timeout(Some(ASK_TIMEOUT)).ok()?;
    stream.write_all(format!("token {profile}\n").as_bytes()).ok()?;
    let mut line = String::new();
    BufReader::new(&stream).take_line(&mut line).ok()?;
    let stored: crate::store::StoredTokens = serde_json::from_str(line.trim_end()).ok()?;
    (stored.id == id).then_some(stored.tokens)
}

trait TakeLine {
    /// Read one line of at most 64 KiB (a token set is far smaller).
    fn take_line(&mut self, line: &mut String) -> std::io::Result<usize>;
}

impl<R: BufRead> TakeLine for R {
    fn take_line(&mut self, line: &mut String) -> std::io::Result<usize> {
        std::io::Read::take(self, 64 * 1024).read_line(line)
    }
}

fn current_uid() -> u32 {
    // SAFETY: getuid cannot fail and touches no memory.
    unsafe { libc::getuid() }
}

/// The uid of the process at the other end of a Unix socket (`SO_PEERCRED`).
fn peer_uid(stream: &UnixStream) -> std::io::Result<u32> {
    use std::os::fd::AsRawFd;
    let mut cred = libc::ucred { pid: 0, uid: u32::MAX, gid: u32::MAX };
    let mut len = std::mem::size_of::<libc::ucred>() as libc::socklen_t;
    // SAFETY: `cred` and `len` are valid for writes of the sizes given.
    let rc = unsafe {
        libc::getsockopt(
            stream.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_PEERCRED,
            (&mut cred as *mut libc::ucred).cast(),
            &mut len,
        )
    };
    if rc != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(cred.uid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_agent_means_no_answer() {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths::in_dir(dir.path().to_path_buf());
        assert!(ask(&paths, "p", 1).is_none());
    }

    #[test]
    fn a_dead_agents_socket_is_replaced_and_a_live_one_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths::in_dir(dir.path().to_path_buf());
        let first = Agent::bind(&paths).unwrap();
        let mode = std::fs::metadata(first.path()).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert!(Agent::bind(&paths).is_err(), "two agents on one socket");
        drop(first); // the socket file stays, as after a crash
        let second = Agent::bind(&paths).unwrap();
        std::thread::spawn(move || second.serve());
        // A profile without state has no write in force: no answer, not an error.
        assert!(ask(&paths, "p", 1).is_none());
        assert!(ask(&paths, "../x", 1).is_none());
    }

    #[test]
    fn peer_uid_is_ours() {
        let (a, _b) = UnixStream::pair().unwrap();
        assert_eq!(peer_uid(&a).unwrap(), current_uid());
    }
}
