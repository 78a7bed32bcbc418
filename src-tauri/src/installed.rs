//! Whether this copy of the app is the installed one (from a package or installer), as
//! opposed to a build run from a checkout: the installed copy owns the `latchkey://`
//! scheme and the start-at-login entry; another build only borrows them while nothing
//! installed is there.

/// Linux: the package puts the binaries in /usr/bin.
#[cfg(target_os = "linux")]
pub fn from_package() -> bool {
    std::env::current_exe().map(|exe| exe.starts_with("/usr/")).unwrap_or(false)
}

/// Windows: the installers (NSIS, MSI) put it under Program Files or the user's
/// `AppData\Local\Programs` (or `AppData\Local`) in a `Latchkey` folder.
#[cfg(windows)]
pub fn from_package() -> bool {
    let installed = |var| std::env::var_os(var).map(std::path::PathBuf::from);
    let exe = std::env::current_exe().ok();
    ["LOCALAPPDATA", "ProgramFiles"].into_iter().filter_map(installed).any(|dir| {
        exe.as_ref().is_some_and(|exe| {
            exe.starts_with(dir.join("Latchkey")) || exe.starts_with(dir.join("Programs").join("Latchkey"))
        })
    })
}

/// macOS: an app bundle in /Applications or the user's ~/Applications.
#[cfg(target_os = "macos")]
pub fn from_package() -> bool {
    let Ok(exe) = std::env::current_exe() else { return false };
    let home = std::env::var_os("HOME").map(|h| std::path::PathBuf::from(h).join("Applications"));
    exe.starts_with("/Applications/") || home.is_some_and(|h| exe.starts_with(h))
}
