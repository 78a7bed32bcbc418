//! The agent's door on Linux and macOS: a Unix socket in a directory only the user can
//! enter, mode 0600, and the peer's uid checked on every connection (`SO_PEERCRED` on
//! Linux, `getpeereid` on macOS).

use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::PathBuf;
use std::time::Duration;

use crate::error::{Error, Result};
use crate::store::paths::Paths;

/// One connection, either end.
pub(super) type Conn = UnixStream;

pub(super) struct Listener {
    inner: UnixListener,
    path: PathBuf,
}

impl Listener {
    /// Bind the store's socket. A socket left by a process that died is replaced; one
    /// that answers belongs to another running agent, and that is an error.
    pub(super) fn bind(paths: &Paths) -> Result<Self> {
        let path = paths.agent_socket();
        let wrap = |source| Error::ConfigWrite { path: path.clone(), source };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(wrap)?;
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(wrap)?;
        }
        if path.exists() {
            if running(paths) {
                return Err(Error::AlreadyRunning(path));
            }
            std::fs::remove_file(&path).map_err(wrap)?;
        }
        let inner = UnixListener::bind(&path).map_err(wrap)?;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).map_err(wrap)?;
        Ok(Self { inner, path })
    }

    /// Where askers find it.
    pub(super) fn name(&self) -> String {
        self.path.display().to_string()
    }

    /// The next connection from a process of this user, with `timeout` on its reads and
    /// writes; a connection from anyone else is refused with an error.
    pub(super) fn accept(&self, timeout: Duration) -> std::io::Result<Conn> {
        let (stream, _) = self.inner.accept()?;
        if peer_uid(&stream)? != current_uid() {
            return Err(std::io::Error::other("a process of another user asked"));
        }
        stream.set_read_timeout(Some(timeout))?;
        stream.set_write_timeout(Some(timeout))?;
        Ok(stream)
    }
}

impl super::ReadBy for Conn {
    fn read_by(&mut self, buf: &mut [u8], deadline: std::time::Instant) -> std::io::Result<usize> {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        if left.is_zero() {
            return Err(std::io::ErrorKind::TimedOut.into());
        }
        self.set_read_timeout(Some(left))?;
        std::io::Read::read(self, buf)
    }
}

/// Connect to the store's agent, with `timeout` on reads and writes.
pub(super) fn connect(paths: &Paths, timeout: Duration) -> Option<Conn> {
    let stream = UnixStream::connect(paths.agent_socket()).ok()?;
    stream.set_read_timeout(Some(timeout)).ok()?;
    stream.set_write_timeout(Some(timeout)).ok()?;
    Some(stream)
}

/// Whether an agent serves this store now.
pub(super) fn running(paths: &Paths) -> bool {
    match UnixStream::connect(paths.agent_socket()) {
        Ok(stream) => {
            // Say at once that no question follows, so the agent does not wait for one.
            let _ = stream.shutdown(std::net::Shutdown::Write);
            true
        }
        Err(_) => false,
    }
}

#[allow(unsafe_code)] // getuid: a libc call with no arguments
fn current_uid() -> u32 {
    // SAFETY: getuid cannot fail and touches no memory.
    unsafe { libc::getuid() }
}

/// The uid of the process at the other end of a Unix socket (`SO_PEERCRED`).
#[cfg(not(target_vendor = "apple"))]
#[allow(unsafe_code)] // getsockopt into a local struct; std has no peer credentials on stable
fn peer_uid(stream: &UnixStream) -> std::io::Result<u32> {
    use std::os::fd::AsRawFd;
    let mut cred = libc::ucred { pid: 0, uid: u32::MAX, gid: u32::MAX };
    let mut len = std::mem::size_of::<libc::ucred>() as libc::socklen_t;
    // SAFETY: `cred` and `len` are valid for writes of the sizes given.
    let rc = unsafe {
        libc::getsockopt(
            stream.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_PEERCRED,
            (&mut cred as *mut libc::ucred).cast(),
            &mut len,
        )
    };
    if rc != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(cred.uid)
}

/// The uid of the process at the other end of a Unix socket (`getpeereid`).
#[cfg(target_vendor = "apple")]
#[allow(unsafe_code)] // getpeereid into two locals; std has no peer credentials on stable
fn peer_uid(stream: &UnixStream) -> std::io::Result<u32> {
    use std::os::fd::AsRawFd;
    let (mut uid, mut gid) = (u32::MAX, u32::MAX);
    // SAFETY: both pointers are to locals valid for writes.
    if unsafe { libc::getpeereid(stream.as_raw_fd(), &mut uid, &mut gid) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(uid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peer_uid_is_ours() {
        let (a, _b) = UnixStream::pair().unwrap();
        assert_eq!(peer_uid(&a).unwrap(), current_uid());
    }

    #[test]
    fn the_socket_is_the_users_alone() {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths::in_dir(dir.path().to_path_buf());
        let listener = Listener::bind(&paths).unwrap();
        let mode = std::fs::metadata(&listener.path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
}
