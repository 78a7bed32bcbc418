//! What the webview can learn, and what is left behind: after a real sign-in, every IPC
//! command is called from the main window and its output searched for the tokens and
//! the client secret; then the config dir, the logs and every process's command line.
//! Also: only the main window has a capability, and it holds no shell or fs plugin.

#[path = "../../support/mod.rs"]
mod support;

use latchkey_e2e::drive::blocking;
use latchkey_e2e::Desktop;
use serde_json::{json, Value};
use support::{server, AuthServer, Cli, User};

/// Every command the app registers (the one list, ipc/src/commands/list.rs).
fn all_commands() -> Vec<String> {
    latchkey_ipc::commands::NAMES.iter().map(|c| c.to_string()).collect()
}

/// The capabilities the app was built with: what tauri-build resolved from
/// src-tauri/build.rs (the build the other tests launch writes this file).
#[test]
fn only_the_main_window_has_a_capability_and_no_shell_or_fs() {
    let built = support::repo_root().join("src-tauri/gen/schemas/capabilities.json");
    let caps: Value = serde_json::from_str(&std::fs::read_to_string(&built).unwrap()).unwrap();
    let caps = caps.as_object().unwrap();
    assert_eq!(caps.keys().collect::<Vec<_>>(), ["main-window"], "{caps:?}");
    let cap = &caps["main-window"];
    assert_eq!(cap["windows"], json!(["main"]), "a capability names other windows: {cap}");
    let granted: Vec<&str> = cap["permissions"].as_array().unwrap().iter().map(|p| p.as_str().unwrap()).collect();
    for p in &granted {
        assert!(!p.starts_with("shell:") && !p.starts_with("fs:") && !p.starts_with("opener:"), "{p}");
    }
    let mut want = vec!["core:event:allow-listen".to_string(), "core:event:allow-unlisten".to_string()];
    want.extend(all_commands().iter().map(|c| format!("allow-{}", c.replace('_', "-"))));
    assert_eq!(granted, want, "the main window is granted other than the listed commands");
    let conf: Value =
        serde_json::from_str(&std::fs::read_to_string(support::repo_root().join("src-tauri/tauri.conf.json")).unwrap())
            .unwrap();
    let csp = conf["app"]["security"]["csp"].as_str().unwrap();
    let directive = |name: &str| {
        csp.split(';').map(str::trim).find(|d| d.starts_with(name)).map(|d| d[name.len()..].trim().to_string())
    };
    assert_eq!(directive("script-src").as_deref(), Some("'self'"), "remote or inline scripts allowed: {csp}");
    assert_eq!(directive("default-src").as_deref(), Some("'self'"), "{csp}");
}

#[tokio::test(flavor = "multi_thread")]
async fn no_command_returns_a_secret_and_none_is_left_behind() {
    let server = server();
    let app = Desktop::launch(&[]).await;
    for (k, v) in app.env() {
        if k == "DBUS_SESSION_BUS_ADDRESS" {
            std::env::set_var(k, v); // read the app's keyring as an oracle
        }
    }
    let cli = Cli::in_dir(app.session.config_dir(), app.env());
    let client = blocking(|| cli.add_majora(server, "p", 3600));
    let out = blocking(|| cli.login_paste("p", &User::new()));
    assert!(out.status.success(), "{}", support::describe(&out));
    let tokens = blocking(|| cli.stored_tokens("p").unwrap());
    let secrets = [
        tokens.access_token.expose().to_string(),
        tokens.refresh_token.as_ref().unwrap().expose().to_string(),
        client.secret.clone(),
    ];

    let calls: Vec<(&str, Value)> = vec![
        ("app_status", json!({})),
        ("list_presets", json!({})),
        ("ui_ready", json!({})),
        ("list_profiles", json!({})),
        ("preview_profile", json!({"name": "p"})),
        ("preview_server", json!({"server": {"preset": "majora-test", "baseUrl": server.base()}})),
        (
            "add_profile",
            json!({"input": {"name": "other", "server": {"preset": "majora-test", "baseUrl": server.base()}}}),
        ),
        ("register_client", json!({"name": "other"})),
        ("set_client", json!({"name": "other", "clientId": client.id, "clientSecret": client.secret})),
        ("check_credentials", json!({"name": "other"})),
        ("set_scopes", json!({"name": "other", "scopes": ["read"]})),
        ("set_redirect_uri", json!({"name": "other", "redirectUri": server.callback_uri()})),
        ("open_registration_page", json!({"name": "other"})),
        ("start_sign_in", json!({"name": "other", "method": "paste"})),
        ("complete_sign_in", json!({"name": "other", "pasted": "not-a-code!"})),
        ("cancel_sign_in", json!({"name": "other"})),
        ("forget_browser_session", json!({"name": "other"})),
        ("set_ocarina_sync", json!({"name": "other", "enabled": false})),
        ("remove_profile", json!({"name": "other"})),
        ("refresh_profile", json!({"name": "p"})),
        ("test_access", json!({"name": "p", "url": server.url("/test/echo/"), "confirmed": false})),
        // The server's raw answer about the token (introspection) comes back to the window.
        ("check_identity", json!({"name": "p"})),
        ("copy_token", json!({"name": "p"})),
        ("copy_text", json!({"text": "hello"})),
        ("get_settings", json!({})),
        ("set_renew_at", json!({"percent": 75})),
        ("set_start_at_login", json!({"enabled": false})),
        // The token file for tools: on (written outside the config dir), then off (gone).
        ("set_token_file_profile", json!({"profile": "p"})),
        ("set_token_file_profile", json!({"profile": null})),
        ("about", json!({})),
        ("diagnostics", json!({})),
        // A server without the device flow: refused in words, nothing secret in them.
        ("start_device_sign_in", json!({"name": "p"})),
        ("sign_out", json!({"name": "p"})),
    ];
    let covered: Vec<String> = calls.iter().map(|(c, _)| c.to_string()).collect();
    for command in all_commands() {
        assert!(covered.contains(&command), "command `{command}` is not checked here: add it");
    }

    // The tokens change as the walk refreshes: collect every value they take.
    let mut secrets = secrets.to_vec();
    let mut outputs = String::new();
    for (command, args) in &calls {
        if *command == "test_access" || *command == "check_identity" || *command == "sign_out" {
            let now = blocking(|| cli.stored_tokens("p").unwrap());
            secrets.push(now.access_token.expose().to_string());
            secrets.push(now.refresh_token.as_ref().unwrap().expose().to_string());
        }
        let result = app
            .client
            .execute_async(
                "const [cmd, args, done] = arguments; \
                 window.__TAURI_INTERNALS__.invoke(cmd, args).then(ok => done({ok}), err => done({err}));",
                vec![json!(command), args.clone()],
            )
            .await
            .unwrap_or_else(|e| panic!("{command}: {e}"));
        if *command == "test_access" {
            assert!(result["ok"]["body"].as_str().unwrap().contains("Bearer [token]"), "{result}");
        }
        outputs.push_str(&format!("{command}: {result}\n"));
    }
    for secret in &secrets {
        assert!(!outputs.contains(secret.as_str()), "a secret reached the webview:\n{outputs}");
    }
    assert!(outputs.contains("list_profiles: {\"ok\""), "{outputs}");

    // Nothing left behind: config dir, logs, command lines.
    let files = cli.all_files_text();
    let mut cmdlines = String::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        if let Ok(bytes) = std::fs::read(entry.path().join("cmdline")) {
            cmdlines.push_str(&String::from_utf8_lossy(&bytes));
        }
    }
    for secret in &secrets {
        assert!(!files.contains(secret.as_str()), "a secret is in the config dir or logs");
        assert!(!cmdlines.contains(secret.as_str()), "a secret is on a command line");
    }

    // A name that would walk out of the browser-data directory deletes nothing.
    let victim = cli.config_dir().join("victim");
    std::fs::create_dir_all(victim.join("keep")).unwrap();
    let result = app
        .client
        .execute_async(
            "const [args, done] = arguments; \
             window.__TAURI_INTERNALS__.invoke('forget_browser_session', args).then(ok => done({ok}), err => done({err}));",
            vec![json!({"name": "../../victim"})],
        )
        .await
        .unwrap();
    assert_eq!(result["err"]["code"], "invalid-profile-name", "{result}");
    assert!(victim.join("keep").exists(), "forget_browser_session deleted a directory outside its own");
    app.shutdown().await;
}
