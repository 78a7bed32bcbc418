//! The token store: secrets in the keyring, non-secret state beside the config.
//!
//! A profile's whole token set (access and refresh token, expiry, Agate's code) is one
//! keyring item written in one call, so the new refresh token can never be stored
//! without its access token or the other way round. What is not secret — expiry,
//! status, last error — is also kept in `state/NAME.json`, so lists and the tray can
//! show status without unlocking the keyring.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::store::config::write_cache_file;
use crate::store::paths::Paths;
use crate::store::secret::{Keyring, Secret, SecretKind, SecretStore};

/// What the server gave us (kept in the keyring only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenSet {
    pub access_token: Secret,
    #[serde(default = "bearer")]
    pub token_type: String,
    #[serde(default)]
    pub refresh_token: Option<Secret>,
    /// Unix seconds; from `expires_in` at receipt.
    #[serde(default)]
    pub expires_at: Option<u64>,
    pub obtained_at: u64,
    #[serde(default)]
    pub scopes: Vec<String>,
    /// The authorization code, kept where renewal re-exchanges it (Agate).
    #[serde(default)]
    pub code: Option<Secret>,
    /// The redirect URI that code was issued for: exchanging it again must send exactly
    /// this one (Agate checks it against the addresses the authorization was made with,
    /// and a loopback sign-in's carries its port). Not a secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_redirect_uri: Option<String>,
}

/// The keyring item: a token set and the random id naming this write. The state file
/// names the id of the write in force ([`TokenState::tokens_id`]), which is how a copy
/// held elsewhere (the token agent) is proven current without reading the keyring.
#[derive(Serialize, Deserialize)]
pub struct StoredTokens {
    #[serde(flatten)]
    pub tokens: TokenSet,
    #[serde(default)]
    pub id: u64,
}

fn bearer() -> String {
    "bearer".into()
}

impl TokenSet {
    /// Seconds of life left (negative when expired); `None` when the server gave none.
    pub fn valid_for(&self, now: u64) -> Option<i64> {
        self.expires_at.map(|at| at as i64 - now as i64)
    }

    /// The token's whole lifetime as issued.
    pub fn lifetime(&self) -> Option<u64> {
        self.expires_at.map(|at| at.saturating_sub(self.obtained_at))
    }

    /// The seconds [`TokenSet::is_fresh`] asks for: `min_valid`, or the default margin.
    pub fn margin(&self, min_valid: Option<u64>) -> u64 {
        min_valid.unwrap_or_else(|| self.lifetime().map(|l| (l / 5).min(60)).unwrap_or(60))
    }

    /// Whether the token stays valid at least `min_valid` seconds. The default margin
    /// is 60 s, or a fifth of the token's lifetime when that is shorter — less than the
    /// quarter the tray leaves when it renews at 75 %, so scripts don't renew on their
    /// own while the tray is on time.
    pub fn is_fresh(&self, min_valid: Option<u64>, now: u64) -> bool {
        let margin = self.margin(min_valid);
        match self.valid_for(now) {
            None => true,
            Some(left) => left > 0 && left as u64 >= margin,
        }
    }
}

/// A profile's status, as shown in lists, the tray and `latchkey status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Never signed in, or signed out.
    #[default]
    SignedOut,
    /// Tokens are stored and renewal works.
    SignedIn,
    /// Renewal was refused (`invalid_grant`): a person must sign in again.
    NeedsSignIn,
    /// The server refuses the client id or secret (`invalid_client`: the application was
    /// deleted or its secret reset, or a check refused what was pasted). Nothing is
    /// retried until a person registers again or enters the client again; a stored access
    /// token is still handed out while it lasts.
    NeedsClient,
    /// Renewal failed for a passing reason (network, 5xx); it will be retried.
    Failing,
}

impl Status {
    /// Whether a profile in this state needs the person (sign in again, give the client
    /// again) or keeps failing: the tray's icon changes.
    pub fn needs_attention(self) -> bool {
        matches!(self, Status::NeedsSignIn | Status::NeedsClient | Status::Failing)
    }
}

/// Non-secret facts about a profile's tokens (`state/NAME.json`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenState {
    #[serde(default)]
    pub status: Status,
    #[serde(default)]
    pub expires_at: Option<u64>,
    #[serde(default)]
    pub obtained_at: Option<u64>,
    #[serde(default)]
    pub scopes: Vec<String>,
    #[serde(default)]
    pub has_refresh_token: bool,
    #[serde(default)]
    pub last_error: Option<String>,
    /// The kind of the last renewal failure, for shells that word it themselves.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error_code: Option<crate::error::ErrorCode>,
    #[serde(default)]
    pub last_error_at: Option<u64>,
    #[serde(default)]
    pub renewals: u64,
    /// Who the tokens belong to, where the server said (userinfo or introspection).
    #[serde(default)]
    pub account: Option<String>,
    /// The account the profile's tokens belonged to last, kept through a sign-out: the
    /// next sign-in is compared with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_account: Option<String>,
    /// Set by a sign-in into another account than `last_account` (that one's name), until
    /// the next sign-in or sign-out: someone may have signed the person in as themselves.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_changed_from: Option<String>,
    /// The id of the keyring write in force (see [`crate::agent`]); not a secret, and no
    /// function of one: a random number drawn at each save.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tokens_id: Option<u64>,
}

#[derive(Debug, Clone)]
pub struct Store {
    paths: Paths,
    keyring: std::sync::Arc<dyn SecretStore>,
}

impl Store {
    /// Where this store keeps its files.
    pub(crate) fn paths(&self) -> &Paths {
        &self.paths
    }

    /// The store on the OS keyring (the service name comes from the paths).
    pub fn new(paths: &Paths) -> Self {
        Self::with_secrets(paths, std::sync::Arc::new(Keyring::new(paths.keyring_service())))
    }

    /// The store on another secret store (unit tests: [`crate::store::secret::MemorySecrets`]).
    pub fn with_secrets(paths: &Paths, secrets: std::sync::Arc<dyn SecretStore>) -> Self {
        Self { paths: paths.clone(), keyring: secrets }
    }

    /// Delete the client secret (a public client from now on).
    pub fn forget_client_secret(&self, profile: &str) -> Result<()> {
        self.keyring.delete(profile, SecretKind::ClientSecret)
    }

    /// The stored token set, if any (from the keyring).
    pub fn tokens(&self, profile: &str) -> Result<Option<TokenSet>> {
        Ok(self.stored_tokens(profile)?.map(|stored| stored.tokens))
    }

    pub fn stored_tokens(&self, profile: &str) -> Result<Option<StoredTokens>> {
        match self.keyring.get(profile, SecretKind::Tokens)? {
            None => Ok(None),
            Some(json) => serde_json::from_str(json.expose()).map(Some).map_err(|_| {
                Error::KeyringUnavailable(format!(
                    "the stored tokens of `{profile}` are unreadable (written by another program?)"
                ))
            }),
        }
    }

    /// Store a new token set: keyring first (one write), then the non-secret state.
    /// The new write's id reaches the state file before the keyring changes, so from
    /// that moment no copy of the old tokens counts as current (see [`crate::agent`]).
    pub fn save_tokens(&self, profile: &str, tokens: &TokenSet) -> Result<()> {
        let id = rand::random::<u64>() | 1;
        self.update_state(profile, |s| s.tokens_id = Some(id))?;
        let stored = StoredTokens { tokens: tokens.clone(), id };
        let json = Secret::new(serde_json::to_string(&stored).expect("token set serializes"));
        self.keyring.set(profile, SecretKind::Tokens, &json)?;
        self.update_state(profile, |s| {
            s.status = Status::SignedIn;
            s.expires_at = tokens.expires_at;
            s.obtained_at = Some(tokens.obtained_at);
            s.scopes = tokens.scopes.clone();
            s.has_refresh_token = tokens.refresh_token.is_some();
            s.last_error = None;
            s.last_error_code = None;
            s.last_error_at = None;
        })
    }

    /// The server refused the client id or secret: say so, and stop renewing until a
    /// person gives a client again ([`Store::client_replaced`]). The tokens are kept.
    pub fn client_refused(&self, profile: &str, message: String, now: u64) -> Result<()> {
        self.update_state(profile, |s| {
            s.status = Status::NeedsClient;
            s.last_error = Some(message);
            s.last_error_code = Some(crate::error::ErrorCode::ClientRejected);
            s.last_error_at = Some(now);
        })
    }

    /// A new client was given or registered, or a check accepted it: a profile that
    /// waited for one is back to where its tokens put it (signed in if it has any; the
    /// next renewal says whether they still work).
    pub fn client_replaced(&self, profile: &str) -> Result<()> {
        if self.state(profile).status != Status::NeedsClient {
            return Ok(());
        }
        self.update_state(profile, |s| {
            s.status = if s.obtained_at.is_some() { Status::SignedIn } else { Status::SignedOut };
            s.last_error = None;
            s.last_error_code = None;
            s.last_error_at = None;
        })
    }

    /// Forget the tokens (logout). The profile and client secret stay.
    pub fn forget_tokens(&self, profile: &str) -> Result<()> {
        self.update_state(profile, |s| s.tokens_id = None)?;
        self.keyring.delete(profile, SecretKind::Tokens)?;
        self.update_state(profile, |s| {
            *s = TokenState { last_account: s.account.take().or(s.last_account.take()), ..TokenState::default() }
        })
    }

    /// A sign-in's account (`None`: the server did not say), remembered; the account of
    /// the sign-in before is kept when this one does not say, and named in
    /// `account_changed_from` when this one names another. Returns that other account.
    pub fn signed_in_as(&self, profile: &str, account: Option<String>) -> Result<Option<String>> {
        let mut changed_from = None;
        self.update_state(profile, |s| {
            let before = s.account.take().or(s.last_account.take());
            changed_from = before.clone().filter(|b| account.as_ref().is_some_and(|a| a != b));
            s.account_changed_from = changed_from.clone();
            s.last_account = account.clone().or(before);
            s.account = account;
        })?;
        Ok(changed_from)
    }

    /// Forget everything of a profile (remove).
    pub fn forget_all(&self, profile: &str) -> Result<()> {
        self.update_state(profile, |s| s.tokens_id = None)?;
        for kind in [SecretKind::Tokens, SecretKind::ClientSecret, SecretKind::RegistrationToken] {
            self.keyring.delete(profile, kind)?;
        }
        let _ = std::fs::remove_file(self.state_path(profile));
        Ok(())
    }

    pub fn client_secret(&self, profile: &str) -> Result<Option<Secret>> {
        self.keyring.get(profile, SecretKind::ClientSecret)
    }

    pub fn set_client_secret(&self, profile: &str, secret: &Secret) -> Result<()> {
        self.keyring.set(profile, SecretKind::ClientSecret, secret)
    }

    pub fn registration_token(&self, profile: &str) -> Result<Option<Secret>> {
        self.keyring.get(profile, SecretKind::RegistrationToken)
    }

    pub fn set_registration_token(&self, profile: &str, secret: &Secret) -> Result<()> {
        self.keyring.set(profile, SecretKind::RegistrationToken, secret)
    }

    fn state_path(&self, profile: &str) -> PathBuf {
        self.paths.state_dir().join(format!("{profile}.json"))
    }

    /// The non-secret state; an unreadable state file counts as empty (it is a cache
    /// of what the keyring holds, never the only copy of anything).
    pub fn state(&self, profile: &str) -> TokenState {
        std::fs::read(self.state_path(profile))
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default()
    }

    pub fn update_state(&self, profile: &str, change: impl FnOnce(&mut TokenState)) -> Result<()> {
        let mut state = self.state(profile);
        change(&mut state);
        let json = serde_json::to_vec_pretty(&state).expect("state serializes");
        write_cache_file(&self.state_path(profile), &json)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(obtained: u64, expires: Option<u64>) -> TokenSet {
        TokenSet {
            access_token: Secret::new("a"),
            token_type: "bearer".into(),
            refresh_token: None,
            expires_at: expires,
            obtained_at: obtained,
            scopes: vec![],
            code: None,
            code_redirect_uri: None,
        }
    }

    #[test]
    fn freshness_margin() {
        let t = tokens(1000, Some(1000 + 36000));
        assert!(t.is_fresh(None, 1000 + 36000 - 61));
        assert!(!t.is_fresh(None, 1000 + 36000 - 59));
        assert!(!t.is_fresh(Some(3600), 1000 + 36000 - 3599));
        // Short-lived tokens: the default margin is a fifth of the lifetime.
        let short = tokens(0, Some(20));
        assert!(short.is_fresh(None, 15));
        assert!(!short.is_fresh(None, 17));
        assert!(!short.is_fresh(None, 25));
        assert!(tokens(0, None).is_fresh(Some(100), 1_000_000));
    }

    #[test]
    fn debug_of_a_token_set_shows_no_secret() {
        let mut t = tokens(0, None);
        t.access_token = Secret::new("very-secret-access");
        t.refresh_token = Some(Secret::new("very-secret-refresh"));
        let shown = format!("{t:?}");
        assert!(!shown.contains("very-secret"), "{shown}");
    }
}
