//! The tray on Windows (the notification area) and macOS (the menu bar): tray-icon, with
//! tao's event loop on the main thread, where macOS requires it. It draws the menu of
//! [`crate::model`] again whenever the renewal loop reports a change; a left click on the
//! icon opens the window (the menu is on the right button), as on Linux.
//!
//! Ending: logoff and shutdown reach a windowed process as window messages, not console
//! events; tao then ends its loop (`LoopDestroyed`), and the tray stores any renewal in
//! flight before the process exits, as it does on SIGTERM on Linux.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tao::event::{Event, StartCause};
use tao::event_loop::{ControlFlow, EventLoopBuilder};
use tray_icon::menu::{CheckMenuItem, Menu, MenuEvent, MenuId, MenuItem, PredefinedMenuItem, Submenu};
use tray_icon::{Icon, MouseButton, MouseButtonState, TrayIcon, TrayIconBuilder, TrayIconEvent};

use crate::model::{stop_and_exit, Action, Entry, LatchkeyTray, Redraw};

/// How many times (a second apart) the icon is tried before the tray goes on without it.
const ICON_ATTEMPTS: u32 = 60;

enum Message {
    Changed,
    Menu(MenuId),
    Clicked,
    Stop(&'static str),
}

/// Run the tray until the person quits or the session ends. Never returns.
pub fn show(tray: LatchkeyTray, redraw: Redraw, background: std::sync::Arc<latchkey_engine::Background>) -> ! {
    #[allow(unused_mut)]
    let mut event_loop = EventLoopBuilder::<Message>::with_user_event().build();
    // A menu-bar item only: no Dock icon, no menu bar of its own.
    #[cfg(target_os = "macos")]
    tao::platform::macos::EventLoopExtMacOS::set_activation_policy(
        &mut event_loop,
        tao::platform::macos::ActivationPolicy::Accessory,
    );
    let proxy = Mutex::new(event_loop.create_proxy());
    let _ = redraw.set(Box::new(move || {
        let _ = proxy.lock().map(|p| p.send_event(Message::Changed));
    }));
    let menu_proxy = Mutex::new(event_loop.create_proxy());
    MenuEvent::set_event_handler(Some(move |event: MenuEvent| {
        let _ = menu_proxy.lock().map(|p| p.send_event(Message::Menu(event.id)));
    }));
    let click_proxy = Mutex::new(event_loop.create_proxy());
    TrayIconEvent::set_event_handler(Some(move |event: TrayIconEvent| {
        if let TrayIconEvent::Click { button: MouseButton::Left, button_state: MouseButtonState::Up, .. } = event {
            let _ = click_proxy.lock().map(|p| p.send_event(Message::Clicked));
        }
    }));
    // Ctrl-C or a closed console when started from one, or an installer's `--quit`
    // (the engine's Background).
    let stop_proxy = event_loop.create_proxy();
    std::thread::spawn(move || {
        let why = background.wait();
        let _ = stop_proxy.send_event(Message::Stop(why));
    });

    let tray = Arc::new(tray);
    let mut icon: Option<TrayIcon> = None;
    let mut actions: HashMap<MenuId, Action> = HashMap::new();
    let mut attempts = 0;
    event_loop.run(move |event, _, control_flow| {
        match event {
            // Made once the loop runs (macOS needs its application to exist first), and
            // tried again for a while: at login the taskbar may not be there yet.
            Event::NewEvents(StartCause::Init | StartCause::ResumeTimeReached { .. }) if icon.is_none() => {
                attempts += 1;
                let view = tray.view();
                let (menu, ids) = build(&view.entries);
                actions = ids;
                let built = TrayIconBuilder::new()
                    .with_tooltip(view.tooltip)
                    .with_menu(Box::new(menu))
                    .with_menu_on_left_click(false)
                    .with_icon(image(view.attention));
                match built.build() {
                    Ok(made) => {
                        tracing::info!("tray icon shown");
                        icon = Some(made);
                        *control_flow = ControlFlow::Wait;
                    }
                    Err(e) if attempts < ICON_ATTEMPTS => {
                        tracing::debug!("no tray icon yet ({e}); trying again");
                        *control_flow = ControlFlow::WaitUntil(Instant::now() + Duration::from_secs(1));
                    }
                    Err(e) => {
                        tracing::warn!("no tray icon ({e}); tokens are still kept fresh");
                        *control_flow = ControlFlow::Wait;
                    }
                }
            }
            Event::UserEvent(Message::Changed) => {
                if let Some(icon) = &icon {
                    // One status read for the menu, the icon and the tooltip.
                    let view = tray.view();
                    let (menu, ids) = build(&view.entries);
                    actions = ids;
                    icon.set_menu(Some(Box::new(menu)));
                    let _ = icon.set_icon(Some(image(view.attention)));
                    let _ = icon.set_tooltip(Some(view.tooltip));
                }
            }
            Event::UserEvent(Message::Menu(id)) => {
                if let Some(action) = actions.get(&id) {
                    tray.perform(action);
                }
            }
            Event::UserEvent(Message::Clicked) => tray.perform(&Action::Open),
            // The icon goes first (exiting runs no destructors, and Windows would keep a
            // dead icon until the mouse passes over it).
            Event::UserEvent(Message::Stop(why)) => {
                drop(icon.take());
                stop_and_exit(&tray.renewer, why);
            }
            Event::LoopDestroyed => {
                drop(icon.take());
                stop_and_exit(&tray.renewer, "the session is ending");
            }
            _ => {}
        }
    })
}

/// The menu and what each of its items does.
fn build(entries: &[Entry]) -> (Menu, HashMap<MenuId, Action>) {
    let menu = Menu::new();
    let mut actions = HashMap::new();
    for entry in entries {
        match entry {
            Entry::Sub { label, entries } => {
                let sub = Submenu::new(text(label), true);
                for inner in entries {
                    if let Some(item) = leaf(inner, &mut actions) {
                        let _ = sub.append(item.as_ref());
                    }
                }
                let _ = menu.append(&sub);
            }
            other => {
                if let Some(item) = leaf(other, &mut actions) {
                    let _ = menu.append(item.as_ref());
                }
            }
        }
    }
    (menu, actions)
}

fn leaf(entry: &Entry, actions: &mut HashMap<MenuId, Action>) -> Option<Box<dyn tray_icon::menu::IsMenuItem>> {
    match entry {
        Entry::Item { label, enabled, action } => {
            let item = MenuItem::new(text(label), *enabled, None);
            actions.insert(item.id().clone(), action.clone());
            Some(Box::new(item))
        }
        Entry::Check { label, enabled, checked, action } => {
            let item = CheckMenuItem::new(text(label), *enabled, *checked, None);
            actions.insert(item.id().clone(), action.clone());
            Some(Box::new(item))
        }
        Entry::Separator => Some(Box::new(PredefinedMenuItem::separator())),
        Entry::Sub { .. } => None, // one level of submenus, as the model makes
    }
}

/// A menu label shows `&` as a mnemonic marker on Windows; `&&` is a literal ampersand.
fn text(label: &str) -> String {
    label.replace('&', "&&")
}

fn image(attention: bool) -> Icon {
    let (rgba, width, height) = crate::icon::rgba(attention);
    Icon::from_rgba(rgba, width, height).expect("the tray's own PNGs decode")
}
