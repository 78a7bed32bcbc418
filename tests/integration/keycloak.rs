//! Keycloak — the login server behind many research and institutional single sign-ons —
//! through the same scenario as the other servers: OpenID discovery of a realm issuer
//! (`/realms/NAME`), sign-in by paste with RFC 9207 `iss`, `offline_access` → an offline
//! refresh token, rotation with reuse detection ("revoke refresh token"), eight
//! concurrent `token` calls at expiry with one refresh and the session alive after, JWTs
//! of a kilobyte and more stored and served (also by the token agent), and revocation at
//! logout; client registration with an administrator's initial access token (and the
//! realm's refusal without one), the device flow, a loopback sign-in on any port, and
//! remove revoking the session and deleting the registered client. The realm is
//! tests/keycloak/latchkey-realm.json.

use crate::support;

use crate::keycloak_server as keycloak;

use std::sync::OnceLock;

use keycloak::{Keycloak, KeycloakUser, CLIENT_ID, CLIENT_SECRET};
use support::{describe, AuthServer, Cli};

fn kc() -> &'static Keycloak {
    static KC: OnceLock<Keycloak> = OnceLock::new();
    KC.get_or_init(Keycloak::start)
}

/// A profile on the realm's own client (tests/keycloak/latchkey-realm.json), with `extra`
/// arguments to `profile add`.
fn add_realm_client(cli: &Cli, name: &str, scopes: &str, extra: &[&str]) {
    let issuer = kc().issuer();
    let mut args = vec!["profile", "add", name, "--preset", "generic", "--issuer", &issuer, "--client-id", CLIENT_ID];
    args.extend(["--client-secret-stdin", "--scopes", scopes]);
    args.extend(extra);
    cli.ok(&args, &format!("{CLIENT_SECRET}\n"));
}

fn signed_in(cli: &Cli, scopes: &str) -> latchkey_engine::TokenSet {
    add_realm_client(cli, "kc", scopes, &[]);
    let settings = std::fs::read_to_string(cli.config_dir().join("profiles.toml")).unwrap();
    assert!(settings.contains("latchkey://callback/kc"), "{settings}");
    let out = cli.login_paste_with("kc", |url| {
        let answer = KeycloakUser::new().authorize(url);
        assert!(answer.contains("iss="), "Keycloak sent no iss: {answer}");
        answer
    });
    assert!(out.status.success(), "{}", describe(&out));
    cli.stored_tokens("kc").unwrap()
}

#[test]
fn realm_sign_in_offline_token_rotation_and_big_jwts() {
    let cli = Cli::new();
    let stored = signed_in(&cli, "openid offline_access email");
    let settings = std::fs::read_to_string(cli.config_dir().join("profiles.toml")).unwrap();
    assert!(settings.contains("/realms/latchkey"), "{settings}");
    assert!(settings.contains("authorization_response_iss = true"), "{settings}");
    let refresh = stored.refresh_token.clone().expect("no refresh token: offline_access was not granted");
    assert!(stored.scopes.iter().any(|s| s == "offline_access"), "{:?}", stored.scopes);
    assert!(stored.access_token.expose().len() > 1000, "expected a JWT of a kilobyte or more");
    assert!(kc().is_active(&keycloak::client(), stored.access_token.expose()));

    // The big token set is served as it is, from the keyring and from the agent.
    assert_eq!(cli.ok(&["token", "kc"], "").trim(), stored.access_token.expose());
    let agent = latchkey_engine::testing::Agent::bind(&latchkey_engine::Paths::in_dir(cli.config_dir())).unwrap();
    agent.serve_in_background().unwrap();
    assert_eq!(cli.ok(&["token", "kc"], "").trim(), stored.access_token.expose());

    // Rotation: a new refresh token, and the old one is refused at the server.
    cli.ok(&["refresh", "kc", "--force"], "");
    let rotated = cli.stored_tokens("kc").unwrap();
    assert_ne!(rotated.refresh_token.as_ref(), Some(&refresh), "the refresh token did not rotate");
    assert!(kc().is_active(&keycloak::client(), rotated.access_token.expose()));
    assert!(cli.ok(&["status", "kc"], "").contains("fresh"));

    // Logout revokes: the session's tokens are dead at the server.
    let out = cli.run(&["logout", "kc"], "");
    assert!(out.status.success(), "{}", describe(&out));
    assert!(!kc().is_active(&keycloak::client(), rotated.access_token.expose()), "the access token outlived logout");
    assert_ne!(
        kc().try_refresh(&keycloak::client(), rotated.refresh_token.as_ref().unwrap().expose()),
        200,
        "the refresh token outlived logout"
    );
}

#[test]
fn eight_callers_at_expiry_one_refresh_and_the_session_survives() {
    let cli = Cli::new();
    signed_in(&cli, "openid offline_access");
    // The realm's client issues 60 s access tokens: wait until they are due.
    std::thread::sleep(std::time::Duration::from_secs(50));
    let handles: Vec<_> = (0..8)
        .map(|_| {
            let mut c = cli.command();
            c.args(["token", "kc"]);
            std::thread::spawn(move || c.output().unwrap())
        })
        .collect();
    let outs: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    for out in &outs {
        assert!(out.status.success(), "{}", describe(out));
    }
    let printed: std::collections::HashSet<_> = outs.iter().map(|o| o.stdout.clone()).collect();
    assert_eq!(printed.len(), 1, "the callers got different tokens (more than one refresh)");
    // With "revoke refresh token" on, a second refresh with a rotated token would have
    // ended the session; it is alive.
    let out = cli.run(&["refresh", "kc", "--force"], "");
    assert!(out.status.success(), "the session did not survive: {}", describe(&out));
    assert!(kc().is_active(&keycloak::client(), cli.stored_tokens("kc").unwrap().access_token.expose()));
}

#[test]
fn a_foreign_iss_is_refused() {
    let cli = Cli::new();
    add_realm_client(&cli, "kc", "openid", &[]);
    let out = cli.login_paste_with("kc", |url| {
        let answer = KeycloakUser::new().authorize(url);
        let ours =
            format!("iss={}", url::form_urlencoded::byte_serialize(kc().issuer().as_bytes()).collect::<String>());
        assert!(answer.contains(&ours), "{answer}");
        answer.replace(&ours, "iss=http%3A%2F%2F127.0.0.1%3A1%2Frealms%2Flatchkey")
    });
    assert_eq!(out.status.code(), Some(3), "{}", describe(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("RFC 9207"), "{}", describe(&out));
    assert!(cli.stored_tokens("kc").is_none());
}

#[test]
fn registers_only_with_an_initial_access_token_and_remove_deletes_the_client() {
    let cli = Cli::new();
    cli.ok(
        &[
            "profile",
            "add",
            "reg",
            "--preset",
            "generic",
            "--issuer",
            &kc().issuer(),
            "--scopes",
            "openid offline_access",
        ],
        "",
    );
    // The realm's "Trusted Hosts" policy refuses anonymous registration.
    let out = cli.run(&["register", "reg"], "");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{}", describe(&out));
    assert!(err.contains("only with an initial access token") && err.contains("--initial-access-token-stdin"), "{err}");

    let token = kc().initial_access_token();
    cli.ok(&["register", "reg", "--initial-access-token-stdin"], &format!("{token}\n"));
    let list: serde_json::Value = serde_json::from_str(&cli.ok(&["profile", "list", "--json"], "")).unwrap();
    let client_id = list[0]["client_id"].as_str().expect("a registered client id").to_string();
    assert!(kc().has_client(&client_id));
    assert!(!cli.all_files_text().contains(&token), "the initial access token was written to a file");
    // Used up: a second registration with it is refused, and says so.
    let out = cli.run(&["register", "reg", "--initial-access-token-stdin"], &format!("{token}\n"));
    assert!(String::from_utf8_lossy(&out.stderr).contains("refused the initial access token"), "{}", describe(&out));

    // The registered client signs in with offline_access.
    let out = cli.login_paste_with("reg", |url| KeycloakUser::new().authorize(url));
    assert!(out.status.success(), "{}", describe(&out));
    let stored = cli.stored_tokens("reg").unwrap();
    assert!(stored.refresh_token.is_some(), "no offline token for the registered client");
    assert!(kc().is_active(&keycloak::client(), stored.access_token.expose()));

    // Remove revokes the session and deletes the client (RFC 7592).
    let out = cli.run(&["profile", "remove", "reg"], "");
    assert!(out.status.success(), "{}", describe(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("client registration deleted"), "{}", describe(&out));
    assert!(!kc().has_client(&client_id), "the registered client outlived remove");
    assert!(!kc().is_active(&keycloak::client(), stored.access_token.expose()), "the access token outlived remove");
}

#[test]
fn device_flow_gets_an_offline_token() {
    let cli = Cli::new();
    add_realm_client(&cli, "kc", "openid offline_access", &[]);
    let mut login = cli.start_login("kc", "--device");
    let complete = login.line_starting("(or open ").trim_start_matches("(or open ").trim_end_matches(')').to_string();
    KeycloakUser::new().approve_device(&complete);
    let out = login.finish();
    assert!(out.status.success(), "{}", describe(&out));
    let stored = cli.stored_tokens("kc").unwrap();
    assert!(stored.refresh_token.is_some(), "the device sign-in gave no offline token");
    assert!(kc().is_active(&keycloak::client(), stored.access_token.expose()));
}

#[test]
fn browser_sign_in_caught_on_a_loopback_port() {
    let cli = Cli::new();
    add_realm_client(&cli, "lb", "openid offline_access", &["--redirect-uri", "http://127.0.0.1/callback"]);
    let mut login = cli.start_login("lb", "--browser");
    let url = login.line_starting("http");
    let redirect = KeycloakUser::new().authorize(&url);
    assert!(redirect.contains("iss="), "{redirect}");
    let out = login.finish_at_loopback(&redirect);
    assert!(out.status.success(), "{}", describe(&out));
    assert!(cli.stored_tokens("lb").unwrap().refresh_token.is_some());
}

/// Issue 38: one public client a realm administrator made for the whole lab (no secret,
/// PKCE required), named in a server file: a person adds it by its id and signs in.
#[test]
fn a_labs_public_client_in_a_server_file_signs_in_with_pkce_and_no_secret() {
    kc().create_public_client("latchkey-lab");
    let cli = Cli::new();
    let dir = cli.system_dir().join("servers.d");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("our-lab.toml");
    std::fs::write(
        &file,
        format!(
            "title = \"Our lab\"\nkind = \"generic\"\naddress = \"{}\"\nclient_id = \"latchkey-lab\"\n\
             redirect_uri = \"http://127.0.0.1/callback\"\nscopes = [\"openid\", \"offline_access\"]\n",
            kc().issuer()
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for (p, mode) in [(cli.system_dir(), 0o755), (dir.clone(), 0o755), (file.clone(), 0o644)] {
            std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
        }
    }
    let out = cli.run(&["profile", "add", "lab", "--preset", "our-lab"], "");
    assert!(out.status.success(), "{}", describe(&out));
    let mut login = cli.start_login("lab", "--browser");
    let url = login.line_starting("http");
    assert!(url.contains("code_challenge_method=S256"), "{url}");
    let redirect = KeycloakUser::new().authorize(&url);
    let out = login.finish_at_loopback(&redirect);
    assert!(out.status.success(), "{}", describe(&out));
    assert!(cli.stored_tokens("lab").unwrap().refresh_token.is_some());
    let out = cli.run(&["refresh", "lab", "--force"], "");
    assert!(out.status.success(), "a public client renews too: {}", describe(&out));
}
