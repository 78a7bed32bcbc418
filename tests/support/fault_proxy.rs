//! A fault-injecting HTTP proxy between Latchkey and the real test server.
//!
//! Each connection reads one request; in `Pass` mode it is forwarded (with
//! `Connection: close`) and the answer copied back; other modes answer with the fault
//! instead. The mode can change between requests, so a test can break the server, see
//! Latchkey fail cleanly, heal it, and see renewal resume.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
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

pub struct FaultProxy {
    pub port: u16,
    mode: Arc<Mutex<Fault>>,
}

impl FaultProxy {
    pub fn start(upstream_port: u16) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let mode = Arc::new(Mutex::new(Fault::Pass));
        let m = mode.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let fault = *m.lock().unwrap();
                std::thread::spawn(move || serve(stream, upstream_port, fault));
            }
        });
        Self { port, mode }
    }

    pub fn set(&self, fault: Fault) {
        *self.mode.lock().unwrap() = fault;
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

fn serve(mut stream: TcpStream, upstream_port: u16, fault: Fault) {
    let Some(request) = read_request(&stream) else { return };
    match fault {
        Fault::Pass | Fault::Delayed(_) => {
            let Ok(mut up) = TcpStream::connect(("127.0.0.1", upstream_port)) else { return };
            let _ = up.write_all(&request);
            let mut answer = Vec::new();
            let _ = up.read_to_end(&mut answer);
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
