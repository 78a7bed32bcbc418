//! `latchkey://` links from the OS: at cold start (`get_current`), and forwarded from a
//! second launch by the single-instance plugin. Every link goes to [`handle_url`]: a
//! callback whose `state` matches a sign-in in progress completes it; anything else is
//! never exchanged, and the user is told.

use latchkey_ipc::events::DEEP_LINK_WARNING;
use tauri::{AppHandle, Manager};
use tauri_plugin_deep_link::DeepLinkExt;

use crate::events::{emit, sign_in_finished};
use crate::state::AppState;

/// The plugin writes `Exec="PATH" %u`, which Debian's generic xdg-open cannot run; the
/// same line without quotes works everywhere (see `latchkey_engine::desktop::autostart::unquoted_exec`).
#[cfg(target_os = "linux")]
fn plain_exec_in_handler_entry(app: &AppHandle) {
    use tauri::Manager;
    let Ok(exe) = std::env::current_exe() else { return };
    let Some(name) = exe.file_name() else { return };
    let Ok(data) = app.path().data_dir() else { return };
    let entry = data.join("applications").join(format!("{}-handler.desktop", name.to_string_lossy()));
    let Ok(text) = std::fs::read_to_string(&entry) else { return };
    if let Some(fixed) = latchkey_engine::desktop::autostart::unquoted_exec(&text) {
        let tmp = entry.with_extension("desktop.tmp");
        match std::fs::write(&tmp, fixed).and_then(|()| std::fs::rename(&tmp, &entry)) {
            Ok(()) => tracing::info!(entry = %entry.display(), "latchkey:// handler entry written for every xdg-open"),
            Err(e) => tracing::warn!("cannot rewrite {}: {e}", entry.display()),
        }
    }
}

pub fn register(app: &AppHandle) {
    // A package installs the scheme handler; a build run from a checkout must register
    // itself: a .desktop file under $XDG_DATA_HOME on Linux, HKCU\Software\Classes on
    // Windows. macOS takes schemes only from the app bundle's Info.plist (the bundler
    // writes it from tauri.conf.json).
    #[cfg(any(target_os = "linux", windows))]
    if !installed_from_package() {
        match app.deep_link().register_all() {
            #[cfg(target_os = "linux")]
            Ok(()) => plain_exec_in_handler_entry(app),
            #[cfg(windows)]
            Ok(()) => tracing::info!("latchkey:// registered for this user"),
            Err(err) => tracing::warn!("could not register the latchkey:// scheme: {err}"),
        }
    }
    let handle = app.clone();
    app.deep_link().on_open_url(move |event| {
        for url in event.urls() {
            handle_url(&handle, &url);
        }
    });
    match app.deep_link().get_current() {
        Ok(Some(urls)) => urls.iter().for_each(|url| handle_url(app, url)),
        Ok(None) => {}
        Err(err) => tracing::warn!("could not read the launch link: {err}"),
    }
}

/// The one place a `latchkey://` URL enters the app.
pub fn handle_url(app: &AppHandle, url: &url::Url) {
    let shown = latchkey_engine::oauth::callback::redact_url(url);
    tracing::info!(link = %shown, "deep link received");
    let engine = app.state::<AppState>().engine.clone();
    match engine.pending_profile_for(url) {
        Some(profile) => {
            let (app, url) = (app.clone(), url.clone());
            std::thread::spawn(move || {
                let result = engine.complete_sign_in(url.as_str(), None, None);
                sign_in_finished(&app, &profile, result.map_err(Into::into));
            });
        }
        None => {
            tracing::warn!(link = %shown, "link matches no sign-in in progress; ignored");
            let warning = format!(
                "A sign-in link ({shown}) arrived that matches no sign-in in progress. It was ignored; nothing was sent to any server."
            );
            // Kept for a window that is not listening yet (a cold start with a link).
            app.state::<AppState>().link_warnings.lock().expect("warnings lock").push(warning.clone());
            emit(app, DEEP_LINK_WARNING, warning);
        }
    }
}

#[cfg(target_os = "linux")]
fn installed_from_package() -> bool {
    std::env::current_exe().map(|exe| exe.starts_with("/usr/")).unwrap_or(false)
}

/// The installers (NSIS, MSI) register the scheme for the installed app; a build run from
/// anywhere else registers itself.
#[cfg(windows)]
fn installed_from_package() -> bool {
    let installed = |var| std::env::var_os(var).map(std::path::PathBuf::from);
    let exe = std::env::current_exe().ok();
    ["LOCALAPPDATA", "ProgramFiles"].into_iter().filter_map(installed).any(|dir| {
        exe.as_ref().is_some_and(|exe| {
            exe.starts_with(dir.join("Latchkey")) || exe.starts_with(dir.join("Programs").join("Latchkey"))
        })
    })
}
