//! Catching the redirect on a loopback port (RFC 8252 §7.3).
//!
//! A listener bound to 127.0.0.1 only, on an ephemeral port, that serves exactly one
//! request to the callback path, answers with a short "you can close this tab" page and
//! hands the full callback URL back. Other paths (a browser's favicon request) get 404
//! and do not end the wait.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

use url::Url;

use crate::{Error, Result};

/// How long to wait for the browser to come back.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5 * 60);

const DONE_PAGE: &str = "<!doctype html><meta charset=utf-8><title>Latchkey</title>\
<body style=\"font-family:sans-serif;margin:3em\"><h1>Signed in</h1>\
<p>Latchkey has what it needs. You can close this tab.</p></body>";

pub struct LoopbackListener {
    listener: TcpListener,
    path: String,
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

    /// Wait for the one callback request; returns its full URL.
    pub fn wait(self, timeout: Duration) -> Result<Url> {
        let deadline = Instant::now() + timeout;
        loop {
            match self.listener.accept() {
                Ok((stream, _)) => {
                    if let Some(url) = self.serve(stream) {
                        return Ok(url);
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    if Instant::now() >= deadline {
                        return Err(Error::Cancelled(format!(
                            "no answer from the browser within {} minutes",
                            timeout.as_secs() / 60
                        )));
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(e) => return Err(Error::Io(format!("loopback listener failed: {e}"))),
            }
        }
    }

    fn serve(&self, stream: TcpStream) -> Option<Url> {
        let _ = stream.set_nonblocking(false);
        let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
        let mut reader = BufReader::new(stream);
        let mut line = String::new();
        reader.read_line(&mut line).ok()?;
        let target = line.split_whitespace().nth(1).unwrap_or("/").to_string();
        let mut stream = reader.into_inner();
        let base = self.redirect_uri();
        let url = base.join(&target).ok().filter(|u| u.path() == self.path && line.starts_with("GET "));
        let (status, body) = match url {
            Some(_) => ("200 OK", DONE_PAGE),
            None => ("404 Not Found", "Not found"),
        };
        let _ = write!(
            stream,
            "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\
             Cache-Control: no-store\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        url
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serves_one_callback_and_ignores_other_paths() {
        let listener = LoopbackListener::bind(0, "/callback").unwrap();
        let uri = listener.redirect_uri();
        assert_eq!(uri.host_str(), Some("127.0.0.1"));
        let port = uri.port().unwrap();
        let client = std::thread::spawn(move || {
            let get = |path: &str| {
                let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
                write!(s, "GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
                let mut out = String::new();
                std::io::Read::read_to_string(&mut s, &mut out).unwrap();
                out
            };
            assert!(get("/favicon.ico").starts_with("HTTP/1.1 404"));
            let ok = get("/callback?code=c&state=s");
            assert!(ok.contains("You can close this tab"));
        });
        let url = listener.wait(Duration::from_secs(10)).unwrap();
        client.join().unwrap();
        assert_eq!(url.query(), Some("code=c&state=s"));
    }

    #[test]
    fn times_out_with_a_clear_message() {
        let listener = LoopbackListener::bind(0, "/callback").unwrap();
        let err = listener.wait(Duration::from_millis(100)).unwrap_err();
        assert_eq!(err.code(), "cancelled");
    }
}
