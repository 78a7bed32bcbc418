//! Keeping Ocarina's token cache current (opt-in per profile).
//!
//! Ocarina, COG-UK's uploader, keeps OAuth tokens in `~/.ocarina-tokens`: a JSON object
//! whose keys are scope strings and whose values are the token dicts of requests-oauthlib
//! (`access_token`, `refresh_token`, `token_type`, `expires_in`, `expires_at` as an epoch
//! float, `scope` as a list). Each command looks its token up under **its own fixed scope
//! string** ([`keys`]), and a missing entry or `expires_at <= now` sends it to its
//! interactive grant (the "paste the callback URL" prompt). So Latchkey writes its one
//! token under every key the granted scopes cover, and under the granted-scope key
//! (where Ocarina saves what it refreshes itself), after every sign-in and renewal —
//! atomically, mode 0600, other entries untouched.
//!
//! Because Majora's refresh tokens rotate, the two must never both hold a different
//! "latest" one: if Ocarina refreshed on its own (an entry Latchkey writes holds a newer
//! refresh token of the same grant), Latchkey adopts it and rewrites the other keys. On
//! logout and remove it deletes the entries holding its tokens, and no others, so Ocarina
//! asks for a sign-in instead of failing with a dead token.

pub(crate) mod keys;

use std::path::{Path, PathBuf};

use serde_json::{json, Map, Value};

use crate::error::{Error, Result};
use crate::profile::Profile;
use crate::store::config::write_atomic;
use crate::store::secret::Secret;
use crate::store::TokenSet;

/// `~/.ocarina-tokens`.
pub fn default_path() -> Option<PathBuf> {
    directories::BaseDirs::new().map(|d| d.home_dir().join(".ocarina-tokens"))
}

/// Every key Latchkey writes a token with these granted scopes under: the Ocarina keys
/// they cover, then the granted-scope key itself; each once.
pub(crate) fn keys_for(granted: &[String]) -> Vec<String> {
    let mut out: Vec<String> = keys::covered(granted).map(|k| k.scope.to_string()).collect();
    let own = granted.join(" ");
    if !own.is_empty() && !out.contains(&own) {
        out.push(own);
    }
    out
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

fn write_cache(path: &Path, cache: Map<String, Value>) -> Result<()> {
    let text = serde_json::to_vec_pretty(&Value::Object(cache)).expect("cache serializes");
    write_atomic(path, &text)
}

fn text<'a>(entry: &'a Value, field: &str) -> Option<&'a str> {
    entry.get(field).and_then(|v| v.as_str())
}

/// Whether this entry holds one of these tokens (so Latchkey wrote it, or Ocarina wrote
/// what Latchkey gave it).
fn holds(entry: &Value, tokens: &TokenSet) -> bool {
    text(entry, "access_token") == Some(tokens.access_token.expose())
        || (tokens.refresh_token.is_some()
            && text(entry, "refresh_token") == tokens.refresh_token.as_ref().map(|r| r.expose()))
}

/// Write `tokens` into the cache at `path` under every key they serve ([`keys_for`]).
/// Entries holding `previous` (the tokens these replace) under keys the new scopes no
/// longer cover are deleted: they were Latchkey's, and are dead now.
pub(crate) fn write(path: &Path, tokens: &TokenSet, previous: Option<&TokenSet>, now: u64) -> Result<()> {
    let mut cache = read_cache(path)?;
    if let Some(previous) = previous {
        cache.retain(|_, entry| !holds(entry, previous));
    }
    let expires_in = tokens.expires_at.map(|at| at.saturating_sub(now));
    let entry = json!({
        "access_token": tokens.access_token.expose(),
        "refresh_token": tokens.refresh_token.as_ref().map(|r| r.expose()),
        "token_type": "Bearer",
        "expires_in": expires_in,
        "expires_at": tokens.expires_at.map(|at| at as f64),
        "scope": tokens.scopes,
    });
    for key in keys_for(&tokens.scopes) {
        cache.insert(key, entry.clone());
    }
    write_cache(path, cache)
}

/// Delete every entry that holds `tokens` (logout, remove). Other entries stay.
/// Returns how many were deleted.
pub(crate) fn remove(path: &Path, tokens: &TokenSet) -> Result<usize> {
    let mut cache = read_cache(path)?;
    let before = cache.len();
    cache.retain(|_, entry| !holds(entry, tokens));
    let removed = before - cache.len();
    if removed > 0 {
        write_cache(path, cache)?;
    }
    Ok(removed)
}

/// The cache's tokens of the same grant as `ours`, if Ocarina refreshed them on its own
/// and they are newer: under one of the keys Latchkey writes, a different refresh token,
/// an expiry no earlier than ours, and our scopes or fewer. The newest such entry.
///
/// Why fewer: Ocarina refreshes with its command's scope string, and django-oauth-toolkit
/// then narrows the grant to it — the rotated refresh token carries only those scopes.
/// That refresh token is still the only live one, so it is adopted all the same (the
/// keys it no longer covers then go, and Ocarina asks for those).
pub(crate) fn newer_than(path: &Path, ours: &TokenSet) -> Result<Option<TokenSet>> {
    let cache = read_cache(path)?;
    let mut best: Option<TokenSet> = None;
    for key in keys_for(&ours.scopes) {
        let Some(entry) = cache.get(&key) else { continue };
        let Some(theirs) = parse_entry(entry, ours) else { continue };
        // Latchkey rewrites every key after each of its own renewals, so a different
        // refresh token there that expires no earlier than ours was written after us.
        // `>=`, not `>`: expiries are whole seconds, and Ocarina may rotate within the
        // same second. An entry with a scope we never had is another grant, not ours.
        let newer = theirs.expires_at.unwrap_or(0) >= ours.expires_at.unwrap_or(0);
        let differs = ours.refresh_token != theirs.refresh_token;
        let of_our_grant = !theirs.scopes.is_empty() && theirs.scopes.iter().all(|s| ours.scopes.contains(s));
        if newer && differs && of_our_grant && best.as_ref().is_none_or(|b| theirs.expires_at > b.expires_at) {
            best = Some(theirs);
        }
    }
    Ok(best)
}

fn parse_entry(entry: &Value, ours: &TokenSet) -> Option<TokenSet> {
    let access = text(entry, "access_token")?;
    let refresh = text(entry, "refresh_token")?;
    let expires_at = entry.get("expires_at").and_then(|v| v.as_f64()).map(|f| f as u64);
    let expires_in = entry.get("expires_in").and_then(|v| v.as_u64());
    let scopes = match entry.get("scope") {
        Some(Value::Array(a)) => a.iter().filter_map(|s| s.as_str().map(str::to_string)).collect(),
        Some(Value::String(s)) => s.split_whitespace().map(str::to_string).collect(),
        _ => ours.scopes.clone(),
    };
    Some(TokenSet {
        access_token: Secret::new(access),
        token_type: "bearer".into(),
        refresh_token: Some(Secret::new(refresh)),
        expires_at,
        obtained_at: match (expires_at, expires_in) {
            (Some(at), Some(life)) => at.saturating_sub(life),
            _ => crate::clock::now_secs(),
        },
        scopes,
        code: None,
        code_redirect_uri: None,
    })
}

/// The `~/.ocarina` configuration for this profile (secret only when asked).
pub(crate) fn config(profile: &Profile, user: Option<&str>, secret: Option<&Secret>) -> Value {
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
        let r =
            resolve(PresetKind::MajoraTest, &ServerSpec::default(), &crate::oauth::http::Http::new().unwrap()).unwrap();
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
            scopes: crate::preset::majora_task_scopes(&["upload"]).unwrap(),
            code: None,
            code_redirect_uri: None,
        }
    }

    fn read(path: &Path) -> Value {
        serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
    }

    const PUT_FILE: &str = "majora2.add_digitalresourceartifact majora2.change_digitalresourceartifact";

    #[test]
    fn writes_ocarinas_format_under_every_covered_key_keeps_other_keys_mode_600() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".ocarina-tokens");
        std::fs::write(&path, r#"{"other scope": {"access_token": "keep-me"}}"#).unwrap();
        let t = tokens("a1", "r1", 1000);
        write(&path, &t, None, 1000).unwrap();
        let v = read(&path);
        let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
        assert_eq!(keys.len(), 1 + 5 + 1, "other + five upload commands + the granted key: {keys:?}");
        for key in [PUT_FILE, &t.scopes.join(" ")] {
            let e = &v[key];
            assert_eq!(e["access_token"], "a1");
            assert_eq!(e["refresh_token"], "r1");
            assert_eq!(e["token_type"], "Bearer");
            assert_eq!(e["expires_in"], 36000);
            assert_eq!(e["expires_at"], 37000.0);
            assert_eq!(e["scope"][0], "majora2.add_biosampleartifact");
        }
        assert!(v.get(keys::READ_SCOPE).is_none(), "no read scope granted, so no read key");
        assert_eq!(v["other scope"]["access_token"], "keep-me");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
    }

    #[test]
    fn adopts_a_refresh_ocarina_did_on_its_own_under_any_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t");
        let ours = tokens("a1", "r1", 1000);
        write(&path, &ours, None, 1000).unwrap();
        assert!(newer_than(&path, &ours).unwrap().is_none(), "our own entries are not newer");
        // Ocarina refreshed and saved under the granted-scope key only.
        let mut cache = read(&path);
        let mut theirs = cache[PUT_FILE].clone();
        theirs["access_token"] = "a2".into();
        theirs["refresh_token"] = "r2".into();
        theirs["expires_at"] = 41000.0.into();
        cache[ours.scopes.join(" ")] = theirs;
        std::fs::write(&path, serde_json::to_vec(&cache).unwrap()).unwrap();
        let adopted = newer_than(&path, &ours).unwrap().unwrap();
        assert_eq!(adopted.refresh_token.as_ref().unwrap().expose(), "r2");
        assert_eq!(adopted.obtained_at, 5000);
        // Rewriting with the adopted tokens makes every key agree again.
        write(&path, &adopted, Some(&ours), 5000).unwrap();
        let v = read(&path);
        assert_eq!(v[PUT_FILE]["access_token"], "a2");
        assert!(newer_than(&path, &adopted).unwrap().is_none());
        // An older entry is never adopted, nor one with scopes we never had.
        assert!(newer_than(&path, &tokens("a3", "r3", 9000)).unwrap().is_none());
        let mut other = tokens("a4", "r4", 5000);
        other.scopes = PUT_FILE.split(' ').map(str::to_string).collect();
        assert!(newer_than(&path, &other).unwrap().is_none(), "the put-file key holds a wider grant");
        // A grant Ocarina's refresh narrowed to one command's scopes is still ours.
        let mut cache = read(&path);
        let mut narrowed = cache[PUT_FILE].clone();
        narrowed["refresh_token"] = "r-narrow".into();
        narrowed["expires_at"] = 45000.0.into();
        narrowed["scope"] = serde_json::json!(PUT_FILE.split(' ').collect::<Vec<_>>());
        cache[PUT_FILE] = narrowed;
        std::fs::write(&path, serde_json::to_vec(&cache).unwrap()).unwrap();
        let adopted_narrow = newer_than(&path, &adopted).unwrap().unwrap();
        assert_eq!(adopted_narrow.scopes.join(" "), PUT_FILE);
        // A rotation by Ocarina within the same second as ours is still seen.
        let same_second = tokens("a5", "r5", 5000);
        assert!(newer_than(&path, &same_second).unwrap().is_some());
    }

    #[test]
    fn new_scopes_drop_the_keys_they_no_longer_cover_and_remove_takes_only_ours() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t");
        std::fs::write(&path, r#"{"someone else": {"access_token": "keep-me", "refresh_token": "x"}}"#).unwrap();
        let first = tokens("a1", "r1", 1000);
        write(&path, &first, None, 1000).unwrap();
        let mut second = tokens("a2", "r2", 2000);
        second.scopes = vec!["majora2.temp_can_read_pags_via_api".into()];
        write(&path, &second, Some(&first), 2000).unwrap();
        let v = read(&path);
        assert!(v.get(PUT_FILE).is_none(), "the old token's keys are gone");
        assert_eq!(v[keys::READ_SCOPE]["access_token"], "a2");
        assert_eq!(remove(&path, &second).unwrap(), 1);
        let v = read(&path);
        assert_eq!(v.as_object().unwrap().len(), 1);
        assert_eq!(v["someone else"]["access_token"], "keep-me");
        assert_eq!(remove(&path, &second).unwrap(), 0);
    }

    #[test]
    fn refuses_to_overwrite_a_file_it_cannot_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t");
        std::fs::write(&path, "not json").unwrap();
        assert_eq!(write(&path, &tokens("a", "r", 0), None, 0).unwrap_err().code(), "config-unreadable");
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
