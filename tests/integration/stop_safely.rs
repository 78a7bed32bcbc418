//! Stopping never loses a session on a server that rotates refresh tokens with no grace
//! (Majora): a signal to `latchkey agent` in the middle of a renewal lets it be stored
//! first, and a keyring that fails right after the server rotated is tried again.
//! The server's answers go through a proxy that holds them back, so every renewal has a
//! long "the server has rotated, the answer is not stored yet" window to land in.

use crate::support;

use crate::fault_proxy;

use std::time::{Duration, Instant};

use fault_proxy::{Fault, FaultProxy};
use support::{describe, server, Cli};

/// A Majora-server profile whose token endpoint is behind a proxy that delays each answer.
pub(crate) fn slow_profile(cli: &Cli, name: &str, ttl: u64, delay: Duration) -> (support::Client, FaultProxy) {
    let (client, proxy) =
        fault_proxy::signed_in_behind_proxy(cli, server(), name, ttl, "majora2.add_biosampleartifact", Fault::Pass);
    proxy.set(Fault::Delayed(delay));
    (client, proxy)
}

#[test]
#[allow(unsafe_code)] // kill(2) on our own child
fn sigterm_during_renewals_loses_nothing() {
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

/// Issue 25, item 3: `latchkey refresh` and `latchkey token` renew too, with no agent to
/// wait for them: Ctrl-C (SIGINT) or SIGTERM while the server's answer is on its way
/// must still leave the rotated tokens stored. The process then ends as the signal
/// says (a shell sees 130 or 143).
#[test]
#[allow(unsafe_code)] // kill(2) on our own child
fn a_signal_to_a_renewing_cli_waits_until_the_rotated_tokens_are_stored() {
    use std::os::unix::process::ExitStatusExt;
    let cli = Cli::new();
    let (client, _proxy) = slow_profile(&cli, "p", 3600, Duration::from_secs(2));
    for (signal, args) in
        [(libc::SIGINT, &["refresh", "p", "--force"][..]), (libc::SIGTERM, &["token", "p", "--min-valid", "3599"][..])]
    {
        let before = cli.stored_tokens("p").unwrap();
        std::thread::sleep(Duration::from_secs(2)); // so `token` renews (the stored one has less than 3599 s)
        let mut child = cli
            .command()
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // The request has reached the server (which rotates at once); its answer is held back 2 s.
        std::thread::sleep(Duration::from_millis(900));
        let sent = Instant::now();
        unsafe { libc::kill(child.id() as i32, signal) };
        let status = child.wait().unwrap();
        assert!(sent.elapsed() > Duration::from_millis(500), "{args:?} ended at once: the renewal was cut off");
        assert_eq!(status.signal(), Some(signal), "{args:?} did not end as the signal says: {status:?}");
        server().settle(&client.id);
        let after = cli.stored_tokens("p").unwrap();
        assert_ne!(after.refresh_token, before.refresh_token, "{args:?}: the rotated tokens were not stored");
        let out = cli.run(&["refresh", "p", "--force"], "");
        assert!(out.status.success(), "{args:?}: session lost: {}", describe(&out));
    }
    assert_eq!(server().grant_count(&client.id, "refresh_token/400"), 0, "a dead refresh token was presented");
}
