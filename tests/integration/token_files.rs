//! Tokens for jobs that run for hours (issue 39): `latchkey exec --token-file` keeps a file
//! (the WLCG discovery standard's `BEARER_TOKEN_FILE`) fresh for as long as its job runs,
//! against Majora's shape with 10-second rotating tokens (django-oauth-toolkit 1.4.1 kills
//! the old access token at each refresh); signals reach the job and its status is ours;
//! a renewal that needs a person is said; the default file (`bt_u$UID`) is kept by
//! `latchkey agent` and removed at sign-out.

use crate::support;

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use support::{describe, repo_root, server, AuthServer, Cli, User};

/// A CLI whose runtime folder is the test's own (the agent's socket, the jobs' files, and
/// `bt_u$UID` go there).
fn cli_with_runtime() -> (Cli, tempfile::TempDir) {
    let runtime = tempfile::tempdir().unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(runtime.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
    }
    let cli = Cli::new().with_env("XDG_RUNTIME_DIR", runtime.path().display().to_string());
    (cli, runtime)
}

fn python() -> String {
    repo_root().join("tests/server/.venv/bin/python").display().to_string()
}

#[test]
fn a_long_job_reads_a_valid_token_from_its_file_through_many_rotations() {
    let server = server();
    let (cli, runtime) = cli_with_runtime();
    let client = cli.add_majora(server, "lab", 10);
    let out = cli.login_paste("lab", &User::new());
    assert!(out.status.success(), "{}", describe(&out));

    // 35 s of calls: three and a half lifetimes of a 10 s token. An old BEARER_TOKEN in the
    // environment would win over the file with the standard's readers: it is not passed on.
    let job = repo_root().join("tests/integration/jobs/long_job.py");
    // Other programs renew too (here: `latchkey refresh --force`, as the tray does on its
    // own schedule): the job's file follows each rotation at once, not at its next
    // renewal point.
    let other = Cli::in_dir(cli.config_dir(), vec![("XDG_RUNTIME_DIR".into(), runtime.path().display().to_string())]);
    let elsewhere = std::thread::spawn(move || {
        for wait in [4, 13] {
            std::thread::sleep(Duration::from_secs(wait));
            let out = other.run(&["refresh", "lab", "--force"], "");
            assert!(out.status.success(), "{}", describe(&out));
        }
    });
    let out = cli
        .command()
        .args(["exec", "lab", "--token-file", "--", &python(), job.to_str().unwrap(), &server.url("/test/api/"), "35"])
        .env("BEARER_TOKEN", "stale")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    elsewhere.join().unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", describe(&out));
    assert!(said.contains("BEARER_TOKEN unset"), "{said}");
    assert!(said.contains("mode 0o600 0o700"), "the file is the user's alone: {said}");
    let file = said.lines().find_map(|l| l.strip_prefix("file ")).unwrap().to_string();
    assert!(file.starts_with(&runtime.path().display().to_string()), "{file}");
    assert!(!std::path::Path::new(&file).exists(), "the file outlived its job");
    let summary = said.lines().last().unwrap();
    let field = |name: &str| -> u64 {
        let words: Vec<&str> = summary.split_whitespace().collect();
        words[words.iter().position(|w| *w == name).unwrap() + 1].parse().unwrap()
    };
    assert!(field("calls") >= 30, "{said}");
    assert!(field("tokens") >= 4, "the job saw the renewed tokens: {said}");
    assert!(server.grant_count(&client.id, "refresh_token") >= 3, "renewed at each renewal point");
    // A call that met a rotation mid-flight is at most one per renewal.
    assert!(field("retried") <= server.grant_count(&client.id, "refresh_token"), "{said}");
}

/// A job under `exec --token-file`, its stdout read line by line (each within 20 s: a
/// test that waits for a line that never comes fails, it does not hang). The job and
/// latchkey run in a process group of their own, which goes when the test ends.
struct Job {
    child: Child,
    lines: std::sync::mpsc::Receiver<String>,
}

impl Job {
    fn start(cli: &Cli, script: &str) -> Job {
        use std::os::unix::process::CommandExt;
        let mut child = cli
            .command()
            .args(["exec", "lab", "--token-file", "--", "sh", "-c", script])
            .process_group(0)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        let (tx, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in stdout.lines().map_while(Result::ok) {
                let _ = tx.send(line.trim().to_string());
            }
        });
        Job { child, lines }
    }

    fn line(&mut self) -> String {
        self.lines.recv_timeout(Duration::from_secs(20)).expect("a line from the job within 20 s")
    }

    fn signal(&self, signal: &str) {
        let sent = std::process::Command::new("kill")
            .args([&format!("-{signal}"), "--", &self.child.id().to_string()])
            .status();
        assert!(sent.unwrap().success());
    }

    /// Wait for latchkey to end (at most 30 s); its status and stderr.
    fn end(mut self) -> (std::process::ExitStatus, String) {
        let started = Instant::now();
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            assert!(started.elapsed() < Duration::from_secs(30), "latchkey did not end with its job");
            std::thread::sleep(Duration::from_millis(50));
        };
        let mut stderr = String::new();
        std::io::Read::read_to_string(self.child.stderr.as_mut().unwrap(), &mut stderr).unwrap();
        (status, stderr)
    }
}

impl Drop for Job {
    fn drop(&mut self) {
        // `--`: procps-ng's kill reads `-PGID` after a signal name as an option (4.0.2 sent
        // the signal to -1, every process of ours, for a group id that starts with 1).
        let _ = std::process::Command::new("kill").args(["-KILL", "--", &format!("-{}", self.child.id())]).status();
        let _ = self.child.wait();
    }
}

#[test]
fn signals_reach_the_job_and_its_status_is_latchkeys() {
    let server = server();
    let (cli, _runtime) = cli_with_runtime();
    cli.add_majora(server, "lab", 3600);
    assert!(cli.login_paste("lab", &User::new()).status.success());
    for (signal, status) in [("TERM", 7), ("INT", 8), ("HUP", 9)] {
        let script = format!(
            "trap 'echo got {signal}; exit {status}' {signal}; echo \"$BEARER_TOKEN_FILE\"; while :; do sleep 0.1; done"
        );
        let mut job = Job::start(&cli, &script);
        let file = job.line();
        assert!(std::path::Path::new(&file).exists());
        job.signal(signal);
        assert_eq!(job.line(), format!("got {signal}"), "the job got {signal}");
        let (ended, stderr) = job.end();
        assert_eq!(ended.code(), Some(status), "latchkey ends with the job's status: {stderr}");
        assert!(!std::path::Path::new(&file).exists(), "the file outlived its job");
    }
    // A job ended by a signal: 128 + its number, as a shell says.
    let out = cli.run(&["exec", "lab", "--token-file", "--", "sh", "-c", "kill -KILL $$"], "");
    assert_eq!(out.status.code(), Some(137), "{}", describe(&out));
}

#[test]
fn a_renewal_that_needs_a_person_is_said_and_the_job_goes_on() {
    let server = server();
    let (cli, _runtime) = cli_with_runtime();
    cli.add_majora(server, "lab", 10);
    assert!(cli.login_paste("lab", &User::new()).status.success());
    let mut job =
        Job::start(&cli, "echo \"$BEARER_TOKEN_FILE\"; sleep 14; echo \"[$(cat \"$BEARER_TOKEN_FILE\")]\"; echo end");
    let file = job.line();
    assert!(!std::fs::read_to_string(&file).unwrap().trim().is_empty());
    // Signed out elsewhere (the window, another terminal): the file holds no token now,
    // and the job's next renewal says what to do.
    cli.ok(&["logout", "lab"], "");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "", "a signed-out token stays in the file");
    assert_eq!(job.line(), "[]", "the file is empty: no token to use");
    assert_eq!(job.line(), "end");
    let (ended, told) = job.end();
    assert!(ended.success(), "the job went on: {told}");
    assert!(told.contains("the job's token for `lab` cannot be renewed"), "{told}");
    assert!(told.contains("latchkey login lab"), "{told}");
}

#[test]
fn the_agent_keeps_the_token_file_for_tools_and_sign_out_removes_it() {
    let server = server();
    let (cli, runtime) = cli_with_runtime();
    let client = cli.add_majora(server, "lab", 8);
    assert!(cli.login_paste("lab", &User::new()).status.success());
    let uid = String::from_utf8(std::process::Command::new("id").arg("-u").output().unwrap().stdout).unwrap();
    let file = runtime.path().join(format!("bt_u{}", uid.trim()));

    let shown = cli.ok(&["settings", "--token-file-profile", "lab"], "");
    assert!(shown.contains(&format!("token-file\t{} (lab;", file.display())), "{shown}");
    let first = cli.stored_tokens("lab").unwrap();
    assert_eq!(std::fs::read_to_string(&file).unwrap(), first.access_token.expose(), "written at once");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
    }

    // The agent renews (8 s tokens: at about 6 s); the file follows, and never holds the
    // refresh token.
    let mut agent = cli.command();
    agent.args(["agent", "--no-notify"]).stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null());
    let mut agent = agent.spawn().unwrap();
    let started = Instant::now();
    while server.grant_count(&client.id, "refresh_token") == 0 {
        assert!(started.elapsed() < Duration::from_secs(20), "the agent did not renew in 20 s");
        std::thread::sleep(Duration::from_millis(200));
    }
    server.settle(&client.id);
    std::thread::sleep(Duration::from_millis(300));
    let renewed = cli.stored_tokens("lab").unwrap();
    assert_ne!(renewed.access_token.expose(), first.access_token.expose());
    assert_eq!(std::fs::read_to_string(&file).unwrap(), renewed.access_token.expose());
    assert!(!std::fs::read_to_string(&file).unwrap().contains(renewed.refresh_token.as_ref().unwrap().expose()));

    // Sign-out removes it; so does turning the setting off (after a new sign-in wrote it).
    cli.ok(&["logout", "lab"], "");
    assert!(!file.exists(), "the file outlived the sign-out");
    assert!(cli.login_paste("lab", &User::new()).status.success());
    assert!(file.exists(), "a sign-in writes it again");
    cli.ok(&["settings", "--no-token-file"], "");
    assert!(!file.exists());
    let _ = agent.kill();
    let _ = agent.wait();
}
