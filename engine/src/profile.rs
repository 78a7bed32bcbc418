//! A profile: one client registration on one server, and how to sign in with it.
//!
//! Profiles are plain settings (they go to the TOML file); secrets belonging to a
//! profile — client secret, tokens — live in the keyring under the profile's name and
//! are never fields here. Endpoints are resolved when the profile is made (from a
//! preset or discovery) and stored, so daily use never waits on discovery.

use serde::{Deserialize, Serialize};
use url::Url;

use crate::error::{Error, Result};

/// The kind of server a profile was made for; decides defaults and wording.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "kebab-case")]
pub enum PresetKind {
    Majora,
    MajoraTest,
    Agate,
    Generic,
}

impl PresetKind {
    /// Majora or its test server.
    pub fn is_majora(self) -> bool {
        matches!(self, PresetKind::Majora | PresetKind::MajoraTest)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            PresetKind::Majora => "majora",
            PresetKind::MajoraTest => "majora-test",
            PresetKind::Agate => "agate",
            PresetKind::Generic => "generic",
        }
    }
}

/// How tokens are kept fresh without a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "kebab-case")]
pub enum Renewal {
    /// `grant_type=refresh_token` (rotation-safe).
    RefreshToken,
    /// Exchange the stored authorization code again (OBiBa Agate).
    ReexchangeCode,
    /// Nothing can renew silently: the user signs in again.
    SignIn,
}

/// How the client authenticates at the token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ClientAuth {
    #[default]
    ClientSecretBasic,
    ClientSecretPost,
}

/// How the redirect back from the server is caught.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "kebab-case")]
pub enum RedirectMode {
    /// In-app window watching its navigations (desktop default).
    #[default]
    Window,
    /// System browser, `latchkey://callback`.
    Scheme,
    /// System browser, `http://127.0.0.1:PORT/callback`.
    Loopback,
    /// System browser; the user pastes the callback URL or the code.
    Paste,
}

/// The server side of a profile: where to send people and requests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Server {
    pub preset: PresetKind,
    /// Issuer (RFC 8414) or base URL; `iss` in callbacks must equal it when present.
    pub issuer: Url,
    pub authorize_url: Url,
    pub token_url: Url,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoke_url: Option<Url>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub introspect_url: Option<Url>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration_url: Option<Url>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_url: Option<Url>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub userinfo_url: Option<Url>,
    /// A page where a person registers an application by hand.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manual_registration_url: Option<Url>,
    pub pkce: bool,
    pub renewal: Renewal,
    #[serde(default)]
    pub client_auth: ClientAuth,
    /// The server names itself with `iss` in every authorization response (RFC 9207,
    /// `authorization_response_iss_parameter_supported`): a callback without it is refused.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub authorization_response_iss: bool,
}

impl Server {
    /// A server with just its issuer and the two endpoints every flow needs; PKCE on,
    /// renewal by refresh token, client_secret_basic. Presets and discovery adjust it.
    pub fn new(preset: PresetKind, issuer: Url, authorize_url: Url, token_url: Url) -> Self {
        Self {
            preset,
            issuer,
            authorize_url,
            token_url,
            revoke_url: None,
            introspect_url: None,
            registration_url: None,
            device_url: None,
            userinfo_url: None,
            manual_registration_url: None,
            pkce: true,
            renewal: Renewal::RefreshToken,
            client_auth: ClientAuth::ClientSecretBasic,
            authorization_response_iss: false,
        }
    }

    /// One line for lists: the preset and host.
    pub fn describe(&self) -> String {
        format!("{} ({})", self.issuer.host_str().unwrap_or("?"), self.preset.as_str())
    }

    /// Every endpoint, named, for validation and display.
    pub fn endpoints(&self) -> Vec<(&'static str, &Url)> {
        let mut all = vec![("authorize", &self.authorize_url), ("token", &self.token_url)];
        let optional = [
            ("revoke", &self.revoke_url),
            ("introspect", &self.introspect_url),
            ("registration", &self.registration_url),
            ("device", &self.device_url),
            ("userinfo", &self.userinfo_url),
        ];
        all.extend(optional.into_iter().filter_map(|(n, u)| u.as_ref().map(|u| (n, u))));
        all
    }

    /// Refuse any endpoint that is not https, except on loopback hosts — and those only
    /// when the issuer itself is local: a remote https issuer's metadata pointing the
    /// token endpoint at `http://127.0.0.1` would have the code and client secret sent in
    /// clear to whatever listens there.
    pub fn validate(&self) -> Result<()> {
        check_secure_url("issuer", &self.issuer)?;
        for (name, url) in self.endpoints() {
            self.check_endpoint(name, url)?;
        }
        Ok(())
    }

    /// One endpoint of this server: https, or plain http on loopback when the issuer is
    /// on loopback too.
    pub fn check_endpoint(&self, what: &str, url: &Url) -> Result<()> {
        check_secure_url(what, url)?;
        if url.scheme() == "http" && !is_loopback(&self.issuer) {
            return Err(Error::InsecureEndpoint { what: what.into(), url: url.to_string() });
        }
        Ok(())
    }
}

/// A complete profile as stored in the settings file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    pub name: String,
    pub server: Server,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// Whether a client secret is kept in the keyring for this profile.
    #[serde(default)]
    pub has_client_secret: bool,
    /// Where to manage a client Latchkey registered dynamically (RFC 7592); its
    /// registration access token is in the keyring.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration_client_uri: Option<Url>,
    #[serde(default)]
    pub scopes: Vec<String>,
    pub redirect_uri: Url,
    #[serde(default)]
    pub redirect_mode: RedirectMode,
    /// Opt-in: keep Ocarina's token cache at this path current.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ocarina_sync: Option<std::path::PathBuf>,
}

impl Profile {
    pub fn scope_string(&self) -> String {
        self.scopes.join(" ")
    }
}

/// Profile names become keyring keys and file names: keep them boring.
pub fn validate_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && !name.starts_with('.')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(Error::InvalidProfileName(name.to_string()))
    }
}

/// Names Windows keeps for devices, in any case and with any extension (`nul.lock`).
const WINDOWS_DEVICES: [&str; 22] = [
    "con", "prn", "aux", "nul", "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8", "com9", "lpt1", "lpt2",
    "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
];

/// A name as NTFS and APFS compare file names: case folded, trailing dots dropped
/// (Windows drops them from a path), so `Lab`, `lab` and `lab.` are one file there.
fn as_disks_see_it(name: &str) -> String {
    name.trim_end_matches('.').to_ascii_lowercase()
}

/// Whether a new profile `name` may join `existing` ones. Besides [`validate_name`]: a
/// profile's state file, lock and browser data are named for it, so two names one disk
/// takes for the same (case, a trailing dot) would share them — one profile's sign-in
/// cookies another's, removing one deleting the other's; a Windows device name is no
/// file at all; and a leading `-` reads as an option to every command.
pub(crate) fn check_new_name<'a>(name: &str, existing: impl IntoIterator<Item = &'a String>) -> Result<()> {
    validate_name(name)?;
    let refused = |reason: String, clashes_with: Option<String>| {
        Err(Error::ProfileNameRefused { name: name.into(), reason, clashes_with })
    };
    if name.starts_with('-') {
        return refused("it starts with `-`, which commands take for an option".into(), None);
    }
    if name.ends_with('.') {
        return refused("Windows drops a trailing dot, so its files would be another name's".into(), None);
    }
    let stem = name.split('.').next().unwrap_or(name).to_ascii_lowercase();
    if WINDOWS_DEVICES.contains(&stem.as_str()) {
        return refused(format!("Windows keeps `{stem}` for a device, so no file can have that name"), None);
    }
    let seen = as_disks_see_it(name);
    if let Some(other) = existing.into_iter().find(|e| as_disks_see_it(e) == seen) {
        return refused(
            format!("on Windows and macOS it is the same file name as the profile `{other}`'s"),
            Some(other.clone()),
        );
    }
    Ok(())
}

/// The profiles among `names` that one disk or another cannot keep apart (written before
/// [`check_new_name`]), each clash in words; nothing is renamed.
pub(crate) fn name_clashes<'a>(names: impl IntoIterator<Item = &'a String>) -> Vec<String> {
    let mut seen: Vec<&String> = Vec::new();
    let mut said = Vec::new();
    for name in names {
        if let Err(Error::ProfileNameRefused { reason, .. }) = check_new_name(name, seen.iter().copied()) {
            said.push(format!(
                "the profile `{name}` has a name that cannot be used: {reason}. It works here, but add it again \
                 under another name and remove this one before its settings reach another computer"
            ));
        }
        seen.push(name);
    }
    said
}

/// True for 127.0.0.0/8, ::1 and `localhost`.
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// The one loopback-redirect rule (RFC 8252 §7.3): plain http to a loopback address,
/// where Latchkey listens on a port of its own (any port, for the server).
pub fn is_loopback_redirect(uri: &Url) -> bool {
    uri.scheme() == "http" && is_loopback(uri)
}

/// Whether the system browser can bring a sign-in back to Latchkey with this redirect
/// URI: a `latchkey:` link or a loopback port. A server's own page (Majora's callback)
/// only the in-app window can watch.
pub fn browser_can_return(uri: &Url) -> bool {
    uri.scheme() == "latchkey" || is_loopback_redirect(uri)
}

/// Endpoints carry secrets, so they must be https; loopback http is allowed for tests
/// and local servers.
pub(crate) fn check_secure_url(what: &str, url: &Url) -> Result<()> {
    match url.scheme() {
        "https" if url.host().is_some() => Ok(()),
        "http" if is_loopback(url) => Ok(()),
        "http" => Err(Error::InsecureEndpoint { what: what.into(), url: url.to_string() }),
        other => {
            Err(Error::Usage(format!("the {what} endpoint `{url}` uses `{other}:`; endpoints must be https URLs")))
        }
    }
}

/// A redirect URI must be https, a loopback http URL, or Latchkey's own scheme.
pub(crate) fn check_redirect_uri(uri: &Url) -> Result<()> {
    match uri.scheme() {
        "latchkey" => Ok(()),
        _ => check_secure_url("redirect", uri),
    }
}

/// As [`check_redirect_uri`], and what the server's kind allows: Majora registers only
/// https redirect URIs (its application form refuses others), so a loopback or
/// `latchkey:` one could never match and the sign-in would wait for a redirect that
/// never comes.
pub(crate) fn check_redirect_uri_for(preset: PresetKind, uri: &Url) -> Result<()> {
    check_redirect_uri(uri)?;
    if preset.is_majora() && uri.scheme() != "https" {
        return Err(Error::Usage(format!(
            "Majora registers only https redirect URIs, so `{uri}` can never be registered there; leave the \
             redirect URI out to use Majora's own page (https://HOST/o/callback/), which the sign-in window watches"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn majora_takes_only_https_redirects() {
        let u = |s: &str| Url::parse(s).unwrap();
        assert!(check_redirect_uri_for(PresetKind::Majora, &u("https://majora.example.org/o/callback/")).is_ok());
        for other in ["http://127.0.0.1:8765/callback", "latchkey://callback/m"] {
            let err = check_redirect_uri_for(PresetKind::MajoraTest, &u(other)).unwrap_err();
            assert!(err.to_string().contains("only https"), "{err}");
        }
        assert!(check_redirect_uri_for(PresetKind::Generic, &u("http://127.0.0.1:8765/callback")).is_ok());
    }

    #[test]
    fn the_browser_can_return_only_by_a_latchkey_link_or_a_loopback_port() {
        let u = |s: &str| Url::parse(s).unwrap();
        assert!(browser_can_return(&u("latchkey://callback/p")));
        assert!(browser_can_return(&u("http://127.0.0.1/callback")));
        assert!(browser_can_return(&u("http://[::1]:8080/cb")));
        assert!(!browser_can_return(&u("https://majora.example.org/o/callback/")));
        // Majora on this machine: https on loopback is the server's page, not our port.
        assert!(!is_loopback_redirect(&u("https://127.0.0.1:8000/o/callback/")));
        assert!(!browser_can_return(&u("http://192.168.1.5/callback")));
    }

    #[test]
    fn names() {
        for good in ["majora", "majora-test", "a.b_c", "x1"] {
            validate_name(good).unwrap();
        }
        for bad in ["", ".hidden", "a/b", "a b", "é", &"x".repeat(65)] {
            assert!(validate_name(bad).is_err(), "{bad:?} accepted");
        }
    }

    /// Issue 35, item 4: names one disk takes for another's, device names and options.
    #[test]
    fn new_names_mean_one_profile_on_every_disk() {
        let existing = vec!["lab".to_string(), "Majora".to_string()];
        for clash in ["Lab", "LAB", "majora"] {
            let err = check_new_name(clash, &existing).unwrap_err();
            assert!(matches!(&err, Error::ProfileNameRefused { clashes_with: Some(_), .. }), "{clash}: {err}");
            assert_eq!(err.code(), "invalid-profile-name");
        }
        for refused in ["lab.", "x.", "nul", "NUL", "nul.lab", "com1", "Lpt9", "con", "-rf", "--help"] {
            let err = check_new_name(refused, &existing).expect_err(refused);
            assert!(err.to_string().starts_with(&format!("the profile name `{refused}` cannot be used")), "{err}");
        }
        for fine in ["lab2", "lab-test", "a.b", "console", "nullable", "com10", "x-"] {
            check_new_name(fine, &existing).unwrap();
        }
        // Old settings that hold a clash are said, not changed.
        let old: Vec<String> = ["lab", "Lab", "nul", "ok"].iter().map(|s| s.to_string()).collect();
        let said = name_clashes(&old);
        assert_eq!(said.len(), 2, "{said:?}");
        assert!(said[0].contains("`Lab`") && said[0].contains("`lab`'s"), "{said:?}");
        assert!(said[1].contains("`nul`"), "{said:?}");
    }

    #[test]
    fn loopback_http_endpoints_only_for_a_loopback_issuer() {
        let https = |u: &str| Url::parse(u).unwrap();
        let mut server = Server::new(
            PresetKind::Generic,
            https("https://id.example.org/"),
            https("https://id.example.org/auth"),
            https("http://127.0.0.1:9/token"),
        );
        let err = server.validate().unwrap_err();
        assert_eq!(err.code(), "insecure-endpoint", "{err}");
        assert!(err.to_string().contains("token"), "{err}");
        server.issuer = https("http://127.0.0.1:9/");
        server.authorize_url = https("http://127.0.0.1:9/auth");
        server.validate().unwrap();
    }

    #[test]
    fn https_required_except_loopback() {
        let ok = [
            "https://x.org/o/token/",
            "http://127.0.0.1:8000/o/token/",
            "http://[::1]/t",
            "http://localhost:1/t",
            "http://127.8.9.1/t",
        ];
        for u in ok {
            check_secure_url("token", &Url::parse(u).unwrap()).unwrap();
        }
        let bad = ["http://x.org/t", "http://10.0.0.1/t", "ftp://x.org/t", "http://localhost.evil.org/t"];
        for u in bad {
            let err = check_secure_url("token", &Url::parse(u).unwrap()).unwrap_err();
            assert!(err.to_string().contains("token"), "{err}");
        }
    }
}
