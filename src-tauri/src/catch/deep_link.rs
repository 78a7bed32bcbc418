//! `latchkey://` links from the OS: at cold start (`get_current`), and forwarded from a
//! second launch by the single-instance plugin. Every link goes to [`handle_url`]: a
//! callback whose `state` matches a sign-in in progress completes it; anything else is
//! never exchanged, and the user is told.

use latchkey_ipc::events::{ADD_SERVER_LINK, DEEP_LINK_WARNING};
use latchkey_ipc::models::AddServerOffer;
use tauri::{AppHandle, Manager};
use tauri_plugin_deep_link::DeepLinkExt;

use crate::events::{emit, sign_in_finished};
use crate::state::AppState;

/// The plugin writes `Exec="PATH" %u`, which Debian's generic xdg-open cannot run; the
/// same line without quotes works everywhere (see `latchkey_engine::desktop::scheme::unquote_handler_entry`).
#[cfg(target_os = "linux")]
fn plain_exec_in_handler_entry(app: &AppHandle) {
    use tauri::Manager;
    let Ok(exe) = std::env::current_exe() else { return };
    let Some(name) = exe.file_name() else { return };
    let Ok(data) = app.path().data_dir() else { return };
    let entry = data.join("applications").join(format!("{}-handler.desktop", name.to_string_lossy()));
    match latchkey_engine::desktop::scheme::unquote_handler_entry(&entry) {
        Ok(true) => tracing::info!(entry = %entry.display(), "latchkey:// handler entry written for every xdg-open"),
        Ok(false) => {}
        Err(e) => tracing::warn!("cannot rewrite {}: {e}", entry.display()),
    }
}

/// Linux (see `latchkey_engine::desktop::scheme`): the installed copy owns the scheme
/// through its package's entry and takes it back from a per-user entry a checkout's build
/// left; a build that is not installed writes its own entry only where no installed copy
/// takes the links (the single-instance plugin brings a link from either to the one running).
#[cfg(target_os = "linux")]
fn linux_handler(app: &AppHandle) {
    use latchkey_engine::desktop::scheme;
    let (Ok(data), Ok(config)) = (app.path().data_dir(), app.path().config_dir()) else { return };
    let apps = data.join("applications");
    let installed = crate::installed::from_package();
    let system_dirs: Vec<std::path::PathBuf> = std::env::var_os("XDG_DATA_DIRS")
        .filter(|v| !v.is_empty())
        .map(|v| std::env::split_paths(&v).collect())
        .unwrap_or_else(|| vec!["/usr/local/share".into(), "/usr/share".into()]);
    let path: Vec<std::path::PathBuf> =
        std::env::var_os("PATH").map(|v| std::env::split_paths(&v).collect()).unwrap_or_default();
    let owner = if installed { None } else { scheme::installed_handler(&system_dirs, &path) };
    if installed || owner.is_some() {
        match scheme::reclaim(&apps, &config.join("mimeapps.list")) {
            Ok(gone) if !gone.is_empty() => {
                tracing::info!(entries = ?gone, "latchkey:// handed back to the installed Latchkey (per-user entries removed or mended)");
                // Best effort: the user's MIME cache forgets the removed entries.
                let _ = std::process::Command::new("update-desktop-database").arg(&apps).status();
            }
            Ok(_) => {}
            Err(e) => tracing::warn!("cannot remove the per-user latchkey:// entry under {}: {e}", apps.display()),
        }
        if let Some(entry) = owner {
            tracing::info!(entry = %entry.display(), "the installed Latchkey takes latchkey:// links; this build does not register itself");
        }
        return;
    }
    // The entry runs this program for every link, as this user: not from a folder
    // others could put their own program in.
    if let Some(Err(e)) = std::env::current_exe()
        .ok()
        .map(|exe| latchkey_engine::desktop::program_place::check("The latchkey:// handler", &exe))
    {
        tracing::warn!("latchkey:// is not registered: {e}");
        return;
    }
    match app.deep_link().register_all() {
        Ok(()) => plain_exec_in_handler_entry(app),
        Err(err) => tracing::warn!("could not register the latchkey:// scheme: {err}"),
    }
}

pub fn register(app: &AppHandle) {
    // A package installs the scheme handler; a build run from a checkout must register
    // itself: a .desktop file under $XDG_DATA_HOME on Linux, HKCU\Software\Classes on
    // Windows. macOS takes schemes only from the app bundle's Info.plist (the bundler
    // writes it from tauri.conf.json).
    #[cfg(target_os = "linux")]
    linux_handler(app);
    #[cfg(windows)]
    if !crate::installed::from_package() {
        match app.deep_link().register_all() {
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
    let shown = latchkey_engine::redact_url(url);
    tracing::info!(link = %shown, "deep link received");
    let engine = app.state::<AppState>().engine.clone();
    if url.host_str() == Some(latchkey_engine::LINK_HOST) {
        return add_server_link(app, url);
    }
    match engine.pending_profile_for(url) {
        Some(profile) => {
            let (app, url) = (app.clone(), url.clone());
            std::thread::spawn(move || {
                let result = engine.complete_sign_in(url.as_str(), None);
                sign_in_finished(&app, &profile, result.map_err(Into::into));
            });
        }
        None => {
            tracing::warn!(link = %shown, "link matches no sign-in in progress; ignored");
            // Nothing of the link itself: anyone can send a `latchkey://` link, and its
            // words are not ours to show (the log has the address, without its query).
            let warning = "A sign-in link arrived that matches no sign-in in progress. It was ignored; nothing was \
                sent to any server."
                .to_string();
            // Kept for a window that is not listening yet (a cold start with a link); once,
            // however many such links come.
            app.state::<AppState>().link_warnings.keep(&warning);
            emit(app, DEEP_LINK_WARNING, warning);
        }
    }
}

/// An "add our server" link: read (nothing fetched, opened or saved), then shown on the
/// page that asks Add or Cancel. A refused link is said in the engine's words, which
/// never repeat the link's own text.
fn add_server_link(app: &AppHandle, url: &url::Url) {
    let state = app.state::<AppState>();
    let engine = state.engine.clone();
    let read = engine.read_add_link(url.as_str()).and_then(|server| {
        let taken: Vec<String> = engine.config()?.profiles().map(|p| p.name.clone()).collect();
        Ok(AddServerOffer::new(url.as_str(), server, &taken))
    });
    crate::windows::show_main(app);
    match read {
        Ok(offer) => {
            tracing::info!(host = %offer.host, "an add-a-server link asks to be confirmed");
            *state.add_offer.lock().unwrap_or_else(|e| e.into_inner()) = Some(offer.clone());
            emit(app, ADD_SERVER_LINK, offer);
        }
        Err(e) => {
            let warning = e.to_string();
            tracing::warn!("{warning}");
            state.link_warnings.keep(&warning);
            emit(app, DEEP_LINK_WARNING, warning);
        }
    }
}
