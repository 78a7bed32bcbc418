//! Pending authorization code flows (RFC 6749 §4.1), matched to callbacks by `state`.
//!
//! A flow starts when Latchkey builds an authorization URL and ends when a callback
//! with the same `state` arrives, is cancelled, or expires. Each `state` is used at most
//! once: a replayed or forged callback finds no flow and is never exchanged. Flows live
//! in this process's memory only; the PKCE verifier never touches a disk.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::store::secret::Secret;

/// How long a sign-in may take before its flow is forgotten.
pub(crate) const FLOW_TTL: Duration = Duration::from_secs(15 * 60);

#[derive(Debug)]
pub(crate) struct PendingFlow {
    pub profile: String,
    pub state: String,
    pub pkce_verifier: Option<Secret>,
    /// The client secret read when the flow started, so finishing it costs no second
    /// keyring read (changing the client cancels the flow).
    pub client_secret: Option<Secret>,
    /// The redirect URI the authorization request named (the code is issued for it).
    pub redirect_uri: url::Url,
    started: Instant,
}

/// The flows this process has started and not finished.
#[derive(Debug, Default)]
pub(crate) struct PendingFlows {
    flows: Mutex<HashMap<String, PendingFlow>>,
    /// Device sign-ins (RFC 8628) polling now, by profile: set the flag to stop one.
    devices: Mutex<HashMap<String, Arc<AtomicBool>>>,
}

impl PendingFlows {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Remember a flow; an older unfinished flow of the same profile is dropped (only
    /// the latest sign-in of a profile can complete).
    pub(crate) fn insert(
        &self,
        profile: &str,
        state: String,
        pkce_verifier: Option<Secret>,
        client_secret: Option<Secret>,
        redirect_uri: url::Url,
    ) {
        let mut flows = self.flows.lock().expect("flows lock");
        flows.retain(|_, f| f.profile != profile && f.started.elapsed() < FLOW_TTL);
        let flow = PendingFlow {
            profile: profile.into(),
            state: state.clone(),
            pkce_verifier,
            client_secret,
            redirect_uri,
            started: Instant::now(),
        };
        flows.insert(state, flow);
    }

    /// The redirect URI of the profile's live flow (there is one at most).
    pub(crate) fn redirect_uri_of(&self, profile: &str) -> Option<url::Url> {
        let flows = self.flows.lock().expect("flows lock");
        flows.values().find(|f| f.profile == profile && f.started.elapsed() < FLOW_TTL).map(|f| f.redirect_uri.clone())
    }

    /// The profile a live flow with this state belongs to, without consuming it.
    pub(crate) fn profile_for(&self, state: &str) -> Option<String> {
        let flows = self.flows.lock().expect("flows lock");
        flows.get(state).filter(|f| f.started.elapsed() < FLOW_TTL).map(|f| f.profile.clone())
    }

    /// Take the flow with this state (once).
    pub(crate) fn take(&self, state: &str) -> Option<PendingFlow> {
        let mut flows = self.flows.lock().expect("flows lock");
        flows.remove(state).filter(|f| f.started.elapsed() < FLOW_TTL)
    }

    /// Take the one live flow of a profile (for a pasted bare code).
    pub(crate) fn take_for_profile(&self, profile: &str) -> Option<PendingFlow> {
        let mut flows = self.flows.lock().expect("flows lock");
        let state =
            flows.values().find(|f| f.profile == profile && f.started.elapsed() < FLOW_TTL).map(|f| f.state.clone())?;
        flows.remove(&state)
    }

    /// Cancel a profile's flow (window closed, user gave up), a device sign-in polling
    /// included. True if one was pending.
    pub(crate) fn cancel(&self, profile: &str) -> bool {
        let device = self.devices.lock().expect("devices lock").remove(profile);
        if let Some(flag) = &device {
            flag.store(true, Ordering::SeqCst);
        }
        let mut flows = self.flows.lock().expect("flows lock");
        let before = flows.len();
        flows.retain(|_, f| f.profile != profile);
        flows.len() != before || device.is_some()
    }

    /// A device sign-in of `profile` starts polling: the flag [`cancel`](Self::cancel)
    /// sets. A newer one replaces (and stops) an older one, as for code flows.
    pub(crate) fn start_device(&self, profile: &str) -> Arc<AtomicBool> {
        let flag = Arc::new(AtomicBool::new(false));
        if let Some(old) = self.devices.lock().expect("devices lock").insert(profile.into(), flag.clone()) {
            old.store(true, Ordering::SeqCst);
        }
        flag
    }

    /// The device sign-in that owns `flag` has ended.
    pub(crate) fn end_device(&self, profile: &str, flag: &Arc<AtomicBool>) {
        let mut devices = self.devices.lock().expect("devices lock");
        if devices.get(profile).is_some_and(|f| Arc::ptr_eq(f, flag)) {
            devices.remove(profile);
        }
    }

    #[cfg(test)]
    pub fn is_pending(&self, profile: &str) -> bool {
        let flows = self.flows.lock().expect("flows lock");
        flows.values().any(|f| f.profile == profile && f.started.elapsed() < FLOW_TTL)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_state_completes_once_and_only_its_own_profile() {
        let flows = PendingFlows::new();
        flows.insert("a", "s1".into(), None, None, url::Url::parse("latchkey://callback").unwrap());
        flows.insert("b", "s2".into(), None, None, url::Url::parse("latchkey://callback").unwrap());
        assert_eq!(flows.profile_for("s1").as_deref(), Some("a"));
        assert_eq!(flows.take("s1").unwrap().profile, "a");
        assert!(flows.take("s1").is_none(), "replay accepted");
        assert!(flows.take("unknown").is_none());
        assert_eq!(flows.take_for_profile("b").unwrap().state, "s2");
    }

    #[test]
    fn a_new_sign_in_replaces_the_old_one() {
        let flows = PendingFlows::new();
        flows.insert("a", "old".into(), None, None, url::Url::parse("latchkey://callback").unwrap());
        flows.insert("a", "new".into(), None, None, url::Url::parse("latchkey://callback").unwrap());
        assert!(flows.take("old").is_none());
        assert!(flows.take("new").is_some());
        flows.insert("a", "x".into(), None, None, url::Url::parse("latchkey://callback").unwrap());
        assert!(flows.cancel("a"));
        assert!(!flows.is_pending("a"));
    }
}
