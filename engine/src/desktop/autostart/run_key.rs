//! Start at login on Windows: the value `Latchkey` under the user's
//! `HKCU\Software\Microsoft\Windows\CurrentVersion\Run`, as the installer writes it
//! (packaging/windows/installer.nsi). Task Manager's Startup page switches such an entry off
//! without deleting it, by a value under `…\Explorer\StartupApproved\Run` whose first byte
//! is odd; that counts as off here, and switching on again clears it.

use std::path::Path;

use windows_sys::Win32::Foundation::{ERROR_FILE_NOT_FOUND, ERROR_SUCCESS};
use windows_sys::Win32::System::Registry::{
    RegDeleteKeyValueW, RegGetValueW, RegSetKeyValueW, HKEY_CURRENT_USER, REG_SZ, RRF_RT_REG_BINARY, RRF_RT_REG_SZ,
};

use crate::error::{Error, Result};

const RUN: &str = r"Software\Microsoft\Windows\CurrentVersion\Run";
const APPROVED: &str = r"Software\Microsoft\Windows\CurrentVersion\Explorer\StartupApproved\Run";

/// The `Run` entry of one user; `name` is the value's name (`Latchkey`; tests use their own).
#[derive(Debug, Clone)]
pub struct Autostart {
    name: String,
}

fn wide(text: &str) -> Vec<u16> {
    text.encode_utf16().chain(Some(0)).collect()
}

fn failed(what: &str, code: u32) -> Error {
    Error::io(what, std::io::Error::from_raw_os_error(code as i32))
}

impl Autostart {
    pub fn for_user() -> Result<Self> {
        Ok(Self::named("Latchkey"))
    }

    pub fn named(name: &str) -> Self {
        Self { name: name.to_string() }
    }

    /// The value's data, if it is there (up to 4 KiB).
    #[allow(unsafe_code)] // RegGetValueW into a local buffer of the size given
    fn read(&self, key: &str, flags: u32) -> Option<Vec<u8>> {
        let mut buffer = vec![0u8; 4096];
        let mut len = buffer.len() as u32;
        // SAFETY: the strings are NUL-terminated and the buffer is valid for `len` bytes.
        let code = unsafe {
            RegGetValueW(
                HKEY_CURRENT_USER,
                wide(key).as_ptr(),
                wide(&self.name).as_ptr(),
                flags,
                std::ptr::null_mut(),
                buffer.as_mut_ptr().cast(),
                &mut len,
            )
        };
        (code == ERROR_SUCCESS).then(|| {
            buffer.truncate(len as usize);
            buffer
        })
    }

    pub fn is_enabled(&self) -> bool {
        let switched_off =
            self.read(APPROVED, RRF_RT_REG_BINARY).and_then(|d| d.first().copied()).is_some_and(|b| b % 2 == 1);
        self.read(RUN, RRF_RT_REG_SZ).is_some() && !switched_off
    }

    /// The program the entry starts (the Run value, unquoted), if there is one.
    pub fn target(&self) -> Option<std::path::PathBuf> {
        let data = self.read(RUN, RRF_RT_REG_SZ)?;
        let wide: Vec<u16> =
            data.chunks_exact(2).map(|b| u16::from_le_bytes([b[0], b[1]])).take_while(|&c| c != 0).collect();
        let command = String::from_utf16_lossy(&wide);
        let program = match command.strip_prefix('"') {
            Some(rest) => rest.split('"').next().unwrap_or_default().to_string(),
            None => command.split_whitespace().next().unwrap_or_default().to_string(),
        };
        Some(program.into())
    }

    /// Write the entry so `tray` starts at login (quoted: paths have spaces here).
    #[allow(unsafe_code)] // RegSetKeyValueW from a local string
    pub fn enable(&self, tray: &Path) -> Result<()> {
        let command = wide(&format!("\"{}\"", tray.display()));
        // SAFETY: the strings are NUL-terminated; the data is `command`'s bytes.
        let code = unsafe {
            RegSetKeyValueW(
                HKEY_CURRENT_USER,
                wide(RUN).as_ptr(),
                wide(&self.name).as_ptr(),
                REG_SZ,
                command.as_ptr().cast(),
                (command.len() * 2) as u32,
            )
        };
        if code != ERROR_SUCCESS {
            return Err(failed("cannot write the Run key", code));
        }
        self.delete(APPROVED)
    }

    /// Remove the entry (nothing to do if there is none).
    pub fn disable(&self) -> Result<()> {
        self.delete(RUN)?;
        self.delete(APPROVED)
    }

    #[allow(unsafe_code)] // RegDeleteKeyValueW with two strings
    fn delete(&self, key: &str) -> Result<()> {
        // SAFETY: the strings are NUL-terminated.
        let code = unsafe { RegDeleteKeyValueW(HKEY_CURRENT_USER, wide(key).as_ptr(), wide(&self.name).as_ptr()) };
        match code {
            ERROR_SUCCESS | ERROR_FILE_NOT_FOUND => Ok(()),
            code => Err(failed("cannot change the Run key", code)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enable_writes_the_run_value_and_disable_removes_it() {
        let entry = Autostart::named(&format!("LatchkeyTest{}", std::process::id()));
        assert!(!entry.is_enabled());
        entry.enable(Path::new(r"C:\Program Files\Latchkey\latchkey-tray.exe")).unwrap();
        assert!(entry.is_enabled());
        let data = entry.read(RUN, RRF_RT_REG_SZ).unwrap();
        let text: Vec<u16> = data.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect();
        assert_eq!(
            String::from_utf16_lossy(&text).trim_end_matches('\0'),
            r#""C:\Program Files\Latchkey\latchkey-tray.exe""#
        );
        assert_eq!(entry.target(), Some(r"C:\Program Files\Latchkey\latchkey-tray.exe".into()));
        entry.disable().unwrap();
        assert_eq!(entry.target(), None);
        assert!(!entry.is_enabled());
        entry.disable().unwrap();
    }
}
