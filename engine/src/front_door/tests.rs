//! In-process tests of the front door: every shape of callback a sign-in can end with,
//! the exact token requests, and the fresh-token decisions as time passes — on a
//! scripted transport, secrets in memory and a clock that stands still. The same paths
//! run against real servers in `tests/` (django-oauth-toolkit, oidc-provider, Keycloak).

use std::sync::Arc;

use super::*;
use crate::clock::ManualClock;
use crate::oauth::http::scripted::Script;
use crate::profile::Server;
use crate::store::secret::MemorySecrets;

const T0: u64 = 1_900_000_000;

struct Rig {
    _dir: tempfile::TempDir,
    engine: Latchkey,
    script: Arc<Script>,
    clock: Arc<ManualClock>,
    secrets: Arc<MemorySecrets>,
}

/// An engine with one profile `lab` on `https://id.example.org` (a confidential client).
fn rig(change: impl FnOnce(&mut Profile)) -> Rig {
    let dir = tempfile::tempdir().unwrap();
    let paths = Paths::in_dir(dir.path().to_path_buf());
    let secrets = Arc::new(MemorySecrets::default());
    let script = Arc::new(Script::default());
    let clock = Arc::new(ManualClock::at(T0));
    let engine = Latchkey::with_store(Store::with_secrets(&paths, secrets.clone()), paths)
        .with_http(Http::with_transport(script.clone()))
        .with_clock(clock.clone());
    let issuer = Url::parse("https://id.example.org/").unwrap();
    let mut profile = Profile {
        name: "lab".into(),
        server: Server::new(
            PresetKind::Generic,
            issuer.clone(),
            issuer.join("authorize").unwrap(),
            issuer.join("token").unwrap(),
        ),
        client_id: Some("the-client".into()),
        has_client_secret: true,
        registration_client_uri: None,
        scopes: vec!["openid".into(), "read".into()],
        redirect_uri: Url::parse("latchkey://callback/lab").unwrap(),
        redirect_mode: RedirectMode::Window,
        ocarina_sync: None,
    };
    change(&mut profile);
    engine.store.set_client_secret("lab", &Secret::new("s3cret")).unwrap();
    engine.edit_config(|c| c.insert(profile)).unwrap();
    Rig { _dir: dir, engine, script, clock, secrets }
}

const TOKENS: &str = r#"{"access_token": "a1", "token_type": "Bearer", "expires_in": 3600, "refresh_token": "r1", "scope": "openid read"}"#;

fn started(rig: &Rig) -> (String, String) {
    let start = rig.engine.start_sign_in("lab", None).unwrap();
    let q = |k: &str| start.authorize_url.query_pairs().find(|(n, _)| n == k).map(|(_, v)| v.into_owned()).unwrap();
    (q("state"), q("code_challenge"))
}

#[test]
fn a_callback_with_code_and_state_is_exchanged_exactly_as_rfc_6749_and_7636_say() {
    let rig = rig(|_| {});
    let (state, challenge) = started(&rig);
    rig.script.json(200, TOKENS);
    let signed_in =
        rig.engine.complete_sign_in(&format!("latchkey://callback/lab?code=c0de&state={state}"), None).unwrap();
    assert_eq!((signed_in.profile.as_str(), signed_in.expires_at), ("lab", Some(T0 + 3600)));
    assert!(signed_in.has_refresh_token);

    let sent = rig.script.sent();
    assert_eq!(sent.len(), 1, "one request: the token exchange");
    let r = &sent[0];
    assert_eq!((r.method.as_str(), r.url.as_str()), ("POST", "https://id.example.org/token"));
    assert_eq!(r.form("grant_type").as_deref(), Some("authorization_code"));
    assert_eq!(r.form("code").as_deref(), Some("c0de"));
    assert_eq!(r.form("redirect_uri").as_deref(), Some("latchkey://callback/lab"));
    // PKCE: the verifier sent hashes to the challenge the authorize URL carried.
    let verifier = r.form("code_verifier").expect("a PKCE verifier");
    use base64::Engine;
    use sha2::Digest;
    let hashed = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier.as_bytes()));
    assert_eq!(hashed, challenge);
    // A confidential client authenticates with HTTP Basic, and the secret is nowhere else.
    let basic = base64::engine::general_purpose::STANDARD.encode("the-client:s3cret");
    assert_eq!(r.header("authorization"), Some(format!("Basic {basic}").as_str()));
    assert_eq!(r.form("client_secret"), None);

    let stored = rig.engine.store.tokens("lab").unwrap().unwrap();
    assert_eq!((stored.access_token.expose(), stored.refresh_token.as_ref().unwrap().expose()), ("a1", "r1"));
    assert_eq!(stored.expires_at, Some(T0 + 3600), "expiry counted on the engine's clock");
}

#[test]
fn the_same_callback_twice_is_exchanged_once() {
    let rig = rig(|_| {});
    let (state, _) = started(&rig);
    let callback = format!("latchkey://callback/lab?code=c0de&state={state}");
    rig.script.json(200, TOKENS);
    rig.engine.complete_sign_in(&callback, None).unwrap();
    let again = rig.engine.complete_sign_in(&callback, None).unwrap_err();
    assert!(matches!(again, Error::CallbackRejected(_)), "{again}");
    assert_eq!(rig.script.sent().len(), 1);
}

#[test]
fn a_forged_state_is_refused_without_a_request_and_the_real_sign_in_still_finishes() {
    let rig = rig(|_| {});
    let (state, _) = started(&rig);
    let forged = rig.engine.complete_sign_in("latchkey://callback/lab?code=evil&state=guessed", None).unwrap_err();
    assert!(matches!(forged, Error::CallbackRejected(_)), "{forged}");
    assert!(rig.script.sent().is_empty(), "nothing was sent for a forged callback");
    rig.script.json(200, TOKENS);
    rig.engine.complete_sign_in(&format!("latchkey://callback/lab?code=c0de&state={state}"), None).unwrap();
}

#[test]
fn a_callback_to_another_address_is_refused_and_leaves_the_sign_in_waiting() {
    let rig = rig(|_| {});
    let (state, _) = started(&rig);
    let elsewhere = format!("https://attacker.example/cb?code=c0de&state={state}");
    assert!(rig.engine.complete_sign_in(&elsewhere, None).is_err());
    assert!(rig.script.sent().is_empty());
    assert_eq!(rig.engine.pending_profile_for(&Url::parse(&elsewhere).unwrap()).as_deref(), Some("lab"));
}

#[test]
fn access_denied_ends_the_sign_in_and_says_so() {
    let rig = rig(|_| {});
    let (state, _) = started(&rig);
    let url = format!("latchkey://callback/lab?error=access_denied&error_description=User+said+no&state={state}");
    let err = rig.engine.complete_sign_in(&url, None).unwrap_err();
    assert!(matches!(&err, Error::AuthorizationDenied { description: Some(d), .. } if d == "User said no"), "{err}");
    assert_eq!(err.next_step(), Some(crate::error::NextStep::AuthorizeOnServerPage));
    let url = Url::parse(&url).unwrap();
    assert_eq!(rig.engine.pending_profile_for(&url), None, "the flow ended");
    assert!(rig.script.sent().is_empty());
}

#[test]
fn invalid_scope_names_the_scopes_asked_for() {
    let rig = rig(|_| {});
    let (state, _) = started(&rig);
    let err = rig
        .engine
        .complete_sign_in(&format!("latchkey://callback/lab?error=invalid_scope&state={state}"), None)
        .unwrap_err();
    match err {
        Error::ScopeRefused { profile, scopes, majora: false, why } => {
            assert_eq!((profile.as_str(), scopes), ("lab", vec!["openid".to_string(), "read".to_string()]));
            assert!(why.contains("asked for: openid, read"), "{why}");
        }
        other => panic!("{other}"),
    }
}

#[test]
fn a_mix_up_is_refused_when_the_server_names_itself_rfc_9207() {
    let rig = rig(|p| p.server.authorization_response_iss = true);
    let (state, _) = started(&rig);
    let foreign = format!("latchkey://callback/lab?code=c0de&state={state}&iss=https%3A%2F%2Fevil.example%2F");
    assert!(rig.engine.complete_sign_in(&foreign, None).is_err());
    let missing = format!("latchkey://callback/lab?code=c0de&state={state}");
    assert!(rig.engine.complete_sign_in(&missing, None).is_err(), "iss is required once advertised");
    assert!(rig.script.sent().is_empty());
    rig.script.json(200, TOKENS);
    let own = format!("latchkey://callback/lab?code=c0de&state={state}&iss=https%3A%2F%2Fid.example.org%2F");
    rig.engine.complete_sign_in(&own, None).unwrap();
}

#[test]
fn a_bare_code_is_taken_only_for_the_profile_named() {
    let rig = rig(|_| {});
    started(&rig);
    assert!(matches!(rig.engine.complete_sign_in("c0de", None), Err(Error::CallbackRejected(_))));
    rig.script.json(200, TOKENS);
    rig.engine.complete_sign_in("c0de", Some("lab")).unwrap();
    assert_eq!(rig.script.sent()[0].form("code").as_deref(), Some("c0de"));
}

#[test]
fn a_refused_code_or_a_dead_server_stores_nothing() {
    let rig = rig(|_| {});
    let (state, _) = started(&rig);
    rig.script.json(400, r#"{"error": "invalid_grant"}"#);
    let err = rig.engine.complete_sign_in(&format!("latchkey://callback/lab?code=old&state={state}"), None);
    assert!(matches!(err, Err(Error::CodeRejected)), "{err:?}");
    let (state, _) = started(&rig);
    rig.script.unreachable();
    let err = rig.engine.complete_sign_in(&format!("latchkey://callback/lab?code=c0de&state={state}"), None);
    assert!(matches!(&err, Err(Error::Network { url, .. }) if url == "https://id.example.org/token"), "{err:?}");
    assert!(rig.engine.store.tokens("lab").unwrap().is_none());
}

#[test]
fn a_token_is_served_from_store_until_it_is_due_then_renewed_once_with_the_refresh_token() {
    let rig = rig(|_| {});
    let (state, _) = started(&rig);
    rig.script.json(200, TOKENS);
    rig.engine.complete_sign_in(&format!("latchkey://callback/lab?code=c0de&state={state}"), None).unwrap();
    let writes = rig.secrets.writes();

    rig.clock.advance(3000); // 600 s left: fresh (the margin is a fifth of the life, at most 60 s)
    let (t, source) = rig.engine.token("lab", None).unwrap();
    assert_eq!((t.access_token.expose(), source), ("a1", Source::Stored));
    assert_eq!((rig.script.sent().len(), rig.secrets.writes()), (1, writes), "no request, no write");
    // Asked for more than is left: renewed now.
    rig.script
        .json(200, r#"{"access_token": "a2", "token_type": "Bearer", "expires_in": 3600, "refresh_token": "r2"}"#);
    let (t, source) = rig.engine.token("lab", Some(900)).unwrap();
    assert_eq!((t.access_token.expose(), source), ("a2", Source::Renewed));
    let r = &rig.script.sent()[1];
    assert_eq!(r.form("grant_type").as_deref(), Some("refresh_token"));
    assert_eq!(r.form("refresh_token").as_deref(), Some("r1"));
    let stored = rig.engine.store.tokens("lab").unwrap().unwrap();
    assert_eq!(stored.refresh_token.unwrap().expose(), "r2", "the rotated refresh token is stored");
    assert_eq!(stored.expires_at, Some(T0 + 3000 + 3600));

    rig.clock.advance(10_000); // long expired: the next call renews, the one after is served
    rig.script
        .json(200, r#"{"access_token": "a3", "token_type": "Bearer", "expires_in": 3600, "refresh_token": "r3"}"#);
    assert_eq!(rig.engine.token("lab", None).unwrap().0.access_token.expose(), "a3");
    assert_eq!(rig.engine.token("lab", None).unwrap().1, Source::Stored);
    assert_eq!(rig.script.sent().len(), 3);
}

#[test]
fn a_refused_refresh_token_keeps_the_tokens_and_asks_for_a_person() {
    let rig = rig(|_| {});
    let (state, _) = started(&rig);
    rig.script.json(200, TOKENS);
    rig.engine.complete_sign_in(&format!("latchkey://callback/lab?code=c0de&state={state}"), None).unwrap();
    rig.clock.advance(4000);
    rig.script.json(400, r#"{"error": "invalid_grant"}"#);
    let err = rig.engine.token("lab", None).unwrap_err();
    assert!(matches!(err, Error::SignInNeeded { .. }), "{err}");
    assert!(rig.engine.store.tokens("lab").unwrap().is_some(), "a failed refresh deletes nothing");
    let status = &rig.engine.status(Some("lab")).unwrap()[0];
    assert_eq!(
        (status.status, status.last_error_code),
        (Status::NeedsSignIn, Some(crate::error::ErrorCode::SignInNeeded))
    );
    assert_eq!(status.expires_in, Some(-400), "the status counts on the engine's clock");
}

const DEVICE: &str = r#"{"device_code": "dev-1", "user_code": "WDJB-MJHT", "verification_uri": "https://id.example.org/device",
    "verification_uri_complete": "https://id.example.org/device?user_code=WDJB-MJHT", "expires_in": 600, "interval": 1}"#;

fn with_device(p: &mut Profile) {
    p.server.device_url = Some(Url::parse("https://id.example.org/device/code").unwrap());
}

#[test]
fn a_device_sign_in_shows_the_code_polls_while_pending_and_stores_the_tokens() {
    let rig = rig(with_device);
    rig.script.json(200, DEVICE).json(400, r#"{"error": "authorization_pending"}"#).json(200, TOKENS);
    let mut shown = None;
    let signed_in = rig.engine.device_sign_in("lab", |code| shown = Some(code.clone())).unwrap();
    let shown = shown.unwrap();
    assert_eq!(
        (shown.user_code.as_str(), shown.verification_uri.as_str()),
        ("WDJB-MJHT", "https://id.example.org/device")
    );
    assert!(signed_in.has_refresh_token);
    let sent = rig.script.sent();
    assert_eq!(sent.len(), 3);
    assert_eq!(sent[0].url, "https://id.example.org/device/code");
    for poll in &sent[1..] {
        assert_eq!(poll.form("grant_type").as_deref(), Some("urn:ietf:params:oauth:grant-type:device_code"));
        assert_eq!(poll.form("device_code").as_deref(), Some("dev-1"));
    }
    assert_eq!(rig.engine.store.tokens("lab").unwrap().unwrap().access_token.expose(), "a1");
}

#[test]
fn a_device_page_that_is_not_a_web_page_of_the_server_is_never_shown_or_opened() {
    for page in
        ["file:///etc/passwd", "smb://evil.example.org/share", "javascript:alert(1)", "http://id.example.org/device"]
    {
        let rig = rig(with_device);
        let answer = DEVICE.replace("https://id.example.org/device\",", &format!("{page}\","));
        rig.script.json(200, &answer);
        let mut shown = None;
        let err = rig.engine.device_sign_in("lab", |code| shown = Some(code.clone())).unwrap_err();
        assert_eq!(err.code(), "bad-response", "{page}: {err}");
        assert!(err.to_string().contains("opens and shows nothing"), "{err}");
        assert!(shown.is_none(), "{page} was shown: {shown:?}");
        assert_eq!(rig.script.sent().len(), 1, "no poll for {page}");
    }
    // A hostile `verification_uri_complete` is dropped, escapes in it never reach a
    // terminal; a code with escapes is refused.
    let rig = rig(with_device);
    let answer = DEVICE.replace(
        "https://id.example.org/device?user_code=WDJB-MJHT",
        "javascript:fetch('https://evil.example.org/')\\u001b]0;owned\\u0007",
    );
    rig.script.json(200, &answer).json(200, TOKENS);
    let mut shown = None;
    rig.engine.device_sign_in("lab", |code| shown = Some(code.clone())).unwrap();
    let shown = shown.unwrap();
    assert_eq!(shown.verification_uri_complete, None);
    assert_eq!(shown.host, "id.example.org");
    let rig = self::rig(with_device);
    rig.script.json(200, &DEVICE.replace("WDJB-MJHT\",", "\\u001b[2JWDJB\","));
    let err = rig.engine.device_sign_in("lab", |_| {}).unwrap_err();
    assert!(err.to_string().contains("not plain text"), "{err}");
}

#[test]
fn cancel_stops_a_device_sign_in_at_once_and_sends_nothing_more() {
    let rig = rig(with_device);
    rig.script.json(200, DEVICE);
    for _ in 0..30 {
        rig.script.json(400, r#"{"error": "authorization_pending"}"#);
    }
    let engine = Arc::new(rig.engine);
    let (tx, rx) = std::sync::mpsc::channel();
    let polling = {
        let engine = engine.clone();
        std::thread::spawn(move || engine.device_sign_in("lab", |_| tx.send(()).unwrap()))
    };
    rx.recv().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500)); // a poll or two
    assert!(engine.cancel_sign_in("lab"), "a device sign-in was in progress");
    let asked = std::time::Instant::now();
    let result = polling.join().unwrap();
    assert!(asked.elapsed() < std::time::Duration::from_millis(900), "Cancel took {:?}", asked.elapsed());
    assert!(matches!(result, Err(Error::Cancelled(_))), "{result:?}");
    let polls = rig.script.sent().len();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    assert_eq!(rig.script.sent().len(), polls, "no request after Cancel");
    assert!(engine.store.tokens("lab").unwrap().is_none());
    assert!(!engine.cancel_sign_in("lab"), "nothing left to cancel");
}

#[test]
fn a_sign_in_request_the_server_refuses_before_login_is_named_with_what_to_check() {
    let rig = rig(|_| {});
    let start = rig.engine.start_sign_in("lab", None).unwrap();
    rig.script.json(400, "<html>Invalid parameter: redirect_uri</html>");
    let err = rig.engine.check_sign_in_request("lab", &start.authorize_url).unwrap_err();
    match &err {
        Error::SignInRefused { status: 400, client_id, redirect_uri, .. } => {
            assert_eq!((client_id.as_str(), redirect_uri.as_str()), ("the-client", "latchkey://callback/lab"))
        }
        other => panic!("{other}"),
    }
    assert_eq!(
        err.next_step(),
        Some(crate::error::NextStep::CheckRedirectUri {
            profile: "lab".into(),
            redirect_uri: "latchkey://callback/lab".into()
        })
    );
    let sent = &rig.script.sent()[0];
    assert_eq!((sent.method.as_str(), sent.url.as_str()), ("GET", start.authorize_url.as_str()));
    assert_eq!(sent.header("authorization"), None, "asked as nobody: no credentials");
    // A login page first (django-oauth-toolkit) is no refusal.
    rig.script.json(302, "");
    rig.engine.check_sign_in_request("lab", &start.authorize_url).unwrap();
}

/// Issue 38: a link's server whose discovery sends sign-ins to another host than the one
/// the confirmation page showed is refused at Add, after the discovery and before saving.
#[test]
fn a_linked_server_that_signs_in_elsewhere_is_refused() {
    let rig = rig(|_| {});
    let link = "latchkey://add?id=our-lab&title=Our+lab&kind=generic&address=https%3A%2F%2Fauth.lab.example.org%2Frealms%2Flab";
    let new = rig.engine.new_profile_from_link("our-lab", link).unwrap();
    let metadata = |authorize: &str| {
        format!(
            r#"{{"issuer": "https://auth.lab.example.org/realms/lab", "authorization_endpoint": "{authorize}",
                "token_endpoint": "https://auth.lab.example.org/realms/lab/token", "response_types_supported": ["code"]}}"#
        )
    };
    rig.script.json(200, &metadata("https://mallory.example/authorize"));
    let e = rig.engine.check_linked_server(&new).unwrap_err();
    assert!(e.to_string().contains("signs people in at mallory.example"), "{e}");
    rig.script.json(200, &metadata("https://auth.lab.example.org/realms/lab/auth"));
    rig.engine.check_linked_server(&new).unwrap();
}
