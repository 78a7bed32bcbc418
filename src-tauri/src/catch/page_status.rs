//! The HTTP status of the page the sign-in window shows — the one platform seam of the
//! window's watching. Tauri tells a page's address, not its status, and the window may
//! give the page no IPC; so each platform's own webview is asked, from Rust:
//!
//! * Linux (WebKitGTK): the main resource's response when a load finishes.
//! * Windows (WebView2): `NavigationCompleted`'s `HttpStatusCode`.
//! * macOS (WKWebView): nothing — its status arrives only in the navigation delegate,
//!   which Tauri owns; there the sign-in panel's 45-second hint is what says it
//!   (docs/platforms.md).
//!
//! Why: a server that does not know the redirect URI shows its own error page after the
//! login (DOT's "Mismatching redirect URI", Agate's 400) and never redirects, so the
//! window would otherwise wait with nothing said. Such pages are answered 400 and up;
//! the login, consent and redirect pages are not.

use url::Url;

/// Called with the status and address of each page that finished loading with an HTTP
/// error (400 and up), on the platform's UI thread.
pub type Report = Box<dyn Fn(u16, Url) + 'static>;

/// Watch `window`'s pages (best effort: a webview that cannot be asked is left as is).
pub fn watch(window: &tauri::WebviewWindow, report: impl Fn(u16, Url) + Send + 'static) {
    let result = window.with_webview(move |webview| platform::watch(webview, Box::new(report)));
    if let Err(e) = result {
        tracing::info!("cannot watch the sign-in window's pages: {e}");
    }
}

#[cfg(any(target_os = "linux", windows))]
fn is_error(status: u32) -> bool {
    (400..600).contains(&status)
}

#[cfg(target_os = "linux")]
mod platform {
    use webkit2gtk::{LoadEvent, URIResponseExt, WebResourceExt, WebViewExt};

    pub fn watch(webview: tauri::webview::PlatformWebview, report: super::Report) {
        webview.inner().connect_load_changed(move |view, event| {
            if event != LoadEvent::Finished {
                return;
            }
            let Some(response) = view.main_resource().and_then(|r| r.response()) else { return };
            let status = response.status_code();
            let url = response.uri().and_then(|u| url::Url::parse(&u).ok());
            if let (true, Some(url)) = (super::is_error(status), url) {
                report(status as u16, url);
            }
        });
    }
}

#[cfg(windows)]
mod platform {
    use webview2_com::Microsoft::Web::WebView2::Win32::ICoreWebView2NavigationCompletedEventArgs2;
    use webview2_com::NavigationCompletedEventHandler;
    use windows_core::Interface;

    // WebView2 is a COM interface: its bindings make every call `unsafe`. Each call here
    // is on the webview Tauri made, from its own UI thread, with out-parameters it owns.
    #[allow(unsafe_code)]
    pub fn watch(webview: tauri::webview::PlatformWebview, report: super::Report) {
        let Ok(core) = (unsafe { webview.controller().CoreWebView2() }) else { return };
        let handler = NavigationCompletedEventHandler::create(Box::new(move |sender, args| {
            let (Some(sender), Some(args)) = (sender, args) else { return Ok(()) };
            let args: ICoreWebView2NavigationCompletedEventArgs2 = args.cast()?;
            let mut status = 0i32;
            unsafe { args.HttpStatusCode(&mut status)? };
            let mut source = windows_core::PWSTR::null();
            unsafe { sender.Source(&mut source)? };
            let address = webview2_com::take_pwstr(source);
            if let (true, Ok(url)) = (super::is_error(status.max(0) as u32), url::Url::parse(&address)) {
                report(status as u16, url);
            }
            Ok(())
        }));
        let mut token = 0i64;
        if let Err(e) = unsafe { core.add_NavigationCompleted(&handler, &mut token) } {
            tracing::info!("cannot watch the sign-in window's pages: {e}");
        }
    }
}

#[cfg(not(any(target_os = "linux", windows)))]
mod platform {
    pub fn watch(_webview: tauri::webview::PlatformWebview, _report: super::Report) {}
}
