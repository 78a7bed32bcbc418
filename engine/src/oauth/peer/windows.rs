//! Windows: the process behind a TCP connection, from the system's TCP table
//! (`GetExtendedTcpTable` with owning process ids; the IPv4 table, then the IPv6 one for
//! a dual-stack socket), and that process's user, from its token. A process this user
//! may not open (another user's, a service) is not this user's.

use std::net::{IpAddr, SocketAddr, TcpStream};

use windows_sys::Win32::Foundation::{ERROR_INSUFFICIENT_BUFFER, NO_ERROR};
use windows_sys::Win32::NetworkManagement::IpHelper::{
    GetExtendedTcpTable, MIB_TCP6ROW_OWNER_PID, MIB_TCPROW_OWNER_PID, TCP_TABLE_OWNER_PID_CONNECTIONS,
};
use windows_sys::Win32::Networking::WinSock::{AF_INET, AF_INET6};

use super::Owner;
use crate::windows_user::{current_sid, sid_of_process};

pub fn owner(stream: &TcpStream) -> Owner {
    let (Ok(client), Ok(server)) = (stream.peer_addr(), stream.local_addr()) else {
        return Owner::Other("a connection already closed".into());
    };
    let Some(pid) = owning_pid(client, server) else {
        return Owner::Other("a connection the system does not list".into());
    };
    // No process is 0 (the idle process owns no socket): a table that says 0 does not
    // know the owner (Wine's, for one), which is no answer rather than another user.
    if pid == 0 {
        return Owner::Unknown;
    }
    match (sid_of_process(pid), current_sid()) {
        (Ok(theirs), Ok(mine)) if theirs == mine => Owner::Me,
        (Ok(theirs), _) => Owner::Other(theirs),
        (Err(e), _) => Owner::Other(format!("process {pid}, which this user cannot open ({e})")),
    }
}

/// The process that holds the connection from `client` to `server`.
fn owning_pid(client: SocketAddr, server: SocketAddr) -> Option<u32> {
    let v4 = table(AF_INET as u32)?;
    let v4_rows = rows::<MIB_TCPROW_OWNER_PID>(&v4);
    let ipv4 =
        |addr: u32, port: u32| SocketAddr::new(IpAddr::from(addr.to_ne_bytes()), u16::from_be((port & 0xffff) as u16));
    if let Some(row) = v4_rows
        .iter()
        .find(|r| ipv4(r.dwLocalAddr, r.dwLocalPort) == client && ipv4(r.dwRemoteAddr, r.dwRemotePort) == server)
    {
        return Some(row.dwOwningPid);
    }
    // A dual-stack socket: the addresses are v4-mapped IPv6 ones.
    let mapped = |a: SocketAddr| match a {
        SocketAddr::V4(v4) => SocketAddr::new(IpAddr::V6(v4.ip().to_ipv6_mapped()), v4.port()),
        v6 => v6,
    };
    let v6 = table(AF_INET6 as u32)?;
    let ipv6 = |addr: [u8; 16], port: u32| SocketAddr::new(IpAddr::from(addr), u16::from_be((port & 0xffff) as u16));
    rows::<MIB_TCP6ROW_OWNER_PID>(&v6)
        .iter()
        .find(|r| {
            ipv6(r.ucLocalAddr, r.dwLocalPort) == mapped(client)
                && ipv6(r.ucRemoteAddr, r.dwRemotePort) == mapped(server)
        })
        .map(|r| r.dwOwningPid)
}

/// The table of one address family's connections with owning process ids, as the
/// system writes it (a count, then the rows), in a buffer aligned for its rows.
#[allow(unsafe_code)] // GetExtendedTcpTable into a buffer of the size it asks for
fn table(family: u32) -> Option<Vec<u64>> {
    let mut size = 0u32;
    let mut buffer: Vec<u64> = Vec::new();
    // The table may grow between the two calls: try a few times.
    for _ in 0..4 {
        // SAFETY: the buffer is valid for writes of `size` bytes (none the first time).
        let rc = unsafe {
            GetExtendedTcpTable(buffer.as_mut_ptr().cast(), &mut size, 0, family, TCP_TABLE_OWNER_PID_CONNECTIONS, 0)
        };
        match rc {
            NO_ERROR => return Some(buffer),
            ERROR_INSUFFICIENT_BUFFER => buffer = vec![0u64; (size as usize).div_ceil(8) + 1],
            _ => return None,
        }
    }
    None
}

/// The rows of a table `table` returned: a u32 count, then `count` rows of `R`, aligned
/// as `R` needs (its first field follows the count, padded as the system lays it out).
#[allow(unsafe_code)] // reading the rows the system wrote, within the buffer
fn rows<R>(buffer: &[u64]) -> &[R] {
    let bytes = std::mem::size_of_val(buffer);
    if bytes < 4 {
        return &[];
    }
    // SAFETY: the buffer holds at least 4 bytes and is 8-aligned.
    let count = unsafe { *(buffer.as_ptr() as *const u32) } as usize;
    let offset = std::mem::align_of::<R>().max(4);
    let fits = (bytes.saturating_sub(offset)) / std::mem::size_of::<R>();
    // SAFETY: the rows start at `offset` (the count padded to the row's alignment, as in
    // MIB_TCPTABLE_OWNER_PID), the buffer is 8-aligned, and no more rows are read than
    // the system wrote and the buffer holds.
    unsafe { std::slice::from_raw_parts((buffer.as_ptr() as *const u8).add(offset).cast::<R>(), count.min(fits)) }
}
