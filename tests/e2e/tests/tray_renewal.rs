//! The tray process keeps tokens fresh with no window open: against the real
//! django-oauth-toolkit server with 20-second tokens, two profiles stay fresh for
//! several lifetimes; the CLI meanwhile gets valid tokens without refreshing, and a
//! CLI `--min-valid` at the moment of a scheduled refresh never causes a second one.

#[path = "../../support/fault_proxy.rs"]
mod fault_proxy;
#[path = "../../support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use fault_proxy::Fault;
use latchkey_e2e::{tray_bin, wait_until, HiddenApp};
use support::{describe, server, AuthServer, Cli, User};

const LIFETIME: u64 = 20;

#[test]
fn tray_keeps_two_profiles_fresh_and_the_cli_sees_it() {
    let server = server();
    let mut app = HiddenApp::launch();
    let cli = Cli::in_dir(app.session.config_dir(), app.cli_env());
    // This test reads the keyring itself (as an oracle): use the app's session bus.
    for (k, v) in app.cli_env() {
        std::env::set_var(k, v);
    }
    let clients: Vec<_> =
        ["one", "two"].iter().map(|name| (name.to_string(), cli.add_majora(server, name, LIFETIME))).collect();
    for (name, _) in &clients {
        let out = cli.login_paste(name, &User::new());
        assert!(out.status.success(), "{}", describe(&out));
    }
    let first: Vec<String> =
        clients.iter().map(|(n, _)| cli.stored_tokens(n).unwrap().access_token.expose().to_string()).collect();

    // 3.5 lifetimes. Every second: a plain `token` (must not renew by itself) and a
    // `token --min-valid 7` (the tray's margin: races the scheduled renewal).
    let start = Instant::now();
    let mut seen = 0;
    while start.elapsed() < Duration::from_secs(LIFETIME * 7 / 2) {
        for (name, client) in &clients {
            let out = cli.run(&["-v", "token", name], "");
            assert!(out.status.success(), "{}", describe(&out));
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(!stderr.contains("renewed"), "the CLI renewed on its own while the tray was on time: {stderr}");
            let token = String::from_utf8_lossy(&out.stdout).trim().to_string();
            // Valid when printed: either still active, or a renewal (which on a rotating
            // server kills the previous access token) has happened since.
            // A renewal in flight counts too: the server retires the old token when it
            // answers, a moment before the tray has stored the new one.
            let active = server.is_active(client, &token);
            let renewed_since = || cli.stored_tokens(name).unwrap().access_token.expose() != token;
            assert!(
                active || latchkey_e2e::wait_until(Duration::from_secs(3), renewed_since),
                "`token {name}` printed a dead token"
            );
            let out = cli.run(&["token", name, "--min-valid", "7"], "");
            assert!(out.status.success(), "{}", describe(&out));
            seen += 1;
        }
        std::thread::sleep(Duration::from_millis(900));
    }
    assert!(seen > 20);
    assert!(app.is_running(), "the app died; log:\n{}", app.session.tray_log());

    for (i, (name, client)) in clients.iter().enumerate() {
        let ok = server.grant_count(&client.id, "refresh_token/200");
        let all = server.grant_count(&client.id, "refresh_token");
        assert!(ok >= 3, "{name}: only {ok} renewals in 3.5 lifetimes; log:\n{}", app.session.tray_log());
        assert_eq!(ok, all, "{name}: a refresh was refused (two refreshes raced with a rotated token)");
        let now = cli.stored_tokens(name).unwrap();
        assert_ne!(now.access_token.expose(), first[i]);
        assert!(server.is_active(client, now.access_token.expose()));
    }
    let status: serde_json::Value = serde_json::from_str(&cli.ok(&["status", "--json"], "")).unwrap();
    for row in status.as_array().unwrap() {
        assert_eq!(row["status"], "signed-in", "{row}");
    }
    let log = app.session.tray_log();
    assert!(log.contains("renewed"), "the tray never renewed; log:\n{log}");
    app.stop();
}

/// Issue 25, item 3, the tray's half: a logout (SIGTERM) while a renewal's answer is on
/// its way — the server has rotated the refresh token, the tray has not stored it yet —
/// waits until the rotated tokens are stored, then ends cleanly. The session (bus and
/// keyring) outlives the tray here, so the test can then read what it stored.
#[test]
fn a_sigterm_to_the_tray_mid_renewal_waits_until_the_rotated_tokens_are_stored() {
    stopped_mid_renewal(|pid, _| {
        std::process::Command::new("kill").args(["-TERM", pid]).status().unwrap();
    });
}

/// Issue 36: an installer replacing the programs runs `latchkey-tray --quit`, which
/// stops the tray as its Quit does and returns only once it has: mid-renewal, the
/// rotated tokens are stored first.
#[test]
fn latchkey_tray_quit_mid_renewal_waits_until_the_rotated_tokens_are_stored() {
    stopped_mid_renewal(|_, app| {
        let mut env = app.session.env();
        env.extend(app.cli_env());
        let out = std::process::Command::new(tray_bin()).arg("--quit").envs(env).output().unwrap();
        assert!(out.status.success(), "{}", describe(&out));
    });
}

/// Stop the tray with `stop(pid, app)` while the server's answer to a renewal is held
/// back: the tray ends cleanly, only after storing what the server rotated to.
fn stopped_mid_renewal(stop: impl Fn(&str, &HiddenApp)) {
    let server = server();
    let scratch = tempfile::tempdir().unwrap();
    let (tray_pid, tray_exit) = (scratch.path().join("tray-pid"), scratch.path().join("tray-exit"));
    let wrapper = scratch.path().join("tray-in-a-session");
    std::fs::write(
        &wrapper,
        format!(
            "#!/bin/sh\n'{}' & echo $! > '{}'\nwait $!\necho $? > '{}'\nexec sleep 600\n",
            tray_bin().display(),
            tray_pid.display(),
            tray_exit.display()
        ),
    )
    .unwrap();
    std::process::Command::new("chmod").arg("755").arg(&wrapper).status().unwrap();
    let app = HiddenApp::launch_program(&wrapper, &[], &[]);
    let cli = Cli::in_dir(app.session.config_dir(), app.cli_env());
    // A rotating server (Majora's) with 4-second tokens, behind a proxy that holds each
    // answer back 3 s.
    let (client, proxy) = fault_proxy::signed_in_behind_proxy(
        &cli,
        server,
        "p",
        4,
        "majora2.add_biosampleartifact",
        Fault::Delayed(Duration::from_secs(3)),
    );
    let seen = proxy.forwarded();
    assert!(
        wait_until(Duration::from_secs(20), || proxy.forwarded() > seen),
        "the tray never renewed; log:\n{}",
        app.session.tray_log()
    );
    // The server has rotated; its answer reaches the tray in about 3 s.
    std::thread::sleep(Duration::from_millis(300));
    let pid = std::fs::read_to_string(&tray_pid).unwrap().trim().to_string();
    let sent = Instant::now();
    stop(&pid, &app);
    assert!(wait_until(Duration::from_secs(70), || tray_exit.exists()), "the tray did not end");
    let took = sent.elapsed();
    let status = std::fs::read_to_string(&tray_exit).unwrap();
    assert_eq!(status.trim(), "0", "the tray did not stop cleanly; log:\n{}", app.session.tray_log());
    assert!(
        took > Duration::from_millis(1500),
        "the tray ended at once ({took:?}): the renewal was cut off; log:\n{}",
        app.session.tray_log()
    );
    proxy.set(Fault::Pass);
    server.settle(&client.id);
    // The stored refresh token is the rotated one: this server refuses the one before.
    // (Not read from the keyring here: libdbus keeps the first session bus address a
    // process sees, and the other test of this file reads its own session's keyring.)
    let out = cli.run(&["refresh", "p", "--force"], "");
    assert!(out.status.success(), "session lost: {}", describe(&out));
    assert_eq!(server.grant_count(&client.id, "refresh_token/400"), 0, "a dead refresh token was presented");
}
