//! Opening a sign-in page in the person's browser: the system's own opener (`xdg-open`,
//! `open`, `ShellExecuteW` on Windows, which starts no console program), sent to the
//! one-use page of [`crate::oauth::launch`] rather than the authorize URL itself, so the
//! address never sits on a command line another user can read.

use url::Url;

use crate::error::Result;

/// Open `page` (an authorize URL, a device flow's page) in the browser, by way of a
/// one-use page on 127.0.0.1. Best effort once the page runs: whoever calls this also
/// shows the address, for when no browser opens.
pub fn open_sign_in_page(page: &Url) -> Result<()> {
    let start = crate::oauth::launch::page_for(page)?;
    if let Err(e) = open(&start) {
        tracing::info!("could not open the browser: {e}");
    }
    Ok(())
}

/// Hand `url` to the system's opener.
#[cfg(not(windows))]
fn open(url: &Url) -> std::io::Result<()> {
    let opener = if cfg!(target_vendor = "apple") { "open" } else { "xdg-open" };
    std::process::Command::new(opener)
        .arg(url.as_str())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map(drop)
}

/// Hand `url` to the shell (`ShellExecuteW`, as Explorer would open a link): no console
/// program is started, and the URL is never parsed as a command line.
#[cfg(windows)]
#[allow(unsafe_code)] // ShellExecuteW with NUL-terminated strings made here
fn open(url: &Url) -> std::io::Result<()> {
    use windows_sys::Win32::UI::Shell::ShellExecuteW;
    use windows_sys::Win32::UI::WindowsAndMessaging::SW_SHOWNORMAL;
    let wide = |s: &str| s.encode_utf16().chain(std::iter::once(0)).collect::<Vec<u16>>();
    let (verb, file) = (wide("open"), wide(url.as_str()));
    // SAFETY: both strings are NUL-terminated and outlive the call; the rest are null.
    let result = unsafe {
        ShellExecuteW(
            std::ptr::null_mut(),
            verb.as_ptr(),
            file.as_ptr(),
            std::ptr::null(),
            std::ptr::null(),
            SW_SHOWNORMAL,
        )
    };
    // Success is a value above 32 (the old HINSTANCE convention).
    if result as usize > 32 {
        Ok(())
    } else {
        Err(std::io::Error::other(format!("ShellExecuteW answered {}", result as usize)))
    }
}
