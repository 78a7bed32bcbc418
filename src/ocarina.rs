//! Keeping Ocarina's token cache current (opt-in per profile).
//!
//! Ocarina, COG-UK's uploader, keeps OAuth tokens in `~/.ocarina-tokens`: a JSON object
//! keyed by the space-joined scope string, each value the token dict of
//! requests-oauthlib (`access_token`, `refresh_token`, `token_type`, `expires_in`,
//! `expires_at` as an epoch float, `scope` as a list). Latchkey writes its entry after
//! every sign-in and renewal — atomically, mode 0600, other keys untouched — so Ocarina
//! never has to ask for a pasted callback URL. Because Majora's refresh tokens rotate,
//! the two must never both hold a different "latest" one: if Ocarina refreshed on its own
//! (the file holds a newer refresh token than the store), Latchkey adopts it.

use std::path::{Path, PathBuf};

use serde_json::{json, Map, Value};

use crate::config::write_atomic;
use crate::profile::Profile;
use crate::secret::Secret;
use crate::store::TokenSet;
use crate::{Error, Result};

/// `~/.ocarina-tokens`.
pub fn default_path() -> Option<PathBuf> {
    directories::BaseDirs::new().map(|d| d.home_dir().join(".ocarina-tokens"))
}

/// The cache key Ocarina uses: the space-joined scope string.
pub fn key(profile: &Profile) -> String {
    profile.scope_string()
}

fn read_cache(path: &Path) -> Result<Map<String, Value>> {
    match std::fs::read(path) {
        Ok(bytes) if bytes.iter().all(|b| b.is_ascii_whitespace()) => Ok(Map::new()),
        Ok(bytes) => match serde_json::from_slice::<Value>(&bytes) {
            Ok(Value::Object(map)) => Ok(map),
            _ => Err(Error::ConfigUnreadable {
                path: path.to_path_buf(),
                reason: "not a JSON object (Ocarina's token cache); Latchkey will not overwrite it".into(),
            }),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Map::new()),
        Err(e) => Err(Error::ConfigUnreadable { path: path.to_path_buf(), reason: e.to_string() }),
    }
}

/// Write the profile's tokens into the cache at `path`.
pub fn write(path: &Path, profile: &Profile, tokens: &TokenSet, now: u64) -> Result<()> {
    let mut cache = read_cache(path)?;
    let expires_in = tokens.expires_at.map(|at| at.saturating_sub(now));
    let entry = json!({
        "access_token": tokens.access_token.expose(),
        "refresh_token": tokens.refresh_token.as_ref().map(|r| r.expose()),
        "token_type": "Bearer",
        "expires_in": expires_in,
        "expires_at": tokens.expires_at.map(|at| at as f64),
        "scope": tokens.scopes,
    });
    cache.insert(key(profile), entry);
    let text = serde_json::to_vec_pretty(&Value::Object(cache)).expect("cache serializes");
    write_atomic(path, &text)
}

/// The cache's tokens for this profile, if they are newer than `ours` (Ocarina
/// refreshed on its own): a different refresh token that expires later.
pub fn newer_than(path: &Path, profile: &Profile, ours: &TokenSet) -> Result<Option<TokenSet>> {
    let cache = read_cache(path)?;
    let Some(entry) = cache.get(&key(profile)) else { return Ok(None) };
    let text = |k: &str| entry.get(k).and_then(|v| v.as_str()).map(str::to_string);
    let (Some(access), Some(refresh)) = (text("access_token"), text("refresh_token")) else { return Ok(None) };
    let expires_at = entry.get("expires_at").and_then(|v| v.as_f64()).map(|f| f as u64);
    // Latchkey rewrites the cache after each of its own renewals, so a different refresh
    // token there that expires no earlier than ours was written after us. `>=`, not `>`:
    // expiries are whole seconds here, and Ocarina may rotate within the same second.
    let theirs_newer = expires_at.unwrap_or(0) >= ours.expires_at.unwrap_or(0);
    let differs = ours.refresh_token.as_ref().map(|r| r.expose() != refresh).unwrap_or(true);
    if !(theirs_newer && differs) {
        return Ok(None);
    }
    let expires_in = entry.get("expires_in").and_then(|v| v.as_u64());
    Ok(Some(TokenSet {
        access_token: Secret::new(access),
        token_type: "bearer".into(),
        refresh_token: Some(Secret::new(refresh)),
        expires_at,
        obtained_at: match (expires_at, expires_in) {
            (Some(at), Some(life)) => at.saturating_sub(life),
            _ => crate::client::now_secs(),
        },
        scopes: entry
            .get("scope")
            .and_then(|v| v.as_array())
            .map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_string)).collect())
            .unwrap_or_else(|| ours.scopes.clone()),
        code: None,
    }))
}

/// The `~/.ocarina` configuration for this profile (secret only when asked).
pub fn config(profile: &Profile, user: Option<&str>, secret: Option<&Secret>) -> Value {
    json!({
        "MAJORA_DOMAIN": profile.server.issuer.as_str(),
        "MAJORA_USER": user.unwrap_or(""),
        "MAJORA_TOKEN": "OAUTH",
        "CLIENT_ID": profile.client_id.clone().unwrap_or_default(),
        "CLIENT_SECRET": secret.map(|s| s.expose().to_string()).unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::preset::{resolve, ServerSpec};
    use crate::profile::{PresetKind, RedirectMode};

    fn profile() -> Profile {
        let r = resolve(PresetKind::MajoraTest, &ServerSpec::default(), &crate::http::Http::new().unwrap()).unwrap();
        Profile {
            name: "mt".into(),
            server: r.server,
            client_id: Some("cid".into()),
            has_client_secret: true,
            registration_client_uri: None,
            scopes: vec!["majora2.add_biosampleartifact".into(), "majora2.change_biosampleartifact".into()],
            redirect_uri: r.redirect_uri,
            redirect_mode: RedirectMode::Window,
            ocarina_sync: None,
        }
    }

    fn tokens(access: &str, refresh: &str, obtained: u64) -> TokenSet {
        TokenSet {
            access_token: Secret::new(access),
            token_type: "bearer".into(),
            refresh_token: Some(Secret::new(refresh)),
            expires_at: Some(obtained + 36000),
            obtained_at: obtained,
            scopes: profile().scopes,
            code: None,
        }
    }

    #[test]
    fn writes_ocarinas_format_keeps_other_keys_mode_600() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".ocarina-tokens");
        std::fs::write(&path, r#"{"other scope": {"access_token": "keep-me"}}"#).unwrap();
        write(&path, &profile(), &tokens("a1", "r1", 1000), 1000).unwrap();
        let v: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        let e = &v["majora2.add_biosampleartifact majora2.change_biosampleartifact"];
        assert_eq!(e["access_token"], "a1");
        assert_eq!(e["refresh_token"], "r1");
        assert_eq!(e["token_type"], "Bearer");
        assert_eq!(e["expires_in"], 36000);
        assert_eq!(e["expires_at"], 37000.0);
        assert_eq!(e["scope"][0], "majora2.add_biosampleartifact");
        assert_eq!(v["other scope"]["access_token"], "keep-me");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
    }

    #[test]
    fn adopts_a_refresh_ocarina_did_on_its_own() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t");
        let ours = tokens("a1", "r1", 1000);
        write(&path, &profile(), &ours, 1000).unwrap();
        assert!(newer_than(&path, &profile(), &ours).unwrap().is_none(), "our own entry is not newer");
        write(&path, &profile(), &tokens("a2", "r2", 5000), 5000).unwrap();
        let adopted = newer_than(&path, &profile(), &ours).unwrap().unwrap();
        assert_eq!(adopted.refresh_token.unwrap().expose(), "r2");
        assert_eq!(adopted.obtained_at, 5000);
        // An older entry in the file is never adopted.
        assert!(newer_than(&path, &profile(), &tokens("a3", "r3", 9000)).unwrap().is_none());
        // A rotation by Ocarina within the same second as ours is still seen.
        let same_second = tokens("a4", "r4", 5000);
        assert!(newer_than(&path, &profile(), &same_second).unwrap().is_some());
    }

    #[test]
    fn refuses_to_overwrite_a_file_it_cannot_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t");
        std::fs::write(&path, "not json").unwrap();
        assert_eq!(write(&path, &profile(), &tokens("a", "r", 0), 0).unwrap_err().code(), "config-unreadable");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "not json");
    }

    #[test]
    fn config_has_no_secret_unless_asked() {
        let c = config(&profile(), Some("alice"), None);
        assert_eq!(c["MAJORA_DOMAIN"], "https://majora-test.covid19.climb.ac.uk/");
        assert_eq!(c["MAJORA_TOKEN"], "OAUTH");
        assert_eq!(c["CLIENT_SECRET"], "");
        let c = config(&profile(), Some("alice"), Some(&Secret::new("s")));
        assert_eq!(c["CLIENT_SECRET"], "s");
    }
}
