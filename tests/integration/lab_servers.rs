//! Servers a lab provides (issue 38): a TOML file in the system folder's `servers.d`
//! with a public client the admin registered, and a person who adds it by its id and signs
//! in with no registration step, against the real django-oauth-toolkit server.

use crate::support;

use support::{describe, generic_server as server, Cli, User};

fn write_server(cli: &Cli, id: &str, text: &str) -> std::path::PathBuf {
    let dir = cli.system_dir().join("servers.d");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{id}.toml"));
    std::fs::write(&path, text).unwrap();
    // As an admin leaves them, whatever this machine's umask: others may read, not write.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    path
}

#[test]
fn a_lab_server_with_a_public_client_is_added_by_its_id_and_signs_in_with_no_registration() {
    let server = server();
    let cli = Cli::new();
    let client_id = server.create_public_client(&["http://127.0.0.1/callback"]);
    let issuer = server.base().trim_end_matches('/').to_string();
    let ours = write_server(
        &cli,
        "our-lab",
        &format!(
            "title = \"Our lab's data server\"\nabout = \"Sign in with your lab account.\"\nkind = \"generic\"\n\
             address = \"{issuer}\"\nclient_id = \"{client_id}\"\nredirect_uri = \"http://127.0.0.1/callback\"\n\
             scopes = [\"read\"]\n"
        ),
    );
    let broken = write_server(
        &cli,
        "leaky",
        &format!("title = \"Leaky\"\nkind = \"generic\"\naddress = \"{issuer}\"\nclient_secret = \"s3cret\"\n"),
    );

    // Listed first, with where it came from; the refused file is named with its line, and
    // its secret is never repeated.
    let out = cli.run(&["profile", "presets"], "");
    assert!(out.status.success(), "{}", describe(&out));
    let listed = String::from_utf8_lossy(&out.stdout);
    let first = listed.lines().next().unwrap();
    assert_eq!(first, format!("our-lab\tOur lab's data server\t{}", ours.display()));
    assert!(listed.contains("majora\tCOG-UK Majora\tbuilt in"), "{listed}");
    let warned = String::from_utf8_lossy(&out.stderr);
    assert!(warned.contains(&format!("{}, line 4: `client_secret` is refused", broken.display())), "{warned}");
    assert!(!warned.contains("s3cret") && !listed.contains("leaky"), "{warned}{listed}");
    let json: serde_json::Value = serde_json::from_str(&cli.ok(&["profile", "presets", "--json"], "")).unwrap();
    assert_eq!(json[0]["has_client"], true);
    assert_eq!(json[1]["file"], serde_json::Value::Null);

    // Added by its id: the file's client, scopes and redirect URI; the next step is to sign in.
    let out = cli.run(&["profile", "add", "lab", "--preset", "our-lab"], "");
    assert!(out.status.success(), "{}", describe(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Next: latchkey login lab"), "{}", describe(&out));
    let list: serde_json::Value = serde_json::from_str(&cli.ok(&["profile", "list", "--json"], "")).unwrap();
    assert_eq!(list[0]["client_id"], client_id.as_str());
    assert_eq!(list[0]["scopes"], serde_json::json!(["read"]));

    // Signed in with PKCE and no secret; a renewal works the same way.
    let mut login = cli.start_login("lab", "--browser");
    let url = login.line_starting("http");
    let redirect = User::new().authorize(&url, true);
    let out = login.finish_at_loopback(&redirect);
    assert!(out.status.success(), "{}", describe(&out));
    assert!(!cli.ok(&["token", "lab"], "").trim().is_empty());
    let out = cli.run(&["refresh", "lab", "--force"], "");
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(server.grant_count(&client_id, "authorization_code"), 1);
    assert_eq!(server.grant_count(&client_id, "refresh_token"), 1);

    // An id no file gives, and a file that was refused, each said in words.
    let out = cli.run(&["profile", "add", "x", "--preset", "nope"], "");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no server has the id `nope`"), "{}", describe(&out));
    let out = cli.run(&["profile", "add", "y", "--preset", "leaky"], "");
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("the server file for `leaky` was refused") && said.contains("line 4"), "{said}");
}

#[test]
fn the_admin_prints_a_servers_link_and_a_person_adds_it_with_that_link_alone() {
    let cli = Cli::new();
    let text = "title = \"Our lab's data server\"\nabout = \"Sign in with your lab account.\"\nkind = \"majora\"\n\
                address = \"https://majora.lab.example.org/\"\nclient_id = \"latchkey-lab\"\ntasks = [\"upload\"]\n";
    let installed = write_server(&cli, "our-lab", text);
    // By its id, or by a draft file's path before it is installed: the same link.
    let link = cli.ok(&["profile", "link", "our-lab"], "").trim().to_string();
    assert!(link.starts_with("latchkey://add?id=our-lab&title=Our+lab%27s+data+server&"), "{link}");
    let draft = tempfile::tempdir().unwrap();
    let draft_file = draft.path().join("our-lab.toml");
    std::fs::copy(&installed, &draft_file).unwrap();
    assert_eq!(cli.ok(&["profile", "link", draft_file.to_str().unwrap()], "").trim(), link);

    // On another computer (no server files): the link alone adds the server, as its file would.
    std::fs::remove_dir_all(cli.system_dir()).unwrap();
    let out = cli.run(&["profile", "add", "lab", "--link", &link], "");
    assert!(out.status.success(), "{}", describe(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Next: latchkey login lab"), "{}", describe(&out));
    let list: serde_json::Value = serde_json::from_str(&cli.ok(&["profile", "list", "--json"], "")).unwrap();
    assert_eq!(list[0]["client_id"], "latchkey-lab");
    assert_eq!(list[0]["preset"], "majora");
    assert_eq!(list[0]["scopes"], serde_json::json!(latchkey_engine::majora_task_scopes(&["upload"]).unwrap()));

    // A link with a secret, an address in the clear or a field no link carries adds nothing.
    for (bad, words) in [
        (format!("{link}&client_secret=s3cret"), "no place for one"),
        (link.replace("https%3A%2F%2Fmajora", "http%3A%2F%2Fmajora"), "use https://"),
        (format!("{link}&homepage=x"), "does not carry"),
    ] {
        let out = cli.run(&["profile", "add", "other", "--link", &bad], "");
        assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(said.contains("This link was refused: ") && said.contains(words), "{said}");
        assert!(!said.contains("s3cret"), "{said}");
    }
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&cli.ok(&["profile", "list", "--json"], ""))
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // An id no file gives is said in words.
    let out = cli.run(&["profile", "link", "nope"], "");
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("no server has the id `nope`: `latchkey profile presets` lists them"),
        "{}",
        describe(&out)
    );
}

/// Majora's shape (django-oauth-toolkit 1.4.1, as Majora runs it): one public client the
/// lab's admin registered with Majora's own callback page serves everyone, with PKCE and
/// no secret, a sign-in and a renewal alike (what docs/admins.md tells an admin to do).
#[test]
fn one_public_client_on_majora_serves_the_whole_lab() {
    let server = support::server();
    let cli = Cli::new();
    let client_id = server.create_public_client(&[&server.callback_uri()]);
    write_server(
        &cli,
        "cog",
        &format!(
            "title = \"COG-UK Majora\"\nkind = \"majora\"\naddress = \"{}\"\nclient_id = \"{client_id}\"\n\
             tasks = [\"upload\"]\n",
            server.base()
        ),
    );
    let out = cli.run(&["profile", "add", "lab", "--preset", "cog"], "");
    assert!(out.status.success(), "{}", describe(&out));
    let out = cli.login_paste("lab", &User::new());
    assert!(out.status.success(), "{}", describe(&out));
    let out = cli.run(&["refresh", "lab", "--force"], "");
    assert!(out.status.success(), "{}", describe(&out));
    assert!(!cli.ok(&["token", "lab"], "").trim().is_empty());
    assert_eq!(server.grant_count(&client_id, "authorization_code"), 1);
    assert_eq!(server.grant_count(&client_id, "refresh_token"), 1);
}
