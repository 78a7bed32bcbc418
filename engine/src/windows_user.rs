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

/// Whether `path` is owned by the machine's administrators (the Administrators group,
/// SYSTEM or TrustedInstaller) or by this user: what a lab's files in `%ProgramData%`
/// must be, since any user may create a folder there first and would own it (this user
/// trusts only themselves and the administrators, as root or themselves on Unix).
#[allow(unsafe_code)] // one Win32 call filling pointers owned here, and its LocalFree
pub fn owned_by_administrators_or_me(path: &std::path::Path) -> std::io::Result<bool> {
    use std::os::windows::ffi::OsStrExt;
    use windows_sys::Win32::Security::Authorization::{GetNamedSecurityInfoW, SE_FILE_OBJECT};
    use windows_sys::Win32::Security::{OWNER_SECURITY_INFORMATION, PSECURITY_DESCRIPTOR, PSID};
    const ADMINISTRATORS: [&str; 3] =
        ["S-1-5-32-544", "S-1-5-18", "S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464"];
    let wide: Vec<u16> = path.as_os_str().encode_wide().chain(std::iter::once(0)).collect();
    let mut owner: PSID = std::ptr::null_mut();
    let mut descriptor: PSECURITY_DESCRIPTOR = std::ptr::null_mut();
    // SAFETY: `wide` is NUL-terminated; the out-pointers are valid; `owner` points into
    // `descriptor`, which is freed below after the owner is read.
    let status = unsafe {
        GetNamedSecurityInfoW(
            wide.as_ptr(),
            SE_FILE_OBJECT,
            OWNER_SECURITY_INFORMATION,
            &mut owner,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            &mut descriptor,
        )
    };
    if status != 0 {
        return Err(std::io::Error::from_raw_os_error(status as i32));
    }
    let mut text = std::ptr::null_mut();
    // SAFETY: `owner` is a valid SID inside `descriptor`; `text` receives a LocalAlloc'd string.
    let converted = unsafe { ConvertSidToStringSidW(owner, &mut text) } != 0;
    let sid = if converted {
        // SAFETY: `text` is a NUL-terminated UTF-16 string, freed right after it is copied.
        unsafe {
            let len = (0..).take_while(|&i| *text.add(i) != 0).count();
            let sid = String::from_utf16_lossy(std::slice::from_raw_parts(text, len));
            LocalFree(text.cast());
            Some(sid)
        }
    } else {
        None
    };
    // SAFETY: allocated by GetNamedSecurityInfoW for us to free.
    unsafe { LocalFree(descriptor.cast()) };
    match sid {
        Some(sid) => Ok(ADMINISTRATORS.contains(&sid.as_str()) || current_sid().is_ok_and(|me| me == sid)),
        None => Err(std::io::Error::last_os_error()),
    }
}
