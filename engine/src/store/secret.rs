//! Secrets and the OS keyring.
//!
//! [`Secret`] wraps every secret value so it cannot reach `Debug`, a log or an error
//! message by accident. [`Keyring`] is the only door to the OS keyring (Secret Service,
//! Keychain, Credential Manager): every call has a timeout, because a locked keyring can
//! otherwise block forever waiting on a prompt nobody sees; and a keyring that is missing
//! or locked is an error — Latchkey never falls back to writing secrets in plaintext.
//!
//! [`SecretStore`] is the seam: the store holds one, the keyring in every process and
//! [`MemorySecrets`] in unit tests of what is decided around the keyring (no D-Bus, no
//! gnome-keyring). The real-keyring tests stay in `tests/`.

use std::sync::mpsc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::store::parts::{self, Items as _};

/// Whether every address in a D-Bus address list (`;`-separated, tried in turn) is a
/// local socket (`unix:`): the Secret Service session Latchkey opens is the plain one
/// (SECURITY.md says why), so the bus must not cross a network (`tcp:`, `nonce-tcp:`).
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
fn bus_is_local(address: &str) -> bool {
    address.split(';').filter(|a| !a.trim().is_empty()).all(|a| a.trim_start().starts_with("unix:"))
}

/// A secret string: `Debug` prints `[redacted]`; read it with [`Secret::expose`].
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret value. Call only where it is sent to a server, the keyring or a
    /// command that was asked for it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

/// What a keyring item holds for a profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretKind {
    /// The OAuth client secret.
    ClientSecret,
    /// The token set (JSON: access and refresh tokens, expiry, stored code).
    Tokens,
    /// RFC 7592 registration access token for a dynamically registered client.
    RegistrationToken,
}

impl SecretKind {
    pub fn key(self) -> &'static str {
        match self {
            SecretKind::ClientSecret => "client-secret",
            SecretKind::Tokens => "tokens",
            SecretKind::RegistrationToken => "registration-token",
        }
    }
}

/// Where secrets are kept: three idempotent operations per (profile, kind).
pub trait SecretStore: std::fmt::Debug + Send + Sync {
    /// Read a secret; `Ok(None)` when there is none.
    fn get(&self, profile: &str, kind: SecretKind) -> Result<Option<Secret>>;
    /// Write or replace a secret.
    fn set(&self, profile: &str, kind: SecretKind, value: &Secret) -> Result<()>;
    /// Delete a secret; deleting one that is not there is fine.
    fn delete(&self, profile: &str, kind: SecretKind) -> Result<()>;
}

/// Secrets in memory, for unit tests: `fail_with` makes every call fail as a gone
/// keyring does, to test that nothing is lost on the way.
#[cfg(test)]
#[derive(Debug, Default)]
pub struct MemorySecrets {
    items: std::sync::Mutex<std::collections::HashMap<(String, &'static str), Secret>>,
    failure: std::sync::Mutex<Option<String>>,
    writes: std::sync::atomic::AtomicUsize,
    calls: std::sync::atomic::AtomicUsize,
}

#[cfg(test)]
impl MemorySecrets {
    /// From now on every call fails with `KeyringUnavailable(reason)`; `None` heals it.
    pub fn fail_with(&self, reason: Option<&str>) {
        *self.failure.lock().unwrap() = reason.map(str::to_string);
    }

    /// How many `set` calls succeeded.
    pub fn writes(&self) -> usize {
        self.writes.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// How many calls were made, failed ones included.
    pub fn calls(&self) -> usize {
        self.calls.load(std::sync::atomic::Ordering::SeqCst)
    }

    fn check(&self) -> Result<()> {
        self.calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        match &*self.failure.lock().unwrap() {
            Some(reason) => Err(Error::KeyringUnavailable(reason.clone())),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
impl SecretStore for MemorySecrets {
    fn get(&self, profile: &str, kind: SecretKind) -> Result<Option<Secret>> {
        self.check()?;
        Ok(self.items.lock().unwrap().get(&(profile.to_string(), kind.key())).cloned())
    }

    fn set(&self, profile: &str, kind: SecretKind, value: &Secret) -> Result<()> {
        self.check()?;
        self.items.lock().unwrap().insert((profile.to_string(), kind.key()), value.clone());
        self.writes.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Ok(())
    }

    fn delete(&self, profile: &str, kind: SecretKind) -> Result<()> {
        self.check()?;
        self.items.lock().unwrap().remove(&(profile.to_string(), kind.key()));
        Ok(())
    }
}

impl SecretStore for Keyring {
    fn get(&self, profile: &str, kind: SecretKind) -> Result<Option<Secret>> {
        Keyring::get(self, profile, kind)
    }

    fn set(&self, profile: &str, kind: SecretKind, value: &Secret) -> Result<()> {
        Keyring::set(self, profile, kind, value)
    }

    fn delete(&self, profile: &str, kind: SecretKind) -> Result<()> {
        Keyring::delete(self, profile, kind)
    }
}

/// The default time a keyring call may take before it counts as unavailable.
pub(crate) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// The OS keyring, namespaced by a service name (see [`crate::store::paths::Paths::keyring_service`]).
#[derive(Debug, Clone)]
pub struct Keyring {
    service: String,
    timeout: Duration,
}

impl Keyring {
    pub fn new(service: impl Into<String>) -> Self {
        let timeout = std::env::var("LATCHKEY_KEYRING_TIMEOUT_MS")
            .ok()
            .and_then(|ms| ms.parse().ok())
            .map(Duration::from_millis)
            .unwrap_or(DEFAULT_TIMEOUT);
        Self { service: service.into(), timeout }
    }

    /// Read a secret; `Ok(None)` when there is none.
    pub fn get(&self, profile: &str, kind: SecretKind) -> Result<Option<Secret>> {
        self.call(profile, kind, |items, user| match MAX_ITEM {
            Some(_) => parts::get(items, user).map(|v| v.map(Secret)),
            None => items.get(user).map(|v| v.map(Secret)),
        })
    }

    pub fn set(&self, profile: &str, kind: SecretKind, value: &Secret) -> Result<()> {
        let value = value.0.clone();
        self.call(profile, kind, move |items, user| match MAX_ITEM {
            Some(max) => parts::set(items, user, &value, max),
            None => items.set(user, &value),
        })
    }

    /// Delete a secret; deleting one that is not there is fine.
    pub fn delete(&self, profile: &str, kind: SecretKind) -> Result<()> {
        self.call(profile, kind, |items, user| match MAX_ITEM {
            Some(_) => parts::delete(items, user),
            None => items.delete(user),
        })
    }

    /// Run one keyring operation on a worker thread, giving up after the timeout. If the
    /// keyring service died in the middle of the call (gnome-keyring can abort when
    /// clients race; D-Bus then starts a new one on the next call), it is tried once more:
    /// every operation here is idempotent (read, replace, delete).
    fn call<T: Send + 'static>(
        &self,
        profile: &str,
        kind: SecretKind,
        op: impl Fn(&Entries, &str) -> keyring::Result<T> + Send + 'static,
    ) -> Result<T> {
        #[cfg(target_os = "linux")]
        if let Some(address) = std::env::var("DBUS_SESSION_BUS_ADDRESS").ok().filter(|a| !bus_is_local(a)) {
            let transport = address.split(':').next().unwrap_or_default().to_string();
            return Err(Error::KeyringUnavailable(format!(
                "the session bus is reached over `{transport}:` (DBUS_SESSION_BUS_ADDRESS), where secrets would \
                 travel in the clear; Latchkey talks to the keyring only over a local `unix:` bus"
            )));
        }
        let (service, user) = (self.service.clone(), format!("{profile}/{}", kind.key()));
        let (tx, rx) = mpsc::channel();
        std::thread::Builder::new()
            .name("keyring".into())
            .spawn(move || {
                let attempt = || op(&Entries { service: &service }, &user);
                let result = match attempt() {
                    Err(err) if service_vanished(&err) => {
                        tracing::warn!("the keyring service went away during a call; trying once more");
                        attempt()
                    }
                    other => other,
                };
                let _ = tx.send(result);
            })
            .map_err(|e| Error::KeyringUnavailable(format!("cannot start a thread: {e}")))?;
        match rx.recv_timeout(self.timeout) {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(err)) => Err(keyring_error(err)),
            Err(_) => Err(Error::KeyringUnavailable(format!(
                "the keyring did not answer within {} s (is it locked and waiting for a password?)",
                self.timeout.as_secs_f32()
            ))),
        }
    }
}

/// The most one keyring item may hold, in UTF-16 units; longer secrets are kept in parts
/// ([`parts`]). Windows Credential Manager takes 2,560 bytes per credential, stored as
/// UTF-16 (1,280 units); the rest is headroom. The Secret Service and the Keychain have no
/// such limit: one item, as always.
const MAX_ITEM: Option<usize> = if cfg!(windows) { Some(1200) } else { None };

/// The keyring entries of one service, item by item.
struct Entries<'a> {
    service: &'a str,
}

impl parts::Items for Entries<'_> {
    type Error = keyring::Error;

    fn get(&self, user: &str) -> keyring::Result<Option<String>> {
        match keyring::Entry::new(self.service, user)?.get_password() {
            Ok(value) => Ok(Some(value)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn set(&self, user: &str, value: &str) -> keyring::Result<()> {
        keyring::Entry::new(self.service, user)?.set_password(value)
    }

    fn delete(&self, user: &str) -> keyring::Result<()> {
        match keyring::Entry::new(self.service, user)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(e),
        }
    }

    fn incomplete(&self, what: String) -> keyring::Error {
        keyring::Error::PlatformFailure(what.into())
    }
}

/// Whether the Secret Service process went away in the middle of a call (D-Bus answers
/// for it with `NoReply`: "disconnected from message bus without replying").
fn service_vanished(err: &keyring::Error) -> bool {
    let text = match err {
        keyring::Error::PlatformFailure(e) | keyring::Error::NoStorageAccess(e) => e.to_string(),
        _ => return false,
    };
    text.contains("disconnected from message bus without replying") || text.contains("NoReply")
}

/// Keyring errors become one engine error; platform messages never contain the secret.
fn keyring_error(err: keyring::Error) -> Error {
    let reason = match &err {
        keyring::Error::NoStorageAccess(e) => format!("the keyring is locked or refused access ({e})"),
        keyring::Error::PlatformFailure(e) => format!("no usable keyring ({e})"),
        other => other.to_string(),
    };
    Error::KeyringUnavailable(reason)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_local_session_bus_carries_secrets() {
        assert!(bus_is_local("unix:path=/run/user/1000/bus"));
        assert!(bus_is_local("unix:abstract=/tmp/dbus-x,guid=1;unix:path=/run/user/1000/bus"));
        assert!(!bus_is_local("tcp:host=10.0.0.5,port=5555"));
        assert!(!bus_is_local("unix:path=/run/user/1000/bus;nonce-tcp:host=x,port=1"));
        assert!(!bus_is_local("launchd:env=DBUS_LAUNCHD_SESSION_BUS_SOCKET"));
    }

    #[test]
    fn only_a_vanished_service_is_tried_again() {
        let vanished = "DBus error: Message recipient disconnected from message bus without replying";
        assert!(service_vanished(&keyring::Error::PlatformFailure(vanished.into())));
        assert!(!service_vanished(&keyring::Error::NoStorageAccess("locked".into())));
        assert!(!service_vanished(&keyring::Error::NoEntry));
    }

    #[test]
    fn debug_never_shows_the_value() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s:?}"), "Secret([redacted])");
        assert!(!format!("{:?}", Some(s)).contains("hunter2"));
    }
}
