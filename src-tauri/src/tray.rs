//! The tray icon and its menu: one line per profile with its status, per-profile
//! actions, then Open / Start at login / Quit. On Linux tray clicks are not delivered,
//! so every action is a menu item. The icon shows whether something needs the user.

use latchkey::tray_status;
use tauri::image::Image;
use tauri::menu::{CheckMenuItem, Menu, MenuItem, PredefinedMenuItem, Submenu};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager};
use tauri_plugin_clipboard_manager::ClipboardExt;

use crate::state::AppState;
use crate::windows;
use latchkey::renewer::Renewer;

const ID: &str = "latchkey";
const OPEN: &str = "open";
const QUIT: &str = "quit";
const AUTOSTART: &str = "autostart";

pub fn build(app: &AppHandle) -> tauri::Result<()> {
    TrayIconBuilder::with_id(ID)
        .icon(Image::from_bytes(include_bytes!("../../icons/tray.png"))?)
        .tooltip("Latchkey")
        .menu(&menu(app)?)
        .show_menu_on_left_click(true)
        .on_menu_event(|app, event| on_menu(app, event.id().as_ref()))
        .build(app)?;
    Ok(())
}

/// Rebuild the menu and icon from the current status (after any change).
pub fn refresh(app: &AppHandle) {
    let Some(tray) = app.tray_by_id(ID) else { return };
    match menu(app) {
        Ok(m) => {
            let _ = tray.set_menu(Some(m));
        }
        Err(e) => tracing::warn!("cannot rebuild the tray menu: {e}"),
    }
    let attention = tray_status::needs_attention(&app.state::<AppState>().engine);
    let icon: &[u8] = if attention {
        include_bytes!("../../icons/tray-attention.png")
    } else {
        include_bytes!("../../icons/tray.png")
    };
    if let Ok(image) = Image::from_bytes(icon) {
        let _ = tray.set_icon(Some(image));
    }
    let _ = tray.set_tooltip(Some(tray_status::tooltip(attention)));
}

fn menu(app: &AppHandle) -> tauri::Result<Menu<tauri::Wry>> {
    let menu = Menu::new(app)?;
    let engine = app.state::<AppState>().engine.clone();
    let live = app.try_state::<Renewer>().map(|r| r.live());
    for p in tray_status::lines(&engine, live.as_ref(), latchkey::client::now_secs()) {
        let (line, signed_in) = (p.text, p.signed_in);
        let sub = Submenu::with_items(
            app,
            line,
            true,
            &[
                &MenuItem::with_id(app, format!("p:sign-in:{}", p.name), "Sign in again", true, None::<&str>)?,
                &MenuItem::with_id(app, format!("p:refresh:{}", p.name), "Refresh now", signed_in, None::<&str>)?,
                &MenuItem::with_id(app, format!("p:copy:{}", p.name), "Copy token", signed_in, None::<&str>)?,
            ],
        )?;
        menu.append(&sub)?;
    }
    let autostart = crate::start_at_login::is_enabled(app);
    menu.append_items(&[
        &PredefinedMenuItem::separator(app)?,
        &MenuItem::with_id(app, OPEN, "Open Latchkey", true, None::<&str>)?,
        &CheckMenuItem::with_id(app, AUTOSTART, "Start at login", true, autostart, None::<&str>)?,
        &PredefinedMenuItem::separator(app)?,
        &MenuItem::with_id(app, QUIT, "Quit", true, None::<&str>)?,
    ])?;
    Ok(menu)
}

fn on_menu(app: &AppHandle, id: &str) {
    match id {
        OPEN => windows::show_main(app),
        QUIT => quit(app),
        AUTOSTART => {
            if let Err(e) = crate::start_at_login::set(app, !crate::start_at_login::is_enabled(app)) {
                tracing::warn!("cannot change start at login: {e}");
            }
            refresh(app);
        }
        _ => {
            let Some((action, name)) = id.strip_prefix("p:").and_then(|rest| rest.split_once(':')) else { return };
            let (app, name) = (app.clone(), name.to_string());
            match action {
                "sign-in" => crate::sign_in::start_in_window(&app, name),
                "refresh" => {
                    if let Some(r) = app.try_state::<Renewer>() {
                        r.renew_now(&name);
                    }
                }
                "copy" => {
                    std::thread::spawn(move || match app.state::<AppState>().engine.token(&name, None) {
                        Ok((tokens, _)) => {
                            let _ = app.clipboard().write_text(tokens.access_token.expose());
                        }
                        Err(e) => tracing::warn!(profile = %name, "cannot copy a token: {e}"),
                    });
                }
                _ => {}
            }
        }
    }
}

/// Quit, after any renewal in flight has been stored (see [`Renewer::stop`]): an exit in
/// the middle of one can lose a rotated refresh token. Waits off the UI thread.
fn quit(app: &AppHandle) {
    let app = app.clone();
    std::thread::spawn(move || {
        if let Some(renewer) = app.try_state::<Renewer>() {
            if !renewer.stop(std::time::Duration::from_secs(60)) {
                tracing::warn!("a renewal is still running after a minute; quitting anyway");
            }
        }
        tracing::info!("quit from the tray menu");
        app.exit(0);
    });
}
