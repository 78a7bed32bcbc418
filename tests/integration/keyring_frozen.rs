//! Tests that freeze the shared keyring daemon (SIGSTOP) to see what Latchkey does while
//! it does not answer. Every other test of this binary would stall meanwhile, so `make
//! test-engine` runs this module apart, one test at a time, in a keyring session of its
//! own (with `crash_soak`), and skips it in the main run.

use crate::support;

use std::time::Duration;

use latchkey_engine::testing::Agent;
use latchkey_engine::Paths;
use support::{describe, server, AuthServer, Cli, User};

use crate::stop_safely::slow_profile;

/// Freeze (or thaw) the test keyring daemon.
fn freeze_keyring(frozen: bool) {
    let home = std::env::var("LATCHKEY_KEYRING_HOME").expect("run inside tests/support/with-keyring");
    let pid = std::fs::read_to_string(format!("{home}/daemon.pid")).unwrap();
    let signal = if frozen { "-STOP" } else { "-CONT" };
    let status = std::process::Command::new("kill").args([signal, pid.trim()]).status().unwrap();
    assert!(status.success());
}

/// The token agent answers `latchkey token` from memory only while its copy is the write
/// in force (the keyring frozen, so only the agent can answer quickly).
#[test]
fn token_comes_from_the_agent_only_while_it_is_current() {
    let server = server();
    let dir = tempfile::tempdir().unwrap();
    let cli = Cli::in_dir(dir.path().to_path_buf(), vec![("LATCHKEY_KEYRING_TIMEOUT_MS".into(), "1500".into())]);
    let client = cli.add_majora(server, "agent", 3600);
    let out = cli.login_paste("agent", &User::new());
    assert!(out.status.success(), "{}", describe(&out));
    let first = cli.ok(&["token", "agent"], "").trim().to_string();

    let agent = Agent::bind(&Paths::in_dir(cli.config_dir())).unwrap();
    std::thread::spawn(move || agent.serve());
    // The first question makes the agent read the keyring; then it answers from memory.
    assert_eq!(cli.ok(&["token", "agent"], "").trim(), first);
    freeze_keyring(true);
    let from_agent = cli.run(&["token", "agent"], "");
    freeze_keyring(false);
    assert!(from_agent.status.success(), "the agent did not answer: {}", describe(&from_agent));
    assert_eq!(String::from_utf8_lossy(&from_agent.stdout).trim(), first);

    // Another process renews: the agent's copy is no longer the write in force.
    cli.ok(&["refresh", "agent", "--force"], "");
    let renewed = cli.stored_tokens("agent").unwrap().access_token.expose().to_string();
    assert_ne!(renewed, first);
    freeze_keyring(true);
    let stale = cli.run(&["token", "agent"], "");
    freeze_keyring(false);
    // With the keyring frozen the agent cannot reload: the CLI must not take the old token.
    assert!(!String::from_utf8_lossy(&stale.stdout).contains(&first), "a replaced token was handed out");
    assert_eq!(stale.status.code(), Some(5), "{}", describe(&stale));
    // Thawed, the agent reloads and serves the new token.
    assert_eq!(cli.ok(&["token", "agent"], "").trim(), renewed);
    assert!(server.is_active(&client, &renewed));
    assert!(!server.is_active(&client, &first), "the server still honours the replaced token");

    // The agent holds a current token but not one fresh enough for this asker (1 h
    // tokens, 2 h asked): it must not answer, and the CLI goes to the keyring to renew.
    freeze_keyring(true);
    let short = cli.run(&["token", "agent", "--min-valid", "7200"], "");
    freeze_keyring(false);
    assert_eq!(short.status.code(), Some(5), "served a token that expires too soon: {}", describe(&short));
    assert!(!String::from_utf8_lossy(&short.stdout).contains(&renewed));
}

#[test]
fn a_keyring_that_fails_after_the_server_rotated_is_tried_again() {
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
