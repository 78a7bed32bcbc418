//! The Latchkey desktop app: a window, and only a window.
//!
//! `latchkey-tray` (the lean tray, engine only, no WebKit) is the one tray: it renews,
//! answers `latchkey token`, shows the icon and notifies, from login to logout. This app
//! starts it when it is not running, and exits when its window closes, so nothing with
//! WebKit in it stays resident and there is no second tray, renewal loop or hand-over.
//!
//! This crate is glue. It owns windows, deep links and IPC; everything about
//! OAuth is in the `latchkey` engine crate, called from one-line commands. The
//! single-instance plugin is registered first so a second launch (for example the OS
//! handing us `latchkey://callback?...`) reaches this process instead of starting
//! another one.

mod catch;
mod commands;
mod environment;
mod error;
mod events;
mod installed;
use latchkey_engine::Logging;
use latchkey_ipc::models;
mod sign_in;
mod start_at_login;
mod state;
mod store_watch;
mod windows;

use tauri::RunEvent;

use crate::state::AppState;

/// The handlers of every command in the list (`ipc/src/commands/list.rs`), each the
/// function of that name in `commands::MODULE`.
macro_rules! handlers {
    ($($module:ident::$name:ident),*) => {
        tauri::generate_handler![$(commands::handlers::$module::$name),*]
    };
}

/// Build and run the app; returns when the user quits.
pub fn run() {
    // Refresh now, Copy token, Test access and the whoami after a sign-in renew: a
    // logout or Ctrl-C during one waits until what the server rotated to is stored
    // (first thing, before any thread starts).
    if let Err(e) = latchkey_engine::deferral::install() {
        eprintln!("latchkey-desktop: cannot set up signal handling: {e}");
    }
    let opened = latchkey_engine::Paths::from_env()
        .and_then(|paths| Ok((latchkey_engine::Latchkey::with_paths(paths.clone())?, paths)));
    let (engine, paths) = match opened {
        Ok(opened) => opened,
        Err(err) => {
            eprintln!("latchkey-desktop: {err}");
            std::process::exit(1);
        }
    };
    Logging::with_file(&paths, latchkey_engine::DESKTOP_LOG).init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let start_hidden = args.iter().any(|a| a == "--hidden");
    let sign_in = sign_in::requested(&args);
    // The tray keeps the tokens fresh, whatever this window does: start it if it is not
    // there (`latchkey agent` counts too: it renews and answers as the tray does).
    let mut environment = environment::Environment::detect();
    if latchkey_engine::agent_running(&paths) {
        tracing::info!("another Latchkey process keeps the tokens fresh; this app is only a window");
    } else {
        environment.lean_tray_started = start_lean_tray();
    }
    for problem in environment.degraded() {
        tracing::warn!("degraded: {problem}");
    }
    if start_hidden {
        tracing::info!("latchkey-tray keeps the tokens fresh; nothing to do hidden");
        return;
    }
    // No webview, no window: said in the system's own words box, after the tray started.
    environment::webview_runtime_or_exit();

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
        .manage(AppState::new(engine, paths, environment))
        .on_window_event(|window, event| {
            if window.label() == windows::MAIN && matches!(event, tauri::WindowEvent::Destroyed) {
                tracing::info!("main window closed");
            }
        })
        .invoke_handler(latchkey_ipc::with_commands!(paths handlers))
        .setup(move |app| {
            let handle = app.handle();
            catch::deep_link::register(handle);
            start_at_login::keep_pointing_here();
            start_at_login::follow_policy(&tauri::Manager::state::<AppState>(handle).engine);
            // The tray renews; the window follows what it writes to the store.
            store_watch::start(handle);
            windows::show_main(handle);
            if let Some(name) = sign_in.clone() {
                sign_in::start_in_window(handle, name);
            }
            Ok(())
        })
        .build(tauri::generate_context!())
        .expect("error while building the Latchkey app");

    app.run(|_, event| {
        if let RunEvent::ExitRequested { code: None, .. } = event {
            tracing::info!("last window closed; latchkey-tray keeps the tokens fresh");
        }
        // Closing the window during a renewal: the process ends only once the rotated
        // tokens are stored (a renewal's answer and keyring write take seconds at most).
        if let RunEvent::Exit = event {
            if !latchkey_engine::deferral::wait_idle(std::time::Duration::from_secs(15)) {
                tracing::warn!("a renewal was still going 15 s after the window closed; exiting");
            }
        }
    });
}

/// Start `latchkey-tray` (installed beside this program) for the rest of the session:
/// detached from this program's terminal (a process group of its own; on Windows no
/// console of its own and none shared), so a Ctrl-C to a terminal that started the app
/// does not stop it. `false` if it is not installed or does not start.
fn start_lean_tray() -> bool {
    let Some(tray) = start_at_login::lean_tray() else {
        tracing::warn!("latchkey-tray is not installed beside this app: nothing renews tokens in the background");
        return false;
    };
    let mut command = std::process::Command::new(&tray);
    command.stdin(std::process::Stdio::null()).stdout(std::process::Stdio::null()).stderr(std::process::Stdio::null());
    // The tray outlives this window, so it starts apart from it: on Unix in a process group
    // of its own (a Ctrl-C to the app's terminal does not reach it), on Windows with no
    // console and a group of its own. One line each: too small for a seam.
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    #[cfg(windows)]
    {
        // DETACHED_PROCESS | CREATE_NEW_PROCESS_GROUP
        std::os::windows::process::CommandExt::creation_flags(&mut command, 0x0000_0008 | 0x0000_0200);
    }
    let started = command.spawn();
    match started {
        Ok(mut child) => {
            tracing::info!("started latchkey-tray to keep the tokens fresh");
            // Reap it should it end while this window is open (a second tray exits at once).
            std::thread::spawn(move || child.wait());
            true
        }
        Err(e) => {
            tracing::warn!("cannot start latchkey-tray ({e}): nothing renews tokens in the background");
            false
        }
    }
}
