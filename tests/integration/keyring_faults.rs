//! A locked or unresponsive Secret Service: a clear error and exit code 5, never a
//! plaintext fallback, nothing deleted. Each case runs in a session of its own.

use crate::support;

use std::process::Command;

use support::repo_root;

/// Run `script` in a fresh with-keyring session; `$LATCHKEY` is the CLI.
fn in_session(script: &str) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    Command::new(repo_root().join("tests/support/with-keyring"))
        .args(["sh", "-c", script])
        .env("LATCHKEY", env!("CARGO_BIN_EXE_latchkey"))
        .env("LATCHKEY_CONFIG_DIR", dir.path())
        .env("LATCHKEY_KEYRING_TIMEOUT_MS", "1500")
        .env_remove("LATCHKEY_KEYRING_SESSION")
        .output()
        .unwrap()
}

#[test]
fn locked_keyring_exits_5() {
    let out = in_session(
        r#"set -u
        printf 'canary-secret\n' | "$LATCHKEY" profile add m --preset majora --client-id id --client-secret-stdin || exit 90
        dbus-send --session --print-reply --dest=org.freedesktop.secrets /org/freedesktop/secrets \
          org.freedesktop.Secret.Service.Lock array:objpath:/org/freedesktop/secrets/collection/login >/dev/null || exit 91
        # Signing in needs the (locked) client secret.
        "$LATCHKEY" login m --paste </dev/null; echo "exit=$?"
        grep -r canary-secret "$LATCHKEY_CONFIG_DIR" && echo PLAINTEXT
        "$LATCHKEY" profile list"#,
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stdout.contains("exit=5"), "stdout: {stdout}\nstderr: {stderr}");
    assert!(stderr.contains("keyring"), "{stderr}");
    assert!(!stdout.contains("PLAINTEXT"));
    assert!(stdout.contains("m\tmajora"), "the profile was lost: {stdout}");
}

#[test]
fn unresponsive_keyring_times_out_with_exit_5() {
    let out = in_session(
        r#"set -u
        printf 'canary-secret\n' | "$LATCHKEY" profile add m --preset majora --client-id id --client-secret-stdin || exit 90
        pid=$LATCHKEY_KEYRING_DAEMON_PID
        kill -STOP "$pid"
        start=$(date +%s)
        "$LATCHKEY" token m; echo "exit=$?"
        echo "took=$(( $(date +%s) - start ))"
        kill -CONT "$pid"
        "$LATCHKEY" profile list"#,
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stdout.contains("exit=5"), "stdout: {stdout}\nstderr: {stderr}");
    assert!(stderr.contains("did not answer within 1.5 s"), "{stderr}");
    let took: u64 = stdout.lines().find_map(|l| l.strip_prefix("took=")).unwrap().parse().unwrap();
    assert!(took <= 10, "token hung for {took} s");
    assert!(stdout.contains("m\tmajora"));
}

/// gnome-keyring can die in the middle of a call (it aborts on some client races); D-Bus
/// starts a new one on the next call. The call in flight is tried once more, so the
/// command still succeeds — here the daemon is frozen, a read starts, and the daemon is
/// killed under it.
#[test]
fn a_keyring_that_dies_mid_call_is_replaced_and_the_call_tried_again() {
    let out = in_session(
        r#"set -u
        printf 'canary-secret\n' | "$LATCHKEY" profile add m --preset majora --client-id id --client-secret-stdin || exit 90
        pid=$LATCHKEY_KEYRING_DAEMON_PID
        kill -STOP "$pid"
        LATCHKEY_KEYRING_TIMEOUT_MS=20000 "$LATCHKEY" export ocarina-config m --with-secret > "$LATCHKEY_CONFIG_DIR/out" &
        reader=$!
        sleep 1
        kill -KILL "$pid"
        wait "$reader"; echo "exit=$?"
        grep -c canary-secret "$LATCHKEY_CONFIG_DIR/out""#,
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stdout.contains("exit=0"), "stdout: {stdout}\nstderr: {stderr}");
    assert!(stdout.lines().any(|l| l.trim() == "1"), "the secret was not read after the restart: {stdout}\n{stderr}");
    assert!(stderr.contains("restarted"), "the daemon was not replaced: {stderr}");
}

/// Issue 35, item 7: the Secret Service session is the plain one, so a session bus
/// reached over TCP would carry secrets in the clear: Latchkey refuses it in words,
/// and nothing connects to it.
#[cfg(target_os = "linux")]
#[test]
fn a_session_bus_over_tcp_carries_no_secret() {
    let bus = std::net::TcpListener::bind(("127.0.0.1", 0)).unwrap();
    bus.set_nonblocking(true).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_latchkey"))
        .args(["profile", "add", "m", "--preset", "majora", "--client-id", "id", "--client-secret-stdin"])
        .env("LATCHKEY_CONFIG_DIR", dir.path())
        .env("DBUS_SESSION_BUS_ADDRESS", format!("tcp:host=127.0.0.1,port={}", bus.local_addr().unwrap().port()))
        .env("LATCHKEY_KEYRING_TIMEOUT_MS", "3000")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), b"canary-secret\n").unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(5), "{stderr}");
    assert!(stderr.contains("reached over `tcp:`") && stderr.contains("in the clear"), "{stderr}");
    assert!(bus.accept().is_err(), "something connected to the TCP bus");
}
