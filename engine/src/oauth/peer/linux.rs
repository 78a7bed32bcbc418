//! Linux: the owner of a TCP socket, from the kernel's tables in `/proc/net/tcp` and
//! `/proc/net/tcp6` (one line per socket: local and remote address in hex, then the
//! owner's uid). A browser connecting to 127.0.0.1 holds an IPv4 socket, or an IPv6 one
//! with the v4-mapped address; both are looked up. The line is read while the connection
//! is open (straight after `accept`), so it is there; a socket already closed is refused.

use std::net::{IpAddr, SocketAddr, TcpStream};

use super::Owner;

pub(super) fn owner(stream: &TcpStream) -> Owner {
    let (Ok(client), Ok(server)) = (stream.peer_addr(), stream.local_addr()) else {
        return Owner::Other("a connection already closed".into());
    };
    let mut readable = false;
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        let Ok(text) = std::fs::read_to_string(table) else { continue };
        readable = true;
        if let Some(uid) = uid_of(&text, client, server) {
            let me = nix::unistd::geteuid().as_raw();
            return if uid == me { Owner::Me } else { Owner::Other(format!("uid {uid}")) };
        }
    }
    if readable {
        Owner::Other("a socket the kernel does not list".into())
    } else {
        Owner::Unknown
    }
}

/// The uid on the line of `table` whose local address is `client` and remote `server`.
pub(super) fn uid_of(table: &str, client: SocketAddr, server: SocketAddr) -> Option<u32> {
    table.lines().skip(1).find_map(|line| {
        let mut fields = line.split_whitespace();
        let (local, remote) = (fields.nth(1)?, fields.next()?);
        // st, tx_queue:rx_queue, tr:tm->when, retrnsmt, then the uid.
        let uid = fields.nth(4)?.parse().ok()?;
        (same(local, client) && same(remote, server)).then_some(uid)
    })
}

/// Whether the table's `HEXADDR:HEXPORT` is `addr`. The address is the kernel's bytes
/// (network order) printed as native-endian 32-bit words; the port is in host order.
fn same(field: &str, addr: SocketAddr) -> bool {
    let Some((ip, port)) = field.split_once(':') else { return false };
    if u16::from_str_radix(port, 16).ok() != Some(addr.port()) {
        return false;
    }
    let words: Option<Vec<[u8; 4]>> = (0..ip.len() / 8)
        .map(|i| ip.get(i * 8..i * 8 + 8).and_then(|w| u32::from_str_radix(w, 16).ok()).map(u32::to_ne_bytes))
        .collect();
    let Some(words) = words else { return false };
    let bytes: Vec<u8> = words.concat();
    let listed = match bytes.len() {
        4 => IpAddr::from([bytes[0], bytes[1], bytes[2], bytes[3]]),
        16 => IpAddr::from(<[u8; 16]>::try_from(bytes.as_slice()).expect("16 bytes")),
        _ => return false,
    };
    let wanted = match addr.ip() {
        IpAddr::V4(v4) if listed.is_ipv6() => IpAddr::V6(v4.to_ipv6_mapped()),
        other => other,
    };
    listed == wanted
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A table line as the kernel prints it for `local` → `remote`, owned by `uid`.
    fn line(local: SocketAddr, remote: SocketAddr, uid: u32) -> String {
        fn hex(a: SocketAddr) -> String {
            let words: Vec<String> = match a.ip() {
                IpAddr::V4(ip) => vec![format!("{:08X}", u32::from_ne_bytes(ip.octets()))],
                IpAddr::V6(ip) => ip
                    .octets()
                    .chunks(4)
                    .map(|c| format!("{:08X}", u32::from_ne_bytes([c[0], c[1], c[2], c[3]])))
                    .collect(),
            };
            format!("{}:{:04X}", words.concat(), a.port())
        }
        format!(
            "   1: {} {} 01 00000000:00000000 00:00000000 00000000 {uid:>5}        0 4242 1 0000000000000000 20 4 30 10 -1",
            hex(local),
            hex(remote)
        )
    }

    const HEADER: &str =
        "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode";

    #[test]
    fn the_clients_line_names_its_owner() {
        let server: SocketAddr = "127.0.0.1:8400".parse().unwrap();
        let client: SocketAddr = "127.0.0.1:51000".parse().unwrap();
        let other: SocketAddr = "127.0.0.1:51001".parse().unwrap();
        let table =
            [HEADER.to_string(), line(server, client, 1000), line(other, server, 65534), line(client, server, 1000)]
                .join("\n");
        // The listener's own side of the connection is not the client's.
        assert_eq!(uid_of(&table, client, server), Some(1000));
        assert_eq!(uid_of(&table, other, server), Some(65534));
        assert_eq!(uid_of(&table, "127.0.0.1:1".parse().unwrap(), server), None);
    }

    #[test]
    fn an_ipv6_socket_with_a_mapped_address_counts() {
        let server: SocketAddr = "127.0.0.1:8400".parse().unwrap();
        let client: SocketAddr = "127.0.0.1:51000".parse().unwrap();
        let mapped = |a: SocketAddr| match a {
            SocketAddr::V4(v4) => SocketAddr::new(IpAddr::V6(v4.ip().to_ipv6_mapped()), v4.port()),
            v6 => v6,
        };
        let table = [HEADER.to_string(), line(mapped(client), mapped(server), 4242)].join("\n");
        assert_eq!(uid_of(&table, client, server), Some(4242));
    }

    #[test]
    fn junk_lines_are_skipped() {
        let server: SocketAddr = "127.0.0.1:8400".parse().unwrap();
        let table = format!("{HEADER}\n   0: zz:zz 0100007F:20D0 01 x x x notanumber\n\n   2: 0100007F");
        assert_eq!(uid_of(&table, "127.0.0.1:1".parse().unwrap(), server), None);
    }
}
