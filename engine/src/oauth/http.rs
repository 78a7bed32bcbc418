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

use oauth2::http::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use oauth2::http::Method;

use crate::error::{Error, Result};
use crate::store::secret::Secret;

/// Default time for a whole request (connect + answer).
pub(crate) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// The most of any answer Latchkey reads: token sets, metadata and error bodies are a
/// few kilobytes; a server sending more is broken or hostile, and is not buffered.
pub(crate) const MAX_BODY: u64 = 1 << 20;

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

/// A request as the `oauth2` crate and every other caller build it (`http` crate types).
pub(crate) type Request = oauth2::HttpRequest;
/// An answer with its whole body (at most [`MAX_BODY`]).
pub(crate) type Response = oauth2::HttpResponse;

/// Why a request got no usable answer. Never holds a URL (the caller adds its own,
/// redacted) nor a body.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// No connection: refused, no such host, TLS… (in words a person can act on). The
    /// server never saw the request.
    #[error("{0}")]
    Unreachable(String),
    /// The request went out but no answer came back (timed out, reset): the server may
    /// have acted on it.
    #[error("{0}")]
    NoAnswer(String),
    /// An answer arrived (with this status) whose body is larger than [`MAX_BODY`].
    #[error("the answer is larger than 1 MiB")]
    TooLarge { status: u16 },
    /// An answer arrived (with this status) whose body broke off mid-read.
    #[error("the answer was cut off: {reason}")]
    CutOff { status: u16, reason: String },
}

/// What sends requests: reqwest in the product, a script in tests. The engine holds
/// one behind [`Http`]; tests pass their own ([`Http::with_transport`]) and check the
/// exact requests, as oauth2-rs's own tests do, without a server.
pub trait Transport: Send + Sync {
    fn send(&self, request: Request) -> std::result::Result<Response, SendError>;
}

/// The product's transport: one reqwest client (rustls, OS roots, no redirects).
struct Reqwest(reqwest::blocking::Client);

impl Transport for Reqwest {
    fn send(&self, request: Request) -> std::result::Result<Response, SendError> {
        let (parts, body) = request.into_parts();
        let started = std::time::Instant::now();
        let (method, uri) = (parts.method.clone(), parts.uri.to_string());
        let response =
            self.0.request(parts.method, &uri).headers(parts.headers).body(body).send().map_err(|e| {
                match e.is_connect() || e.is_builder() {
                    true => SendError::Unreachable(describe_reqwest_error(&e)),
                    false => SendError::NoAnswer(describe_reqwest_error(&e)),
                }
            })?;
        let status = response.status();
        // How long the server took (LATCHKEY_LOG=debug; the window benchmark sums these).
        if tracing::enabled!(tracing::Level::DEBUG) {
            // The address without its query: no codes or states in the log.
            let shown = url::Url::parse(&uri).map(|u| crate::oauth::callback::redact_url(&u)).unwrap_or_default();
            tracing::debug!(%method, url = %shown, status = status.as_u16(), ms = started.elapsed().as_millis() as u64, "http");
        }
        let mut out = oauth2::http::Response::builder().status(status);
        for (name, value) in response.headers().iter() {
            out = out.header(name, value);
        }
        let status = status.as_u16();
        match read_capped(response) {
            Ok((_, true)) => Err(SendError::TooLarge { status }),
            Ok((body, false)) => Ok(out.body(body).expect("a response built from a valid one")),
            Err(e) => Err(SendError::CutOff { status, reason: e.to_string() }),
        }
    }
}

#[derive(Clone)]
pub struct Http {
    transport: std::sync::Arc<dyn Transport>,
}

impl std::fmt::Debug for Http {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Http")
    }
}

impl Http {
    /// A client trusting the system's CAs only.
    pub fn new() -> Result<Self> {
        Self::with_extra_ca(None)
    }

    /// Requests go to `transport` (tests: scripted answers, recorded requests).
    pub fn with_transport(transport: std::sync::Arc<dyn Transport>) -> Self {
        Self { transport }
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
        Ok(Self::with_transport(std::sync::Arc::new(Reqwest(client))))
    }

    /// Send `request` to `url`; a failure names the address without its query.
    pub fn send(&self, url: &url::Url, request: Request) -> Result<Response> {
        let shown = || crate::oauth::callback::redact_url(url);
        self.transport.send(request).map_err(|e| match e {
            SendError::Unreachable(reason) | SendError::NoAnswer(reason) => Error::Network { url: shown(), reason },
            SendError::TooLarge { .. } => {
                Error::BadResponse(format!("the answer from {} is larger than 1 MiB", shown()))
            }
            SendError::CutOff { reason, .. } => {
                Error::Network { url: shown(), reason: format!("the answer was cut off: {reason}") }
            }
        })
    }

    /// GET `url`, with the token as a Bearer credential if one is given.
    pub fn get(&self, url: &url::Url, bearer: Option<&Secret>) -> Result<Response> {
        let mut request = request(Method::GET, url).header(ACCEPT, "application/json");
        if let Some(token) = bearer {
            request = request.header(AUTHORIZATION, format!("Bearer {}", token.expose()));
        }
        self.send(url, request.body(Vec::new()).expect("a valid request"))
    }

    /// DELETE `url` with the token as a Bearer credential.
    pub fn delete(&self, url: &url::Url, bearer: &Secret) -> Result<Response> {
        let request = request(Method::DELETE, url).header(AUTHORIZATION, format!("Bearer {}", bearer.expose()));
        self.send(url, request.body(Vec::new()).expect("a valid request"))
    }

    /// POST `body` as JSON, with an optional Bearer credential.
    pub fn post_json(&self, url: &url::Url, body: &serde_json::Value, bearer: Option<&Secret>) -> Result<Response> {
        let mut request =
            request(Method::POST, url).header(CONTENT_TYPE, "application/json").header(ACCEPT, "application/json");
        if let Some(token) = bearer {
            request = request.header(AUTHORIZATION, format!("Bearer {}", token.expose()));
        }
        self.send(url, request.body(body.to_string().into_bytes()).expect("a valid request"))
    }

    /// POST a form (`application/x-www-form-urlencoded`), with HTTP Basic credentials
    /// (`id`, `secret`; already form-encoded as RFC 6749 §2.3.1 says) if given.
    pub fn post_form(
        &self,
        url: &url::Url,
        form: &[(&str, String)],
        basic: Option<(String, String)>,
    ) -> Result<Response> {
        let body = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(form).finish();
        let mut request = request(Method::POST, url)
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(ACCEPT, "application/json");
        if let Some((id, secret)) = basic {
            use base64::Engine;
            let credentials = base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"));
            request = request.header(AUTHORIZATION, format!("Basic {credentials}"));
        }
        self.send(url, request.body(body.into_bytes()).expect("a valid request"))
    }

    /// A transport for the `oauth2` crate that remembers the last HTTP status.
    pub fn oauth(&self) -> OAuthTransport<'_> {
        OAuthTransport {
            http: self,
            last_status: Cell::new(None),
            too_large: Cell::new(false),
            cut_off: Cell::new(None),
            answer_lost: Cell::new(None),
        }
    }
}

fn request(method: Method, url: &url::Url) -> oauth2::http::request::Builder {
    oauth2::http::Request::builder().method(method).uri(url.as_str())
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
    answer_lost: Cell<Option<String>>,
}

impl OAuthTransport<'_> {
    /// Why the last request's answer never arrived whole although the request went out
    /// (no answer in time, or one that broke off): the server may have acted on it.
    pub fn answer_lost(&self) -> Option<String> {
        let reason = self.answer_lost.take();
        self.answer_lost.set(reason.clone());
        reason
    }

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

    pub fn send(&self, request: Request) -> std::result::Result<Response, SendError> {
        self.last_status.set(None);
        self.too_large.set(false);
        self.cut_off.set(None);
        self.answer_lost.set(None);
        // An answer whose body was dropped (too large) or broke off goes to the oauth2
        // crate empty (it reports it as unparsable); the flags say what really happened.
        let empty =
            |status: u16| oauth2::http::Response::builder().status(status).body(Vec::new()).expect("a valid status");
        match self.http.transport.send(request) {
            Ok(response) => {
                self.last_status.set(Some(response.status().as_u16()));
                Ok(response)
            }
            Err(SendError::TooLarge { status }) => {
                self.last_status.set(Some(status));
                self.too_large.set(true);
                Ok(empty(status))
            }
            Err(SendError::CutOff { status, reason }) => {
                self.last_status.set(Some(status));
                self.answer_lost.set(Some(format!("the answer was cut off: {reason}")));
                self.cut_off.set(Some(reason));
                Ok(empty(status))
            }
            Err(SendError::NoAnswer(reason)) => {
                self.answer_lost.set(Some(reason.clone()));
                Err(SendError::NoAnswer(reason))
            }
            Err(unreachable) => Err(unreachable),
        }
    }
}

impl oauth2::SyncHttpClient for &OAuthTransport<'_> {
    type Error = oauth2::HttpClientError<SendError>;

    fn call(&self, request: Request) -> std::result::Result<Response, Self::Error> {
        self.send(request).map_err(|e| oauth2::HttpClientError::Reqwest(Box::new(e)))
    }
}

pub(crate) fn describe_reqwest_error(err: &reqwest::Error) -> String {
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

/// A transport for tests: answers from a script, every request kept for checking.
#[cfg(test)]
pub mod scripted {
    use std::collections::VecDeque;
    use std::sync::Mutex;

    use super::{Request, Response, SendError, Transport};

    /// One request as it went out: method, address, headers (lower-case names), body.
    #[derive(Debug, Clone)]
    pub struct Sent {
        pub method: String,
        pub url: String,
        pub headers: Vec<(String, String)>,
        pub body: String,
    }

    impl Sent {
        pub fn header(&self, name: &str) -> Option<&str> {
            self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
        }

        /// The form body's value for `key` (decoded).
        pub fn form(&self, key: &str) -> Option<String> {
            url::form_urlencoded::parse(self.body.as_bytes()).find(|(k, _)| k == key).map(|(_, v)| v.into_owned())
        }
    }

    #[derive(Default)]
    pub struct Script {
        answers: Mutex<VecDeque<Result<Response, SendError>>>,
        sent: Mutex<Vec<Sent>>,
    }

    impl Script {
        /// Answer the next request with `status` and a JSON body.
        pub fn json(&self, status: u16, body: &str) -> &Self {
            let response = oauth2::http::Response::builder()
                .status(status)
                .header("content-type", "application/json")
                .body(body.as_bytes().to_vec())
                .unwrap();
            self.answers.lock().unwrap().push_back(Ok(response));
            self
        }

        /// Fail the next request as a refused connection would.
        pub fn unreachable(&self) -> &Self {
            self.answers
                .lock()
                .unwrap()
                .push_back(Err(SendError::Unreachable("could not connect: nothing answers".into())));
            self
        }

        pub fn sent(&self) -> Vec<Sent> {
            self.sent.lock().unwrap().clone()
        }
    }

    impl Transport for Script {
        fn send(&self, request: Request) -> Result<Response, SendError> {
            let (parts, body) = request.into_parts();
            self.sent.lock().unwrap().push(Sent {
                method: parts.method.to_string(),
                url: parts.uri.to_string(),
                headers: parts
                    .headers
                    .iter()
                    .map(|(n, v)| (n.as_str().to_string(), v.to_str().unwrap_or_default().to_string()))
                    .collect(),
                body: String::from_utf8_lossy(&body).into_owned(),
            });
            let next = self.answers.lock().unwrap().pop_front();
            next.unwrap_or_else(|| panic!("no answer scripted for {} {}", parts.method, parts.uri))
        }
    }
}
