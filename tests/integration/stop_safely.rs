//! Stopping never loses a session on a server that rotates refresh tokens with no grace
//! (Majora): a signal to `latchkey agent` in the middle of a renewal lets it be stored
//! first, and a keyring that fails right after the server rotated is tried again.
//! The server's answers go through a proxy that holds them back, so every renewal has a
//! long "the server has rotated, the answer is not stored yet" window to land in.

use crate::support;

use crate::fault_proxy;

use std::time::{Duration, Instant};

use fault_proxy::{Fault, FaultProxy};
use support::{describe, server, Cli, User};

/// The keyring test freezes the shared keyring daemon: the two tests take turns.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// A Majora-server profile whose token endpoint is behind a proxy that delays each answer.
fn slow_profile(cli: &Cli, name: &str, ttl: u64, delay: Duration) -> (support::Client, FaultProxy) {
    let server = server();
    let proxy = FaultProxy::start(server.port);
    let client = server.create_client(ttl, &[&server.callback_uri()]);
    cli.add_by_hand(
        name,
        &server.url("/o/authorize/"),
        &format!("{}o/token/", proxy.base()),
        &client,
        &["--scopes", "majora2.add_biosampleartifact", "--redirect-uri", &server.callback_uri()],
    );
    assert!(cli.login_paste(name, &User::new()).status.success());
    proxy.set(Fault::Delayed(delay));
    (client, proxy)
}

#[test]
#[allow(unsafe_code)] // kill(2) on our own child
fn sigterm_during_renewals_loses_nothing() {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let cli = Cli::new();
    // 4 s tokens renew every 3 s; each renewal's answer is held back 1 s.
    let (client, _proxy) = slow_profile(&cli, "p", 4, Duration::from_secs(1));
    let cycles = 12;
    let mut mid_renewal = 0;
    for cycle in 0..cycles {
        let mut agent = cli
            .command()
            .args(["agent", "--no-notify"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // Land anywhere in the renewal cycle, inside the held-back answer about a third
        // of the time.
        std::thread::sleep(Duration::from_millis(1500 + (cycle * 337) % 3000));
        let t = Instant::now();
        unsafe { libc::kill(agent.id() as i32, libc::SIGTERM) };
        let status = agent.wait().unwrap();
        let mut stderr = String::new();
        std::io::Read::read_to_string(agent.stderr.as_mut().unwrap(), &mut stderr).unwrap();
        assert_eq!(status.code(), Some(0), "cycle {cycle}: the agent did not stop cleanly: {stderr}");
        if t.elapsed() > Duration::from_millis(300) {
            mid_renewal += 1; // it waited for a renewal in flight
        }
        server().settle(&client.id);
        // Whatever the moment, the stored refresh token is the live one.
        let out = cli.run(&["refresh", "p", "--force"], "");
        assert!(out.status.success(), "cycle {cycle}: session lost: {}\nagent: {stderr}", describe(&out));
    }
    eprintln!("sigterm: {cycles} stops, {mid_renewal} waited for a renewal in flight");
    assert!(mid_renewal > 0, "no stop landed in a renewal: the test proved nothing");
    assert_eq!(server().grant_count(&client.id, "refresh_token/400"), 0, "a dead refresh token was presented");
}

/// Freeze (or thaw) the test keyring daemon.
fn freeze_keyring(frozen: bool) {
    let home = std::env::var("LATCHKEY_KEYRING_HOME").expect("run inside tests/support/with-keyring");
    let pid = std::fs::read_to_string(format!("{home}/daemon.pid")).unwrap();
    let signal = if frozen { "-STOP" } else { "-CONT" };
    assert!(std::process::Command::new("kill").args([signal, pid.trim()]).status().unwrap().success());
}

#[test]
fn a_keyring_that_fails_after_the_server_rotated_is_tried_again() {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let cli = Cli::new();
    let (client, _proxy) = slow_profile(&cli, "p", 3600, Duration::from_secs(2));
    let mut refresh = cli
        .command()
        .args(["refresh", "p", "--force"])
        .env("LATCHKEY_KEYRING_TIMEOUT_MS", "1000")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The request is out (tokens and client secret read); the keyring stops answering
    // before the rotated tokens come back, and answers again a few seconds later.
    std::thread::sleep(Duration::from_millis(1000));
    freeze_keyring(true);
    std::thread::sleep(Duration::from_millis(3500));
    freeze_keyring(false);
    let status = refresh.wait().unwrap();
    let mut stderr = String::new();
    std::io::Read::read_to_string(refresh.stderr.as_mut().unwrap(), &mut stderr).unwrap();
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert_eq!(server().grant_count(&client.id, "refresh_token/200"), 1);
    let stored = cli.stored_tokens("p").unwrap();
    assert!(server().is_active(&client, stored.access_token.expose()), "the rotated tokens were not stored");
    assert!(cli.run(&["refresh", "p", "--force"], "").status.success());
}
