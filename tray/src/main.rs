//! `latchkey-tray`: the process that runs from login. It keeps every profile's tokens
//! fresh (the engine's renewal loop), answers `latchkey token` from memory (the token
//! agent), shows a tray icon with a menu, and starts the desktop app only when a window
//! is wanted.
//!
//! Why a process of its own: the desktop app links GTK and WebKit, which hold over 100 MB
//! even with every window closed; this one links neither (the icon is a D-Bus
//! StatusNotifierItem), so what stays resident all day is a few MB (BENCHMARKS.md).

// No console window on Windows: the tray is started at login and by the app.
#![cfg_attr(windows, windows_subsystem = "windows")]

mod clipboard;
mod desktop_app;
mod icon;
// The tray's one platform seam is its drawing: a StatusNotifierItem over D-Bus on Linux
// (linux.rs), the system's own tray icon elsewhere (native.rs); each has `show`.
#[cfg(target_os = "linux")]
mod linux;
#[cfg(target_os = "linux")]
use linux as drawing;
mod model;
#[cfg(not(target_os = "linux"))]
mod native;
#[cfg(not(target_os = "linux"))]
use native as drawing;
mod notify;
mod run;

const USAGE: &str = "\
Usage: latchkey-tray [--quit] [--version] [--help]

Keeps your Latchkey profiles' tokens fresh and shows them in the tray; the menu opens
the Latchkey window when you need it. Start at login from the menu or the app's
settings. Logs: latchkey-tray.log in Latchkey's log directory.

  --quit   ask the running tray to stop, as its menu's Quit does (a renewal in flight
           is stored first), and wait until it has (installers use this)";

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        None => run::run(),
        Some("--quit") => run::quit_running(),
        Some("--version" | "-V") => {
            println!("latchkey-tray {}", env!("CARGO_PKG_VERSION"));
            std::process::ExitCode::SUCCESS
        }
        Some("--help" | "-h") => {
            println!("{USAGE}");
            std::process::ExitCode::SUCCESS
        }
        Some(other) => {
            eprintln!("latchkey-tray: unexpected argument `{other}`\n\n{USAGE}");
            std::process::ExitCode::from(2)
        }
    }
}
