//! The one HTTP client: rustls, timeouts, and no redirects.
//!
//! Trust: the operating system's CA store (rustls-native-certs, which honours
//! `SSL_CERT_FILE` and `SSL_CERT_DIR` as OpenSSL does), plus an optional extra CA file
//! from the settings. Proxies: `HTTPS_PROXY` / `HTTP_PROXY` / `ALL_PROXY` and `NO_PROXY`,
//! as curl reads them (reqwest's own reading of the environment).
//!
//! Token and revocation endpoints must never be followed through a redirect (a
//! redirect would resend the client secret and the grant to wherever it points), so
//! every request is made with redirects off; a 3xx is reported as what it is. The
//! transport notes the status of the last answer so errors can say "HTTP 502" even
//! when the body is HTML that no OAuth parser understands.

use std::cell::Cell;
use std::time::Duration;

use crate::{Error, Result};

/// Default time for a whole request (connect + answer).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// The most of any answer Latchkey reads: token sets, metadata and error bodies are a
/// few kilobytes; a server sending more is broken or hostile, and is not buffered.
pub const MAX_BODY: u64 = 1 << 20;

/// Read at most `MAX_BODY + 1` bytes of a body; `(bytes, too_large)`.
fn read_capped(response: impl std::io::Read) -> std::io::Result<(Vec<u8>, bool)> {
    let mut body = Vec::new();
    std::io::Read::read_to_end(&mut std::io::Read::take(response, MAX_BODY + 1), &mut body)?;
    let too_large = body.len() as u64 > MAX_BODY;
    if too_large {
        body.clear();
    }
    Ok((body, too_large))
}

/// A response's body, refused when larger than [`MAX_BODY`].
pub fn read_body(response: reqwest::blocking::Response, url: &url::Url) -> Result<Vec<u8>> {
    let shown = crate::oauth::callback::redact_url(url);
    match read_capped(response) {
        Ok((_, true)) => Err(Error::BadResponse(format!("the answer from {shown} is larger than 1 MiB"))),
        Ok((body, false)) => Ok(body),
        Err(e) => Err(Error::Network { url: shown, reason: format!("the answer was cut off: {e}") }),
    }
}

#[derive(Debug, Clone)]
pub struct Http {
    client: reqwest::blocking::Client,
}

impl Http {
    /// A client trusting the system's CAs only.
    pub fn new() -> Result<Self> {
        Self::with_extra_ca(None)
    }

    /// A client trusting the system's CAs and those in `extra_ca` (a PEM file).
    pub fn with_extra_ca(extra_ca: Option<&std::path::Path>) -> Result<Self> {
        let timeout = std::env::var("LATCHKEY_HTTP_TIMEOUT_MS")
            .ok()
            .and_then(|ms| ms.parse().ok())
            .map(Duration::from_millis)
            .unwrap_or(DEFAULT_TIMEOUT);
        let mut builder = reqwest::blocking::Client::builder();
        if let Some(path) = extra_ca {
            for cert in read_ca_file(path)? {
                builder = builder.add_root_certificate(cert);
            }
        }
        let client = builder
            .redirect(reqwest::redirect::Policy::none())
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .user_agent(concat!("latchkey/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::Network { url: String::new(), reason: e.to_string() })?;
        Ok(Self { client })
    }

    pub fn client(&self) -> &reqwest::blocking::Client {
        &self.client
    }

    /// A transport for the `oauth2` crate that remembers the last HTTP status.
    pub fn oauth(&self) -> OAuthTransport<'_> {
        OAuthTransport {
            http: self,
            last_status: Cell::new(None),
            too_large: Cell::new(false),
            cut_off: Cell::new(None),
        }
    }
}

/// The certificates of a PEM file, for the extra-CA setting.
fn read_ca_file(path: &std::path::Path) -> Result<Vec<reqwest::Certificate>> {
    let unreadable = |reason: String| Error::ConfigUnreadable { path: path.to_path_buf(), reason };
    let pem = std::fs::read(path).map_err(|e| unreadable(format!("the extra CA file: {e}")))?;
    let certs = reqwest::Certificate::from_pem_bundle(&pem)
        .map_err(|e| unreadable(format!("the extra CA file is not PEM certificates: {e}")))?;
    if certs.is_empty() {
        return Err(unreadable("the extra CA file holds no certificate".into()));
    }
    Ok(certs)
}

/// What the `oauth2` crate sends requests through.
pub struct OAuthTransport<'a> {
    http: &'a Http,
    last_status: Cell<Option<u16>>,
    too_large: Cell<bool>,
    cut_off: Cell<Option<String>>,
}

impl OAuthTransport<'_> {
    /// The status of the last answer, if one arrived.
    pub fn last_status(&self) -> Option<u16> {
        self.last_status.get()
    }

    /// Whether the last answer was larger than [`MAX_BODY`] (its body was dropped).
    pub fn too_large(&self) -> bool {
        self.too_large.get()
    }

    /// Why the last answer's body could not be read to its end, if it could not.
    pub fn cut_off(&self) -> Option<String> {
        let reason = self.cut_off.take();
        self.cut_off.set(reason.clone());
        reason
    }

    pub fn send(&self, request: oauth2::HttpRequest) -> std::result::Result<oauth2::HttpResponse, reqwest::Error> {
        self.last_status.set(None);
        self.too_large.set(false);
        self.cut_off.set(None);
        let (parts, body) = request.into_parts();
        let mut builder = self.http.client.request(parts.method, parts.uri.to_string()).body(body);
        for (name, value) in parts.headers.iter() {
            builder = builder.header(name, value);
        }
        let response = builder.send()?;
        self.last_status.set(Some(response.status().as_u16()));
        let mut out = oauth2::http::Response::builder().status(response.status());
        for (name, value) in response.headers().iter() {
            out = out.header(name, value);
        }
        let (body, too_large) = match read_capped(response) {
            Ok(read) => read,
            // A body cut off mid-read: the oauth2 crate gets an empty answer (which it
            // reports as unparsable), and `cut_off` says what really happened.
            Err(e) => {
                self.cut_off.set(Some(e.to_string()));
                (Vec::new(), false)
            }
        };
        self.too_large.set(too_large);
        Ok(out.body(body).expect("a response built from a valid one"))
    }
}

impl oauth2::SyncHttpClient for &OAuthTransport<'_> {
    type Error = oauth2::HttpClientError<reqwest::Error>;

    fn call(&self, request: oauth2::HttpRequest) -> std::result::Result<oauth2::HttpResponse, Self::Error> {
        self.send(request).map_err(|e| oauth2::HttpClientError::Reqwest(Box::new(e)))
    }
}

/// Words for a transport failure that never include a URL's query.
/// The one way a failed request becomes an error: the address without its query (it may
/// hold a code or a token), the cause in words ([`describe_reqwest_error`]).
pub fn unreachable(url: &url::Url, err: &reqwest::Error) -> Error {
    Error::Network { url: crate::oauth::callback::redact_url(url), reason: describe_reqwest_error(err) }
}

pub fn describe_reqwest_error(err: &reqwest::Error) -> String {
    let kind = if err.is_timeout() {
        "timed out"
    } else if err.is_connect() {
        "could not connect"
    } else if err.is_body() || err.is_decode() {
        "the answer was cut off"
    } else {
        "request failed"
    };
    let mut source = std::error::Error::source(err);
    let mut detail = String::new();
    let mut io_kind = None;
    while let Some(s) = source {
        detail = s.to_string();
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            io_kind = Some(io.kind());
        }
        source = s.source();
    }
    match plain_cause(io_kind, &detail) {
        Some(cause) => format!("{kind}: {cause}"),
        None if detail.is_empty() => kind.to_string(),
        None => format!("{kind}: {detail}"),
    }
}

/// The common causes in words a person can act on, instead of "os error 111" or
/// "failed to lookup address information" (the technical detail adds nothing for them).
fn plain_cause(io_kind: Option<std::io::ErrorKind>, detail: &str) -> Option<&'static str> {
    use std::io::ErrorKind;
    let d = detail.to_ascii_lowercase();
    Some(match io_kind {
        Some(ErrorKind::ConnectionRefused) => {
            "nothing answers at that address (is the server running, and the address and port right?)"
        }
        Some(ErrorKind::ConnectionReset) | Some(ErrorKind::ConnectionAborted) => "the server closed the connection",
        _ if d.contains("failed to lookup address")
            || d.contains("name or service not known")
            || d.contains("no address associated") =>
        {
            "no such host name (check the address, and your connection)"
        }
        _ if d.contains("network is unreachable") || d.contains("no route to host") => {
            "no network route to the server (check your connection)"
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_connection_is_said_in_words_not_as_an_os_error() {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let err = reqwest::blocking::get(format!("http://127.0.0.1:{port}/")).unwrap_err();
        let said = describe_reqwest_error(&err);
        assert!(said.starts_with("could not connect: nothing answers at that address"), "{said}");
        assert!(!said.contains("os error"), "{said}");
    }

    #[test]
    fn an_unknown_cause_keeps_its_detail() {
        assert_eq!(plain_cause(None, "invalid peer certificate: UnknownIssuer"), None);
        assert!(plain_cause(None, "dns error: failed to lookup address information").unwrap().contains("no such host"));
    }
}
