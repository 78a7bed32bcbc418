//! A profile's state in a person's words, for the desktop: the window's server row and
//! Done page, and latchkey-tray's menu and tooltip say the same thing because both read
//! it here. (The CLI words status for a terminal in `cli/src/commands/status.rs`.) The
//! engine gives the status and the kind of the last failure as data; this is the one
//! place they become desktop text.

use latchkey_engine::ErrorCode;
use latchkey_engine::Live;
use latchkey_engine::ProfileStatus;
use latchkey_engine::Status;
use serde::Serialize;
use ts_rs::TS;

/// How a badge looks: the colour and icon beside the words (never the only signal).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum Tone {
    Ok,
    Warn,
    Bad,
    Idle,
}

/// A profile's status badge: "✓ Signed in as alice · renews by itself".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Badge {
    pub tone: Tone,
    pub icon: String,
    pub text: String,
}

/// What the renewal worker is doing for a profile right now (the tray knows; the window
/// reads the stored state only).
#[derive(Debug, Clone, Copy, Default)]
pub struct Activity {
    pub refreshing: bool,
    /// When the next try after a failure is due (Unix seconds).
    pub retry_at: Option<u64>,
}

/// How the badge of a sign-in into another account than before ends.
const ANOTHER_ACCOUNT: &str = ": sign out if that is not you";

pub fn badge(p: &ProfileStatus, activity: Activity, now: u64) -> Badge {
    let as_who = p.account.as_ref().map(|a| format!(" as {a}")).unwrap_or_default();
    let expired = p.expires_at.is_some_and(|at| at <= now);
    let trying_again = match activity.retry_at {
        Some(at) if at > now => format!("trying again at {}", clock(at)),
        _ => "trying again".into(),
    };
    let (tone, text) = if activity.refreshing {
        (Tone::Ok, "Renewing…".to_string())
    } else {
        match p.status {
            Status::SignedOut if p.client_id.is_some() => (Tone::Idle, "Not signed in".into()),
            Status::SignedOut => (Tone::Idle, "Not set up yet".into()),
            Status::NeedsSignIn => (Tone::Bad, "Needs you: sign in again".into()),
            Status::NeedsClient if p.dynamically_registered => (Tone::Bad, "Needs you: register again".into()),
            Status::NeedsClient => (Tone::Bad, "Needs you: enter the client id and secret again".into()),
            Status::Failing => (
                Tone::Warn,
                match p.last_error_code {
                    Some(ErrorCode::Network) => format!("Can't reach the server \u{2014} {trying_again}"),
                    Some(ErrorCode::KeyringUnavailable) => format!("Keyring locked \u{2014} unlock it; {trying_again}"),
                    Some(ErrorCode::ServerError | ErrorCode::BadResponse) => {
                        format!("The server has a problem \u{2014} {trying_again}")
                    }
                    _ => format!("Renewal failing \u{2014} {trying_again}"),
                },
            ),
            Status::SignedIn if expired && !p.renews_silently => {
                (Tone::Bad, format!("Expired at {}: sign in again", clock(p.expires_at.unwrap_or(now))))
            }
            // A profile that renews by itself but holds an expired token was not renewed
            // in time (the renewal loop was not running), or its server issues tokens
            // that last no time (an Agate ticket of 0 hours): not "renews by itself".
            Status::SignedIn if expired => (
                Tone::Warn,
                format!("Signed in{as_who} \u{b7} expired at {}, not renewed yet", clock(p.expires_at.unwrap_or(now))),
            ),
            // Someone may have finished this person's sign-in with their own account.
            Status::SignedIn if p.account_changed_from.is_some() && p.account.is_some() => (
                Tone::Warn,
                format!(
                    "Signed in{as_who} \u{b7} before, this was {}{ANOTHER_ACCOUNT}",
                    p.account_changed_from.as_deref().unwrap_or_default()
                ),
            ),
            Status::SignedIn if !p.not_granted().is_empty() => {
                let what = if p.preset.is_majora() { "tasks" } else { "scopes" };
                (Tone::Warn, format!("Signed in{as_who} \u{b7} for fewer {what} than chosen: sign in again"))
            }
            Status::SignedIn if p.renews_silently => (Tone::Ok, format!("Signed in{as_who} \u{b7} renews by itself")),
            Status::SignedIn => match p.expires_at {
                Some(at) => (Tone::Ok, format!("Signed in{as_who} \u{b7} until {}", clock(at))),
                None => (Tone::Ok, format!("Signed in{as_who}")),
            },
        }
    };
    let icon = match tone {
        // Not a renewal that is failing (⟳): a sign-in someone else may have finished.
        Tone::Warn if text.ends_with(ANOTHER_ACCOUNT) => "\u{26a0}",
        Tone::Ok => "\u{2713}",
        Tone::Warn => "\u{27f3}",
        Tone::Bad => "!",
        Tone::Idle => "\u{25cb}",
    };
    Badge { tone, icon: icon.into(), text }
}

/// What Refresh now did, in words: renewed, or the server handed back the token it had
/// (Agate, while its ticket lasts), or renewed but already expired (a 0-hour lifetime).
pub fn refreshed(source: latchkey_engine::Source, expires_at: Option<u64>, now: u64) -> String {
    use latchkey_engine::Source;
    match (source, expires_at) {
        (_, Some(at)) if at <= now => BORN_EXPIRED.to_string(),
        (Source::Unchanged, Some(at)) => format!(
            "Not renewed: the server handed back the token it had already issued, valid until {}. It makes a new \
             one only once that one has expired.",
            clock(at)
        ),
        (Source::Unchanged, None) => "Not renewed: the server handed back the token it had already issued.".into(),
        _ => "Renewed.".into(),
    }
}

/// The token's time, for the row's detail line: "Fresh until 13:40".
pub fn freshness(p: &ProfileStatus, now: u64) -> Option<String> {
    match (p.status, p.expires_at) {
        (Status::SignedIn, Some(at)) if at > now => Some(format!("Fresh until {}", clock(at))),
        (Status::SignedIn, Some(at)) => Some(format!("Expired at {}", clock(at))),
        _ => None,
    }
}

/// Why the last renewal failed, in a person's words, for the row (the engine's own
/// message, with its OAuth error code, goes under Details). `None` when it is not failing.
pub fn reason(p: &ProfileStatus) -> Option<String> {
    let missing = p.not_granted();
    if !missing.is_empty() {
        let what = if p.preset.is_majora() { "tasks" } else { "scopes" };
        return Some(format!(
            "The server granted fewer {what} than you chose: {} {} not covered{}. Sign in again to get \
             {} back.",
            missing.join(", "),
            if missing.len() == 1 { "is" } else { "are" },
            if p.ocarina_sync.is_some() {
                ", so the Ocarina commands that need them ask you to sign in (`ocarina oauth refresh --scopes` \
                 narrows the grant; let Latchkey renew instead)"
            } else {
                ""
            },
            if missing.len() == 1 { "it" } else { "them" },
        ));
    }
    if !matches!(p.status, Status::Failing | Status::NeedsClient) {
        return None;
    }
    let said = match p.last_error_code? {
        ErrorCode::ClientRejected if p.dynamically_registered => {
            "The server no longer knows the application Latchkey registered with it: it was removed there, \
             or the server was reset. Register again to go on."
        }
        ErrorCode::ClientRejected => {
            "The server no longer accepts this application\u{2019}s client id and secret: the application was \
             deleted, or given a new secret, on the server\u{2019}s application page. Enter them again to go on."
        }
        ErrorCode::Network => "The server could not be reached. Your sign-in is kept; Latchkey tries again.",
        ErrorCode::ServerError | ErrorCode::BadResponse => {
            "The server answered with an error of its own. Your sign-in is kept; Latchkey tries again."
        }
        ErrorCode::KeyringUnavailable => "The keyring is locked or not running. Unlock it; Latchkey tries again.",
        _ => return None,
    };
    Some(said.into())
}

/// The server as the row names it: its host, and which kind where it is a known one
/// ("majora.covid19.climb.ac.uk · COG-UK Majora"); a generic server by its host alone.
pub fn server_line(host: &str, preset: latchkey_engine::PresetKind) -> String {
    use latchkey_engine::PresetKind;
    match preset {
        PresetKind::Majora => format!("{host} \u{b7} COG-UK Majora"),
        PresetKind::MajoraTest => format!("{host} \u{b7} COG-UK Majora (test)"),
        PresetKind::Agate => format!("{host} \u{b7} OBiBa Agate"),
        PresetKind::Generic => host.to_string(),
    }
}

/// The button on a row whose client the server refuses: register again where Latchkey
/// registered it, enter it again where it was given by hand, or (a setup left after a
/// refused check, never signed in) finish the setup. `None` when the client is not refused.
pub fn fix_client(p: &ProfileStatus) -> Option<String> {
    (p.status == Status::NeedsClient).then(|| {
        if p.dynamically_registered {
            "Register again"
        } else if p.has_tokens {
            "Enter the client again"
        } else {
            "Finish setup"
        }
        .into()
    })
}

/// A token the server issued already expired (an Agate ticket of 0 hours).
const BORN_EXPIRED: &str = "The server answered, but with a token that has already expired: it issues tokens \
    that last no time at all. Ask its administrator to set a token lifetime.";

/// What happens when the token expires, for the Done page at `now`.
pub fn renewal_line(p: &ProfileStatus, now: u64) -> String {
    if p.expires_at.is_some_and(|at| at <= now) {
        return BORN_EXPIRED.into();
    }
    if p.renews_silently {
        return "Latchkey keeps the token fresh from now on.".into();
    }
    let when = p.expires_at.map(|at| format!(" at {}", clock(at))).unwrap_or_default();
    format!(
        "This server gave no refresh token, so Latchkey cannot renew it: you will be asked to sign in again when it expires{when}."
    )
}

/// One profile's line in a tray menu.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrayLine {
    pub name: String,
    /// `name — Signed in as alice · renews by itself`.
    pub text: String,
    /// Whether there is a token to refresh or copy.
    pub signed_in: bool,
}

/// The tray's lines for every profile, with what the renewal worker is doing (`live`).
pub fn tray_lines(rows: &[ProfileStatus], live: Option<&Live>, now: u64) -> Vec<TrayLine> {
    rows.iter()
        .map(|p| {
            let activity = Activity {
                refreshing: live.is_some_and(|l| l.refreshing.contains(&p.name)),
                retry_at: live.and_then(|l| l.retry_at.iter().find(|(n, _)| *n == p.name).map(|(_, at)| *at)),
            };
            TrayLine {
                text: format!("{} \u{2014} {}", p.name, badge(p, activity, now).text),
                signed_in: p.status != Status::SignedOut,
                name: p.name.clone(),
            }
        })
        .collect()
}

/// The tray's tooltip: whether something needs the person, else whether there is
/// anything to keep fresh at all ("all fresh" only when some profile is signed in).
pub fn tooltip(rows: &[ProfileStatus]) -> &'static str {
    tooltip_for(&rows.iter().map(|r| r.status).collect::<Vec<_>>())
}

fn tooltip_for(statuses: &[Status]) -> &'static str {
    if statuses.iter().any(|s| matches!(s, Status::NeedsSignIn | Status::NeedsClient | Status::Failing)) {
        "Latchkey: something needs you"
    } else if statuses.is_empty() {
        "Latchkey: no servers added yet"
    } else if statuses.iter().all(|s| *s == Status::SignedOut) {
        "Latchkey: not signed in anywhere yet"
    } else {
        "Latchkey: all fresh"
    }
}

/// Local wall-clock time, `HH:MM`.
pub fn clock(unix: u64) -> String {
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
    fn the_tooltip_says_all_fresh_only_with_something_signed_in() {
        assert_eq!(tooltip_for(&[]), "Latchkey: no servers added yet");
        assert_eq!(tooltip_for(&[Status::SignedOut]), "Latchkey: not signed in anywhere yet");
        assert_eq!(tooltip_for(&[Status::SignedOut, Status::SignedIn]), "Latchkey: all fresh");
        assert_eq!(tooltip_for(&[Status::SignedIn, Status::NeedsSignIn]), "Latchkey: something needs you");
    }
    use latchkey_engine::{PresetKind, RedirectMode};

    const AT: u64 = 1_800_000_000;

    fn signed_in() -> ProfileStatus {
        ProfileStatus {
            name: "m".into(),
            preset: PresetKind::Majora,
            server: "s".into(),
            host: "s".into(),
            client_id: Some("c".into()),
            status: Status::SignedIn,
            expires_at: Some(AT),
            expires_in: None,
            scopes: vec![],
            requested_scopes: vec![],
            has_refresh_token: true,
            has_tokens: true,
            renews_silently: true,
            last_error: None,
            last_error_code: None,
            last_error_at: None,
            account: None,
            account_changed_from: None,
            redirect_uri: url::Url::parse("https://x/o/callback/").unwrap(),
            redirect_mode: RedirectMode::Window,
            dynamically_registered: false,
            ocarina_sync: None,
            userinfo_url: None,
            device_flow: false,
        }
    }

    #[test]
    fn a_refused_client_names_the_one_button_that_mends_it() {
        let refused = ProfileStatus { status: Status::NeedsClient, ..signed_in() };
        assert_eq!(text(&refused, AT), "Needs you: enter the client id and secret again");
        assert_eq!(fix_client(&refused).as_deref(), Some("Enter the client again"));
        let registered = ProfileStatus { dynamically_registered: true, ..refused.clone() };
        assert_eq!(text(&registered, AT), "Needs you: register again");
        assert_eq!(fix_client(&registered).as_deref(), Some("Register again"));
        let never_signed_in = ProfileStatus { has_tokens: false, ..refused };
        assert_eq!(fix_client(&never_signed_in).as_deref(), Some("Finish setup"));
        assert_eq!(fix_client(&signed_in()), None);
        assert_eq!(tooltip_for(&[Status::NeedsClient]), "Latchkey: something needs you");
    }

    #[test]
    fn a_narrowed_grant_is_said_with_the_tasks_it_lost_and_what_to_do() {
        let chosen = latchkey_engine::majora_task_scopes(&["upload", "read"]).unwrap();
        let upload = latchkey_engine::majora_task_scopes(&["upload"]).unwrap();
        let full = ProfileStatus { scopes: chosen.clone(), requested_scopes: chosen.clone(), ..signed_in() };
        assert_eq!(reason(&full), None);
        assert!(text(&full, AT - 60).contains("renews by itself"));
        let narrowed = ProfileStatus { scopes: upload, ocarina_sync: Some("/o".into()), ..full };
        let badge = badge(&narrowed, Activity::default(), AT - 60);
        assert_eq!(
            (badge.tone, badge.text.as_str()),
            (Tone::Warn, "Signed in \u{b7} for fewer tasks than chosen: sign in again")
        );
        let why = reason(&narrowed).unwrap();
        assert!(why.starts_with("The server granted fewer tasks than you chose: \"read\" is not covered"), "{why}");
        assert!(why.contains("Ocarina") && why.contains("Sign in again"), "{why}");
    }

    #[test]
    fn an_expired_token_is_never_said_to_renew_by_itself() {
        let p = signed_in();
        assert!(p.renews_silently);
        let b = badge(&p, Activity::default(), AT + 60);
        assert_eq!(
            (b.tone, b.text),
            (Tone::Warn, format!("Signed in \u{b7} expired at {}, not renewed yet", clock(AT)))
        );
        let by_hand = ProfileStatus { renews_silently: false, ..p };
        assert_eq!(text(&by_hand, AT + 60), format!("Expired at {}: sign in again", clock(AT)));
    }

    fn text(p: &ProfileStatus, now: u64) -> String {
        badge(p, Activity::default(), now).text
    }

    #[test]
    fn says_who_is_signed_in_and_that_it_renews_by_itself_with_the_time_beside() {
        let p = ProfileStatus { account: Some("alice".into()), ..signed_in() };
        let b = badge(&p, Activity::default(), AT - 100);
        assert_eq!(
            (b.tone, b.icon.as_str(), b.text.as_str()),
            (Tone::Ok, "\u{2713}", "Signed in as alice \u{b7} renews by itself")
        );
        assert_eq!(freshness(&p, AT - 100), Some(format!("Fresh until {}", clock(AT))));
    }

    #[test]
    fn a_sign_in_into_another_account_than_before_is_said_until_the_next_one() {
        let p = ProfileStatus {
            account: Some("mallory".into()),
            account_changed_from: Some("alice".into()),
            ..signed_in()
        };
        let b = badge(&p, Activity::default(), AT - 60);
        assert_eq!((b.tone, b.icon.as_str()), (Tone::Warn, "\u{26a0}"));
        assert_eq!(b.text, "Signed in as mallory \u{b7} before, this was alice: sign out if that is not you");
    }

    #[test]
    fn names_what_needs_a_person_in_words_never_a_raw_error() {
        let p = ProfileStatus { status: Status::NeedsSignIn, ..signed_in() };
        assert_eq!(badge(&p, Activity::default(), AT).tone, Tone::Bad);
        assert_eq!(text(&p, AT), "Needs you: sign in again");
        let failing = ProfileStatus {
            status: Status::Failing,
            last_error: Some("cannot reach x: os error 111".into()),
            ..signed_in()
        };
        let network = ProfileStatus { last_error_code: Some(ErrorCode::Network), ..failing.clone() };
        assert_eq!(text(&network, AT), "Can't reach the server \u{2014} trying again");
        let retry = Activity { refreshing: false, retry_at: Some(AT + 120) };
        assert_eq!(
            badge(&network, retry, AT).text,
            format!("Can't reach the server \u{2014} trying again at {}", clock(AT + 120))
        );
        let keyring = ProfileStatus { last_error_code: Some(ErrorCode::KeyringUnavailable), ..failing.clone() };
        assert!(text(&keyring, AT).starts_with("Keyring locked"));
        assert!(!text(&failing, AT).contains("os error"));
        assert_eq!(
            text(&ProfileStatus { status: Status::SignedOut, client_id: None, ..signed_in() }, AT),
            "Not set up yet"
        );
        assert_eq!(text(&ProfileStatus { status: Status::SignedOut, ..signed_in() }, AT), "Not signed in");
    }

    #[test]
    fn an_expired_token_that_cannot_renew_asks_for_a_sign_in() {
        let stuck =
            ProfileStatus { renews_silently: false, has_refresh_token: false, expires_at: Some(100), ..signed_in() };
        assert!(text(&stuck, 200).ends_with("sign in again"), "{}", text(&stuck, 200));
        assert_eq!(badge(&stuck, Activity::default(), 200).tone, Tone::Bad);
        let renewing = Activity { refreshing: true, retry_at: None };
        assert_eq!(badge(&signed_in(), renewing, AT).text, "Renewing\u{2026}");
    }

    #[test]
    fn promises_fresh_tokens_only_when_latchkey_can_renew_them() {
        assert_eq!(renewal_line(&signed_in(), AT - 1), "Latchkey keeps the token fresh from now on.");
        let none =
            renewal_line(&ProfileStatus { renews_silently: false, has_refresh_token: false, ..signed_in() }, AT - 1);
        assert!(none.contains("no refresh token"), "{none}");
        assert!(none.contains(&format!("sign in again when it expires at {}", clock(AT))), "{none}");
        assert!(!none.contains("keeps the token fresh"));
        // Signed in with a token already dead (an Agate ticket of 0 hours): no promise.
        let dead = renewal_line(&signed_in(), AT);
        assert!(dead.contains("already expired") && dead.contains("administrator"), "{dead}");
    }
}
