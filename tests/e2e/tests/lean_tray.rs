//! `latchkey-tray`, the lean process that runs from login, on a real session bus with a
//! real Secret Service and the real django-oauth-toolkit server. The test plays the
//! desktop's tray host — the StatusNotifierWatcher the item registers with, and a reader
//! of its menu over com.canonical.dbusmenu, as GNOME's and KDE's hosts are — and checks
//! that the icon appears when a host does, the menu says each profile's status, its
//! actions do what they say (renew at the server, start the app for a sign-in or a
//! window, start at login), it answers `latchkey token`, and the app started while it
//! runs is only a window.

#[path = "../../support/mod.rs"]
mod support;
#[path = "../../support/tray_host.rs"]
mod tray_host;

use std::process::Command;
use std::time::Duration;

use latchkey_e2e::{desktop_bin, session_processes, tray_bin, wait_until, Desktop, HiddenApp};
use support::{describe, server, AuthServer, Cli, User};
use tray_host::{click, find, menu, TrayHost};
use zbus::zvariant::OwnedValue;

#[test]
fn lean_tray_shows_status_acts_and_starts_the_app_on_demand() {
    let server = server();
    // The app the tray starts on demand: a stand-in that records how it was started.
    let scratch = tempfile::tempdir().unwrap();
    let launches = scratch.path().join("launches");
    let fake_app = scratch.path().join("latchkey-desktop");
    std::fs::write(&fake_app, format!("#!/bin/sh\necho \"[$*]\" >> '{}'\n", launches.display())).unwrap();
    Command::new("chmod").arg("755").arg(&fake_app).status().unwrap();
    let desktop_env = vec![("LATCHKEY_DESKTOP_BIN".to_string(), fake_app.display().to_string())];
    let mut tray = HiddenApp::launch_program(&tray_bin(), &[], &desktop_env);
    let log = |tray: &HiddenApp| tray.session.tray_log();

    let cli = Cli::in_dir(tray.session.config_dir(), tray.cli_env());
    // The test reads the keyring as an oracle, and its CLI finds the tray's socket.
    let runtime = tray.session.env().into_iter().filter(|(k, _)| k == "XDG_RUNTIME_DIR");
    for (k, v) in tray.cli_env().into_iter().chain(runtime) {
        std::env::set_var(k, v);
    }
    let client = cli.add_majora(server, "one", 3600);
    let out = cli.login_paste("one", &User::new());
    assert!(out.status.success(), "{}", describe(&out));
    cli.add_majora(server, "lab_two", 3600);
    let first = cli.stored_tokens("one").unwrap().access_token.expose().to_string();

    // No host yet: the tray runs without an icon; when a host appears, the item registers.
    let bus_address = tray.cli_env()[0].1.clone();
    let host = TrayHost::start(&bus_address);
    assert!(
        wait_until(Duration::from_secs(10), || host.item().is_some()),
        "the tray never registered with the watcher; log:\n{}",
        log(&tray)
    );
    let (bus, item) = (&host.bus, host.item().unwrap());

    // The icon is carried as pixels (no icon theme needed) and says all is well.
    let icon = bus
        .call_method(
            Some(item.as_str()),
            "/StatusNotifierItem",
            Some("org.freedesktop.DBus.Properties"),
            "Get",
            &("org.kde.StatusNotifierItem", "IconPixmap"),
        )
        .unwrap();
    let icon: OwnedValue = icon.body().deserialize().unwrap();
    let pixmaps: Vec<(i32, i32, Vec<u8>)> = Vec::try_from(icon).expect("a(iiay)");
    assert_eq!((pixmaps[0].0, pixmaps[0].1, pixmaps[0].2.len()), (32, 32, 32 * 32 * 4));

    // The menu: each profile's status in the window's words (one place: ipc/src/words/status.rs),
    // then the app's actions.
    let entries = menu(bus, &item);
    let one = entries
        .iter()
        .find(|e| e.label.starts_with("one — Signed in") && e.label.ends_with("renews by itself"))
        .unwrap_or_else(|| panic!("{entries:#?}"));
    assert!(one.parent.is_none());
    find(&entries, None, "lab__two — Not signed in"); // `_` doubled: labels use it for mnemonics
    assert!(!find(&entries, Some("lab__two"), "Refresh now").enabled, "nothing to refresh for a signed-out profile");
    for label in ["Open Latchkey", "Start at login", "Quit"] {
        find(&entries, None, label);
    }

    // Refresh now: a real renewal at the server, stored, the old token dead.
    click(bus, &item, find(&entries, Some("one —"), "Refresh now"));
    assert!(
        wait_until(Duration::from_secs(15), || server.grant_count(&client.id, "refresh_token/200") == 1),
        "no renewal at the server; log:\n{}",
        log(&tray)
    );
    assert!(wait_until(Duration::from_secs(5), || cli.stored_tokens("one").unwrap().access_token.expose() != first));
    let renewed = cli.stored_tokens("one").unwrap().access_token.expose().to_string();
    assert!(server.is_active(&client, &renewed));
    // The tray answers `latchkey token` with the renewed token.
    assert!(latchkey_engine::agent_running(&latchkey_engine::Paths::in_dir(cli.config_dir())));
    assert_eq!(cli.ok(&["token", "one"], "").trim(), renewed);

    // Sign in again and Open start the app, for that profile or for a window.
    let entries = menu(bus, &item);
    click(bus, &item, find(&entries, Some("lab__two"), "Sign in again"));
    click(bus, &item, find(&entries, None, "Open Latchkey"));
    let started = || std::fs::read_to_string(&launches).unwrap_or_default();
    assert!(
        wait_until(Duration::from_secs(10), || started().lines().count() == 2),
        "the app was not started twice: {:?}; log:\n{}",
        started(),
        log(&tray)
    );
    // Two launches at once may write in either order.
    let mut launched: Vec<String> = started().lines().map(str::to_string).collect();
    launched.sort();
    assert_eq!(launched, ["[--sign-in lab_two]", "[]"]);

    // Start at login: an XDG autostart entry for this tray, and off again.
    let entry = tray.session.dir.path().join("xdg-config/autostart/latchkey-tray.desktop");
    click(bus, &item, find(&entries, None, "Start at login"));
    assert!(wait_until(Duration::from_secs(5), || entry.exists()), "no autostart entry; log:\n{}", log(&tray));
    let text = std::fs::read_to_string(&entry).unwrap();
    assert!(text.contains(&format!("\nExec={}\n", tray_bin().canonicalize().unwrap().display())), "{text}");
    let entries = menu(bus, &item);
    click(bus, &item, find(&entries, None, "Start at login"));
    assert!(wait_until(Duration::from_secs(5), || !entry.exists()), "autostart entry left behind");

    // Issue 38: where the lab's policy fixes it, the entry says so, is disabled, and a
    // click that comes anyway changes nothing.
    let system = tray.session.dir.path().join("system");
    latchkey_e2e::place_system_files(&system, &[("policy.toml", "start_at_login = false\n".to_string())]);
    let policy = system.join("policy.toml");
    cli.add_majora(server, "three", 3600); // a change to the store: the menu is drawn again
    let fixed = "Start at login (set by your organisation)";
    assert!(
        wait_until(Duration::from_secs(10), || menu(bus, &item).iter().any(|e| e.label == fixed && !e.enabled)),
        "{:#?}",
        menu(bus, &item)
    );
    click(bus, &item, find(&menu(bus, &item), None, fixed));
    std::thread::sleep(Duration::from_secs(1));
    assert!(!entry.exists(), "a fixed start at login was changed from the tray; log:\n{}", log(&tray));
    std::fs::remove_file(&policy).unwrap();

    // One tray per store: a second one says so and exits.
    let mut env = tray.session.env();
    env.extend(tray.cli_env());
    let second = Command::new(tray_bin()).envs(env.iter().cloned()).output().unwrap();
    assert_eq!(second.status.code(), Some(2), "{}", describe(&second));
    assert!(String::from_utf8_lossy(&second.stderr).contains("already running"));
    // The app started hidden (an old autostart entry) leaves it all to the tray and exits.
    let app = Command::new(desktop_bin()).arg("--hidden").envs(env.iter().cloned()).output().unwrap();
    assert!(app.status.success(), "{}", describe(&app));
    assert!(tray.session.log().contains("nothing to do hidden"), "{}", tray.session.log());

    // Copy token: the token is on the clipboard, and off it once the profile is signed
    // out (here by the CLI), as the app does; marked as a secret for clipboard managers
    // (issue 25, item 9).
    let entries = menu(bus, &item);
    click(bus, &item, find(&entries, Some("one —"), "Copy token"));
    let mut clipboard = arboard::Clipboard::new().expect("the test's X display");
    let token = cli.ok(&["token", "one"], "").trim().to_string();
    assert!(
        wait_until(Duration::from_secs(5), || clipboard.get_text().is_ok_and(|t| t == token)),
        "the token never reached the clipboard; log:\n{}",
        log(&tray)
    );
    assert!(
        latchkey_e2e::clipboard::clipboard_is_marked_secret(),
        "the copied token is not marked for clipboard managers to keep out of their history: {:?}",
        latchkey_e2e::clipboard::clipboard_types()
    );
    cli.ok(&["logout", "one"], "");
    assert!(
        wait_until(Duration::from_secs(10), || clipboard.get_text().map_or(true, |t| t != token)),
        "the signed-out profile's token is still on the clipboard; log:\n{}",
        log(&tray)
    );

    // Issue 35, item 1: signed in again (here by the CLI) into another account than
    // before: the menu says it, and a notification tells it once.
    server.create_user("bob", "bob-pass", None, true);
    let out = cli.login_paste("one", &User::named("bob", "bob-pass"));
    assert!(out.status.success(), "{}", describe(&out));
    let changed = "one — Signed in as bob \u{b7} before, this was alice: sign out if that is not you";
    assert!(
        wait_until(Duration::from_secs(10), || menu(bus, &item).iter().any(|e| e.label == changed)),
        "{:#?}",
        menu(bus, &item)
    );
    let told = "notification: one: signed in as bob: Before, one was signed in as alice.";
    assert!(wait_until(Duration::from_secs(5), || log(&tray).contains(told)), "log:\n{}", log(&tray));
    cli.ok(&["refresh", "one", "--force"], "");
    std::thread::sleep(Duration::from_secs(1));
    assert_eq!(log(&tray).matches(told).count(), 1, "told more than once; log:\n{}", log(&tray));

    assert!(tray.is_running(), "the tray died; log:\n{}", log(&tray));
    tray.stop();
}

/// After a login with start-at-login on, the tray runs and the app is started for a
/// window: then it has no tray or renewal loop of its own, and its window follows what
/// the tray and the CLI do to the store.
#[tokio::test(flavor = "multi_thread")]
async fn the_app_beside_the_tray_is_only_a_window_that_follows_the_store() {
    let server = server();
    let app = Desktop::launch_beside_tray(&[]).await;
    app.find("[data-testid=empty-state]").await;
    let log = app.session.log();
    assert!(log.contains("this app is only a window"), "{log}");
    assert!(!log.contains("renewal loop started") && !log.contains("token agent listening"), "{log}");

    // A sign-in by the CLI (the tray would do the same when it renews) reaches the window.
    let env: Vec<(String, String)> =
        app.env().into_iter().filter(|(k, _)| k == "DBUS_SESSION_BUS_ADDRESS" || k == "XDG_RUNTIME_DIR").collect();
    let cli = Cli::in_dir(app.session.config_dir(), env);
    let (_one, login) = tokio::task::spawn_blocking(move || {
        let client = cli.add_majora(server, "one", 3600);
        (client, cli.login_paste("one", &User::new()))
    })
    .await
    .unwrap();
    assert!(login.status.success(), "{}", describe(&login));
    // The row appears only if the window reloaded on the store's change.
    let mut text = String::new();
    for _ in 0..100 {
        text = app.find("[data-testid=profile-one]").await.text().await.unwrap_or_default();
        if text.contains("Fresh until") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(text.contains("Fresh until"), "the window did not follow the sign-in: {text}");
    app.shutdown().await;
}

/// The app started with no tray running starts latchkey-tray (the one tray) and is only
/// a window: it has no tray or renewal loop of its own, its window closing ends it, and
/// the tray it started stays and keeps the tokens fresh.
#[test]
fn the_app_alone_starts_latchkey_tray_and_exits_with_its_window() {
    let server = server();
    // A shell that stays keeps the session bus up after the app exits, as a desktop does.
    let app_then_stay = ["-c", "\"$0\"; exec sleep 600"];
    let desktop = desktop_bin();
    let args = [app_then_stay[0], app_then_stay[1], desktop.to_str().unwrap()];
    let close = vec![("LATCHKEY_CLOSE_WHEN_READY".to_string(), "1".to_string())];
    let session = HiddenApp::launch_program(std::path::Path::new("/bin/sh"), &args, &close);
    let config_dir = session.session.config_dir();
    assert!(
        wait_until(Duration::from_secs(30), || session.session.tray_log().contains("renewal loop started")),
        "latchkey-tray did not start; app log:\n{}\ntray log:\n{}",
        session.session.log(),
        session.session.tray_log()
    );
    let log = session.session.log();
    assert!(log.contains("started latchkey-tray to keep the tokens fresh"), "{log}");
    assert!(!log.contains("renewal loop started") && !log.contains("token agent listening"), "{log}");
    assert!(
        wait_until(Duration::from_secs(15), || session_processes("latchkey-deskto", &config_dir).is_empty()),
        "the app did not exit with its window; log:\n{}",
        session.session.log()
    );
    let trays = session_processes("latchkey-tray", &config_dir);
    assert_eq!(trays.len(), 1, "{trays:?}");

    // The lean tray renews: a 20 s token is refreshed at 75 % of its life.
    let cli = Cli::in_dir(config_dir.clone(), session.cli_env());
    let client = cli.add_majora(server, "one", 20);
    let out = cli.login_paste("one", &User::new());
    assert!(out.status.success(), "{}", describe(&out));
    assert!(
        wait_until(Duration::from_secs(30), || server.grant_count(&client.id, "refresh_token/200") >= 1),
        "latchkey-tray did not renew; log:\n{}",
        session.session.tray_log()
    );
    for pid in trays {
        let _ = Command::new("kill").arg(pid.to_string()).status();
    }
    session.stop();
}
