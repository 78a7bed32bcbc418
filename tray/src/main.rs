//! `latchkey-tray`: the process that runs from login. It keeps every profile's tokens
//! fresh (the engine's renewal loop), answers `latchkey token` from memory (the token
//! agent), shows a tray icon with a menu, and starts the desktop app only when a window
//! is wanted.
//!
//! Why a process of its own: the desktop app links GTK and WebKit, which hold over 100 MB
//! even with every window closed; this one links neither (the icon is a D-Bus
//! StatusNotifierItem), so what stays resident all day is a few MB (BENCHMARKS.md).

#[cfg(target_os = "linux")]
mod clipboard;
#[cfg(target_os = "linux")]
mod desktop_app;
#[cfg(target_os = "linux")]
mod icon;
#[cfg(target_os = "linux")]
mod logging;
#[cfg(target_os = "linux")]
mod menu;
#[cfg(target_os = "linux")]
mod run;

const USAGE: &str = "\
Usage: latchkey-tray [--after PID] [--version] [--help]

Keeps your Latchkey profiles' tokens fresh and shows them in the tray; the menu opens
the Latchkey window when you need it. Start at login from the menu or the app's
settings. Logs: latchkey-tray.log in Latchkey's log directory.

  --after PID   start once process PID has exited (the app handing its tray over)";

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut after = None;
    match args.first().map(String::as_str) {
        None => {}
        Some("--after") => match args.get(1).and_then(|p| p.parse::<u32>().ok()) {
            Some(pid) if args.len() == 2 => after = Some(pid),
            _ => {
                eprintln!("latchkey-tray: --after takes one process id\n\n{USAGE}");
                return std::process::ExitCode::from(2);
            }
        },
        Some("--version" | "-V") => {
            println!("latchkey-tray {}", env!("CARGO_PKG_VERSION"));
            return std::process::ExitCode::SUCCESS;
        }
        Some("--help" | "-h") => {
            println!("{USAGE}");
            return std::process::ExitCode::SUCCESS;
        }
        Some(other) => {
            eprintln!("latchkey-tray: unexpected argument `{other}`\n\n{USAGE}");
            return std::process::ExitCode::from(2);
        }
    }
    #[cfg(target_os = "linux")]
    return run::run(after);
    #[cfg(not(target_os = "linux"))]
    {
        let _ = after;
        eprintln!("latchkey-tray: only for Linux desktops; elsewhere the Latchkey app keeps its own tray");
        std::process::ExitCode::from(1)
    }
}
