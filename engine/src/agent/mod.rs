//! The token agent: a running Latchkey answers `latchkey token` from memory.
//!
//! Why: a script calls `latchkey token` before every upload, and reading the keyring costs
//! each new process a D-Bus connection, a Secret Service session, and several round
//! trips to the keyring daemon — most of the command's time (see BENCHMARKS.md). The tray process is running anyway and has read the tokens
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
//! Why the agent, not the asker, decides that a token is fresh enough: the asker would
//! have to read the settings file for that (is the profile synced with Ocarina, whose own
//! refresh would have made our token worthless?), and parsing it was a quarter of the
//! command's instructions. The agent keeps the settings parsed, re-reads them when the
//! file changes, and answers only with a token it can vouch for: the write in force,
//! valid for the asker's `--min-valid`, not superseded by Ocarina. Anything else — stale,
//! about to expire, a renewal in progress — gets an empty answer, and the asker takes the
//! full path (keyring, lock, renewal).
//!
//! Who may ask: on Linux and macOS the socket lives in `$XDG_RUNTIME_DIR` (a directory
//! only the user can enter), has mode 0600, and the agent checks the peer's uid
//! (`SO_PEERCRED`, `getpeereid`: [`unix`]); on Windows a named pipe whose DACL admits the
//! user alone, with the owner of each end checked by the other ([`windows`]). That is
//! the same boundary as the unlocked Secret Service, which any process of the user may
//! read without a prompt. The agent only reads; renewals still go through the store.
//! Its answer holds the access token and its expiry only — not the refresh token (nor
//! Agate's code), which `latchkey token` never needs.

/// Stopping on a signal without losing a renewal in flight (the agent and the tray).
pub mod deferral;
pub(crate) mod shutdown;

#[cfg(unix)]
mod unix;
#[cfg(unix)]
use unix as door;
#[cfg(windows)]
mod windows;
#[cfg(windows)]
use windows as door;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::time::Duration;

use crate::error::Result;
use crate::store::config::Config;
use crate::store::paths::Paths;
use crate::store::{Store, TokenSet};

/// How long a client waits for the agent before reading the keyring itself.
const ASK_TIMEOUT: Duration = Duration::from_millis(500);
/// How long the agent waits for a client to send its question.
const READ_TIMEOUT: Duration = Duration::from_secs(1);

/// A token agent bound to its socket; [`Agent::serve`] answers until the process ends.
pub struct Agent {
    listener: door::Listener,
    store: Store,
    paths: Paths,
    cache: HashMap<String, (u64, TokenSet)>,
    /// The settings as last read, and the file's identity then.
    settings: Option<(Stamp, Config)>,
    /// What a `quit` question does: the process stops as its own Quit does (an installer
    /// replacing the programs, `latchkey-tray --quit`). Without one, `quit` is refused.
    on_quit: Option<Box<dyn Fn() + Send>>,
}

/// What tells the agent that the settings file changed: size and modification time.
type Stamp = (u64, Option<std::time::SystemTime>);

impl Agent {
    /// Bind the store's agent socket (Windows: pipe). A socket left by a process that
    /// died is replaced; one that answers belongs to another running agent, and that is
    /// an error.
    pub fn bind(paths: &Paths) -> Result<Self> {
        let listener = door::Listener::bind(paths)?;
        Ok(Self {
            listener,
            store: Store::new(paths),
            paths: paths.clone(),
            cache: HashMap::new(),
            settings: None,
            on_quit: None,
        })
    }

    /// Answer a `quit` question with `stop` (called once, on the agent's thread; it should
    /// hand the stopping to another thread, as the process's own Quit does).
    pub fn on_quit(mut self, stop: impl Fn() + Send + 'static) -> Self {
        self.on_quit = Some(Box::new(stop));
        self
    }

    /// Where askers find it: the socket's path, or the pipe's name on Windows.
    pub fn address(&self) -> String {
        self.listener.name()
    }

    /// [`Agent::serve`] on a thread of its own (`token-agent`).
    pub fn serve_in_background(self) -> std::io::Result<()> {
        std::thread::Builder::new().name("token-agent".into()).spawn(move || self.serve()).map(drop)
    }

    /// Answer questions one at a time, forever. Blocks in `accept` between them: an idle
    /// agent costs no CPU and no wake-ups.
    pub fn serve(mut self) {
        loop {
            match self.listener.accept(READ_TIMEOUT) {
                Ok(stream) => {
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

    fn answer(&mut self, mut stream: door::Conn) -> std::io::Result<()> {
        // One deadline for the whole question, not one per read: a client sending a byte
        // now and then would otherwise hold the agent (and every `latchkey token` behind
        // it) for as long as it liked.
        let line = read_question(&mut stream, std::time::Instant::now() + READ_TIMEOUT)?;
        if line.trim_end() == QUIT {
            return match &self.on_quit {
                Some(stop) => {
                    stream.write_all(b"bye\n")?;
                    tracing::info!("asked to quit (an installer, or latchkey-tray --quit)");
                    stop();
                    Ok(())
                }
                None => stream.write_all(b"\n"),
            };
        }
        let reply = Question::parse(&line).and_then(|q| self.vouched(&q));
        match reply {
            Some((id, tokens)) => {
                // What `latchkey token` needs, and nothing more: never the refresh token
                // or Agate's re-exchangeable code, which outlive the access token.
                let served = TokenSet { refresh_token: None, code: None, ..tokens };
                let stored = crate::store::StoredTokens { tokens: served, id };
                let mut json = serde_json::to_vec(&stored).expect("token set serializes");
                json.push(b'\n');
                stream.write_all(&json)
            }
            None => stream.write_all(b"\n"),
        }
    }

    /// The token set the state file names now, if it is fresh enough for the asker.
    fn vouched(&mut self, question: &Question) -> Option<(u64, TokenSet)> {
        let (id, tokens) = self.current(&question.profile)?;
        if !tokens.is_fresh(question.min_valid, crate::clock::now_secs()) {
            return None;
        }
        let profile = self.settings()?.get(&question.profile).ok()?.clone();
        if let Some(path) = &profile.ocarina_sync {
            if !matches!(crate::ocarina::newer_than(path, &tokens), Ok(None)) {
                return None; // Ocarina renewed on its own (or its cache is unreadable)
            }
        }
        Some((id, tokens))
    }

    /// The settings, re-read if the file changed since the last question.
    fn settings(&mut self) -> Option<&Config> {
        let file = self.paths.config_file();
        let meta = std::fs::metadata(&file).ok()?;
        let stamp = (meta.len(), meta.modified().ok());
        if self.settings.as_ref().is_none_or(|(seen, _)| *seen != stamp) {
            self.settings = Some((stamp, Config::load(&self.paths).ok()?));
        }
        self.settings.as_ref().map(|(_, config)| config)
    }

    /// The token set the state file names now, from memory or else from the keyring.
    fn current(&mut self, profile: &str) -> Option<(u64, TokenSet)> {
        let state = self.store.state(profile);
        if state.status == crate::store::Status::NeedsSignIn {
            return None; // the server refused the refresh token: these tokens are dead
        }
        let want = state.tokens_id?;
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

/// Whether an agent (the tray, the app or `latchkey agent`) serves this store now.
pub fn running(paths: &Paths) -> bool {
    door::running(paths)
}

/// The question that asks the agent's process to stop.
const QUIT: &str = "quit";

/// Ask the process serving this store's agent to stop as its own Quit does (a renewal in
/// flight is stored first), and wait up to `wait` for it to be gone. `Ok(false)` when no
/// agent was running; an error when one refused or is still there.
pub fn ask_to_quit(paths: &Paths, wait: Duration) -> std::io::Result<bool> {
    let Some(mut stream) = door::connect(paths, ASK_TIMEOUT) else { return Ok(false) };
    stream.write_all(format!("{QUIT}\n").as_bytes())?;
    let mut line = String::new();
    BufReader::new(&mut stream).take_line(&mut line)?;
    if line.trim_end() != "bye" {
        return Err(std::io::Error::other("the running agent does not stop on request"));
    }
    drop(stream);
    let deadline = std::time::Instant::now() + wait;
    while running(paths) {
        if std::time::Instant::now() >= deadline {
            return Err(std::io::Error::other(format!("it is still running after {} s", wait.as_secs())));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Ok(true)
}

/// A question on the socket: `fresh NAME` or `fresh NAME MIN_VALID`, one line. (Agents of
/// earlier builds took `token NAME` and checked neither freshness nor Ocarina; the new
/// word gets no answer from such an agent, so a CLI upgraded while an old tray still runs
/// reads the keyring rather than trust it.)
struct Question {
    profile: String,
    min_valid: Option<u64>,
}

impl Question {
    fn parse(line: &str) -> Option<Self> {
        let mut words = line.trim_end().strip_prefix("fresh ")?.split(' ');
        let profile = words.next().filter(|p| crate::profile::validate_name(p).is_ok())?.to_string();
        let min_valid = match words.next() {
            None => None,
            Some(seconds) => Some(seconds.parse().ok()?),
        };
        words.next().is_none().then_some(Self { profile, min_valid })
    }

    fn line(&self) -> String {
        match self.min_valid {
            None => format!("fresh {}\n", self.profile),
            Some(seconds) => format!("fresh {} {seconds}\n", self.profile),
        }
    }
}

/// A question as the agent reads it: `(profile, min_valid)`, or `None` for anything that
/// is not exactly `fresh NAME` or `fresh NAME SECONDS` (for the fuzz target).
#[cfg(feature = "fuzzing")]
pub fn parse_question(line: &str) -> Option<(String, Option<u64>)> {
    Question::parse(line).map(|q| (q.profile, q.min_valid))
}

/// Ask a running agent for `profile`'s tokens, valid for `min_valid` seconds (see
/// [`TokenSet::is_fresh`]), accepting only the keyring write `id`. `None` when no agent
/// runs, it does not answer in time, it cannot vouch for its copy, or that copy is not
/// the write `id`.
pub(crate) fn ask(paths: &Paths, profile: &str, id: u64, min_valid: Option<u64>) -> Option<TokenSet> {
    let mut stream = door::connect(paths, ASK_TIMEOUT)?;
    let question = Question { profile: profile.to_string(), min_valid };
    stream.write_all(question.line().as_bytes()).ok()?;
    let mut line = String::new();
    BufReader::new(&mut stream).take_line(&mut line).ok()?;
    let stored: crate::store::StoredTokens = serde_json::from_str(line.trim_end()).ok()?;
    // What the asker can check cheaply it checks again: the write in force and the time.
    let fresh = stored.tokens.is_fresh(min_valid, crate::clock::now_secs());
    (stored.id == id && fresh).then_some(stored.tokens)
}

/// What the agent's door offers for reading a question by a deadline (`unix.rs`,
/// `windows.rs`): a read that waits no longer than until `deadline`.
pub(crate) trait ReadBy {
    fn read_by(&mut self, buf: &mut [u8], deadline: std::time::Instant) -> std::io::Result<usize>;
}

/// A question's line (at most 64 KiB), read whole before `deadline` or not at all.
fn read_question(stream: &mut impl ReadBy, deadline: std::time::Instant) -> std::io::Result<String> {
    let mut bytes = Vec::new();
    let mut buf = [0u8; 512];
    loop {
        let n = stream.read_by(&mut buf, deadline)?;
        if n == 0 {
            break;
        }
        bytes.extend_from_slice(&buf[..n]);
        if let Some(end) = bytes.iter().position(|b| *b == b'\n') {
            bytes.truncate(end + 1);
            break;
        }
        if bytes.len() > 64 * 1024 {
            return Err(std::io::Error::other("a question over 64 KiB"));
        }
    }
    String::from_utf8(bytes).map_err(std::io::Error::other)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_agent_means_no_answer() {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths::in_dir(dir.path().to_path_buf());
        assert!(ask(&paths, "p", 1, None).is_none());
    }

    #[test]
    fn a_live_agent_is_never_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths::in_dir(dir.path().to_path_buf());
        let first = Agent::bind(&paths).unwrap();
        std::thread::spawn(move || first.serve());
        assert!(running(&paths));
        assert!(matches!(Agent::bind(&paths), Err(crate::error::Error::AlreadyRunning(_))), "two agents on one socket");
        // A profile without state has no write in force: no answer, not an error.
        assert!(ask(&paths, "p", 1, None).is_none());
    }

    #[cfg(unix)]
    #[test]
    fn a_dead_agents_socket_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths::in_dir(dir.path().to_path_buf());
        let first = Agent::bind(&paths).unwrap();
        drop(first); // the socket file stays, as after a crash
        let second = Agent::bind(&paths).unwrap();
        std::thread::spawn(move || second.serve());
        // A profile without state has no write in force: no answer, not an error.
        assert!(ask(&paths, "p", 1, None).is_none());
        assert!(ask(&paths, "../x", 1, None).is_none());
    }

    /// An installer replacing the programs asks the tray to stop: it stops as its Quit
    /// does, and the asker waits until it is gone. An agent with no stop refuses.
    #[test]
    fn quit_stops_only_an_agent_that_offers_it() {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths::in_dir(dir.path().to_path_buf());
        assert!(!ask_to_quit(&paths, Duration::from_secs(1)).unwrap(), "nothing running");
        let refusing = Agent::bind(&paths).unwrap();
        std::thread::spawn(move || refusing.serve());
        let err = ask_to_quit(&paths, Duration::from_secs(1)).unwrap_err();
        assert!(err.to_string().contains("does not stop on request"), "{err}");
        drop(dir);

        let dir = tempfile::tempdir().unwrap();
        let paths = Paths::in_dir(dir.path().to_path_buf());
        let (tx, rx) = std::sync::mpsc::channel();
        let agent = Agent::bind(&paths).unwrap().on_quit(move || tx.send(()).unwrap());
        std::thread::spawn(move || agent.serve());
        // The stop runs, but the agent is still there (a test cannot end the process):
        // the asker says it is still running.
        let err = ask_to_quit(&paths, Duration::from_millis(300)).unwrap_err();
        assert!(err.to_string().contains("still running"), "{err}");
        rx.recv_timeout(Duration::from_secs(1)).expect("the stop was not called");
    }

    /// Issue 35, item 5: a client sending a byte now and then is cut off when the whole
    /// question's second is up (it held the agent past 21 s with a timeout per read),
    /// and the next asker is answered.
    #[test]
    fn a_trickling_asker_holds_the_agent_for_one_second_at_most() {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths::in_dir(dir.path().to_path_buf());
        let agent = Agent::bind(&paths).unwrap();
        std::thread::spawn(move || agent.serve());
        let mut trickler = door::connect(&paths, Duration::from_secs(5)).unwrap();
        let started = std::time::Instant::now();
        let cut_off = (0..30).find_map(|_| {
            std::thread::sleep(Duration::from_millis(200));
            trickler.write_all(b"f").and_then(|()| trickler.flush()).is_err().then(|| started.elapsed())
        });
        let cut_off = cut_off.expect("the trickling asker was never cut off");
        assert!(cut_off < Duration::from_millis(2500), "cut off only after {cut_off:?}");
        let asked = std::time::Instant::now();
        assert!(ask(&paths, "p", 1, None).is_none());
        assert!(asked.elapsed() < Duration::from_millis(500), "the next asker waited {:?}", asked.elapsed());
    }

    #[test]
    fn questions_are_one_name_and_at_most_one_number() {
        let q = Question::parse("fresh majora\n").unwrap();
        assert_eq!((q.profile.as_str(), q.min_valid), ("majora", None));
        let q = Question::parse("fresh majora 300\n").unwrap();
        assert_eq!((q.profile.as_str(), q.min_valid), ("majora", Some(300)));
        assert_eq!(Question::parse(&q.line()).unwrap().min_valid, Some(300));
        let bad =
            ["fresh", "fresh \n", "fresh ../x", "fresh a -1", "fresh a 1 2", "freshly a", "fresh a  1", "token a"];
        for bad in bad {
            assert!(Question::parse(bad).is_none(), "{bad:?} was taken");
        }
    }
}
