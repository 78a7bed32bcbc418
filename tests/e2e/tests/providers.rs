//! The desktop app against a certified OpenID Connect provider (node oidc-provider):
//! discovery, dynamic registration and one in-app-window sign-in, through the wizard as a
//! person does it; the Done page promises fresh tokens because a refresh token came
//! (`offline_access` with `prompt=consent`).

#[path = "../../support/keycloak.rs"]
mod keycloak;
#[path = "../../support/oidc.rs"]
mod oidc;
#[path = "../../support/mod.rs"]
mod support;

use std::time::Duration;

use latchkey_e2e::drive::{click, log_in_in_sign_in_window, wait_text};
use latchkey_e2e::{wait_until, Desktop};

#[tokio::test(flavor = "multi_thread")]
async fn wizard_discovers_registers_and_signs_in_with_oidc_provider() {
    let op = tokio::task::block_in_place(|| oidc::OidcProvider::start_with(3600, &[("OIDC_AUTO_LOGIN", "alice")]));
    let app = Desktop::launch(&[]).await;
    click(&app, "[data-testid=add-server]").await;
    click(&app, "[data-testid=server-generic]").await;
    let name = app.find("[data-testid=profile-name]").await;
    name.clear().await.unwrap();
    name.send_keys("op").await.unwrap();
    app.find("[data-testid=issuer]").await.send_keys(&op.issuer()).await.unwrap();
    click(&app, "[data-testid=next]").await;
    // The server registers clients itself: one button.
    click(&app, "[data-testid=register-now]").await;
    wait_text(&app, "[data-testid=scope-summary]", "offline_access").await;
    click(&app, "[data-testid=wizard-step-scopes] [data-testid=next]").await;
    click(&app, "[data-testid=sign-in-window]").await;
    let summary = wait_text(&app, "[data-testid=done-summary]", "signed in").await;
    assert!(summary.contains("keeps the token fresh"), "{summary}");
    assert!(wait_text(&app, "[data-testid=done-status]", "Fresh until").await.starts_with("Fresh until"));
    assert!(wait_until(Duration::from_secs(5), || app
        .session
        .log()
        .contains("sign-in window reached the redirect URI")));
    for (k, v) in app.env() {
        if k == "DBUS_SESSION_BUS_ADDRESS" {
            std::env::set_var(k, v); // read the app's keyring as an oracle
        }
    }
    let cli = support::Cli::in_dir(app.session.config_dir(), app.env());
    let tokens = tokio::task::block_in_place(|| cli.stored_tokens("op")).expect("tokens stored");
    assert!(tokens.refresh_token.is_some(), "no refresh token");
    app.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn wizard_signs_in_with_keycloak_in_the_app_window() {
    let kc = tokio::task::block_in_place(keycloak::Keycloak::start);
    let app = Desktop::launch(&[]).await;
    click(&app, "[data-testid=add-server]").await;
    click(&app, "[data-testid=server-generic]").await;
    let name = app.find("[data-testid=profile-name]").await;
    name.clear().await.unwrap();
    name.send_keys("kc").await.unwrap();
    app.find("[data-testid=issuer]").await.send_keys(&kc.issuer()).await.unwrap();
    click(&app, "[data-testid=next]").await;
    // Keycloak offers registration only with an initial access token: the lab has a
    // client from its administrator, and enters it.
    click(&app, "[data-testid=have-client]").await;
    app.find("[data-testid=client-id]").await.send_keys(keycloak::CLIENT_ID).await.unwrap();
    app.find("[data-testid=client-secret]").await.send_keys(keycloak::CLIENT_SECRET).await.unwrap();
    click(&app, "[data-testid=check]").await;
    wait_text(&app, "[data-testid=verdict]", "knows this client").await;
    click(&app, "[data-testid=wizard-step-register] [data-testid=next]").await;
    wait_text(&app, "[data-testid=scope-summary]", "offline_access").await;
    click(&app, "[data-testid=wizard-step-scopes] [data-testid=next]").await;
    click(&app, "[data-testid=sign-in-window]").await;
    let host = format!("127.0.0.1:{}", kc.port);
    tokio::task::block_in_place(|| log_in_in_sign_in_window(&host, "alice", "wonderland"));
    let summary = wait_text(&app, "[data-testid=done-summary]", "signed in").await;
    assert!(summary.contains("keeps the token fresh"), "{summary}");
    assert!(wait_text(&app, "[data-testid=done-status]", "Fresh until").await.starts_with("Fresh until"));
    app.shutdown().await;
}
