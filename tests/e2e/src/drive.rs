//! How the journeys drive the window as a person would: wait for a button to be
//! enabled before clicking it, type into a field, wait for words to appear. One copy,
//! used by every e2e test file.

use std::time::Duration;

use fantoccini::Locator;

use crate::Desktop;

/// Run blocking work (a test server's HTTP calls, the CLI) from an async test.
pub fn blocking<T>(f: impl FnOnce() -> T) -> T {
    tokio::task::block_in_place(f)
}

/// Click `css` once it is enabled, as a person waits for a greyed-out button (WebDriver
/// would click a disabled one to no effect).
pub async fn click(app: &Desktop, css: &str) {
    let element = app.find(css).await;
    for _ in 0..150 {
        if element.is_enabled().await.unwrap_or(false) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    element.click().await.unwrap();
}

/// Replace the text of the field `css` with `text`.
pub async fn type_into(app: &Desktop, css: &str, text: &str) {
    let field = app.find(css).await;
    field.clear().await.unwrap();
    field.send_keys(text).await.unwrap();
}

/// The text of `css` now.
pub async fn text(app: &Desktop, css: &str) -> String {
    app.find(css).await.text().await.unwrap()
}

/// Wait (up to 20 s) until the element's text contains `needle`; returns the text.
pub async fn wait_text(app: &Desktop, css: &str, needle: &str) -> String {
    let mut last = String::new();
    for _ in 0..200 {
        if let Ok(el) = app.client.find(Locator::Css(css)).await {
            if let Ok(t) = el.text().await {
                if t.contains(needle) {
                    return t;
                }
                last = t;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    app.screenshot("failed-wait").await;
    panic!("`{css}` never contained {needle:?} (last: {last:?}); log:\n{}", app.session.log());
}

/// Type into the app's sign-in window as a person would (WebDriver cannot reach it):
/// wait for its title to name `host`, focus it, then send `keys` through XTEST.
pub fn type_into_sign_in_window(host: &str, steps: &[&[&str]]) {
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let window = loop {
        let out = std::process::Command::new("xdotool")
            .args(["search", "--name", &format!("Sign in .* {host}")])
            .output()
            .unwrap();
        let id = String::from_utf8_lossy(&out.stdout).lines().next().map(str::to_string);
        if let Some(id) = id {
            break id;
        }
        assert!(std::time::Instant::now() < deadline, "no sign-in window showing {host}");
        std::thread::sleep(Duration::from_millis(200));
    };
    std::thread::sleep(Duration::from_secs(2)); // the login page loads and focuses its first field
    let run = |args: &[&str]| {
        let ok = std::process::Command::new("xdotool").args(args).status().unwrap().success();
        assert!(ok, "xdotool {args:?}");
    };
    run(&["windowfocus", "--sync", &window]);
    for step in steps {
        run(step);
    }
}

/// Log in on the login page the sign-in window shows for `host` (its first field has the
/// focus): the user name, Tab, the password, Enter.
pub fn log_in_in_sign_in_window(host: &str, user: &str, password: &str) {
    type_into_sign_in_window(
        host,
        &[&["type", "--delay", "20", user], &["key", "Tab"], &["type", "--delay", "20", password], &["key", "Return"]],
    )
}
