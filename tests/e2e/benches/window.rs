//! The window's own latencies, measured from the real app (BENCHMARKS.md, section 5):
//!
//! 1. app start → interactive: the app's own figure (`main window interactive ms=…`,
//!    process start to the first data shown);
//! 2. Sign in → the server's login page shown: from the click on a row's "Sign in"
//!    (the window's `Date.now()`) to the sign-in window's first page loaded (the app
//!    logs it with `unix_ms`), on node oidc-provider's login page;
//! 3. callback caught → Done: from the sign-in window reaching the redirect URI (logged
//!    with `unix_ms`) to the wizard's Done page in the main window (a MutationObserver
//!    notes `Date.now()`), on an oidc-provider that approves at once.
//!
//! Each is also given without the server's own time: for 3 the app's HTTP calls in that
//! span (the code exchange, userinfo), from its debug log; for 2 the same authorization
//! request fetched alone by a plain HTTP client, following its redirects to the login
//! page. Run by `make bench` under Xvfb with the release app (`LATCHKEY_DESKTOP_BIN`);
//! writes `target/bench/window.md`. Prints figures, asserts nothing about time.

#[path = "../../support/oidc.rs"]
mod oidc;
#[path = "../../support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use fantoccini::Locator;
use latchkey_e2e::{wait_until, Desktop};
use oidc::OidcProvider;

const ROUNDS: usize = 7;
const SHOWN: &str = "sign-in window shows the server's page";
const CAUGHT: &str = "sign-in window reached the redirect URI";

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let asking = blocking(|| OidcProvider::start(3600));
    let approving = blocking(|| OidcProvider::start_with(3600, &[("OIDC_AUTO_LOGIN", "alice")]));
    let (mut start, mut login_page, mut login_page_server, mut done, mut done_server) =
        (vec![], vec![], vec![], vec![], vec![]);
    for round in 0..ROUNDS {
        let app = Desktop::launch(&[]).await;
        start.push(wait_for(&app, "main window interactive", 0, "ms").await);

        // 2. A row's Sign in, to the provider's login page in the sign-in window.
        let cli = blocking(|| asking.add_profile(&app.session.config_dir(), app.env(), "p"));
        app.find("[data-testid=profile-p] [data-testid=action-sign-in]").await;
        let before = count(&app, SHOWN);
        let clicked = js_ms(
            &app,
            "const t = Date.now(); document.querySelector('[data-testid=profile-p] [data-testid=action-sign-in]').click(); return t;",
        )
        .await;
        let shown = wait_for(&app, SHOWN, before, "unix_ms").await;
        login_page.push(shown - clicked);
        app.find("[data-testid=profile-p] [data-testid=cancel-sign-in]").await.click().await.unwrap();
        login_page_server.push(blocking(|| authorize_alone(&cli, "p")));

        // 3. The wizard on a provider that approves at once, to its Done page.
        let name = format!("auto{round}");
        wizard_to_sign_in(&app, &name, &approving.issuer()).await;
        app.client
            .execute(
                "window.__done = null; new MutationObserver((_, o) => { \
                   if (document.querySelector('[data-testid=done-summary]')) { window.__done = Date.now(); o.disconnect(); } \
                 }).observe(document.body, { subtree: true, childList: true, characterData: true });",
                vec![],
            )
            .await
            .unwrap();
        let before = count(&app, CAUGHT);
        app.find("[data-testid=sign-in-window]").await.click().await.unwrap();
        let caught = wait_for(&app, CAUGHT, before, "unix_ms").await;
        let mut shown_done = None;
        for _ in 0..200 {
            shown_done = app.client.execute("return window.__done", vec![]).await.unwrap().as_u64();
            if shown_done.is_some() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        let shown_done = shown_done.expect("the Done page never appeared");
        done.push(shown_done - caught);
        done_server.push(http_ms_after(&app.session.log(), CAUGHT));
        app.shutdown().await;
    }

    let rows = [
        ("app start → interactive (the app's own figure)", &start, None),
        ("Sign in → the server's login page shown", &login_page, Some(&login_page_server)),
        ("callback caught → Done", &done, Some(&done_server)),
    ];
    let mut md = String::from(
        "| measure (release app, median of 7) | median | max | the server's part (median) | median without it ÷ target (0.5 s) |\n|---|---:|---:|---:|---:|\n",
    );
    for (what, all, server) in rows {
        let (median, max) = (median(all), *all.iter().max().unwrap());
        let server = server.map(|s| median_of(s));
        let own = median as f64 - server.unwrap_or(0.0);
        md.push_str(&format!(
            "| {what} | {median} ms | {max} ms | {} | {:.2} |\n",
            server.map_or("—".to_string(), |s| format!("{s:.0} ms")),
            own / 500.0
        ));
    }
    let out = support::repo_root().join("target/bench");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("window.md"), &md).unwrap();
    print!("{md}");
}

fn blocking<T>(f: impl FnOnce() -> T) -> T {
    tokio::task::block_in_place(f)
}

fn median(v: &[u64]) -> u64 {
    let mut v = v.to_vec();
    v.sort_unstable();
    v[v.len() / 2]
}

fn median_of(v: &[f64]) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// `key=N` on the last log line that contains `message`.
fn field(log: &str, message: &str, key: &str) -> Option<u64> {
    let line = log.lines().rev().find(|l| l.contains(message))?;
    let at = line.find(&format!("{key}="))? + key.len() + 1;
    line[at..].split(|c: char| !c.is_ascii_digit()).next()?.parse().ok()
}

fn count(app: &Desktop, message: &str) -> usize {
    app.session.log().matches(message).count()
}

/// Wait for the app to log `message` once more than the `before` times it had; its `key=`.
async fn wait_for(app: &Desktop, message: &str, before: usize, key: &str) -> u64 {
    let mut found = None;
    blocking(|| {
        wait_until(Duration::from_secs(20), || {
            let log = app.session.log();
            if log.matches(message).count() > before {
                found = field(&log, message, key);
            }
            found.is_some()
        })
    });
    found.unwrap_or_else(|| panic!("the app never logged {message:?}; log:\n{}", app.session.log()))
}

async fn js_ms(app: &Desktop, script: &str) -> u64 {
    app.client.execute(script, vec![]).await.unwrap().as_u64().expect("a time from the window")
}

/// The milliseconds of the app's HTTP calls logged after the last `message`.
fn http_ms_after(log: &str, message: &str) -> f64 {
    let Some(at) = log.rfind(message) else { return 0.0 };
    log[at..]
        .lines()
        .filter(|l| l.contains(" http ") || l.ends_with(" http"))
        .filter_map(|l| field(l, "http", "ms"))
        .sum::<u64>() as f64
}

/// The same kind of authorization request the window makes, fetched alone: the
/// provider's time to answer it and redirect to its login page.
fn authorize_alone(cli: &support::Cli, name: &str) -> f64 {
    let mut login = cli.start_login(name, "--paste");
    let url = login.line_starting("http");
    let http = reqwest::blocking::Client::builder().cookie_store(true).build().unwrap();
    let started = Instant::now();
    let page = http.get(&url).send().unwrap();
    let ms = started.elapsed().as_secs_f64() * 1e3;
    assert!(page.status().is_success() && page.url().path().starts_with("/interaction/"), "{}", page.url());
    drop(login);
    ms
}

/// The wizard, "Add server" to its sign-in step, for a generic server at `issuer`.
async fn wizard_to_sign_in(app: &Desktop, name: &str, issuer: &str) {
    app.find("[data-testid=add-server]").await.click().await.unwrap();
    app.find("[data-testid=server-generic]").await.click().await.unwrap();
    let field = app.find("[data-testid=profile-name]").await;
    field.clear().await.unwrap();
    field.send_keys(name).await.unwrap();
    app.find("[data-testid=issuer]").await.send_keys(issuer).await.unwrap();
    app.find("[data-testid=next]").await.click().await.unwrap();
    app.find("[data-testid=register-now]").await.click().await.unwrap();
    for _ in 0..200 {
        if let Ok(el) = app.client.find(Locator::Css("[data-testid=scope-summary]")).await {
            if el.text().await.unwrap_or_default().contains("offline_access") {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    app.find("[data-testid=wizard-step-scopes] [data-testid=next]").await.click().await.unwrap();
}
