//! What a tray shows: one line per profile, and whether anything needs the user.
//!
//! Why here: two trays draw it — the desktop app's own (Tauri, when it runs alone) and
//! `latchkey-tray`, the lean process that starts at login (StatusNotifierItem, no GUI
//! toolkit) — and both must say the same thing in the same words.

use crate::renewal::worker::Live;
use crate::store::Status;
use crate::Latchkey;

/// One profile's line in a tray menu.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrayLine {
    pub name: String,
    /// `name — fresh until 14:05`.
    pub text: String,
    /// Whether there is a token to refresh or copy.
    pub signed_in: bool,
}

/// The lines for every profile, with what the renewal loop is doing now (`live`).
pub fn lines(engine: &Latchkey, live: Option<&Live>, now: u64) -> Vec<TrayLine> {
    engine
        .status(None)
        .unwrap_or_default()
        .into_iter()
        .map(|p| {
            let refreshing = live.is_some_and(|l| l.refreshing.contains(&p.name));
            let retry = live.and_then(|l| l.retry_at.iter().find(|(n, _)| *n == p.name).map(|(_, at)| *at));
            TrayLine {
                text: format!("{} — {}", p.name, status_line(p.status, p.expires_at, refreshing, retry, now)),
                signed_in: p.status != Status::SignedOut,
                name: p.name,
            }
        })
        .collect()
}

/// Whether any profile needs the user (sign in again) or keeps failing.
pub fn needs_attention(engine: &Latchkey) -> bool {
    engine
        .status(None)
        .map(|rows| rows.iter().any(|r| matches!(r.status, Status::NeedsSignIn | Status::Failing)))
        .unwrap_or(false)
}

/// The tooltip that goes with [`needs_attention`].
pub fn tooltip(attention: bool) -> &'static str {
    if attention {
        "Latchkey: something needs you"
    } else {
        "Latchkey: all fresh"
    }
}

/// The status part of a profile's line.
pub fn status_line(
    status: Status,
    expires_at: Option<u64>,
    refreshing: bool,
    retry_at: Option<u64>,
    now: u64,
) -> String {
    if refreshing {
        return "refreshing…".into();
    }
    match status {
        Status::SignedOut => "not signed in".into(),
        Status::NeedsSignIn => "needs sign-in".into(),
        Status::Failing => match retry_at {
            Some(at) => format!("offline — retrying at {}", clock(at)),
            None => "offline — retrying".into(),
        },
        Status::SignedIn => match expires_at {
            Some(at) if at > now => format!("fresh until {}", clock(at)),
            Some(_) => "expired — renewing".into(),
            None => "signed in".into(),
        },
    }
}

/// Local wall-clock time, `HH:MM`.
fn clock(unix: u64) -> String {
    use chrono::TimeZone;
    chrono::Local
        .timestamp_opt(unix as i64, 0)
        .single()
        .map(|t| t.format("%H:%M").to_string())
        .unwrap_or_else(|| "?".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_say_what_the_user_must_do() {
        let now = 1_000_000;
        assert_eq!(status_line(Status::SignedOut, None, false, None, now), "not signed in");
        assert_eq!(status_line(Status::NeedsSignIn, Some(now + 60), false, None, now), "needs sign-in");
        assert_eq!(status_line(Status::SignedIn, Some(now + 60), true, None, now), "refreshing…");
        assert_eq!(status_line(Status::SignedIn, Some(now - 1), false, None, now), "expired — renewing");
        assert!(status_line(Status::SignedIn, Some(now + 600), false, None, now).starts_with("fresh until "));
        assert!(status_line(Status::Failing, None, false, Some(now + 60), now).starts_with("offline — retrying at "));
    }
}
