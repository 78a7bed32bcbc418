//! The agent's door on Windows: a named pipe only this user can open.
//!
//! Why each piece: pipe names are one namespace for the whole machine, so the name holds
//! the user's SID (two users' agents never meet) and the store's keyring namespace. The
//! pipe's DACL grants access to this user alone (`D:P(A;;GA;;;SID)`), remote clients are
//! rejected, and the first instance is created with `FILE_FLAG_FIRST_PIPE_INSTANCE`, so a
//! name somebody else holds is an error, not a pipe we share. On top of the DACL the
//! server checks the client's process owner on every connection, and the client checks the
//! server's (a pipe squatted under our name never gets a question, nor is believed), as
//! `SO_PEERCRED` does on Linux. Clients connect with `SECURITY_IDENTIFICATION`, so the
//! server can never act as them. All I/O is overlapped with a timeout: a client that never
//! writes cannot hold the agent, nor an agent that never answers the asker.

use std::io::{Read, Write};
use std::os::windows::io::{AsRawHandle, FromRawHandle, OwnedHandle};
use std::time::Duration;

use windows_sys::Win32::Foundation::{
    GetLastError, LocalFree, ERROR_BROKEN_PIPE, ERROR_IO_PENDING, ERROR_OPERATION_ABORTED, ERROR_PIPE_BUSY,
    ERROR_PIPE_CONNECTED, GENERIC_READ, GENERIC_WRITE, HANDLE, INVALID_HANDLE_VALUE, WAIT_OBJECT_0,
};
use windows_sys::Win32::Security::Authorization::{
    ConvertStringSecurityDescriptorToSecurityDescriptorW, SDDL_REVISION_1,
};
use windows_sys::Win32::Security::SECURITY_ATTRIBUTES;
use windows_sys::Win32::Storage::FileSystem::{
    CreateFileW, ReadFile, WriteFile, FILE_FLAG_FIRST_PIPE_INSTANCE, FILE_FLAG_OVERLAPPED, OPEN_EXISTING,
    PIPE_ACCESS_DUPLEX, SECURITY_IDENTIFICATION, SECURITY_SQOS_PRESENT,
};
use windows_sys::Win32::System::Pipes::{
    ConnectNamedPipe, CreateNamedPipeW, GetNamedPipeClientProcessId, GetNamedPipeServerProcessId, WaitNamedPipeW,
    PIPE_READMODE_BYTE, PIPE_REJECT_REMOTE_CLIENTS, PIPE_TYPE_BYTE, PIPE_UNLIMITED_INSTANCES, PIPE_WAIT,
};
use windows_sys::Win32::System::Threading::{CreateEventW, WaitForSingleObject, INFINITE};
use windows_sys::Win32::System::IO::{CancelIoEx, GetOverlappedResult, OVERLAPPED};

use crate::error::{Error, Result};
use crate::store::paths::Paths;
use crate::windows_user::{current_sid, sid_of_process};

const BUFFER: u32 = 64 * 1024;

/// One connection, either end: the pipe and the event its overlapped I/O waits on.
pub struct Conn {
    pipe: OwnedHandle,
    event: OwnedHandle,
    timeout: Duration,
}

pub struct Listener {
    name: String,
    sddl: String,
    /// A spare instance, made before the current one is served, so that the name is never
    /// free between two questions.
    next: Option<OwnedHandle>,
    me: String,
}

impl Listener {
    /// Create the store's pipe. One that answers belongs to another running agent, and
    /// that is an error (checked first: Wine does not enforce the first-instance flag).
    pub fn bind(paths: &Paths) -> Result<Self> {
        let me = current_sid().map_err(|e| Error::io("cannot read this user's identity", e))?;
        let name = pipe_name(paths, &me);
        if running(paths) {
            return Err(Error::AlreadyRunning(name.into()));
        }
        let sddl = format!("D:P(A;;GA;;;{me})");
        let first = create_instance(&name, &sddl, true)
            .map_err(|source| Error::ConfigWrite { path: name.clone().into(), source })?;
        Ok(Self { name, sddl, next: Some(first), me })
    }

    /// Where askers find it.
    pub fn name(&self) -> String {
        self.name.clone()
    }

    /// The next connection from a process of this user, with `timeout` on each read and
    /// write; a connection from anyone else is refused with an error.
    pub fn accept(&mut self, timeout: Duration) -> std::io::Result<Conn> {
        let pipe = match self.next.take() {
            Some(pipe) => pipe,
            None => create_instance(&self.name, &self.sddl, false)?,
        };
        // The spare first: while this instance serves, the name must never be free (a
        // second agent would take it, and askers would find no pipe).
        self.next = create_instance(&self.name, &self.sddl, false).ok();
        let conn = Conn::new(pipe, timeout)?;
        conn.wait_for_client()?;
        let mut pid = 0;
        #[allow(unsafe_code)] // a query into a local
        // SAFETY: the handle is a live pipe and `pid` is valid for writes.
        if unsafe { GetNamedPipeClientProcessId(conn.raw(), &mut pid) } == 0 {
            return Err(std::io::Error::last_os_error());
        }
        if sid_of_process(pid)? != self.me {
            return Err(std::io::Error::other("a process of another user asked"));
        }
        Ok(conn)
    }
}

/// Connect to the store's agent, with `timeout` on reads and writes; `None` when none
/// runs, it is busy past the timeout, or the pipe is not served by this user.
pub fn connect(paths: &Paths, timeout: Duration) -> Option<Conn> {
    let me = current_sid().ok()?;
    let conn = open(&pipe_name(paths, &me), timeout)?;
    let mut pid = 0;
    #[allow(unsafe_code)] // a query into a local
    // SAFETY: the handle is a live pipe and `pid` is valid for writes.
    if unsafe { GetNamedPipeServerProcessId(conn.raw(), &mut pid) } == 0 {
        return None;
    }
    (sid_of_process(pid).ok()? == me).then_some(conn)
}

/// Whether an agent serves this store now.
pub fn running(paths: &Paths) -> bool {
    current_sid().ok().and_then(|me| open(&pipe_name(paths, &me), Duration::from_millis(200))).is_some()
}

fn pipe_name(paths: &Paths, sid: &str) -> String {
    let service: String =
        paths.keyring_service().chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '-' }).collect();
    format!(r"\\.\pipe\{service}-agent-{sid}")
}

fn wide(text: &str) -> Vec<u16> {
    text.encode_utf16().chain(Some(0)).collect()
}

#[allow(unsafe_code)] // Win32 calls on locals and handles owned here
fn create_instance(name: &str, sddl: &str, first: bool) -> std::io::Result<OwnedHandle> {
    let mut descriptor = std::ptr::null_mut();
    // SAFETY: the SDDL string is NUL-terminated; `descriptor` receives a LocalAlloc'd
    // descriptor that is freed below.
    if unsafe {
        ConvertStringSecurityDescriptorToSecurityDescriptorW(
            wide(sddl).as_ptr(),
            SDDL_REVISION_1,
            &mut descriptor,
            std::ptr::null_mut(),
        )
    } == 0
    {
        return Err(std::io::Error::last_os_error());
    }
    let attributes = SECURITY_ATTRIBUTES {
        nLength: std::mem::size_of::<SECURITY_ATTRIBUTES>() as u32,
        lpSecurityDescriptor: descriptor,
        bInheritHandle: 0,
    };
    let flags = PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED | if first { FILE_FLAG_FIRST_PIPE_INSTANCE } else { 0 };
    // SAFETY: the name is NUL-terminated and `attributes` outlives the call.
    let handle = unsafe {
        CreateNamedPipeW(
            wide(name).as_ptr(),
            flags,
            PIPE_TYPE_BYTE | PIPE_READMODE_BYTE | PIPE_WAIT | PIPE_REJECT_REMOTE_CLIENTS,
            PIPE_UNLIMITED_INSTANCES,
            BUFFER,
            BUFFER,
            0,
            &attributes,
        )
    };
    let error = std::io::Error::last_os_error();
    // SAFETY: `descriptor` came from LocalAlloc and nothing refers to it any more.
    unsafe { LocalFree(descriptor) };
    if handle == INVALID_HANDLE_VALUE {
        return Err(error);
    }
    // SAFETY: a new handle that nothing else owns.
    Ok(unsafe { OwnedHandle::from_raw_handle(handle) })
}

#[allow(unsafe_code)] // Win32 calls on locals
fn open(name: &str, timeout: Duration) -> Option<Conn> {
    let name = wide(name);
    for attempt in 0..2 {
        // SAFETY: the name is NUL-terminated; no security attributes, no template.
        let handle = unsafe {
            CreateFileW(
                name.as_ptr(),
                GENERIC_READ | GENERIC_WRITE,
                0,
                std::ptr::null(),
                OPEN_EXISTING,
                FILE_FLAG_OVERLAPPED | SECURITY_SQOS_PRESENT | SECURITY_IDENTIFICATION,
                std::ptr::null_mut(),
            )
        };
        if handle != INVALID_HANDLE_VALUE {
            // SAFETY: a new handle that nothing else owns.
            return Conn::new(unsafe { OwnedHandle::from_raw_handle(handle) }, timeout).ok();
        }
        // SAFETY: no arguments.
        if attempt > 0 || unsafe { GetLastError() } != ERROR_PIPE_BUSY {
            return None;
        }
        // Every instance is serving someone: wait (bounded) for one to come free.
        // SAFETY: the name is NUL-terminated.
        unsafe { WaitNamedPipeW(name.as_ptr(), timeout.as_millis().min(u32::MAX as u128) as u32) };
    }
    None
}

impl Conn {
    #[allow(unsafe_code)] // CreateEventW with no name and no attributes
    fn new(pipe: OwnedHandle, timeout: Duration) -> std::io::Result<Self> {
        // SAFETY: a manual-reset, unnamed event; the handle is owned below.
        let event = unsafe { CreateEventW(std::ptr::null(), 1, 0, std::ptr::null()) };
        if event.is_null() {
            return Err(std::io::Error::last_os_error());
        }
        // SAFETY: a new handle that nothing else owns.
        Ok(Self { pipe, event: unsafe { OwnedHandle::from_raw_handle(event) }, timeout })
    }

    fn raw(&self) -> HANDLE {
        self.pipe.as_raw_handle()
    }

    /// Block until a client opens this instance (no timeout: the agent idles here).
    fn wait_for_client(&self) -> std::io::Result<()> {
        match self.overlapped(None, |ov| {
            // SAFETY: `ov` lives until the operation has completed (see `overlapped`).
            #[allow(unsafe_code)]
            unsafe {
                ConnectNamedPipe(self.raw(), ov)
            }
        }) {
            Ok(_) => Ok(()),
            Err(e) if e.raw_os_error() == Some(ERROR_PIPE_CONNECTED as i32) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Start an overlapped operation and wait for it, at most `limit`; one that does not
    /// finish in time is cancelled and reported as `TimedOut`.
    #[allow(unsafe_code)] // the OVERLAPPED lives on this frame until the I/O is over
    fn overlapped(
        &self,
        limit: Option<Duration>,
        start: impl FnOnce(*mut OVERLAPPED) -> i32,
    ) -> std::io::Result<usize> {
        // SAFETY: an all-zero OVERLAPPED is its documented initial state.
        let mut ov: OVERLAPPED = unsafe { std::mem::zeroed() };
        ov.hEvent = self.event.as_raw_handle();
        if start(&mut ov) == 0 {
            // SAFETY: no arguments.
            let error = unsafe { GetLastError() };
            if error != ERROR_IO_PENDING {
                return Err(std::io::Error::from_raw_os_error(error as i32));
            }
            let wait = limit.map_or(INFINITE, |d| d.as_millis().min(u32::MAX as u128 - 1) as u32);
            // SAFETY: the event handle is live.
            if unsafe { WaitForSingleObject(ov.hEvent, wait) } != WAIT_OBJECT_0 {
                // SAFETY: cancels only this operation; the wait below lets it finish.
                unsafe { CancelIoEx(self.raw(), &ov) };
            }
        }
        let mut done = 0;
        // SAFETY: waits until the operation is over, so `ov` is no longer in use after it.
        if unsafe { GetOverlappedResult(self.raw(), &ov, &mut done, 1) } == 0 {
            let error = std::io::Error::last_os_error();
            return match error.raw_os_error().map(|e| e as u32) {
                Some(ERROR_OPERATION_ABORTED) => Err(std::io::ErrorKind::TimedOut.into()),
                Some(ERROR_BROKEN_PIPE) => Ok(0),
                _ => Err(error),
            };
        }
        Ok(done as usize)
    }
}

impl super::ReadBy for Conn {
    fn read_by(&mut self, buf: &mut [u8], deadline: std::time::Instant) -> std::io::Result<usize> {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        if left.is_zero() {
            return Err(std::io::ErrorKind::TimedOut.into());
        }
        let every = std::mem::replace(&mut self.timeout, left);
        let read = self.read(buf);
        self.timeout = every;
        read
    }
}

impl Read for Conn {
    #[allow(unsafe_code)] // ReadFile into the caller's buffer
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let len = buf.len().min(u32::MAX as usize) as u32;
        let ptr = buf.as_mut_ptr();
        let pipe = self.raw();
        // SAFETY: `buf` outlives the operation, which `overlapped` waits out.
        match self.overlapped(Some(self.timeout), |ov| unsafe { ReadFile(pipe, ptr, len, std::ptr::null_mut(), ov) }) {
            Err(e) if e.raw_os_error() == Some(ERROR_BROKEN_PIPE as i32) => Ok(0),
            other => other,
        }
    }
}

impl Write for Conn {
    #[allow(unsafe_code)] // WriteFile from the caller's buffer
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let len = buf.len().min(u32::MAX as usize) as u32;
        let ptr = buf.as_ptr();
        let pipe = self.raw();
        // SAFETY: `buf` outlives the operation, which `overlapped` waits out.
        self.overlapped(Some(self.timeout), |ov| unsafe { WriteFile(pipe, ptr, len, std::ptr::null_mut(), ov) })
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pipe_is_named_for_the_user_and_the_store() {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths::in_dir(dir.path().to_path_buf());
        let me = current_sid().unwrap();
        assert!(me.starts_with("S-1-"), "{me}");
        let name = pipe_name(&paths, &me);
        assert!(name.starts_with(r"\\.\pipe\latchkey-"), "{name}");
        assert!(name.ends_with(&me));
        assert!(!name[9..].contains('\\'));
    }

    #[test]
    fn a_client_that_never_writes_times_out() {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths::in_dir(dir.path().to_path_buf());
        let mut listener = Listener::bind(&paths).unwrap();
        let server = std::thread::spawn(move || {
            let mut conn = listener.accept(Duration::from_millis(300)).unwrap();
            let mut buf = [0u8; 8];
            conn.read(&mut buf).unwrap_err().kind()
        });
        let _idle = connect(&paths, Duration::from_secs(5)).expect("the agent's pipe");
        assert_eq!(server.join().unwrap(), std::io::ErrorKind::TimedOut);
    }
}
