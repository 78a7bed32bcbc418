//! The token agent against the real Secret Service: `latchkey token` is answered from the
//! agent's memory when its copy is the write in force, and from the keyring otherwise —
//! never with tokens a renewal has replaced.

mod support;

use latchkey::agent::Agent;
use latchkey::paths::Paths;
use support::{describe, server, Cli, User};

/// Freeze (or thaw) the test keyring daemon, so only the agent can answer quickly.
fn freeze_keyring(frozen: bool) {
    let home = std::env::var("LATCHKEY_KEYRING_HOME").expect("run inside tests/support/with-keyring");
    let pid = std::fs::read_to_string(format!("{home}/daemon.pid")).unwrap();
    let signal = if frozen { "-STOP" } else { "-CONT" };
    let status = std::process::Command::new("kill").args([signal, pid.trim()]).status().unwrap();
    assert!(status.success());
}

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
