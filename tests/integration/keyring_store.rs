//! The real Secret Service (run under `tests/support/with-keyring`): a secret written
//! through the `keyring` crate reads back, is namespaced per store, and deletes.

use latchkey_engine::Paths;
use latchkey_engine::{
    testing::{Keyring, SecretKind},
    Secret,
};

#[test]
fn stores_reads_and_deletes_a_secret() {
    let dir = tempfile::tempdir().unwrap();
    let paths = Paths::in_dir(dir.path().to_path_buf());
    let keyring = Keyring::new(paths.keyring_service());
    assert_eq!(keyring.get("p1", SecretKind::ClientSecret).unwrap(), None);
    keyring.set("p1", SecretKind::ClientSecret, &Secret::new("s3cret-value")).unwrap();
    let back = keyring.get("p1", SecretKind::ClientSecret).unwrap().unwrap();
    assert_eq!(back.expose(), "s3cret-value");

    // Another store (another config dir) does not see it.
    let other_dir = tempfile::tempdir().unwrap();
    let other = Keyring::new(Paths::in_dir(other_dir.path().to_path_buf()).keyring_service());
    assert_eq!(other.get("p1", SecretKind::ClientSecret).unwrap(), None);

    keyring.delete("p1", SecretKind::ClientSecret).unwrap();
    assert_eq!(keyring.get("p1", SecretKind::ClientSecret).unwrap(), None);
    keyring.delete("p1", SecretKind::ClientSecret).unwrap();
}

#[test]
fn no_secret_service_is_a_clear_error_not_a_fallback() {
    // Run a child copy of this test binary with no session bus at all.
    if std::env::var_os("LATCHKEY_TEST_NO_BUS").is_some() {
        let keyring = Keyring::new("latchkey-test-nobus");
        let err = keyring.set("p", SecretKind::Tokens, &Secret::new("x")).unwrap_err();
        assert_eq!(err.code(), "keyring-unavailable", "{err}");
        assert_eq!(err.exit_code(), 5);
        return;
    }
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "no_secret_service_is_a_clear_error_not_a_fallback", "--nocapture"])
        .env("LATCHKEY_TEST_NO_BUS", "1")
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
}

#[test]
fn cli_without_a_keyring_exits_5_and_writes_nothing_in_plaintext() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str], stdin: &str| {
        use std::io::Write;
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_latchkey"))
            .args(args)
            .env("LATCHKEY_CONFIG_DIR", dir.path())
            .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
        child.wait_with_output().unwrap()
    };
    let out = run(
        &["profile", "add", "m", "--preset", "majora", "--client-id", "id", "--client-secret-stdin"],
        "plaintext-canary\n",
    );
    assert_eq!(out.status.code(), Some(5), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("keyring unavailable") && stderr.contains("never stores secrets in plain files"),
        "{stderr}"
    );
    // Nothing was added, and the secret is nowhere on disk.
    let list = run(&["profile", "list", "--json"], "");
    assert_eq!(String::from_utf8_lossy(&list.stdout).trim(), "[]");
    let grep = std::process::Command::new("grep").args(["-r", "plaintext-canary"]).arg(dir.path()).output().unwrap();
    assert!(grep.stdout.is_empty(), "secret written to disk");

    run(&["profile", "add", "m", "--preset", "majora"], "");
    let out = run(&["token", "m"], "");
    assert_eq!(out.status.code(), Some(5), "{out:?}");
}
