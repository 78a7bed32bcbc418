//! `latchkey agent`, the lean background process: it renews on schedule against the real
//! server, serves `latchkey token` from memory, and refuses to run twice on one store.

use crate::support;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use support::{describe, server, AuthServer, Cli, User};

struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn agent(cli: &Cli) -> Running {
    let mut cmd: Command = cli.command();
    cmd.args(["agent", "--no-notify"]).stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null());
    Running(cmd.spawn().unwrap())
}

#[test]
fn agent_renews_on_schedule_and_serves_tokens() {
    let server = server();
    let cli = Cli::new();
    // 8 s tokens: renewed at about 6 s.
    let client = cli.add_majora(server, "short", 8);
    let out = cli.login_paste("short", &User::new());
    assert!(out.status.success(), "{}", describe(&out));
    let first = cli.stored_tokens("short").unwrap().access_token.expose().to_string();

    let mut running = agent(&cli);
    let started = Instant::now();
    while server.grant_count(&client.id, "refresh_token") == 0 {
        assert!(started.elapsed() < Duration::from_secs(20), "the agent did not renew in 20 s");
        assert!(running.0.try_wait().unwrap().is_none(), "the agent exited");
        std::thread::sleep(Duration::from_millis(200));
    }
    server.settle(&client.id);
    std::thread::sleep(Duration::from_millis(300)); // the store write follows the answer
    let renewed = cli.stored_tokens("short").unwrap().access_token.expose().to_string();
    assert_ne!(renewed, first);
    assert!(started.elapsed() >= Duration::from_secs(3), "renewed far before 75 % of the lifetime");
    // The CLI gets the renewed token (from the agent or the keyring: both are the write in force).
    assert_eq!(cli.ok(&["token", "short"], "").trim(), renewed);
    assert!(server.is_active(&client, &renewed));

    // A second agent on the same store says why it will not run.
    let second = cli.run(&["agent", "--no-notify"], "");
    assert_eq!(second.status.code(), Some(2), "{}", describe(&second));
    assert!(String::from_utf8_lossy(&second.stderr).contains("already keeping these tokens fresh"));
    assert!(running.0.try_wait().unwrap().is_none(), "the first agent died");
}
