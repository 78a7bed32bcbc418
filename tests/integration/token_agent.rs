//! The token agent against the real Secret Service: `latchkey token` is answered from the
//! agent's memory when its copy is the write in force, and from the keyring otherwise —
//! never with tokens a renewal has replaced.

use crate::support;

use latchkey_engine::testing::Agent;
use latchkey_engine::Paths;
use support::{describe, server, Cli, User};

/// The agent's answer is the access token and its expiry, never the refresh token; its
/// directory is the user's alone; a process of another user gets nothing, even past the
/// directory (the agent checks the peer's uid).
#[test]
#[allow(unsafe_code)] // geteuid, to skip where setpriv cannot switch users
fn the_agent_answers_only_its_user_and_never_with_the_refresh_token() {
    use std::io::{BufRead, BufReader, Write};
    use std::os::unix::fs::PermissionsExt;
    let server = server();
    let dir = tempfile::tempdir().unwrap();
    let cli = Cli::in_dir(dir.path().to_path_buf(), vec![]);
    cli.add_majora(server, "agent", 3600);
    assert!(cli.login_paste("agent", &User::new()).status.success());
    let stored = cli.stored_tokens("agent").unwrap();
    let paths = Paths::in_dir(cli.config_dir());
    let agent = Agent::bind(&paths).unwrap();
    let socket = paths.agent_socket();
    agent.serve_in_background().unwrap();
    let socket_dir = socket.parent().unwrap();
    assert_eq!(std::fs::metadata(socket_dir).unwrap().permissions().mode() & 0o777, 0o700);

    let ask_raw = || {
        let mut s = std::os::unix::net::UnixStream::connect(&socket).unwrap();
        s.write_all(b"fresh agent\n").unwrap();
        let mut line = String::new();
        BufReader::new(&s).read_line(&mut line).unwrap();
        line
    };
    let answer = ask_raw();
    assert!(answer.contains(stored.access_token.expose()), "the agent did not answer: {answer:?}");
    let refresh = stored.refresh_token.as_ref().unwrap().expose();
    assert!(!answer.contains(refresh), "the refresh token went over the socket");
    assert!(!answer.contains("refresh_token\":\""), "{answer}");

    // Another user (CI runs as root, so `setpriv` can be nobody): the directory stops it;
    // opened up, the agent's own uid check still answers nothing.
    if unsafe { libc::geteuid() } != 0 {
        eprintln!("not root: the other-user part of this test needs setpriv as root");
        return;
    }
    let as_nobody = || {
        let script = format!(
            "import socket,sys\ns=socket.socket(socket.AF_UNIX)\ntry:\n s.connect({:?})\nexcept OSError as e:\n print('refused:', e.errno); sys.exit(0)\ntry:\n s.sendall(b'fresh agent\\n')\n print('answer:', s.recv(65536))\nexcept OSError as e:\n print('closed:', e.errno)\n",
            socket.to_str().unwrap()
        );
        // Debian's python3: the developer's own (pyenv under /root) is not for nobody.
        let out = std::process::Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/python3", "-c", &script])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", describe(&out));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let blocked = as_nobody();
    assert!(blocked.starts_with("refused:"), "{blocked}");
    // Open every directory on the way, and the socket itself.
    let opened: Vec<&std::path::Path> = socket.ancestors().skip(1).take_while(|d| d.starts_with(dir.path())).collect();
    let mode = |p: &std::path::Path, m: u32| std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap();
    for d in &opened {
        mode(d, 0o755);
    }
    mode(&socket, 0o666);
    let past_the_dir = as_nobody();
    for d in &opened {
        mode(d, 0o700);
    }
    assert!(!past_the_dir.contains(stored.access_token.expose()), "another user got the token: {past_the_dir}");
    assert!(
        past_the_dir.starts_with("answer: b''") || past_the_dir.starts_with("closed:"),
        "the uid check was not reached: {past_the_dir}"
    );
    assert!(ask_raw().contains(stored.access_token.expose()), "the agent stopped answering its own user");
}

/// Issue 37, item 2: when the agent has nothing to vouch for, `latchkey token` reads the
/// keyring having asked it once — not a second time through the full path.
#[test]
fn an_agent_miss_is_asked_once() {
    use std::io::{BufRead, BufReader, Write};
    let server = server();
    let cli = Cli::new();
    cli.add_majora(server, "miss", 3600);
    assert!(cli.login_paste("miss", &User::new()).status.success());
    // An agent that answers every question with "nothing to vouch for", and counts them.
    let socket = Paths::in_dir(cli.config_dir()).agent_socket();
    std::fs::create_dir_all(socket.parent().unwrap()).unwrap();
    let _ = std::fs::remove_file(&socket);
    let listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
    let asked = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = asked.clone();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut line = String::new();
            let _ = BufReader::new(&stream).read_line(&mut line);
            if line.starts_with("fresh ") {
                counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            }
            let _ = stream.write_all(b"\n");
        }
    });
    let out = cli.run(&["token", "miss"], "");
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(asked.load(std::sync::atomic::Ordering::SeqCst), 1, "the agent was asked more than once");
}
