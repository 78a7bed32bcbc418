//! A fault-injecting HTTP proxy between Latchkey and the real test server.
//!
//! Each connection reads one request; in `Pass` mode it is forwarded (with
//! `Connection: close`) and the answer copied back; other modes answer with the fault
//! instead. The mode can change between requests, so a test can break the server, see
//! Latchkey fail cleanly, heal it, and see renewal resume.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    Pass,
    Status500Json,
    Html502,
    Truncated,
    NotJson,
    MissingFields,
    WrongTypes,
    Slow(Duration),
    /// Forward, and hold the server's answer back this long (the server has acted).
    Delayed(Duration),
    Reset,
    /// A 307 (method and body kept, as a client following it would resend the grant and
    /// the client secret) to this port on 127.0.0.1.
    Redirect(u16),
}

/// Profile `name` on `server` (a django-oauth-toolkit test server) with its token
/// endpoint behind a new proxy in `fault` mode, signed in through it (a
/// `Fault::Delayed` sign-in takes that much longer); the browser part goes straight to
/// the server. `scope` is the profile's one scope.
pub fn signed_in_behind_proxy(
    cli: &crate::support::Cli,
    server: &crate::support::TestServer,
    name: &str,
    ttl: u64,
    scope: &str,
    fault: Fault,
) -> (crate::support::Client, FaultProxy) {
    use crate::support::AuthServer;
    let proxy = FaultProxy::start(server.port);
    proxy.set(fault);
    let client = server.create_client(ttl, &[&server.callback_uri()]);
    cli.add_by_hand(
        name,
        &server.url("/o/authorize/"),
        &format!("{}o/token/", proxy.base()),
        &client,
        &["--scopes", scope, "--redirect-uri", &server.callback_uri()],
    );
    let out = cli.login_paste(name, &crate::support::User::new());
    assert!(out.status.success(), "{}", crate::support::describe(&out));
    (client, proxy)
}

pub struct FaultProxy {
    pub port: u16,
    mode: Arc<Mutex<Fault>>,
    forwarded: Arc<AtomicUsize>,
}

impl FaultProxy {
    pub fn start(upstream_port: u16) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let mode = Arc::new(Mutex::new(Fault::Pass));
        let forwarded = Arc::new(AtomicUsize::new(0));
        let (m, f) = (mode.clone(), forwarded.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let fault = *m.lock().unwrap();
                let f = f.clone();
                std::thread::spawn(move || serve(stream, upstream_port, fault, &f));
            }
        });
        Self { port, mode, forwarded }
    }

    pub fn set(&self, fault: Fault) {
        *self.mode.lock().unwrap() = fault;
    }

    /// How many requests have reached the server so far (in `Pass` or `Delayed` mode):
    /// with `Delayed`, the server has acted on each, whether or not its answer is out.
    pub fn forwarded(&self) -> usize {
        self.forwarded.load(Ordering::SeqCst)
    }

    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }
}

fn read_request(stream: &TcpStream) -> Option<Vec<u8>> {
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut head = Vec::new();
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse().unwrap_or(0);
        }
        let lower = line.to_ascii_lowercase();
        if line == "\r\n" {
            head.extend_from_slice(b"Connection: close\r\n\r\n");
            break;
        }
        if !lower.starts_with("connection:") {
            head.extend_from_slice(line.as_bytes());
        }
    }
    let mut body = vec![0u8; length];
    reader.read_exact(&mut body).ok()?;
    head.extend_from_slice(&body);
    Some(head)
}

fn canned(stream: &mut TcpStream, status: &str, content_type: &str, body: &str) {
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
}

fn serve(mut stream: TcpStream, upstream_port: u16, fault: Fault, forwarded: &AtomicUsize) {
    let Some(request) = read_request(&stream) else { return };
    match fault {
        Fault::Pass | Fault::Delayed(_) => {
            let Ok(mut up) = TcpStream::connect(("127.0.0.1", upstream_port)) else { return };
            let _ = up.write_all(&request);
            let mut answer = Vec::new();
            let _ = up.read_to_end(&mut answer);
            forwarded.fetch_add(1, Ordering::SeqCst);
            if let Fault::Delayed(d) = fault {
                std::thread::sleep(d);
            }
            let _ = stream.write_all(&answer);
        }
        Fault::Status500Json => {
            canned(&mut stream, "500 Internal Server Error", "application/json", r#"{"error": "server_error"}"#)
        }
        Fault::Html502 => canned(
            &mut stream,
            "502 Bad Gateway",
            "text/html",
            "<html><body><h1>502 Bad Gateway</h1>nginx</body></html>",
        ),
        Fault::Truncated => {
            let _ = write!(stream, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n{{\"access_token\": \"abc");
        }
        Fault::NotJson => canned(&mut stream, "200 OK", "application/json", "this is not json"),
        Fault::MissingFields => canned(&mut stream, "200 OK", "application/json", r#"{"expires_in": 3600}"#),
        Fault::WrongTypes => canned(
            &mut stream,
            "200 OK",
            "application/json",
            r#"{"access_token": 42, "token_type": ["bearer"], "expires_in": "soon"}"#,
        ),
        Fault::Slow(d) => {
            std::thread::sleep(d);
            canned(&mut stream, "500 Internal Server Error", "text/plain", "late");
        }
        Fault::Reset => {
            // Close with unread data / linger 0 so the client sees a reset.
            let _ = stream.shutdown(Shutdown::Both);
        }
        Fault::Redirect(port) => {
            let _ = write!(
                stream,
                "HTTP/1.1 307 Temporary Redirect\r\nLocation: http://127.0.0.1:{port}/o/token/\r\nContent-Length: 0\r\n\
                 Connection: close\r\n\r\n"
            );
        }
    }
}
