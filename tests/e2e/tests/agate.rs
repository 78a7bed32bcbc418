//! OBiBa Agate in the desktop app, against the Agate-shaped server (its own error names,
//! prefix-matched redirect URIs, the same ticket while it lasts, no refresh tokens): the
//! wizard's key check, the sign-in window, Refresh now, a revoked authorization, a ticket
//! that lasts no time, and the error page a redirect URI Agate does not know brings.
//! `AGATE_AUTO_LOGIN` stands for the person logging in and pressing Authorize in the
//! sign-in window, which WebDriver cannot reach.

#[path = "../../support/mod.rs"]
mod support;

use std::time::Duration;

use latchkey_e2e::drive::{blocking, click, log_in_in_sign_in_window, type_into, wait_text};
use latchkey_e2e::{wait_until, Desktop};
use support::agate::AgateServer;
use support::Cli;

fn auto_login() -> AgateServer {
    blocking(|| AgateServer::start(&[("AGATE_AUTO_LOGIN", "alice")]))
}

/// A profile `name` on `server` added as `latchkey profile add` would, with an
/// application whose redirect URIs are `registered`.
fn agate_profile(app: &Desktop, server: &AgateServer, name: &str, registered: &[&str]) -> Cli {
    blocking(|| {
        let cli = Cli::in_dir(app.session.config_dir(), app.env());
        let client = server.create_application(&format!("Latchkey {name}"), registered);
        let base = server.base();
        let args = ["profile", "add", name, "--preset", "agate", "--base-url", &base, "--client-id", &client.id];
        let mut args = args.to_vec();
        args.push("--client-secret-stdin");
        cli.ok(&args, &format!("{}\n", client.secret));
        cli
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn the_wizard_checks_an_agate_key_and_signs_in_in_the_window() {
    let server = auto_login();
    let app = Desktop::launch(&[]).await;
    click(&app, "[data-testid=add-server]").await;
    click(&app, "[data-testid=server-agate]").await;
    type_into(&app, "[data-testid=server-address]", &server.base()).await;
    click(&app, "[data-testid=next]").await;
    // What to ask the administrator for: the window's redirect URI and the scopes.
    let checklist = wait_text(&app, "[data-testid=checklist]", "latchkey://callback/agate").await;
    assert!(checklist.contains("openid email profile"), "{checklist}");
    let client = blocking(|| server.create_application("Latchkey agate", &["latchkey://callback/agate"]));
    type_into(&app, "[data-testid=client-id]", &client.id).await;
    type_into(&app, "[data-testid=client-secret]", "not-the-key").await;
    click(&app, "[data-testid=check]").await;
    let verdict = wait_text(&app, "[data-testid=verdict]", "does not accept").await;
    assert!(!verdict.contains("connection"), "{verdict}");
    app.screenshot("fail-agate-wrong-key").await;
    type_into(&app, "[data-testid=client-secret]", &client.secret).await;
    click(&app, "[data-testid=check]").await;
    wait_text(&app, "[data-testid=verdict]", "knows this client").await;
    click(&app, "[data-testid=wizard-step-register] [data-testid=next]").await;
    click(&app, "[data-testid=wizard-step-scopes] [data-testid=next]").await;
    click(&app, "[data-testid=sign-in-window]").await;
    let summary = wait_text(&app, "[data-testid=done-summary]", "signed in").await;
    assert!(summary.contains("keeps the token fresh"), "Agate renews by its code: {summary}");
    app.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn refresh_now_says_what_agate_did_and_a_revoked_authorization_asks_for_a_sign_in() {
    let server = auto_login();
    let app = Desktop::launch(&[]).await;
    agate_profile(&app, &server, "ag", &["latchkey://callback/ag"]);
    let row = "[data-testid=profile-ag]";
    click(&app, &format!("{row} [data-testid=action-sign-in]")).await;
    wait_text(&app, &format!("{row} .note"), "Signed in.").await;

    // The same ticket comes back while it lasts: not called a renewal.
    click(&app, &format!("{row} [data-testid=more]")).await;
    click(&app, &format!("{row} [data-testid=action-refresh]")).await;
    let note = wait_text(&app, &format!("{row} .note"), "Not renewed").await;
    assert!(note.contains("handed back the token it had already issued"), "{note}");
    app.screenshot("agate-same-ticket").await;

    // The user revoked the authorization on Agate: a sign-in, not a connection problem.
    blocking(|| server.delete_authorizations());
    click(&app, &format!("{row} [data-testid=more]")).await;
    click(&app, &format!("{row} [data-testid=action-refresh]")).await;
    let error = wait_text(&app, &format!("{row} [data-testid=error]"), "sign in").await;
    assert!(!error.to_lowercase().contains("connection"), "{error}");
    wait_text(&app, &format!("{row} [data-testid=status]"), "Needs you: sign in again").await;
    app.screenshot("fail-agate-authorization-revoked").await;

    // An administrator set the ticket lifetime to 0 h: no token is handed out.
    blocking(|| server.set_ticket_life(0));
    click(&app, &format!("{row} [data-testid=action-sign-in]")).await;
    wait_text(&app, &format!("{row} .note"), "Signed in.").await;
    // Its badge does not say it renews by itself: the token it holds is already dead.
    let badge = wait_text(&app, &format!("{row} [data-testid=status]"), "not renewed yet").await;
    assert!(!badge.contains("renews by itself"), "{badge}");
    click(&app, &format!("{row} [data-testid=more]")).await;
    click(&app, &format!("{row} [data-testid=action-copy]")).await;
    let error = wait_text(&app, &format!("{row} [data-testid=error]"), "valid for only 0 s").await;
    assert!(error.contains("administrator"), "says what to do: {error}");
    assert!(!error.contains("--min-valid") && !error.contains("latchkey "), "a CLI option in the app: {error}");
    app.screenshot("fail-agate-token-lasts-no-time").await;
    app.shutdown().await;
}

/// Agate shows a 400 after the consent page when the redirect URI is not one it has.
#[tokio::test(flavor = "multi_thread")]
async fn an_error_page_after_the_login_is_named_at_once_not_after_45_seconds() {
    let server = auto_login();
    let app = Desktop::launch(&[]).await;
    agate_profile(&app, &server, "ag", &["latchkey://callback/elsewhere"]);
    let row = "[data-testid=profile-ag]";
    click(&app, &format!("{row} [data-testid=action-sign-in]")).await;
    // `wait_text` gives up after 20 s: well before the 45-second hint.
    let said = wait_text(&app, &format!("{row} [data-testid=sign-in-page-error]"), "HTTP 400").await;
    assert!(said.contains(&format!("127.0.0.1:{}", server.port)), "names the host: {said}");
    assert!(said.contains("latchkey://callback/ag"), "names the address to check: {said}");
    assert!(said.contains("Scopes and redirect"), "says where: {said}");
    app.screenshot("fail-server-error-page-after-login").await;
    // The server's page stays open, to be read.
    let host = format!("127.0.0.1:{}", server.port);
    assert!(wait_until(Duration::from_secs(2), || {
        let out = std::process::Command::new("xdotool").args(["search", "--name", &host]).output().unwrap();
        !String::from_utf8_lossy(&out.stdout).trim().is_empty()
    }));
    click(&app, &format!("{row} [data-testid=cancel-sign-in]")).await;
    app.shutdown().await;
}

/// Issue 25, item 2: the webview runtime keeps one web context per data directory for
/// the life of the app, so a profile removed and added again under its name must get a
/// directory never used before — else the old account's session, still in memory, signs
/// the new profile in without a password. Checked in the running app, not on disk.
#[tokio::test(flavor = "multi_thread")]
async fn a_profile_removed_and_added_again_asks_for_the_password_in_the_same_run() {
    let server = blocking(|| AgateServer::start(&[]));
    let app = Desktop::launch(&[]).await;
    let cli = agate_profile(&app, &server, "ag", &["latchkey://callback/ag"]);
    let row = "[data-testid=profile-ag]";
    click(&app, &format!("{row} [data-testid=action-sign-in]")).await;
    // alice logs in on Agate's page in the sign-in window (the username field has focus).
    let host = format!("127.0.0.1:{}", server.port);
    blocking(|| log_in_in_sign_in_window(&host, "alice", "wonderland"));
    wait_text(&app, &format!("{row} .note"), "Signed in.").await;

    blocking(|| cli.ok(&["profile", "remove", "ag"], ""));
    wait_until_gone(&app, row).await;
    agate_profile(&app, &server, "ag", &["latchkey://callback/ag"]);
    click(&app, &format!("{row} [data-testid=action-sign-in]")).await;
    // The sign-in window shows Agate's sign-in page and stays there: nobody is signed in.
    tokio::time::sleep(Duration::from_secs(5)).await;
    let status = latchkey_e2e::drive::text(&app, &format!("{row} [data-testid=status]")).await;
    assert!(status.contains("Not signed in"), "the old session signed the new profile in: {status}");
    let said = blocking(|| cli.ok(&["status", "ag"], ""));
    assert!(said.contains("signed out"), "{said}");
    let titled = std::process::Command::new("xdotool")
        .args(["search", "--name", &format!("Sign in .* {host}")])
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&titled.stdout).trim().is_empty(), "the sign-in window is not on Agate's page");
    click(&app, &format!("{row} [data-testid=cancel-sign-in]")).await;
    app.shutdown().await;
}

async fn wait_until_gone(app: &Desktop, css: &str) {
    for _ in 0..100 {
        if app.client.find(fantoccini::Locator::Css(css)).await.is_err() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("`{css}` is still shown");
}

/// SECURITY.md "the sign-in window has no IPC", tried rather than read from a file: the
/// server's page in the sign-in window calls Tauri's `invoke` as a hostile page would,
/// and gets nothing.
#[tokio::test(flavor = "multi_thread")]
async fn a_page_in_the_sign_in_window_that_tries_the_apps_ipc_gets_nothing() {
    let server = blocking(|| AgateServer::start(&[("AGATE_IPC_PROBE", "1")]));
    let app = Desktop::launch(&[]).await;
    agate_profile(&app, &server, "ag", &["latchkey://callback/ag"]);
    click(&app, "[data-testid=profile-ag] [data-testid=action-sign-in]").await;
    let mut reports = Vec::new();
    for _ in 0..100 {
        reports = blocking(|| server.ipc_reports());
        if !reports.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(!reports.is_empty(), "the probe page never ran (no report)");
    for report in &reports {
        assert!(!report.starts_with("answered"), "the sign-in window's page reached the app: {report}");
    }
    eprintln!("the probe page reported: {reports:?}");
    click(&app, "[data-testid=profile-ag] [data-testid=cancel-sign-in]").await;
    app.shutdown().await;
}
