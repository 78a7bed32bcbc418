//! Catching the redirect on a loopback port (RFC 8252 §7.3).
//!
//! A listener bound to 127.0.0.1 only, on an ephemeral port. Any local process — or a
//! web page, through the browser — can send it requests while a sign-in waits, so it
//! hands back only a request to the callback path that carries *this* sign-in's
//! `state`; every other request gets an error page and the wait goes on. Requests are
//! read with a size cap (8 KiB of request line and headers) and a deadline of 3 s for the
//! whole head (not per read: a byte every 2 s would otherwise hold a connection for
//! hours), each on a thread of its own. When all 16 slots are taken, the oldest
//! connection is closed to make room: the browser's redirect arrives whole at once, so
//! connections that trickle cannot keep it out.
//!
//! Whose program connected counts too ([`crate::oauth::peer`]): where the system can say
//! (Linux, Windows), a connection from another user's program is closed before a byte
//! is read, so a person sharing the computer cannot hand this sign-in a code of their
//! own, even knowing its `state`. The same server, with another decision, serves the
//! one-use page that starts a browser sign-in (`launch.rs`).

use std::collections::VecDeque;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use url::Url;

use crate::error::{Error, Result};

/// How long to wait for the browser to come back.
pub(crate) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5 * 60);
/// The most of a request (request line and headers) that is read.
pub const MAX_REQUEST: u64 = 8 * 1024;
/// How long a connection has to send its whole request head.
const IDLE: Duration = Duration::from_secs(3);
/// Connections served at once; a newer one closes the oldest.
const MAX_CONNECTIONS: usize = 16;

const DONE_PAGE: &str = "<!doctype html><meta charset=utf-8><title>Latchkey</title>\
<body style=\"font-family:sans-serif;margin:3em\"><h1>Signed in</h1>\
<p>Latchkey has what it needs. You can close this tab.</p></body>";

const NOT_THIS_SIGN_IN: &str = "<!doctype html><meta charset=utf-8><title>Latchkey</title>\
<body style=\"font-family:sans-serif;margin:3em\"><h1>Not this sign-in</h1>\
<p>This address does not belong to the sign-in Latchkey is waiting for, so it was ignored. \
Finish signing in from the page Latchkey opened.</p></body>";

pub(crate) struct LoopbackListener {
    listener: TcpListener,
    path: String,
}

/// What the listener makes of one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// A GET of the callback path carrying this sign-in's state: the wait ends.
    Callback(Url),
    /// The callback path without this sign-in's state (forged, old, other): refused.
    NotThisSignIn,
    /// Any other method or path (a favicon): 404.
    NotFound,
    /// Larger than [`MAX_REQUEST`], or cut off before its blank line.
    TooLarge,
}

/// Decide about a request from its head (request line and headers as read, at most
/// [`MAX_REQUEST`] bytes; `complete` when the blank line ending it was seen).
pub fn classify(head: &[u8], complete: bool, base: &Url, path: &str, state: &str) -> Verdict {
    if !complete || head.len() as u64 > MAX_REQUEST {
        return Verdict::TooLarge;
    }
    let text = String::from_utf8_lossy(head);
    let line = text.lines().next().unwrap_or("");
    // RFC 9112 §3: method SP request-target SP HTTP-version, single spaces only (a split
    // on any whitespace took "GET\x0c\x0c /callback…" for a GET; found by fuzzing).
    let mut words = line.splitn(3, ' ');
    let (method, target, version) =
        (words.next().unwrap_or(""), words.next().unwrap_or(""), words.next().unwrap_or(""));
    if method != "GET" || !target.starts_with('/') || !version.starts_with("HTTP/") {
        return Verdict::NotFound;
    }
    // `//host/...` would join as another host: only this listener's origin counts.
    let same_origin = |u: &Url| u.origin() == base.origin();
    let Some(url) = base.join(target).ok().filter(|u| same_origin(u) && u.path() == path) else {
        return Verdict::NotFound;
    };
    match crate::oauth::callback::state_of(url.as_str()) {
        Ok(Some(s)) if s == state => Verdict::Callback(url),
        _ => Verdict::NotThisSignIn,
    }
}

impl LoopbackListener {
    /// Bind 127.0.0.1 on `port` (0 = any free port) for `path` (e.g. `/callback`).
    pub(crate) fn bind(port: u16, path: &str) -> Result<Self> {
        let listener = TcpListener::bind(("127.0.0.1", port))
            .map_err(|e| Error::io(format!("cannot listen on 127.0.0.1:{port}"), e))?;
        listener.set_nonblocking(true).map_err(|e| Error::io("cannot set up the loopback listener", e))?;
        Ok(Self { listener, path: path.to_string() })
    }

    /// The redirect URI to send to the server for this listener.
    pub(crate) fn redirect_uri(&self) -> Url {
        let port = self.listener.local_addr().map(|a| a.port()).unwrap_or(0);
        Url::parse(&format!("http://127.0.0.1:{port}{}", self.path)).expect("valid loopback URL")
    }

    /// Wait for the callback that carries `state` (the sign-in's own); returns its URL.
    pub(crate) fn wait(self, state: &str, timeout: Duration) -> Result<Url> {
        let (base, path, state) = (self.redirect_uri(), self.path.clone(), state.to_string());
        self.serve_until(timeout, move |head, complete| match classify(head, complete, &base, &path, &state) {
            Verdict::Callback(url) => (Reply::page("200 OK", DONE_PAGE), Some(url)),
            Verdict::NotThisSignIn => (Reply::page("400 Bad Request", NOT_THIS_SIGN_IN), None),
            Verdict::NotFound => (Reply::page("404 Not Found", "Not found"), None),
            Verdict::TooLarge => {
                (Reply::page("431 Request Header Fields Too Large", "Request too large or incomplete"), None)
            }
        })
    }

    /// Serve every connection of this user's programs on a thread of its own, answering
    /// each request head as `decide` says, until `decide` hands back a URL (returned) or
    /// `timeout` passes.
    pub(crate) fn serve_until(self, timeout: Duration, decide: impl Decide) -> Result<Url> {
        let decide = Arc::new(decide);
        let deadline = Instant::now() + timeout;
        let (tx, rx) = mpsc::channel::<Url>();
        // The connections being served, oldest first (a handle each, to close it).
        let open: Arc<Mutex<VecDeque<(u64, TcpStream)>>> = Arc::default();
        let mut next_id = 0u64;
        loop {
            if let Ok(url) = rx.try_recv() {
                return Ok(url);
            }
            match self.listener.accept() {
                Ok((stream, _)) => {
                    let id = next_id;
                    next_id += 1;
                    {
                        let mut open = open.lock().expect("open connections lock");
                        if open.len() >= MAX_CONNECTIONS {
                            if let Some((_, oldest)) = open.pop_front() {
                                let _ = oldest.shutdown(Shutdown::Both);
                            }
                        }
                        match stream.try_clone() {
                            Ok(handle) => open.push_back((id, handle)),
                            Err(_) => continue, // cannot be closed later: not served
                        }
                    }
                    let (tx, open, decide) = (tx.clone(), open.clone(), decide.clone());
                    let gone = open.clone();
                    let spawned = std::thread::Builder::new().name("loopback".into()).spawn(move || {
                        if let Some(url) = serve(stream, &*decide) {
                            let _ = tx.send(url);
                        }
                        open.lock().expect("open connections lock").retain(|(i, _)| *i != id);
                    });
                    if spawned.is_err() {
                        gone.lock().expect("open connections lock").retain(|(i, _)| *i != id);
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    if Instant::now() >= deadline {
                        return Err(Error::Cancelled(format!(
                            "no answer from the browser within {} minutes",
                            timeout.as_secs() / 60
                        )));
                    }
                    if let Ok(url) = rx.recv_timeout(Duration::from_millis(50)) {
                        return Ok(url);
                    }
                }
                Err(e) => return Err(Error::io("the loopback listener failed", e)),
            }
        }
    }
}

/// How a server built on the listener answers a request head (read whole or not): the
/// reply, and the URL that ends the wait, if this request brought it.
pub(crate) trait Decide: Fn(&[u8], bool) -> (Reply, Option<Url>) + Send + Sync + 'static {}
impl<F: Fn(&[u8], bool) -> (Reply, Option<Url>) + Send + Sync + 'static> Decide for F {}

/// An answer to one request.
pub(crate) struct Reply {
    status: &'static str,
    /// Extra header lines, each ending in CRLF.
    headers: String,
    body: String,
}

impl Reply {
    pub(crate) fn page(status: &'static str, body: &str) -> Self {
        Self { status, headers: String::new(), body: body.to_string() }
    }

    /// `303 See Other` to `to`, with a page that links there for a client that does not
    /// follow it. No referrer goes with it.
    pub(crate) fn see_other(to: &Url) -> Self {
        let link = to.as_str().replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;");
        Self {
            status: "303 See Other",
            headers: format!("Location: {to}\r\nReferrer-Policy: no-referrer\r\n"),
            body: format!(
                "<!doctype html><meta charset=utf-8><title>Latchkey</title>\
                 <body style=\"font-family:sans-serif;margin:3em\"><p><a href=\"{link}\">Continue to sign in</a></p></body>"
            ),
        }
    }
}

/// Serve one connection: only from a program of this user (where the system says), its
/// request head read with a cap and a deadline, answered as `decide` says; returns what
/// `decide` handed back.
fn serve(stream: TcpStream, decide: &dyn Decide) -> Option<Url> {
    // The connection's 3 s count from here: asking the system whose it is takes some of them.
    let deadline = Instant::now() + IDLE;
    let owner = crate::oauth::peer::owner(&stream);
    if !owner.may_connect() {
        tracing::warn!(?owner, "a loopback connection from another user's program was refused");
        let _ = stream.shutdown(Shutdown::Both);
        return None;
    }
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_write_timeout(Some(IDLE));
    let mut head = Vec::new();
    let mut complete = false;
    let mut buf = [0u8; 1024];
    let mut reader = stream.try_clone().ok()?.take(MAX_REQUEST + 1);
    loop {
        // Each read may take only what is left of the connection's 3 s.
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            break;
        }
        let Ok(n @ 1..) = reader.read(&mut buf) else { break };
        head.extend_from_slice(&buf[..n]);
        if let Some(end) = head.windows(4).position(|w| w == b"\r\n\r\n") {
            head.truncate(end + 4);
            complete = true;
            break;
        }
    }
    let (reply, done) = decide(&head, complete);
    let mut stream = stream;
    let _ = write!(
        stream,
        "HTTP/1.1 {}\r\n{}Content-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nConnection: close\r\n\r\n{}",
        reply.status,
        reply.headers,
        reply.body.len(),
        reply.body
    );
    done
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_well_formed_get_line_counts() {
        let base = Url::parse("http://127.0.0.1:5000/callback").unwrap();
        let ok = b"GET /callback?code=a&state=s HTTP/1.1\r\nHost: 127.0.0.1:5000\r\n\r\n";
        assert!(matches!(classify(ok, true, &base, "/callback", "s"), Verdict::Callback(_)));
        let form_feeds = b"GET\x0c\x0c /callback?code=a&state=s HTTP/1.1\r\n\r\n";
        assert!(matches!(classify(form_feeds, true, &base, "/callback", "s"), Verdict::NotFound));
        let no_version = b"GET /callback?code=a&state=s\r\n\r\n";
        assert!(matches!(classify(no_version, true, &base, "/callback", "s"), Verdict::NotFound));
    }

    fn send(port: u16, raw: &[u8]) -> String {
        let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        let _ = s.write_all(raw);
        let mut out = String::new();
        let _ = s.read_to_string(&mut out);
        out
    }

    fn get(port: u16, target: &str) -> String {
        send(port, format!("GET {target} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes())
    }

    /// Connections that send a byte every second (a read timeout alone would keep each
    /// open for ever): each is closed 3 s after it came, and with all 16 slots taken the
    /// browser's redirect still ends the wait.
    #[test]
    fn connections_that_trickle_neither_stay_nor_keep_the_redirect_out() {
        let listener = LoopbackListener::bind(0, "/callback").unwrap();
        let port = listener.redirect_uri().port().unwrap();
        let waiting = std::thread::spawn(move || listener.wait("s", Duration::from_secs(60)));
        let trickle = |s: &mut TcpStream| {
            (0..8).all(|_| {
                s.write_all(b"G").is_ok() && {
                    std::thread::sleep(Duration::from_millis(1000));
                    true
                }
            })
        };
        let opened = Instant::now();
        let tricklers: Vec<_> = (0..MAX_CONNECTIONS)
            .map(|_| {
                let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
                std::thread::spawn(move || {
                    let sent_all = trickle(&mut s);
                    (sent_all, Instant::now())
                })
            })
            .collect();
        std::thread::sleep(Duration::from_millis(500));
        let answer = get(port, "/callback?code=c&state=s");
        assert!(answer.starts_with("HTTP/1.1 200"), "the redirect was kept out: {answer:?}");
        let url = waiting.join().unwrap().unwrap();
        assert!(url.as_str().contains("code=c"));
        for t in tricklers {
            let (sent_all, _) = t.join().unwrap();
            assert!(!sent_all, "a trickling connection stayed open for {:?}", opened.elapsed());
        }
    }

    /// More than 8 KiB of head is answered 431 as soon as the cap is passed — not read on
    /// until the connection's 3 s are up.
    #[test]
    fn a_head_over_8_kib_is_refused_at_once() {
        let listener = LoopbackListener::bind(0, "/callback").unwrap();
        let port = listener.redirect_uri().port().unwrap();
        std::thread::spawn(move || listener.wait("s", Duration::from_secs(30)));
        let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        let sent = Instant::now();
        let mut head = b"GET /callback?state=".to_vec();
        head.extend(std::iter::repeat_n(b'a', 9 * 1024)); // no end of head: a client still sending
        s.write_all(&head).unwrap();
        let mut answer = [0u8; 12];
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        s.read_exact(&mut answer).unwrap();
        assert_eq!(&answer, b"HTTP/1.1 431");
        assert!(sent.elapsed() < Duration::from_millis(1500), "answered after {:?}", sent.elapsed());
    }

    #[test]
    fn one_trickling_connection_is_closed_after_its_3_seconds() {
        let listener = LoopbackListener::bind(0, "/callback").unwrap();
        let port = listener.redirect_uri().port().unwrap();
        std::thread::spawn(move || listener.wait("s", Duration::from_secs(30)));
        let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        let opened = Instant::now();
        let mut closed_after = None;
        for _ in 0..10 {
            std::thread::sleep(Duration::from_millis(700));
            if s.write_all(b"G").is_err() {
                closed_after = Some(opened.elapsed());
                break;
            }
        }
        let closed_after = closed_after.expect("still open after 7 s");
        assert!(closed_after < Duration::from_millis(5500), "closed after {closed_after:?}");
    }

    #[test]
    fn only_the_sign_ins_own_callback_ends_the_wait() {
        let listener = LoopbackListener::bind(0, "/callback").unwrap();
        let uri = listener.redirect_uri();
        assert_eq!(uri.host_str(), Some("127.0.0.1"));
        let port = uri.port().unwrap();
        let client = std::thread::spawn(move || {
            // An idle connection and a huge request line do not hold the real one up.
            let idle = TcpStream::connect(("127.0.0.1", port)).unwrap();
            // Connected before the real callback, so the listener is surely there.
            let mut line = b"GET /callback?code=x&state=".to_vec();
            line.extend(std::iter::repeat_n(b'a', 16 << 20));
            let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
            let huge = std::thread::spawn(move || {
                let _ = stream.write_all(&line);
                let mut out = String::new();
                let _ = stream.read_to_string(&mut out);
                out
            });
            assert!(get(port, "/favicon.ico").starts_with("HTTP/1.1 404"));
            for forged in
                ["/callback?code=attackers", "/callback?code=attackers&state=wrong", "/callback?error=access_denied"]
            {
                let page = get(port, forged);
                assert!(page.starts_with("HTTP/1.1 400") && page.contains("Not this sign-in"), "{forged}: {page}");
            }
            let ok = get(port, "/callback?code=c&state=the-state");
            assert!(ok.contains("You can close this tab"), "{ok}");
            // Refused with 431, or cut off mid-send (the listener stops reading at 8 KiB,
            // so the answer may be lost to a reset): never taken.
            let huge = huge.join().unwrap();
            assert!(!huge.contains("200 OK") && !huge.contains("close this tab"), "the huge request was taken: {huge}");
            drop(idle);
        });
        let url = listener.wait("the-state", Duration::from_secs(20)).unwrap();
        client.join().unwrap();
        assert_eq!(url.query(), Some("code=c&state=the-state"));
    }

    #[test]
    fn classify_needs_the_whole_head_the_path_and_the_state() {
        let base = Url::parse("http://127.0.0.1:9/callback").unwrap();
        let c = |head: &str, complete| classify(head.as_bytes(), complete, &base, "/callback", "s");
        assert!(matches!(c("GET /callback?code=a&state=s HTTP/1.1\r\nHost: x\r\n\r\n", true), Verdict::Callback(_)));
        assert_eq!(c("GET /callback?code=a&state=s HTTP/1.1\r\n", false), Verdict::TooLarge);
        assert_eq!(c("GET /callback?code=a HTTP/1.1\r\n\r\n", true), Verdict::NotThisSignIn);
        assert_eq!(
            c("GET /callback?code=a&state=s#x&state=t HTTP/1.1\r\n\r\n", true),
            Verdict::NotThisSignIn,
            "mixed sources"
        );
        assert_eq!(c("POST /callback?code=a&state=s HTTP/1.1\r\n\r\n", true), Verdict::NotFound);
        assert_eq!(c("GET //evil.org/callback?state=s HTTP/1.1\r\n\r\n", true), Verdict::NotFound);
        assert_eq!(c("GET /callback/x?state=s HTTP/1.1\r\n\r\n", true), Verdict::NotFound);
    }

    #[test]
    fn times_out_with_a_clear_message() {
        let listener = LoopbackListener::bind(0, "/callback").unwrap();
        let err = listener.wait("s", Duration::from_millis(100)).unwrap_err();
        assert_eq!(err.code(), "cancelled");
    }
}
