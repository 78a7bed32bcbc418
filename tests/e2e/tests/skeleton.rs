//! The walking skeleton, end to end: the real app under Xvfb through WebDriver.

use std::process::{Command, Stdio};
use std::time::Duration;

use latchkey_e2e::{desktop_bin, wait_until, Desktop, Session};

#[tokio::test(flavor = "multi_thread")]
async fn shows_empty_state_then_wizard() {
    let app = Desktop::launch(&[]).await;
    let empty = app.find("[data-testid=empty-state]").await;
    assert!(empty.text().await.unwrap().contains("Add your first server"));
    app.find("[data-testid=add-server]").await.click().await.unwrap();
    let step = app.find("[data-testid=wizard-step-server]").await;
    let text = step.text().await.unwrap();
    assert!(text.contains("COG-UK Majora (test)"), "{text}");
    assert!(text.contains("OBiBa Agate"), "{text}");
    app.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn second_launch_forwards_a_deep_link_to_the_first() {
    let app = Desktop::launch(&[]).await;
    app.find("[data-testid=empty-state]").await;

    let second = app.launch_again(&["latchkey://callback?code=x-secret-code&state=y"]);
    assert!(second.status.success(), "second instance: {second:?}");

    assert!(
        wait_until(Duration::from_secs(10), || app.session.log().contains("deep link received")),
        "first instance never logged the link:\n{}",
        app.session.log()
    );
    let log = app.session.log();
    assert!(log.contains("latchkey://callback"), "{log}");
    assert!(!log.contains("x-secret-code"), "the query reached the log:\n{log}");

    // No sign-in was in progress: the link is ignored, and the user is told — in
    // Latchkey's words, none of the link's (anyone can send one; issue 25, item 10).
    let banner = app.find("[data-testid=link-warning]").await;
    let text = banner.text().await.unwrap();
    assert!(text.contains("A sign-in link arrived that matches no sign-in in progress"), "{text}");
    assert!(!text.contains("latchkey://") && !text.contains("x-secret-code"), "the link's own text is shown: {text}");
    app.shutdown().await;
}

#[test]
fn starts_without_a_session_bus_and_says_what_is_degraded() {
    let session = Session::new();
    let mut child = Command::new(desktop_bin())
        .envs(session.env())
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let said = wait_until(Duration::from_secs(20), || session.log().contains("No D-Bus session bus"));
    let still_running = child.try_wait().unwrap().is_none();
    let _ = child.kill();
    let _ = child.wait();
    session.stop_trays();
    assert!(said, "log:\n{}", session.log());
    assert!(still_running, "the app exited without a bus; log:\n{}", session.log());
}

#[tokio::test(flavor = "multi_thread")]
async fn settings_start_at_login_and_about() {
    let app = Desktop::launch(&[]).await;
    app.find("[data-testid=nav-about]").await.click().await.unwrap();
    let version = app.find("[data-testid=about-version]").await.text().await.unwrap();
    assert_eq!(version, env!("CARGO_PKG_VERSION"));

    app.find("[data-testid=nav-settings]").await.click().await.unwrap();
    let toggle = app.find("[data-testid=start-at-login]").await;
    assert!(!toggle.is_selected().await.unwrap());
    toggle.click().await.unwrap();
    // With latchkey-tray built beside the app, login starts the lean tray (an XDG
    // autostart entry), not the WebKit app; the plugin's own entry is not written.
    let entry = app.session.dir.path().join("xdg-config/autostart/latchkey-tray.desktop");
    assert!(
        wait_until(Duration::from_secs(10), || entry.exists()),
        "no autostart entry at {}; log:\n{}",
        entry.display(),
        app.session.log()
    );
    let text = std::fs::read_to_string(&entry).unwrap();
    let tray = desktop_bin().with_file_name("latchkey-tray").canonicalize().unwrap();
    assert!(text.contains(&format!("\nExec={}\n", tray.display())), "start at login must start latchkey-tray: {text}");
    let plugin_dir = app.session.dir.path().join("home/.config/autostart");
    assert!(
        std::fs::read_dir(&plugin_dir).map(|d| d.count() == 0).unwrap_or(true),
        "the app's own entry was written too"
    );
    app.find("[data-testid=start-at-login]").await.click().await.unwrap();
    assert!(wait_until(Duration::from_secs(10), || !entry.exists()), "autostart entry not removed");
    app.shutdown().await;
}
