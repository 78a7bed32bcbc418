//! TLS trusts the operating system's store, not a bundle compiled in: an https issuer
//! whose certificate comes from a private CA (an institution's own, or a TLS-inspecting
//! proxy's) is refused until that CA is trusted — in the system store (`SSL_CERT_FILE`,
//! as OpenSSL reads it) or in Latchkey's extra-CA setting.

use crate::support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use support::{describe, repo_root, Cli};

#[test]
fn a_private_ca_is_refused_until_trusted() {
    let pki = tempfile::tempdir().unwrap();
    let root = repo_root().join("tests/server");
    let mut server = Command::new(root.join(".venv/bin/python"))
        .arg(root.join("tls_metadata.py"))
        .arg(pki.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(server.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let port: u16 = line.trim().strip_prefix("READY ").expect("tls server started").parse().unwrap();
    let issuer = format!("https://127.0.0.1:{port}/");
    let ca = pki.path().join("ca.pem");
    let add = |cli: &Cli, name: &str, env: &[(&str, &str)]| {
        let mut c = cli.command();
        c.args(["profile", "add", name, "--preset", "generic", "--issuer", &issuer]).envs(env.iter().copied());
        c.stdin(Stdio::null()).output().unwrap()
    };

    let cli = Cli::new();
    // An empty trust store stands for a system without the institution's CA.
    let empty = pki.path().join("empty.pem");
    std::fs::write(&empty, "").unwrap();
    let refused = add(&cli, "untrusted", &[("SSL_CERT_FILE", empty.to_str().unwrap())]);
    assert_eq!(refused.status.code(), Some(4), "{}", describe(&refused));
    let text = String::from_utf8_lossy(&refused.stderr);
    assert!(text.contains("certificate"), "the error does not say why: {text}");

    // The CA in the system's store (SSL_CERT_FILE): accepted.
    let trusted = add(&cli, "system", &[("SSL_CERT_FILE", ca.to_str().unwrap())]);
    assert!(trusted.status.success(), "{}", describe(&trusted));

    // The CA in Latchkey's extra-CA setting: accepted, with no environment at all.
    let bad = cli.run(&["settings", "--extra-ca-file", pki.path().join("missing.pem").to_str().unwrap()], "");
    assert_eq!(bad.status.code(), Some(1), "{}", describe(&bad));
    let refused = add(&cli, "before", &[("SSL_CERT_FILE", empty.to_str().unwrap())]);
    assert_eq!(refused.status.code(), Some(4));
    cli.ok(&["settings", "--extra-ca-file", ca.to_str().unwrap()], "");
    let trusted = add(&cli, "extra", &[("SSL_CERT_FILE", empty.to_str().unwrap())]);
    assert!(trusted.status.success(), "{}", describe(&trusted));
    let shown = cli.ok(&["settings"], "");
    assert!(shown.contains("extra-ca-file") && shown.contains("ca.pem"), "{shown}");

    // The CA a lab's policy names (issue 38): trusted for a person who set nothing, and
    // theirs to keep: turning it off is refused.
    let lab = Cli::new();
    std::fs::create_dir_all(lab.system_dir()).unwrap();
    let policy = lab.system_dir().join("policy.toml");
    std::fs::write(&policy, format!("extra_ca_file = {:?}\n", ca.to_str().unwrap())).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(lab.system_dir(), std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::set_permissions(&policy, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    let trusted = add(&lab, "lab", &[("SSL_CERT_FILE", empty.to_str().unwrap())]);
    assert!(trusted.status.success(), "{}", describe(&trusted));
    let out = lab.run(&["settings", "--no-extra-ca-file"], "");
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    let _ = server.kill();
    let _ = server.wait();
}
