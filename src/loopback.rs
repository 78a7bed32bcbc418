//! Catching the redirect on a loopback port (RFC 8252 §7.3).
//!
//! A listener bound to 127.0.0.1 only, on an ephemeral port. Any local process — or a
//! web page, through the browser — can send it requests while a sign-in waits, so it
//! hands back only a request to the callback path that carries *this* sign-in's
//! `state`; every other request gets an error page and the wait goes on. Requests are
//! read with a size cap (8 KiB of request line and headers) and an idle timeout, each on
//! a thread of its own, so one slow or huge request cannot hold up the real redirect.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use url::Url;

use crate::{Error, Result};

/// How long to wait for the browser to come back.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5 * 60);
/// The most of a request (request line and headers) that is read.
pub const MAX_REQUEST: u64 = 8 * 1024;
/// How long a connection may sit without sending its request.
const IDLE: Duration = Duration::from_secs(3);
/// Connections served at once; more are closed at once.
const MAX_CONNECTIONS: usize = 16;

const DONE_PAGE: &str = "<!doctype html><meta charset=utf-8><title>Latchkey</title>\
<body style=\"font-family:sans-serif;margin:3em\"><h1>Signed in</h1>\
<p>Latchkey has what it needs. You can close this tab.</p></body>";

const NOT_THIS_SIGN_IN: &str = "<!doctype html><meta charset=utf-8><title>Latchkey</title>\
<body style=\"font-family:sans-serif;margin:3em\"><h1>Not this sign-in</h1>\
<p>This address does not belong to the sign-in Latchkey is waiting for, so it was ignored. \
Finish signing in from the page Latchkey opened.</p></body>";

pub struct LoopbackListener {
    listener: TcpListener,
    path: String,
}

/// What one request was, as far as the wait is concerned.
enum Request {
    /// The callback of this sign-in.
    Ours(Url),
    /// Anything else (answered already).
    Other,
}

impl LoopbackListener {
    /// Bind 127.0.0.1 on `port` (0 = any free port) for `path` (e.g. `/callback`).
    pub fn bind(port: u16, path: &str) -> Result<Self> {
        let listener = TcpListener::bind(("127.0.0.1", port))
            .map_err(|e| Error::Io(format!("cannot listen on 127.0.0.1:{port}: {e}")))?;
        listener.set_nonblocking(true).map_err(|e| Error::Io(e.to_string()))?;
        Ok(Self { listener, path: path.to_string() })
    }

    /// The redirect URI to send to the server for this listener.
    pub fn redirect_uri(&self) -> Url {
        let port = self.listener.local_addr().map(|a| a.port()).unwrap_or(0);
        Url::parse(&format!("http://127.0.0.1:{port}{}", self.path)).expect("valid loopback URL")
    }

    /// Wait for the callback that carries `state` (the sign-in's own); returns its URL.
    pub fn wait(self, state: &str, timeout: Duration) -> Result<Url> {
        let deadline = Instant::now() + timeout;
        let (tx, rx) = mpsc::channel::<Url>();
        let busy = Arc::new(AtomicUsize::new(0));
        let base = self.redirect_uri();
        loop {
            if let Ok(url) = rx.try_recv() {
                return Ok(url);
            }
            match self.listener.accept() {
                Ok((stream, _)) => {
                    if busy.load(Ordering::SeqCst) >= MAX_CONNECTIONS {
                        continue; // dropped: closed at once
                    }
                    busy.fetch_add(1, Ordering::SeqCst);
                    let (tx, count, base, path, state) =
                        (tx.clone(), busy.clone(), base.clone(), self.path.clone(), state.to_string());
                    let spawned = std::thread::Builder::new().name("loopback".into()).spawn(move || {
                        if let Request::Ours(url) = serve(stream, &base, &path, &state) {
                            let _ = tx.send(url);
                        }
                        count.fetch_sub(1, Ordering::SeqCst);
                    });
                    if spawned.is_err() {
                        busy.fetch_sub(1, Ordering::SeqCst);
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
                Err(e) => return Err(Error::Io(format!("loopback listener failed: {e}"))),
            }
        }
    }
}

/// Read one request (capped, with an idle timeout) and answer it.
fn serve(stream: TcpStream, base: &Url, path: &str, state: &str) -> Request {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(IDLE));
    let _ = stream.set_write_timeout(Some(IDLE));
    let Ok(reader) = stream.try_clone() else { return Request::Other };
    let mut reader = BufReader::new(reader.take(MAX_REQUEST));
    let mut line = String::new();
    let complete = matches!(reader.read_line(&mut line), Ok(n) if n > 0 && line.ends_with('\n'));
    // Drain the headers (within the cap) so the browser sees a clean answer.
    let mut header = String::new();
    let mut headers_complete = complete;
    while headers_complete {
        header.clear();
        match reader.read_line(&mut header) {
            Ok(n) if n > 0 && header.ends_with('\n') => {
                if header == "\r\n" || header == "\n" {
                    break;
                }
            }
            _ => headers_complete = false,
        }
    }
    let mut stream = stream;
    if !complete || !headers_complete {
        respond(&mut stream, "431 Request Header Fields Too Large", "Request too large or incomplete");
        return Request::Other;
    }
    let mut words = line.split_whitespace();
    let (method, target) = (words.next().unwrap_or(""), words.next().unwrap_or("/"));
    let url = base.join(target).ok().filter(|u| u.path() == path && method == "GET");
    let Some(url) = url else {
        respond(&mut stream, "404 Not Found", "Not found");
        return Request::Other;
    };
    if crate::callback::state_of(url.as_str()).ok().flatten().as_deref() != Some(state) {
        respond(&mut stream, "400 Bad Request", NOT_THIS_SIGN_IN);
        return Request::Other;
    }
    respond(&mut stream, "200 OK", DONE_PAGE);
    Request::Ours(url)
}

fn respond(stream: &mut TcpStream, status: &str, body: &str) {
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn only_the_sign_ins_own_callback_ends_the_wait() {
        let listener = LoopbackListener::bind(0, "/callback").unwrap();
        let uri = listener.redirect_uri();
        assert_eq!(uri.host_str(), Some("127.0.0.1"));
        let port = uri.port().unwrap();
        let client = std::thread::spawn(move || {
            // An idle connection and a huge request line do not hold the real one up.
            let idle = TcpStream::connect(("127.0.0.1", port)).unwrap();
            let huge = std::thread::spawn(move || {
                let mut line = b"GET /callback?code=x&state=".to_vec();
                line.extend(std::iter::repeat_n(b'a', 16 << 20));
                send(port, &line)
            });
            assert!(get(port, "/favicon.ico").starts_with("HTTP/1.1 404"));
            for forged in ["/callback?code=attackers", "/callback?code=attackers&state=wrong", "/callback?error=access_denied"] {
                let page = get(port, forged);
                assert!(page.starts_with("HTTP/1.1 400") && page.contains("Not this sign-in"), "{forged}: {page}");
            }
            let ok = get(port, "/callback?code=c&state=the-state");
            assert!(ok.contains("You can close this tab"), "{ok}");
            // Refused with 431, or cut off mid-send (the listener stops reading at 8 KiB).
            let huge = huge.join().unwrap();
            assert!(huge.is_empty() || huge.starts_with("HTTP/1.1 431"), "the huge request was taken: {huge}");
            drop(idle);
        });
        let url = listener.wait("the-state", Duration::from_secs(20)).unwrap();
        client.join().unwrap();
        assert_eq!(url.query(), Some("code=c&state=the-state"));
    }

    #[test]
    fn times_out_with_a_clear_message() {
        let listener = LoopbackListener::bind(0, "/callback").unwrap();
        let err = listener.wait("s", Duration::from_millis(100)).unwrap_err();
        assert_eq!(err.code(), "cancelled");
    }
}
