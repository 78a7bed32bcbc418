//! Whose program is at the other end of a loopback TCP connection.
//!
//! Why: a loopback listener (the sign-in's redirect catcher, the page that starts a
//! browser sign-in) is reachable by every user of the computer, and lab machines and HPC
//! login nodes are shared. Another user who learns a waiting sign-in's `state` could send
//! their own code with it and sign the person into *their* account; PKCE does not stop
//! that, since they can open the same authorize URL with their own session. So a
//! connection is served only when the system says it comes from a program of this user:
//!
//! * Linux: the client's socket in `/proc/net/tcp` and `tcp6` names its owner's uid
//!   ([`linux`]).
//! * Windows: the TCP table (`GetExtendedTcpTable`) names the client's process, and that
//!   process's token its user ([`windows`]).
//! * macOS and others: no call says it without root, so [`Owner::Unknown`]; there the
//!   authorize URL never reaches a command line (`launch.rs`) and every sign-in says
//!   whose account it is.
//!
//! Files and calls only; the listeners decide what to do with the answer.

use std::net::TcpStream;

#[cfg(target_os = "linux")]
mod linux;
#[cfg(target_os = "linux")]
use linux as system;
#[cfg(windows)]
mod windows;
#[cfg(windows)]
use windows as system;
#[cfg(not(any(target_os = "linux", windows)))]
mod system {
    pub fn owner(_: &std::net::TcpStream) -> super::Owner {
        super::Owner::Unknown
    }
}

/// What the system says about the program at the other end.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(not(any(target_os = "linux", windows)), allow(dead_code))] // macOS: always Unknown
pub(crate) enum Owner {
    /// A program of the user this process runs as.
    Me,
    /// Someone else's (the uid, or the SID, for the log).
    Other(String),
    /// The system keeps no record of it that we can read (macOS; `/proc` not mounted; a
    /// TCP table that names no process, as Wine's).
    Unknown,
}

impl Owner {
    /// Whether a listener may serve the connection: a program of this user, or one the
    /// system cannot place. A connection the system places elsewhere, or that it should
    /// know and does not (already gone, or a table that says nothing of it), is refused.
    pub(crate) fn may_connect(&self) -> bool {
        !matches!(self, Owner::Other(_))
    }
}

/// Who holds the other end of `stream` (accepted by a listener on this machine).
pub(crate) fn owner(stream: &TcpStream) -> Owner {
    system::owner(stream)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_connection_from_this_process_is_mine() {
        let listener = std::net::TcpListener::bind(("127.0.0.1", 0)).unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (served, _) = listener.accept().unwrap();
        // Wine's TCP table names no owning process (0): there the answer is Unknown, and
        // the Windows check is proven on a real Windows (the workflows' runner).
        let wine = cfg!(windows) && std::env::var_os("WINEPREFIX").is_some();
        let expected = if cfg!(any(target_os = "linux", windows)) && !wine { Owner::Me } else { Owner::Unknown };
        assert_eq!(owner(&served), expected);
        drop(client);
    }
}
