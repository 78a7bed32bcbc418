//! Who a Windows process runs as, by its token's user SID: the token agent checks the
//! process at each end of its pipe, and the loopback listeners the process behind each
//! connection (`oauth/peer/windows.rs`), so both keep to this user alone.

use std::os::windows::io::{AsRawHandle, FromRawHandle, OwnedHandle};

use windows_sys::Win32::Foundation::{LocalFree, HANDLE};
use windows_sys::Win32::Security::Authorization::ConvertSidToStringSidW;
use windows_sys::Win32::Security::{GetTokenInformation, TokenUser, TOKEN_QUERY, TOKEN_USER};
use windows_sys::Win32::System::Threading::{
    GetCurrentProcessId, OpenProcess, OpenProcessToken, PROCESS_QUERY_LIMITED_INFORMATION,
};

/// The string SID of the user this process runs as.
pub fn current_sid() -> std::io::Result<String> {
    // SAFETY: no arguments.
    #[allow(unsafe_code)]
    sid_of_process(unsafe { GetCurrentProcessId() })
}

/// The string SID of the user a process runs as.
#[allow(unsafe_code)] // Win32 calls on locals and handles owned here
pub fn sid_of_process(pid: u32) -> std::io::Result<String> {
    // SAFETY: plain calls; every handle returned is owned and closed by OwnedHandle.
    let process = unsafe { OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, 0, pid) };
    if process.is_null() {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: a new handle that nothing else owns.
    let process = unsafe { OwnedHandle::from_raw_handle(process) };
    let mut token: HANDLE = std::ptr::null_mut();
    // SAFETY: `token` is valid for writes.
    if unsafe { OpenProcessToken(process.as_raw_handle(), TOKEN_QUERY, &mut token) } == 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: a new handle that nothing else owns.
    let token = unsafe { OwnedHandle::from_raw_handle(token) };
    // TOKEN_USER plus the SID it points into; u64s keep the buffer aligned for it.
    let mut buffer = [0u64; 64];
    let mut len = 0;
    // SAFETY: the buffer is valid for writes of the size given.
    if unsafe {
        GetTokenInformation(
            token.as_raw_handle(),
            TokenUser,
            buffer.as_mut_ptr().cast(),
            std::mem::size_of_val(&buffer) as u32,
            &mut len,
        )
    } == 0
    {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: GetTokenInformation wrote a TOKEN_USER at the start of the aligned buffer.
    let user = unsafe { &*(buffer.as_ptr() as *const TOKEN_USER) };
    let mut text = std::ptr::null_mut();
    // SAFETY: the SID is valid while `buffer` lives; `text` receives a LocalAlloc'd string.
    if unsafe { ConvertSidToStringSidW(user.User.Sid, &mut text) } == 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: `text` is a NUL-terminated UTF-16 string, freed right after it is copied.
    let sid = unsafe {
        let len = (0..).take_while(|&i| *text.add(i) != 0).count();
        let sid = String::from_utf16_lossy(std::slice::from_raw_parts(text, len));
        LocalFree(text.cast());
        sid
    };
    Ok(sid)
}

/// Whether a process with this id runs now (a job's token file names the `exec` that
/// keeps it). A process that exited but whose handle someone holds is not running.
#[allow(unsafe_code)] // Win32 calls on a handle owned here
pub fn process_exists(pid: u32) -> bool {
    use windows_sys::Win32::Foundation::STILL_ACTIVE;
    use windows_sys::Win32::System::Threading::GetExitCodeProcess;
    // SAFETY: a plain call; the handle returned is owned and closed by OwnedHandle.
    let process = unsafe { OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, 0, pid) };
    if process.is_null() {
        return false;
    }
    // SAFETY: a new handle that nothing else owns.
    let process = unsafe { OwnedHandle::from_raw_handle(process) };
    let mut code = 0u32;
    // SAFETY: `code` is valid for writes.
    let ok = unsafe { GetExitCodeProcess(process.as_raw_handle(), &mut code) } != 0;
    ok && code == STILL_ACTIVE as u32
}
