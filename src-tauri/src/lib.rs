//! The Latchkey desktop app: a tray process with a main window on demand.
//!
//! When `latchkey-tray` runs (the lean tray that starts at login), this process is only
//! the window: the tray opens it on demand and it exits when the window closes. Started
//! alone, it keeps its own tray and renewal loop while its window is open, and hands them
//! over to `latchkey-tray` when the window closes (`handover.rs`).
//!
//! This crate is glue. It owns windows, the tray, deep links and IPC; everything about
//! OAuth is in the `latchkey` engine crate, called from one-line commands. The
//! single-instance plugin is registered first so a second launch (for example the OS
//! handing us `latchkey://callback?...`) reaches this process instead of starting
//! another one.

mod catch;
mod commands;
mod environment;
mod error;
mod handover;
mod logging;
use latchkey_ipc::models;
mod renewal;
mod sign_in;
mod start_at_login;
mod state;
mod store_watch;
mod token_agent;
mod tray;
mod windows;

use tauri::{Manager, RunEvent};

use crate::state::AppState;

/// Build and run the app; returns when the user quits.
pub fn run() {
    let engine = match latchkey::Latchkey::open() {
        Ok(engine) => engine,
        Err(err) => {
            eprintln!("latchkey-desktop: {err}");
            std::process::exit(1);
        }
    };
    logging::init(engine.paths());
    let args: Vec<String> = std::env::args().skip(1).collect();
    let start_hidden = args.iter().any(|a| a == "--hidden");
    let sign_in = sign_in::requested(&args);
    // With `latchkey-tray` (or `latchkey agent`) keeping the tokens fresh, this process is
    // only the window: no second tray icon or renewal loop, and it exits when the window
    // closes, so nothing with WebKit in it stays resident.
    let window_only = latchkey::agent::running(engine.paths());
    if window_only && start_hidden {
        tracing::info!("another Latchkey process keeps the tokens fresh; nothing to do hidden");
        return;
    }
    let environment = environment::Environment::detect();
    for problem in environment.degraded() {
        tracing::warn!("degraded: {problem}");
    }

    let mut builder = tauri::Builder::default();
    if environment.session_bus {
        // First, so a second instance hands over before anything else starts.
        builder = builder.plugin(tauri_plugin_single_instance::init(|app, argv, _cwd| {
            tracing::info!(args = argv.len().saturating_sub(1), "second launch forwarded here");
            if !argv.iter().skip(1).any(|a| a == "--hidden" || a.starts_with("latchkey:")) {
                windows::show_main(app);
            }
            if let Some(name) = sign_in::requested(&argv[1.min(argv.len())..]) {
                sign_in::start_in_window(app, name);
            }
        }));
    }
    let app = builder
        .plugin(tauri_plugin_deep_link::init())
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_clipboard_manager::init())
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_autostart::init(
            tauri_plugin_autostart::MacosLauncher::LaunchAgent,
            Some(vec!["--hidden"]),
        ))
        .manage(AppState::new(engine, environment))
        .on_window_event(|window, event| {
            if window.label() == windows::MAIN && matches!(event, tauri::WindowEvent::Destroyed) {
                tracing::info!("main window closed; its webview is gone, the tray stays");
            }
        })
        .invoke_handler(tauri::generate_handler![
            commands::app::app_status,
            commands::app::list_presets,
            commands::app::ui_ready,
            commands::app::copy_text,
            commands::profiles::list_profiles,
            commands::profiles::preview_server,
            commands::profiles::preview_profile,
            commands::profiles::add_profile,
            commands::profiles::register_client,
            commands::profiles::set_client,
            commands::profiles::check_credentials,
            commands::profiles::set_scopes,
            commands::profiles::set_redirect_uri,
            commands::profiles::refresh_profile,
            commands::profiles::test_access,
            commands::profiles::copy_token,
            commands::profiles::sign_out,
            commands::profiles::remove_profile,
            commands::profiles::open_registration_page,
            commands::profiles::set_ocarina_sync,
            commands::settings::get_settings,
            commands::settings::set_renew_at,
            commands::settings::set_start_at_login,
            commands::settings::about,
            commands::settings::diagnostics,
            commands::sign_in::start_sign_in,
            commands::sign_in::complete_sign_in,
            commands::sign_in::cancel_sign_in,
            commands::sign_in::forget_browser_session,
        ])
        .setup(move |app| {
            let handle = app.handle();
            catch::deep_link::register(handle);
            if window_only {
                tracing::info!("another Latchkey process keeps the tokens fresh; this app is only a window");
                store_watch::start(handle);
            } else {
                tray::build(handle)?;
                match renewal::start(handle) {
                    Ok(renewer) => {
                        app.manage(renewer);
                    }
                    Err(e) => tracing::error!("renewal is off: cannot start its loop ({e})"),
                }
                token_agent::start(handle.state::<AppState>().engine.paths());
            }
            if !start_hidden {
                windows::show_main(handle);
            }
            if let Some(name) = sign_in.clone() {
                sign_in::start_in_window(handle, name);
            }
            Ok(())
        })
        .build(tauri::generate_context!())
        .expect("error while building the Latchkey app");

    app.run(move |app, event| {
        if let RunEvent::ExitRequested { code: None, api, .. } = event {
            if window_only {
                tracing::info!("last window closed; the tray process stays");
                return;
            }
            // The last window closed: keep running in the tray (ours, or latchkey-tray's
            // once it has taken over). Quit passes a code.
            api.prevent_exit();
            if !handover::to_lean_tray(app) {
                tracing::debug!("last window closed; staying in the tray");
            }
        }
    });
}
