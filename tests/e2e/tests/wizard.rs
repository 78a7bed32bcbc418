//! The wizard and sign-in, end to end: the real app under Xvfb through WebDriver, the
//! real django-oauth-toolkit server, and the real Secret Service.

#[path = "../../support/mod.rs"]
mod support;

use std::time::Duration;

use fantoccini::Locator;
use latchkey_e2e::drive::{blocking, click, text, type_into, wait_text};
use latchkey_e2e::{wait_until, Desktop};
use support::{AuthServer, TestServer, User, USERNAME};

/// This binary's test server: like Majora (auto-approval of a client that holds a valid
/// token), with the sign-in window treated as a browser where alice is logged in.
fn server() -> &'static TestServer {
    static SERVER: std::sync::OnceLock<TestServer> = std::sync::OnceLock::new();
    SERVER.get_or_init(|| {
        TestServer::start(&[("TESTSERVER_BROWSER_SESSION_USER", USERNAME), ("TESTSERVER_APPROVAL_PROMPT", "auto")])
    })
}

/// The generic (DOT 3.x) server, for the custom-scheme redirects Majora does not allow.
fn generic() -> &'static TestServer {
    static SERVER: std::sync::OnceLock<TestServer> = std::sync::OnceLock::new();
    SERVER.get_or_init(|| TestServer::start_generic(&[("TESTSERVER_APPROVAL_PROMPT", "auto")]))
}

#[tokio::test(flavor = "multi_thread")]
async fn wizard_manual_registration_check_and_in_app_sign_in() {
    let server = server();
    let app = Desktop::launch(&[]).await;
    // Layouts hold at the smallest window size.
    app.client.set_window_size(800, 600).await.unwrap();
    click(&app, "[data-testid=add-server]").await;
    click(&app, "[data-testid=server-majora-test]").await;
    app.screenshot("1-choose-server").await;
    assert!(app.fits_horizontally().await, "server step overflows at 800x600");
    click(&app, "details summary").await;
    type_into(&app, "[data-testid=server-address]", &server.base()).await;
    click(&app, "[data-testid=next]").await;

    // Step 2: the checklist names Majora's form values, with this server's callback.
    let checklist = wait_text(&app, "[data-testid=checklist]", "Confidential").await;
    assert!(checklist.contains("Authorization code"), "{checklist}");
    assert!(checklist.contains(&server.callback_uri()), "{checklist}");
    // The person registers the application on the server's form...
    app.screenshot("2-register").await;
    assert!(app.fits_horizontally().await, "register step overflows at 800x600");
    let client = blocking(|| server.create_client(3600, &[&server.callback_uri()]));
    type_into(&app, "[data-testid=client-id]", &client.id).await;
    type_into(&app, "[data-testid=client-secret]", "wrong-secret").await;
    click(&app, "[data-testid=check]").await;
    wait_text(&app, "[data-testid=verdict]", "does not accept").await;
    type_into(&app, "[data-testid=client-secret]", &client.secret).await;
    click(&app, "[data-testid=check]").await;
    wait_text(&app, "[data-testid=verdict]", "knows this client").await;
    click(&app, "[data-testid=wizard-step-register] [data-testid=next]").await;

    // Step 3: tasks, not scope names; the usual upload set is chosen, reading is not.
    let summary = wait_text(&app, "[data-testid=scope-summary]", "majora2.add_biosampleartifact").await;
    assert!(summary.contains("majora2.add_digitalresourceartifact"), "{summary}");
    let picker = text(&app, "[data-testid=task-picker]").await;
    assert!(picker.contains("Upload samples, libraries, sequencing runs and files"), "{picker}");
    assert!(app.find("[data-testid=task-upload]").await.is_selected().await.unwrap());
    assert!(!app.find("[data-testid=task-read]").await.is_selected().await.unwrap());
    assert!(!summary.contains("majora2.temp_can_read_pags_via_api"), "{summary}");
    click(&app, "[data-testid=task-read]").await;
    wait_text(&app, "[data-testid=scope-summary]", "majora2.temp_can_read_pags_via_api").await;
    click(&app, "[data-testid=task-read]").await;
    let summary = text(&app, "[data-testid=scope-summary]").await;
    assert!(!summary.contains("majora2.temp_can_read_pags_via_api"), "unticking takes the scope away: {summary}");
    app.screenshot("3-scopes").await;
    assert!(app.fits_horizontally().await, "scopes step overflows at 800x600");
    click(&app, "[data-testid=wizard-step-scopes] [data-testid=next]").await;
    app.find("[data-testid=sign-in-window]").await;
    app.screenshot("4-sign-in").await;

    // Step 4: one button; the sign-in window shows the server's own pages.
    // WebDriver cannot reach that window (WebKitGTK automates a single web context, and
    // the window has its own, per profile), so the person's part is done over HTTP
    // first: alice logs in and approves this client on the real consent page. Majora
    // (and this server) then auto-approves the window's request, and the window must
    // catch the redirect to the callback page by itself.
    blocking(|| {
        let scopes = summary.trim_start_matches("Will ask for: ").trim().to_string();
        let authorize = reqwest::Url::parse_with_params(
            &server.url("/o/authorize/"),
            &[
                ("response_type", "code"),
                ("client_id", client.id.as_str()),
                ("redirect_uri", &server.callback_uri()),
                ("scope", &scopes),
                ("state", "approve-first"),
            ],
        )
        .unwrap();
        let redirect = User::new().authorize(authorize.as_str(), true);
        let code =
            reqwest::Url::parse(&redirect).unwrap().query_pairs().find(|(k, _)| k == "code").unwrap().1.into_owned();
        let status = reqwest::blocking::Client::new()
            .post(server.url("/o/token/"))
            .basic_auth(&client.id, Some(&client.secret))
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", code.as_str()),
                ("redirect_uri", &server.callback_uri()),
            ])
            .send()
            .unwrap()
            .status();
        assert!(status.is_success(), "approving over HTTP: {status}");
    });
    click(&app, "[data-testid=sign-in-window]").await;

    // The window catches the redirect to Majora's callback page, closes, and the
    // wizard moves on.
    let status = wait_text(&app, "[data-testid=done-status]", "Fresh until").await;
    assert!(status.starts_with("Fresh until"), "{status}");
    assert_eq!(text(&app, "[data-testid=done-account]").await, USERNAME);
    app.screenshot("5-done").await;
    assert!(wait_until(Duration::from_secs(5), || app
        .session
        .log()
        .contains("sign-in window reached the redirect URI")));
    // One exchange by the test's approval above, one by the app.
    assert_eq!(blocking(|| server.grant_count(&client.id, "authorization_code/200")), 2);
    click(&app, "[data-testid=finish]").await;
    wait_text(&app, "[data-testid=profile-majora-test] [data-testid=status]", "Signed in as").await;
    app.screenshot("6-profiles").await;
    assert!(app.fits_horizontally().await, "profile list overflows at 800x600");

    // The profile's settings: tasks and the redirect URI change without removing it.
    click(&app, "[data-testid=profile-majora-test] [data-testid=more]").await;
    click(&app, "[data-testid=profile-majora-test] [data-testid=action-settings]").await;
    let field = "[data-testid=profile-majora-test] [data-testid=settings-redirect-uri]";
    assert_eq!(app.find(field).await.prop("value").await.unwrap().unwrap(), server.callback_uri());
    type_into(&app, field, "not a url").await;
    click(&app, "[data-testid=profile-majora-test] [data-testid=settings-save]").await;
    wait_text(
        &app,
        "[data-testid=profile-majora-test] [data-testid=profile-settings] [data-testid=error]",
        "not a valid URL",
    )
    .await;
    type_into(&app, field, &server.callback_uri()).await;
    click(&app, "[data-testid=profile-majora-test] [data-testid=task-read]").await;
    click(&app, "[data-testid=profile-majora-test] [data-testid=settings-save]").await;
    wait_text(&app, "[data-testid=profile-majora-test] [data-testid=profile-settings]", "Sign in again for the change")
        .await;
    let cli = support::Cli::in_dir(app.session.config_dir(), vec![]);
    let listed: serde_json::Value =
        serde_json::from_str(&blocking(|| cli.ok(&["profile", "list", "--json"], ""))).unwrap();
    let scopes = listed[0]["scopes"].as_array().unwrap();
    assert!(scopes.iter().any(|s| s == "majora2.temp_can_read_pags_via_api"), "{listed}");
    assert_eq!(scopes.len(), 15, "{listed}");

    // The sign-in window kept its own browser data; "Forget browser session" starts a
    // new, empty one and deletes the old; removing the profile deletes all of it.
    let webviews = app.session.config_dir().join("state/webviews/majora-test");
    let used: Vec<_> =
        std::fs::read_dir(&webviews).unwrap().flatten().filter(|e| e.path().is_dir()).map(|e| e.path()).collect();
    assert_eq!(used.len(), 1, "{used:?}");
    assert!(
        std::fs::read_dir(&used[0]).unwrap().next().is_some(),
        "the sign-in window stored nothing in {}",
        used[0].display()
    );
    click(&app, "[data-testid=profile-majora-test] [data-testid=more]").await;
    click(&app, "[data-testid=profile-majora-test] [data-testid=action-forget]").await;
    wait_text(&app, "[data-testid=profile-majora-test]", "ask you to log in again").await;
    assert!(!used[0].exists(), "the old browser session is still on disk");
    let current = std::fs::read_to_string(webviews.join("current")).unwrap();
    assert!(!current.trim().is_empty());

    let log = app.session.log();
    assert!(!log.contains(&client.secret) && !log.contains("code="), "a secret reached the log");

    click(&app, "[data-testid=profile-majora-test] [data-testid=more]").await;
    click(&app, "[data-testid=profile-majora-test] [data-testid=action-remove]").await;
    click(&app, "[data-testid=profile-majora-test] [data-testid=confirm-remove]").await;
    assert!(
        wait_until(Duration::from_secs(10), || !webviews.exists()),
        "the removed profile's browser data is still on disk"
    );
    app.shutdown().await;
}

/// A lab's server file for the generic server, with a public client registered for it
/// (as its admin would): the client's id and the file's text.
fn lab_server_file() -> (String, String) {
    let server = generic();
    let client_id = blocking(|| server.create_public_client(&["http://127.0.0.1/callback"]));
    let issuer = server.base().trim_end_matches('/').to_string();
    let file = format!(
        "title = \"Our lab's data server\"\nabout = \"Sign in with your lab account.\"\nkind = \"generic\"\n\
         address = \"{issuer}\"\nclient_id = \"{client_id}\"\nredirect_uri = \"http://127.0.0.1/callback\"\n\
         scopes = [\"read\"]\n"
    );
    (client_id, file)
}

/// "Use my browser" on the Sign in page, the browser played over HTTP, back to the app's
/// loopback listener; the authorize URL it showed.
async fn sign_in_through_the_browser(app: &Desktop) -> String {
    click(app, "[data-testid=sign-in-browser]").await;
    let authorize_url = wait_text(app, "[data-testid=authorize-url]", "http").await;
    let location = blocking(|| User::new().authorize(&authorize_url, true));
    assert!(location.starts_with("http://127.0.0.1:"), "{location}");
    blocking(|| reqwest::blocking::get(&location).unwrap());
    wait_text(app, "[data-testid=done-status]", "Fresh until").await;
    authorize_url
}

/// Issue 38: a server the lab provides, with a public client its admin registered, is
/// the wizard's first card; choosing it asks only for a name, and the next page is Sign in.
#[tokio::test(flavor = "multi_thread")]
async fn a_lab_server_with_its_client_is_a_name_and_a_sign_in_away() {
    let server = generic();
    let (client_id, ours) = lab_server_file();
    let issuer = server.base().trim_end_matches('/').to_string();
    // Two servers, so the first start opens on the list (one would open on its Sign in).
    let archive = format!("title = \"The archive\"\nkind = \"generic\"\naddress = \"{issuer}\"\n");
    let app =
        Desktop::launch_on_lab_computer(&[("servers.d/our-lab.toml", ours), ("servers.d/the-archive.toml", archive)])
            .await;
    click(&app, "[data-testid=add-server]").await;
    wait_text(&app, "[data-testid=wizard-step-server]", "Our lab's data server").await;
    let cards = app.client.find_all(Locator::Css("[role=radiogroup] input")).await.unwrap();
    let mut ids = Vec::new();
    for card in cards.iter().take(3) {
        ids.push(card.attr("data-testid").await.unwrap().unwrap_or_default());
    }
    assert_eq!(ids, ["server-our-lab", "server-the-archive", "server-majora-test"], "the lab's servers first");
    click(&app, "[data-testid=server-our-lab]").await;
    wait_text(&app, "[data-testid=lab-server-address]", &format!("Set up by your lab: {issuer}")).await;
    app.screenshot("lab-1-choose").await;
    click(&app, "[data-testid=next]").await;
    wait_text(&app, "[data-testid=wizard-progress]", "Step 4 of 5").await;
    app.screenshot("lab-2-sign-in").await;
    let authorize_url = sign_in_through_the_browser(&app).await;
    assert!(authorize_url.contains(&format!("client_id={client_id}")), "{authorize_url}");
    app.screenshot("lab-3-done").await;
    assert_eq!(blocking(|| server.grant_count(&client_id, "authorization_code/200")), 1);
    app.shutdown().await;
}

/// Issue 38: on a lab's computer whose admin provides one server with its client, the
/// first start opens on that server's Sign in page: one button, then Done.
#[tokio::test(flavor = "multi_thread")]
async fn a_first_start_with_one_lab_server_opens_on_its_sign_in_page() {
    let (_, file) = lab_server_file();
    let app = Desktop::launch_on_lab_computer(&[("servers.d/our-lab.toml", file)]).await;
    wait_text(&app, "[data-testid=wizard-progress]", "Step 4 of 5").await;
    wait_text(&app, "[data-testid=wizard-step-sign-in]", "Sign in").await;
    app.screenshot("lab-first-start").await;
    sign_in_through_the_browser(&app).await;
    click(&app, "[data-testid=finish]").await;
    wait_text(&app, "[data-testid=profile-our-lab] [data-testid=status]", "Signed in").await;
    app.shutdown().await;
}

/// Issue 38: an "add our server" link. It opens the app on a page that says where the
/// password would go and what the tokens may do; nothing is added before Add. Cancel adds
/// nothing; a link with a secret is refused in words; Add goes to Sign in, with the
/// permissions under Change.
#[tokio::test(flavor = "multi_thread")]
async fn an_add_our_server_link_asks_first_and_then_is_a_sign_in_away() {
    let server = generic();
    let client_id = blocking(|| server.create_public_client(&["http://127.0.0.1/callback"]));
    let issuer = server.base().trim_end_matches('/').to_string();
    let mut link = reqwest::Url::parse("latchkey://add").unwrap();
    link.query_pairs_mut()
        .append_pair("id", "our-lab")
        .append_pair("title", "Our lab's data server")
        .append_pair("kind", "generic")
        .append_pair("address", &issuer)
        .append_pair("client_id", &client_id)
        .append_pair("redirect_uri", "http://127.0.0.1/callback")
        .append_pair("scopes", "read");
    let link = link.to_string();

    // A cold start with the link: its page, and nothing added behind it.
    let app = Desktop::launch(&[&link]).await;
    wait_text(&app, "[data-testid=add-link-address]", "http://127.0.0.1:").await;
    wait_text(&app, "[data-testid=add-link-title]", "Our lab's data server").await;
    wait_text(&app, "[data-testid=add-link-may-do]", "May read.").await;
    app.screenshot("link-1-asks").await;
    assert_eq!(blocking(|| server.grant_count(&client_id, "authorization_code")), 0);
    click(&app, "[data-testid=add-link-cancel]").await;
    wait_text(&app, "[data-testid=add-server]", "Add server").await;
    assert!(app.client.find(Locator::Css("[data-testid^=profile-]")).await.is_err(), "Cancel added nothing");

    // A link with a secret: refused in words, nothing added, the secret never shown.
    let second = app.launch_again(&[&format!("{link}&client_secret=s3cret")]);
    assert!(second.status.success(), "{second:?}");
    let said = wait_text(&app, "[data-testid=link-warning]", "This link was refused").await;
    assert!(said.contains("a link is no place for one") && !said.contains("s3cret"), "{said}");
    app.screenshot("link-2-refused").await;

    // The link again, from a second launch: Add, then the Sign in page with its permissions.
    let second = app.launch_again(&[&link]);
    assert!(second.status.success(), "{second:?}");
    wait_text(&app, "[data-testid=add-link-title]", "Our lab's data server").await;
    assert!(
        app.client.find(Locator::Css("[data-testid=link-warning]")).await.is_err(),
        "the refusal was another link's"
    );
    // Add waits a moment after the page appears (a second link cannot swap it under a click).
    tokio::time::sleep(Duration::from_millis(1200)).await;
    click(&app, "[data-testid=add-link-add]").await;
    wait_text(&app, "[data-testid=wizard-step-sign-in]", "Sign in").await;
    wait_text(&app, "[data-testid=sign-in-may-do]", "May read.").await;
    app.screenshot("link-3-sign-in").await;
    let authorize_url = sign_in_through_the_browser(&app).await;
    assert!(authorize_url.contains(&format!("client_id={client_id}")), "{authorize_url}");
    click(&app, "[data-testid=finish]").await;
    wait_text(&app, "[data-testid=profile-our-lab] [data-testid=status]", "Signed in").await;
    app.shutdown().await;
}

/// Issue 38: settings the lab fixes. The Sign in page offers only the ways its policy
/// names; Settings shows a fixed setting disabled, with why.
#[tokio::test(flavor = "multi_thread")]
async fn the_labs_policy_shows_as_its_own_and_offers_only_its_ways() {
    let (_, file) = lab_server_file();
    let policy = "renew_at = 60\nsign_in_ways = [\"browser\"]\nallow_other_servers = false\n\
                  note = \"Ask it-help@lab.example.org.\"\n"
        .to_string();
    let app = Desktop::launch_on_lab_computer(&[("servers.d/our-lab.toml", file), ("policy.toml", policy)]).await;
    wait_text(&app, "[data-testid=wizard-step-sign-in]", "Use my browser").await;
    for hidden in ["sign-in-window", "sign-in-paste", "sign-in-code"] {
        let found = app.client.find(Locator::Css(&format!("[data-testid={hidden}]"))).await;
        assert!(found.is_err(), "{hidden} is offered, though the policy offers only the browser");
    }
    app.screenshot("policy-1-sign-in").await;
    sign_in_through_the_browser(&app).await;
    click(&app, "[data-testid=finish]").await;

    click(&app, "[data-testid=nav-settings]").await;
    let why = wait_text(&app, "[data-testid=renew-at-fixed]", "Set by your organisation").await;
    assert!(why.contains("policy.toml). Ask it-help@lab.example.org."), "{why}");
    let renew_at = app.find("[data-testid=renew-at]").await;
    assert_eq!(renew_at.prop("value").await.unwrap().as_deref(), Some("60"));
    assert_eq!(renew_at.prop("disabled").await.unwrap().as_deref(), Some("true"));
    let start_at_login = app.find("[data-testid=start-at-login]").await;
    assert_eq!(start_at_login.prop("disabled").await.unwrap().as_deref(), Some("false"), "not fixed: the person's");
    app.screenshot("policy-2-settings").await;

    // Issue 39: a token file for tools, for the server just signed in to.
    click(&app, "[data-testid=token-file]").await;
    let said = wait_text(&app, "[data-testid=token-file-path]", "bt_u").await;
    let path = said.split_whitespace().find(|w| w.contains("bt_u")).unwrap().to_string();
    assert!(std::path::Path::new(&path).exists(), "{said}");
    app.screenshot("token-file-settings").await;

    // Only the lab's servers can be added: the wizard offers no other.
    click(&app, "[data-testid=nav-servers]").await;
    click(&app, "[data-testid=add-server]").await;
    wait_text(&app, "[data-testid=wizard-step-server]", "Our lab's data server").await;
    let cards = app.client.find_all(Locator::Css("[role=radiogroup] input")).await.unwrap();
    assert_eq!(cards.len(), 1, "only the lab's server is offered");
    app.shutdown().await;
}

/// Add a generic profile with its `latchkey://callback/lab` redirect through the wizard.
async fn add_scheme_profile(app: &Desktop) -> support::Client {
    let server = generic();
    click(app, "[data-testid=add-server]").await;
    click(app, "[data-testid=server-generic]").await;
    type_into(app, "[data-testid=profile-name]", "lab").await;
    click(app, "input[type=checkbox]").await; // enter endpoints by hand
    type_into(app, "[data-testid=authorize-url]", &server.url("/o/authorize/")).await;
    type_into(app, "[data-testid=token-url]", &server.url("/o/token/")).await;
    click(app, "[data-testid=next]").await;
    wait_text(app, "[data-testid=checklist]", "latchkey://callback/lab").await;
    let client = blocking(|| server.create_client(3600, &["latchkey://callback/lab"]));
    type_into(app, "[data-testid=client-id]", &client.id).await;
    type_into(app, "[data-testid=client-secret]", &client.secret).await;
    click(app, "[data-testid=check]").await;
    wait_text(app, "[data-testid=verdict]", "knows this client").await;
    click(app, "[data-testid=wizard-step-register] [data-testid=next]").await;
    // OIDC defaults off; ask for `read` only.
    for box_ in app
        .client
        .find_all(Locator::Css("[data-testid=wizard-step-scopes] fieldset input[type=checkbox]"))
        .await
        .unwrap()
    {
        box_.click().await.unwrap();
    }
    type_into(app, "[data-testid=extra-scopes]", "read").await;
    wait_text(app, "[data-testid=scope-summary]", "Will ask for: read").await;
    click(app, "[data-testid=wizard-step-scopes] [data-testid=next]").await;
    client
}

#[tokio::test(flavor = "multi_thread")]
async fn custom_scheme_callback_from_a_second_launch_completes_the_flow() {
    let server = generic();
    let app = Desktop::launch(&[]).await;
    let client = add_scheme_profile(&app).await;
    click(&app, "[data-testid=sign-in-browser]").await;
    let authorize_url = wait_text(&app, "[data-testid=authorize-url]", "http").await;

    // The browser part, over HTTP: the server redirects to latchkey://callback/lab?...
    let location = blocking(|| User::new().authorize(&authorize_url, true));
    assert!(location.starts_with("latchkey://callback/lab?"), "{location}");
    // The OS hands the link to a second launch, which forwards it to the app.
    let second = app.launch_again(&[&location]);
    assert!(second.status.success(), "{second:?}");

    wait_text(&app, "[data-testid=done-status]", "Fresh until").await;
    assert_eq!(blocking(|| server.grant_count(&client.id, "authorization_code/200")), 1);

    // The same link again (a replay): its state is used up, so it is never exchanged.
    let exchanges = blocking(|| server.grant_count(&client.id, "authorization_code"));
    let again = app.launch_again(&[&location]);
    assert!(again.status.success(), "{again:?}");
    wait_text(&app, "[data-testid=link-warning]", "matches no sign-in in progress").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        blocking(|| server.grant_count(&client.id, "authorization_code")),
        exchanges,
        "a replayed callback was exchanged"
    );
    app.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn forged_callback_is_refused_and_the_user_warned() {
    let server = generic();
    let app = Desktop::launch(&[]).await;
    let client = add_scheme_profile(&app).await;
    click(&app, "[data-testid=sign-in-browser]").await;
    let authorize_url = wait_text(&app, "[data-testid=authorize-url]", "http").await;
    let location = blocking(|| User::new().authorize(&authorize_url, true));
    // An attacker's link: a real code from the server, but a state this app never sent.
    let mut forged = reqwest::Url::parse(&location).unwrap();
    let code = forged.query_pairs().find(|(k, _)| k == "code").unwrap().1.into_owned();
    forged.set_query(Some(&format!("code={code}&state=forged-state")));
    let second = app.launch_again(&[forged.as_str()]);
    assert!(second.status.success(), "{second:?}");

    let warning = wait_text(&app, "[data-testid=link-warning]", "matches no sign-in in progress").await;
    assert!(!warning.contains(&code), "{warning}");
    tokio::time::sleep(Duration::from_millis(500)).await;
    // Only the wizard's credential check (a made-up code) has reached the token endpoint.
    assert_eq!(blocking(|| server.grant_count(&client.id, "authorization_code")), 1, "a forged callback was exchanged");
    // The real flow is still waiting and can still finish.
    let second = app.launch_again(&[&location]);
    assert!(second.status.success());
    wait_text(&app, "[data-testid=done-status]", "Fresh until").await;
    app.shutdown().await;
}

/// Majora lets a user authorize only the scopes their account holds: the in-app sign-in
/// ends on Majora's `invalid_scope`, and the app says what it means and what to do.
#[tokio::test(flavor = "multi_thread")]
async fn a_scope_the_account_lacks_is_explained_in_the_app() {
    let server =
        TestServer::start(&[("TESTSERVER_BROWSER_SESSION_USER", "reader"), ("TESTSERVER_APPROVAL_PROMPT", "auto")]);
    blocking(|| server.create_user("reader", "reader-pass", Some(&["majora2.temp_can_read_pags_via_api"]), true));
    let client = blocking(|| server.create_client(3600, &[&server.callback_uri()]));
    let app = Desktop::launch(&[]).await;
    click(&app, "[data-testid=add-server]").await;
    click(&app, "[data-testid=server-majora-test]").await;
    click(&app, "details summary").await;
    type_into(&app, "[data-testid=server-address]", &server.base()).await;
    click(&app, "[data-testid=next]").await;
    wait_text(&app, "[data-testid=checklist]", "Confidential").await;
    type_into(&app, "[data-testid=client-id]", &client.id).await;
    type_into(&app, "[data-testid=client-secret]", &client.secret).await;
    click(&app, "[data-testid=check]").await;
    wait_text(&app, "[data-testid=verdict]", "knows this client").await;
    click(&app, "[data-testid=wizard-step-register] [data-testid=next]").await;
    wait_text(&app, "[data-testid=scope-summary]", "majora2.add_biosampleartifact").await;
    click(&app, "[data-testid=wizard-step-scopes] [data-testid=next]").await;
    click(&app, "[data-testid=sign-in-window]").await;
    let shown = wait_text(&app, "[data-testid=wizard-step-sign-in] [data-testid=error]", "lacks the permission").await;
    assert!(shown.contains("Your Majora account lacks the permission for one of the chosen tasks"), "{shown}");
    assert!(shown.contains("\"upload\""), "the task is named: {shown}");
    assert!(shown.contains("Scopes and redirect") && shown.contains("Majora administrator"), "no way out: {shown}");
    assert!(!shown.contains("latchkey "), "a CLI command in the app: {shown}");
    assert!(!shown.contains("[object"), "{shown}");
    // Only the credentials check's made-up code reached the token endpoint.
    assert_eq!(blocking(|| server.grant_count(&client.id, "authorization_code")), 1);
    assert_eq!(blocking(|| server.grant_count(&client.id, "authorization_code/200")), 0);
    app.shutdown().await;
}
