//! "Copy token" in the tray and in the app, and the rule for taking it back, written
//! once: a token copied from Latchkey leaves the clipboard when its profile is signed out
//! or removed — if it is still there (whatever the person copied since stays). Each shell
//! owns its clipboard (arboard in the tray, the clipboard plugin in the app) and hands it
//! over as a [`Clipboard`]; what was copied is kept as a fingerprint, never the token.

use std::collections::HashMap;
use std::sync::Mutex;

/// The shell's clipboard, as far as taking a token back needs it.
pub trait Clipboard {
    /// The text on the clipboard now, if any.
    fn text(&self) -> Option<String>;
    fn clear(&self) -> Result<(), String>;
}

/// The tokens this process put on the clipboard, by profile.
#[derive(Debug, Default)]
pub struct CopiedTokens(Mutex<HashMap<String, u64>>);

fn fingerprint(text: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut h);
    h.finish()
}

impl CopiedTokens {
    /// `token` of `profile` was just put on the clipboard.
    pub fn copied(&self, profile: &str, token: &str) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).insert(profile.to_string(), fingerprint(token));
    }

    /// For every profile a token was copied of and that `still_signed_in` says is not:
    /// take that token off `clipboard` if it is still there. Returns the profiles whose
    /// token was taken off.
    pub fn take_back(&self, still_signed_in: impl Fn(&str) -> bool, clipboard: &dyn Clipboard) -> Vec<String> {
        let gone: Vec<(String, u64)> = {
            let mut copied = self.0.lock().unwrap_or_else(|e| e.into_inner());
            let gone: Vec<(String, u64)> =
                copied.iter().filter(|(name, _)| !still_signed_in(name)).map(|(n, f)| (n.clone(), *f)).collect();
            for (name, _) in &gone {
                copied.remove(name);
            }
            gone
        };
        if gone.is_empty() {
            return Vec::new();
        }
        let now = clipboard.text().map(|t| fingerprint(&t));
        let mut taken = Vec::new();
        for (name, print) in gone {
            if now == Some(print) {
                match clipboard.clear() {
                    Ok(()) => {
                        tracing::info!(profile = %name, "signed out: its token is off the clipboard");
                        taken.push(name);
                    }
                    Err(e) => tracing::warn!(profile = %name, "cannot clear the clipboard: {e}"),
                }
            }
        }
        taken
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    struct Board(RefCell<Option<String>>);
    impl Clipboard for Board {
        fn text(&self) -> Option<String> {
            self.0.borrow().clone()
        }
        fn clear(&self) -> Result<(), String> {
            *self.0.borrow_mut() = None;
            Ok(())
        }
    }

    #[test]
    fn a_signed_out_profiles_token_leaves_the_clipboard_and_nothing_else_does() {
        let copied = CopiedTokens::default();
        let board = Board(RefCell::new(Some("tok-a".into())));
        copied.copied("a", "tok-a");
        copied.copied("b", "tok-b");
        // Both still signed in: nothing happens.
        assert!(copied.take_back(|_| true, &board).is_empty());
        assert_eq!(board.text().as_deref(), Some("tok-a"));
        // `b` signed out, but its token is no longer on the clipboard: it stays as it is.
        assert!(copied.take_back(|n| n != "b", &board).is_empty());
        assert_eq!(board.text().as_deref(), Some("tok-a"));
        // `a` signed out, its token still there: taken off, once.
        assert_eq!(copied.take_back(|n| n != "a", &board), vec!["a".to_string()]);
        assert_eq!(board.text(), None);
        // What the person copied since stays, even after a sign-out.
        copied.copied("a", "tok-a2");
        *board.0.borrow_mut() = Some("the person's own text".into());
        assert!(copied.take_back(|_| false, &board).is_empty());
        assert_eq!(board.text().as_deref(), Some("the person's own text"));
    }
}
