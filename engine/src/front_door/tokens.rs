//! Handing out tokens: from the agent's memory, the keyring, or renewed; and checking
//! what a token can do (whose it is, a test call).

use std::sync::Arc;

use super::*;
use crate::renewal::worker::{RenewalEvents, Renewer, Tokens};

impl Latchkey {
    /// The token a running agent (the tray or `latchkey agent`) vouches for: valid for
    /// `min_valid` seconds and the keyring write in force. Reads neither the settings nor
    /// the keyring; `None` means ask [`Latchkey::token`], which does both and renews.
    pub fn served_token(&self, name: &str, min_valid: Option<u64>) -> Option<TokenSet> {
        // The keyring write the state file names now, valid for `min_valid` seconds
        // ([`TokenSet::is_fresh`]), not superseded by Ocarina: a memory read in another
        // process instead of a Secret Service session. (The store knows nothing of the
        // agent; the agent reads the store.)
        validate_name(name).ok()?;
        crate::agent::ask(&self.paths, name, self.store.state(name).tokens_id?, min_valid)
    }

    /// A token valid for at least `min_valid` seconds, renewing if needed (never more
    /// than one renewal per expiry across processes). One that is not, even renewed, is
    /// never handed out ([`Error::TokenTooShort`]).
    pub fn token(&self, name: &str, min_valid: Option<u64>) -> Result<(TokenSet, Source)> {
        if let Some(served) = self.served_token(name, min_valid) {
            return Ok((served, Source::Stored));
        }
        self.token_after_agent(name, min_valid)
    }

    /// [`Latchkey::token`] once the agent has been asked and had none to vouch for: the
    /// keyring, renewed if needed, without asking the agent a second time.
    pub fn token_after_agent(&self, name: &str, min_valid: Option<u64>) -> Result<(TokenSet, Source)> {
        let profile = self.profile(name)?;
        Renewing { paths: &self.paths, store: &self.store, clock: &*self.clock, http: || self.http() }
            .token_to_hand_out(&profile, min_valid)
    }

    /// The renewal loop's renewal: as [`Latchkey::token`], but a renewed token that lasts
    /// less than was asked is no failure — the loop hands nothing out, and schedules the
    /// next renewal from the new token's own life.
    fn renew_due(&self, name: &str, min_valid: Option<u64>) -> Result<(TokenSet, Source)> {
        let profile = self.profile(name)?;
        Renewing { paths: &self.paths, store: &self.store, clock: &*self.clock, http: || self.http() }
            .fresh_token(&profile, Want::ValidFor(min_valid))
    }

    /// Renew now if needed (`force`: even if fresh).
    pub fn refresh(&self, name: &str, force: bool) -> Result<(TokenSet, Source)> {
        let profile = self.profile(name)?;
        Renewing { paths: &self.paths, store: &self.store, clock: &*self.clock, http: || self.http() }
            .fresh_token(&profile, if force { Want::New } else { Want::ValidFor(None) })
    }

    /// Who the profile's tokens belong to; remembered in the non-secret state.
    pub fn whoami(&self, name: &str) -> Result<Option<String>> {
        Ok(self.identity(name)?.account)
    }

    /// Ask the server whose the profile's token is, and whether it still takes it
    /// ("Test access" where there is no address to call). The account is remembered.
    pub fn identity(&self, name: &str) -> Result<crate::oauth::probe::Identity> {
        let profile = self.profile(name)?;
        let (tokens, _) = self.token(name, None)?;
        let secret = self.client_secret(&profile)?;
        let identity = crate::oauth::probe::identity(self.http()?, &profile, secret.as_ref(), &tokens.access_token)?;
        if identity.account.is_some() {
            self.store.update_state(name, |s| s.account = identity.account.clone())?;
        }
        Ok(identity)
    }

    /// Call `url` with a fresh token and report what came back. The token goes only to
    /// the hosts of the profile's own server unless `confirmed` (the person said so).
    pub fn test_access(&self, name: &str, url: &Url, confirmed: bool) -> Result<crate::oauth::probe::ApiAnswer> {
        let profile = self.profile(name)?;
        let own = std::iter::once(&profile.server.issuer)
            .chain(profile.server.endpoints().into_iter().map(|(_, u)| u))
            .any(|u| u.host_str() == url.host_str() && u.port_or_known_default() == url.port_or_known_default());
        if !own && !confirmed {
            return Err(Error::ForeignHost { host: url.host_str().unwrap_or("?").to_string() });
        }
        let (tokens, _) = self.token(name, None)?;
        crate::oauth::probe::call(self.http()?, url, &tokens.access_token)
    }
}

/// The renewal loop works on the front door's store and refresh rules; it sees them
/// through [`Tokens`], so it never reaches up into the front door.
impl Tokens for Latchkey {
    fn paths(&self) -> &Paths {
        Latchkey::paths(self)
    }
    fn store(&self) -> &Store {
        Latchkey::store(self)
    }
    fn now(&self) -> u64 {
        Latchkey::now(self)
    }
    fn config(&self) -> Result<Config> {
        Latchkey::config(self)
    }
    fn renew_at_percent(&self) -> Option<u8> {
        Latchkey::renew_at_percent(self).ok().flatten()
    }
    fn profile(&self, name: &str) -> Result<Profile> {
        Latchkey::profile(self, name)
    }
    fn token(&self, name: &str, min_valid: Option<u64>) -> Result<(TokenSet, Source)> {
        self.renew_due(name, min_valid)
    }
    fn refresh(&self, name: &str, force: bool) -> Result<(TokenSet, Source)> {
        Latchkey::refresh(self, name, force)
    }
}

impl Latchkey {
    /// Start the background renewal loop (the tray, `latchkey agent`): every profile is
    /// renewed before it expires, and `events` hears what needs a person.
    pub fn start_renewal(self: &Arc<Self>, events: Arc<dyn RenewalEvents>) -> std::io::Result<Renewer> {
        Renewer::start(self.clone(), events)
    }
}
