//! Opening a sign-in page in the browser without putting its address on a command line.
//!
//! Why: a browser is started by a program (`xdg-open`, `open`, the browser itself) whose
//! arguments every user of the computer can read (`/proc/*/cmdline`, `ps`). An authorize
//! URL there gives away the sign-in's `state` and, for a loopback sign-in, its port: with
//! them another user can open the same URL with *their* session and send their code back
//! to this person's listener. So the browser is sent to a one-use page on 127.0.0.1
//! instead, named by 128 random bits, that redirects to the real address: the command
//! line then holds only that page's address, which nobody else can use — the listener
//! serves only this user's programs where the system can tell ([`crate::oauth::peer`]),
//! and the page answers once, then is gone.
//!
//! Why not a file: a 0600 page under `$XDG_RUNTIME_DIR` is unreadable to the browsers many
//! lab desktops have (Ubuntu's Firefox is a snap, confined to its own part of that
//! folder); every browser can open a loopback address.

use std::time::Duration;

use url::Url;

use crate::error::Result;
use crate::oauth::loopback::{LoopbackListener, Reply};

/// How long the page waits for the browser to ask for it.
const WAIT: Duration = Duration::from_secs(5 * 60);

/// Serve a one-use redirect to `target` on 127.0.0.1, in the background, and return the
/// address to open instead of `target`. The page is gone once the browser has been
/// sent on, or after 5 minutes.
pub fn page_for(target: &Url) -> Result<Url> {
    let token = base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, rand::random::<[u8; 16]>());
    let path = format!("/sign-in/{token}");
    let listener = LoopbackListener::bind(0, &path)?;
    let page = listener.redirect_uri();
    let (target, own) = (target.clone(), page.clone());
    std::thread::Builder::new()
        .name("launch-page".into())
        .spawn(move || {
            let served = listener.serve_until(WAIT, move |head, complete| {
                if complete && requests(head, own.path()) {
                    (Reply::see_other(&target), Some(target.clone()))
                } else {
                    (Reply::page("404 Not Found", "Not found"), None)
                }
            });
            if served.is_err() {
                tracing::info!("the browser never asked for the sign-in page");
            }
        })
        .map_err(|e| crate::error::Error::io("cannot start the sign-in page", e))?;
    Ok(page)
}

/// Whether a request head asks for `path` (exactly: no query, nothing after it).
fn requests(head: &[u8], path: &str) -> bool {
    let line = head.split(|b| *b == b'\n').next().unwrap_or_default();
    let line = String::from_utf8_lossy(line);
    let mut words = line.trim_end_matches('\r').splitn(3, ' ');
    matches!((words.next(), words.next(), words.next()), (Some("GET"), Some(t), Some(v)) if t == path && v.starts_with("HTTP/"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};

    fn get(page: &Url, path: &str) -> String {
        let mut s = std::net::TcpStream::connect((page.host_str().unwrap(), page.port().unwrap())).unwrap();
        write!(s, "GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
        let mut out = String::new();
        let _ = s.read_to_string(&mut out);
        out
    }

    #[test]
    fn the_page_sends_the_browser_on_once_and_says_nothing_else() {
        let target = Url::parse("https://id.example.org/authorize?client_id=c&state=s3cret&code_challenge=x").unwrap();
        let page = page_for(&target).unwrap();
        assert_eq!(page.host_str(), Some("127.0.0.1"));
        assert!(!page.as_str().contains("s3cret") && page.query().is_none(), "{page}");
        assert!(page.path().len() > "/sign-in/".len() + 20, "{page}");
        // Another path, or the right one with something after it: nothing.
        for wrong in ["/", "/sign-in/", &format!("{}x", page.path()), &format!("{}?a", page.path())] {
            let answer = get(&page, wrong);
            assert!(answer.starts_with("HTTP/1.1 404") && !answer.contains("s3cret"), "{wrong}: {answer}");
        }
        let answer = get(&page, page.path());
        assert!(answer.starts_with("HTTP/1.1 303"), "{answer}");
        assert!(answer.contains(&format!("Location: {target}\r\n")), "{answer}");
        assert!(answer.contains("Referrer-Policy: no-referrer"), "{answer}");
        // Once: the page is gone.
        std::thread::sleep(Duration::from_millis(200));
        let again = std::net::TcpStream::connect((page.host_str().unwrap(), page.port().unwrap()));
        let answered = again.is_ok_and(|mut s| {
            let _ = write!(s, "GET {} HTTP/1.1\r\n\r\n", page.path());
            let mut out = String::new();
            let _ = s.read_to_string(&mut out);
            out.contains("s3cret")
        });
        assert!(!answered, "the page answered twice");
    }
}
