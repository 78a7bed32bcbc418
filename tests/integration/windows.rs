//! Windows, as far as this Linux machine can go: the Windows build of the CLI (MinGW)
//! runs under Wine against the real test server, with its secrets in Wine's Credential
//! Manager and its token agent on a named pipe. The tokens are JWT-sized (1.6 KB), so the
//! token set is longer than one Windows credential holds and goes through the keyring's
//! parts layout (engine/src/store/parts.rs) on every write.
//!
//! Ignored by default: `make test-windows` (scripts/test-windows) builds the exe and runs
//! this with `LATCHKEY_WINDOWS_BIN` naming it.

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use crate::support::{describe, AuthServer, Cli, TestServer, User};

fn windows_cli() -> Cli {
    let exe = std::env::var_os("LATCHKEY_WINDOWS_BIN").expect("LATCHKEY_WINDOWS_BIN: the Windows latchkey.exe");
    Cli::on_windows(exe.into())
}

#[test]
#[ignore = "needs the Windows build and Wine: make test-windows"]
fn the_windows_cli_signs_in_renews_serves_and_signs_out() {
    let server = TestServer::start_generic(&[("TESTSERVER_LONG_TOKENS", "1")]);
    let cli = windows_cli();
    let client = server.create_client(3600, &[&server.callback_uri()]);
    cli.add_by_hand(
        "win",
        &server.url("/o/authorize/"),
        &server.url("/o/token/"),
        &client,
        &[
            "--revoke-url",
            &server.url("/o/revoke_token/"),
            "--scopes",
            "read",
            "--redirect-uri",
            &server.callback_uri(),
        ],
    );
    // The client secret went to the Credential Manager and comes back from it.
    let exported = cli.ok(&["export", "ocarina-config", "win", "--with-secret"], "");
    assert!(exported.contains(&client.secret), "the secret did not come back from the keyring: {exported}");

    let login = cli.login_paste("win", &User::new());
    assert!(login.status.success(), "login: {}", describe(&login));
    let first = cli.ok(&["token", "win"], "").trim().to_string();
    assert!(first.len() > 1500, "not a long token: {} characters", first.len());
    assert!(server.is_active(&client, &first), "the token handed out is not the server's");

    // A renewal the server rotates, stored in parts again (the other slot), and read back.
    std::thread::sleep(std::time::Duration::from_secs(2)); // so a whole hour is more than it has left
    let renewed = cli.ok(&["token", "win", "--min-valid", "3599"], "").trim().to_string();
    assert_ne!(renewed, first);
    assert!(server.is_active(&client, &renewed));
    assert!(!server.is_active(&client, &first), "the old token is still active");
    assert_eq!(server.grant_count(&client.id, "refresh_token/200"), 1);
    assert_eq!(cli.ok(&["token", "win"], "").trim(), renewed, "the keyring gave back another token");
    let status = cli.ok(&["status", "win"], "");
    assert!(status.contains("win"), "{status}");

    // The token agent on its named pipe answers `token` with the keyring out of reach.
    let mut agent = cli
        .command()
        .args(["agent", "--no-notify"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut said = String::new();
    let mut lines = BufReader::new(agent.stderr.take().unwrap());
    while !said.contains("serving") {
        let mut line = String::new();
        assert!(lines.read_line(&mut line).unwrap() > 0, "the agent ended: {said}");
        said.push_str(&line);
    }
    assert!(said.contains(r"\\.\pipe\latchkey"), "not on a named pipe: {said}");
    let served = cli.command().args(["token", "win"]).env("LATCHKEY_KEYRING_TIMEOUT_MS", "0").output().unwrap();
    assert!(served.status.success(), "the agent did not answer: {}", describe(&served));
    assert_eq!(String::from_utf8_lossy(&served.stdout).trim(), renewed);
    let second = cli.command().args(["agent", "--no-notify"]).output().unwrap();
    assert!(!second.status.success(), "a second agent started: {}", describe(&second));
    let _ = agent.kill();
    let _ = agent.wait();

    // Sign out revokes at the server; remove deletes the profile and its secrets.
    cli.ok(&["logout", "win"], "");
    assert!(!server.is_active(&client, &renewed), "logout did not revoke the token");
    let gone = cli.run(&["token", "win"], "");
    assert_eq!(gone.status.code(), Some(3), "a token after logout: {}", describe(&gone));
    cli.ok(&["profile", "remove", "win"], "y\n");
    let none = cli.run(&["export", "ocarina-config", "win", "--with-secret"], "");
    assert!(!none.status.success(), "the profile outlived its removal: {}", describe(&none));
}

/// Issue 36: the tray an installer put in place, started from its Run key's command line
/// as Windows does at login (scripts/windows/installer-check hands it over), stays up and
/// answers `latchkey token` on its named pipe: with the keyring out of reach, only the
/// tray can have answered.
#[test]
#[ignore = "needs the installed build under Wine: scripts/windows/installer-check"]
fn the_installed_tray_serves_latchkey_token() {
    let command = std::env::var("LATCHKEY_WINDOWS_TRAY_COMMAND").expect("the Run key's command line");
    let program = command.trim().trim_matches('"').to_string();
    let server = TestServer::start_generic(&[]);
    let cli = windows_cli();
    let client = server.create_client(3600, &[&server.callback_uri()]);
    cli.add_by_hand(
        "tray",
        &server.url("/o/authorize/"),
        &server.url("/o/token/"),
        &client,
        &["--scopes", "read", "--redirect-uri", &server.callback_uri()],
    );
    assert!(cli.login_paste("tray", &User::new()).status.success());
    let token = cli.ok(&["token", "tray"], "").trim().to_string();
    let store = format!("Z:{}", cli.config_dir().display()).replace('/', "\\");
    let mut tray = std::process::Command::new(crate::support::repo_root().join("scripts/windows/run"))
        .arg(&program)
        .env("LATCHKEY_CONFIG_DIR", &store)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let served = || {
        let out = cli.command().args(["token", "tray"]).env("LATCHKEY_KEYRING_TIMEOUT_MS", "0").output().unwrap();
        (out.status.success() && String::from_utf8_lossy(&out.stdout).trim() == token).then_some(())
    };
    assert!(
        crate::support::wait_for(std::time::Duration::from_secs(30), || served().is_some()),
        "the tray never answered on its pipe"
    );
    std::thread::sleep(std::time::Duration::from_secs(3));
    assert!(tray.try_wait().unwrap().is_none(), "the tray did not stay up");
    assert!(served().is_some(), "the tray stopped answering");
    let stopped = std::process::Command::new(crate::support::repo_root().join("scripts/windows/run"))
        .args([program.as_str(), "--quit"])
        .env("LATCHKEY_CONFIG_DIR", &store)
        .output()
        .unwrap();
    assert!(stopped.status.success(), "{}", describe(&stopped));
    let _ = tray.wait();
}
