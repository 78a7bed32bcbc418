//! Server presets: what Latchkey knows about Majora, Agate and generic servers.
//!
//! The facts come from the servers' source (see docs/design.md): Majora runs
//! django-oauth-toolkit with trailing-slash endpoints, only its own https callback page
//! as redirect URI, and rotating refresh tokens; Agate has `/ws/oauth2/...` endpoints,
//! no PKCE and no refresh tokens (its code is re-exchangeable instead).

use url::Url;

use crate::error::{Error, Result};
use crate::oauth::discovery;
use crate::oauth::http::Http;
use crate::profile::{PresetKind, Renewal, Server};

pub(crate) const MAJORA_URL: &str = "https://majora.covid19.climb.ac.uk/";
pub(crate) const MAJORA_TEST_URL: &str = "https://majora-test.covid19.climb.ac.uk/";

/// A server kind as a person chooses it: the wizard lists [`CATALOGUE`] in its order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PresetInfo {
    pub kind: PresetKind,
    pub title: &'static str,
    pub description: &'static str,
    /// The server's address when the preset knows it (Majora's); else the user gives one.
    pub address: Option<&'static str>,
}

/// Every preset, in the order to offer them: Majora's test system before the real one,
/// as its guide says (try registration and uploads there first).
pub const CATALOGUE: &[PresetInfo] = &[
    PresetInfo {
        kind: PresetKind::MajoraTest,
        title: "COG-UK Majora (test)",
        description: "A separate test system with its own registrations: try things here first.",
        address: Some(MAJORA_TEST_URL),
    },
    PresetInfo {
        kind: PresetKind::Majora,
        title: "COG-UK Majora",
        description: "The real COG-UK server: uploads here are real data.",
        address: Some(MAJORA_URL),
    },
    PresetInfo {
        kind: PresetKind::Agate,
        title: "OBiBa Agate",
        description: "You will be asked for your Agate address.",
        address: None,
    },
    PresetInfo {
        kind: PresetKind::Generic,
        title: "Other OAuth 2.0 / OpenID Connect server",
        description: "You will be asked for its issuer URL (a Keycloak realm: https://HOST/realms/REALM).",
        address: None,
    },
];

/// The redirect URI Latchkey registers where the server allows a custom scheme; each
/// profile gets its own path under it ([`for_profile`]).
pub(crate) const SCHEME_REDIRECT_URI: &str = "latchkey://callback";

/// `latchkey://callback/NAME` for a new profile's custom-scheme redirect: a callback of
/// one profile's sign-in then never matches another's redirect URI, so two sign-ins in
/// progress with two servers cannot take each other's codes (the mix-up attack, where
/// the server gives no `iss`). Other redirect URIs are as the server knows them.
pub(crate) fn for_profile(redirect_uri: Url, profile: &str) -> Url {
    if redirect_uri.as_str() == SCHEME_REDIRECT_URI {
        return parse(&format!("{SCHEME_REDIRECT_URI}/{profile}"));
    }
    redirect_uri
}

/// What a Majora user does with Ocarina, and the scopes each needs: the wizard's scope
/// step and `profile add --tasks` offer these rather than 25 permission names. The
/// scopes are those Ocarina's commands ask for (see [`crate::ocarina::keys`]); a user can
/// authorize only the scopes whose permission their Majora account holds, so only the
/// usual upload set is chosen by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Task {
    /// Stable id (`--tasks upload,read`).
    pub id: &'static str,
    /// What it lets you do, for people.
    pub label: &'static str,
    pub scopes: &'static [&'static str],
    /// Chosen unless the user unticks it.
    pub default: bool,
}

pub const MAJORA_TASKS: &[Task] = &[
    Task {
        id: "upload",
        label:
            "Upload samples, libraries, sequencing runs and files (ocarina put biosample, library, sequencing, file)",
        scopes: &[
            "majora2.add_biosampleartifact",
            "majora2.change_biosampleartifact",
            "majora2.add_biosamplesource",
            "majora2.change_biosamplesource",
            "majora2.add_biosourcesamplingprocess",
            "majora2.change_biosourcesamplingprocess",
            "majora2.add_libraryartifact",
            "majora2.change_libraryartifact",
            "majora2.add_librarypoolingprocess",
            "majora2.change_librarypoolingprocess",
            "majora2.add_dnasequencingprocess",
            "majora2.change_dnasequencingprocess",
            "majora2.add_digitalresourceartifact",
            "majora2.change_digitalresourceartifact",
        ],
        default: true,
    },
    Task {
        id: "read",
        label: "Read samples and results (ocarina get, summaries, tags)",
        scopes: &["majora2.temp_can_read_pags_via_api"],
        default: false,
    },
    Task {
        id: "qc",
        label: "Upload metrics, QC reports and accessions (ocarina put metric, qc, accession)",
        scopes: &[
            "majora2.add_temporarymajoraartifactmetric",
            "majora2.change_temporarymajoraartifactmetric",
            "majora2.add_pagqualityreport",
            "majora2.change_pagqualityreport",
            "majora2.add_temporaryaccessionrecord",
            "majora2.change_temporaryaccessionrecord",
        ],
        default: false,
    },
    Task {
        id: "addempty",
        label: "Add empty biosamples (ocarina empty biosample)",
        scopes: &[
            "majora2.force_add_biosampleartifact",
            "majora2.add_biosampleartifact",
            "majora2.change_biosampleartifact",
            "majora2.add_biosourcesamplingprocess",
            "majora2.change_biosourcesamplingprocess",
        ],
        default: false,
    },
    Task {
        id: "dataviews",
        label: "Read data views (the v3 API, /api/v3/mdv/)",
        scopes: &["majora2.can_read_dataview_via_api"],
        default: false,
    },
];

/// The scopes of the given Majora tasks, each once, in table order.
pub fn majora_task_scopes(ids: &[&str]) -> Result<Vec<String>> {
    for id in ids {
        if !MAJORA_TASKS.iter().any(|t| t.id == *id) {
            let known: Vec<&str> = MAJORA_TASKS.iter().map(|t| t.id).collect();
            return Err(Error::Usage(format!("no Majora task `{id}`; choose from {}", known.join(", "))));
        }
    }
    let mut scopes: Vec<String> = Vec::new();
    for task in MAJORA_TASKS.iter().filter(|t| ids.contains(&t.id)) {
        for scope in task.scopes {
            if !scopes.iter().any(|s| s == scope) {
                scopes.push(scope.to_string());
            }
        }
    }
    Ok(scopes)
}

/// `scopes` as Majora tasks: the ids of the tasks all of whose scopes are there, and the
/// scopes no such task holds (chosen by hand), in the order given.
pub(crate) fn majora_tasks_of(scopes: &[String]) -> (Vec<&'static str>, Vec<String>) {
    let has = |s: &&str| scopes.iter().any(|x| x == s);
    let tasks: Vec<&Task> = MAJORA_TASKS.iter().filter(|t| t.scopes.iter().all(has)).collect();
    let by_hand = scopes.iter().filter(|s| !tasks.iter().any(|t| t.scopes.contains(&s.as_str()))).cloned().collect();
    (tasks.iter().map(|t| t.id).collect(), by_hand)
}

/// What to say when the server refused the scopes asked for (`invalid_scope`). Majora
/// names no scope in its refusal: what Latchkey can say is which chosen tasks are at
/// stake, and which scopes are no Majora permission at all.
pub(crate) fn why_scopes_refused(majora: bool, scopes: &[String]) -> String {
    if !majora {
        let asked = scopes.join(", ");
        return format!("the server refused one of the requested scopes (invalid_scope); asked for: {asked}");
    }
    let (tasks, by_hand) = majora_tasks_of(scopes);
    let (known, unknown): (Vec<&String>, Vec<&String>) = by_hand.iter().partition(|s| s.starts_with("majora2."));
    let mut parts = Vec::new();
    if !tasks.is_empty() || !known.is_empty() {
        let mut chosen: Vec<String> = tasks.iter().map(|t| format!("\"{t}\"")).collect();
        chosen.extend(known.iter().map(|s| s.to_string()));
        let what = if tasks.is_empty() { "scopes" } else { "tasks" };
        parts.push(format!(
            "your Majora account lacks the permission for one of the chosen {what} ({}): Majora lets you \
             authorize only what your account may do",
            chosen.join(", ")
        ));
    }
    if !unknown.is_empty() {
        let names: Vec<&str> = unknown.iter().map(|s| s.as_str()).collect();
        parts.push(format!("{} is not a Majora scope (check the spelling)", names.join(", ")));
    }
    format!("{} (invalid_scope)", parts.join("; and "))
}

/// What a Majora scope allows, for people (the scope step shows it beside the name).
pub fn explain_majora_scope(scope: &str) -> Option<String> {
    let thing = |t: &str| match t {
        "biosampleartifact" => "biosamples",
        "biosamplesource" => "biosample sources",
        "biosourcesamplingprocess" => "sample collection details",
        "libraryartifact" => "sequencing libraries",
        "librarypoolingprocess" => "library pooling",
        "dnasequencingprocess" => "sequencing runs",
        "digitalresourceartifact" => "registered files",
        "temporarymajoraartifactmetric" => "metrics",
        "pagqualityreport" => "QC reports",
        "temporaryaccessionrecord" => "accessions",
        _ => "",
    };
    let perm = scope.strip_prefix("majora2.")?;
    Some(match perm {
        "temp_can_read_pags_via_api" => "Read samples and results through the API".into(),
        "can_read_dataview_via_api" => "Read data views through the API".into(),
        "force_add_biosampleartifact" => "Add empty biosamples".into(),
        _ => {
            let (verb, t) = perm.split_once('_')?;
            let what = thing(t);
            if what.is_empty() {
                return None;
            }
            match verb {
                "add" => format!("Add {what}"),
                "change" => format!("Update {what}"),
                _ => return None,
            }
        }
    })
}

/// OpenID Connect's usual set.
pub(crate) const OIDC_SCOPES: &[&str] = &["openid", "profile", "email", "offline_access"];

/// Where a server's endpoints come from, as given on the command line or in the wizard.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServerSpec {
    /// Base URL (Majora override, Agate required).
    pub base_url: Option<Url>,
    /// Issuer for discovery (generic).
    pub issuer: Option<Url>,
    /// Endpoints by hand (generic); override discovery.
    pub authorize_url: Option<Url>,
    pub token_url: Option<Url>,
    pub revoke_url: Option<Url>,
    pub device_url: Option<Url>,
}

/// What a preset says a new profile should look like.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub server: Server,
    pub scopes: Vec<String>,
    pub redirect_uri: Url,
}

/// Resolve a preset and spec into a server, default scopes and redirect URI.
/// Discovery (generic with an issuer) needs the network; the other presets do not.
pub(crate) fn resolve(kind: PresetKind, spec: &ServerSpec, http: &Http) -> Result<Resolved> {
    let resolved = match kind {
        PresetKind::Majora | PresetKind::MajoraTest => {
            let default = if kind == PresetKind::Majora { MAJORA_URL } else { MAJORA_TEST_URL };
            let base = with_slash(spec.base_url.clone().unwrap_or_else(|| parse(default)));
            majora(kind, base)
        }
        PresetKind::Agate => {
            let base = spec
                .base_url
                .clone()
                .ok_or_else(|| Error::Usage("the agate preset needs --base-url (your Agate's address)".into()))?;
            agate(with_slash(base))
        }
        PresetKind::Generic => generic(spec, http)?,
    };
    resolved.server.validate()?;
    Ok(resolved)
}

fn majora(kind: PresetKind, base: Url) -> Resolved {
    let at = |path: &str| base.join(path).expect("static path joins");
    Resolved {
        server: Server {
            revoke_url: Some(at("o/revoke_token/")),
            introspect_url: Some(at("o/introspect/")),
            manual_registration_url: Some(at("o/applications/register/")),
            ..Server::new(kind, base.clone(), at("o/authorize/"), at("o/token/"))
        },
        scopes: majora_task_scopes(&default_tasks()).expect("the table's own ids"),
        redirect_uri: majora_callback(&base),
    }
}

fn default_tasks() -> Vec<&'static str> {
    MAJORA_TASKS.iter().filter(|t| t.default).map(|t| t.id).collect()
}

/// Majora's own callback page, `https://HOST/o/callback/` — https even when the base URL
/// is http (a local or tunnelled server): Majora refuses any other scheme ("Unauthorized
/// redirect scheme"), and Latchkey catches the redirect before the page loads.
pub(crate) fn majora_callback(base: &Url) -> Url {
    let mut uri = base.join("o/callback/").expect("static path joins");
    if uri.scheme() == "http" {
        let port = uri.port();
        uri.set_scheme("https").expect("http and https are both special schemes");
        // The port stays what it was (`set_scheme` clears an explicit 443 only).
        uri.set_port(port).expect("a host URL takes a port");
    }
    uri
}

fn agate(base: Url) -> Resolved {
    let at = |path: &str| base.join(path).expect("static path joins");
    Resolved {
        server: Server {
            pkce: false,
            renewal: Renewal::ReexchangeCode,
            // OpenID Connect userinfo (agate-rest's OAuthResource): whose account it is.
            userinfo_url: Some(at("ws/oauth2/userinfo")),
            ..Server::new(PresetKind::Agate, base.clone(), at("ws/oauth2/authorize"), at("ws/oauth2/token"))
        },
        scopes: vec!["openid".into(), "email".into(), "profile".into()],
        redirect_uri: parse(SCHEME_REDIRECT_URI),
    }
}

fn generic(spec: &ServerSpec, http: &Http) -> Result<Resolved> {
    let by_hand = spec.authorize_url.is_some() && spec.token_url.is_some();
    let mut server = match (&spec.issuer, by_hand) {
        (Some(issuer), _) if !by_hand => discovery::discover(issuer, http)?,
        (_, true) => {
            let authorize = spec.authorize_url.clone().expect("checked");
            let issuer = spec.issuer.clone().unwrap_or_else(|| origin(&authorize));
            Server::new(PresetKind::Generic, issuer, authorize, spec.token_url.clone().expect("checked"))
        }
        _ => {
            return Err(Error::Usage(
                "the generic preset needs --issuer URL, or --authorize-url and --token-url".into(),
            ))
        }
    };
    if spec.revoke_url.is_some() {
        server.revoke_url = spec.revoke_url.clone();
    }
    if spec.device_url.is_some() {
        server.device_url = spec.device_url.clone();
    }
    Ok(Resolved {
        server,
        scopes: OIDC_SCOPES.iter().map(|s| s.to_string()).collect(),
        redirect_uri: parse(SCHEME_REDIRECT_URI),
    })
}

fn parse(url: &str) -> Url {
    Url::parse(url).expect("static URL parses")
}

/// `https://host/base` → `https://host/base/` so that joins stay under it.
fn with_slash(mut url: Url) -> Url {
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    url.set_query(None);
    url.set_fragment(None);
    url
}

fn origin(url: &Url) -> Url {
    let mut origin = url.clone();
    origin.set_path("/");
    origin.set_query(None);
    origin.set_fragment(None);
    origin
}

#[cfg(test)]
mod tests {
    use super::*;

    fn http() -> Http {
        Http::new().unwrap()
    }

    #[test]
    fn majora_matches_the_server() {
        let r = resolve(PresetKind::Majora, &ServerSpec::default(), &http()).unwrap();
        assert_eq!(r.server.authorize_url.as_str(), "https://majora.covid19.climb.ac.uk/o/authorize/");
        assert_eq!(r.server.token_url.as_str(), "https://majora.covid19.climb.ac.uk/o/token/");
        assert_eq!(r.redirect_uri.as_str(), "https://majora.covid19.climb.ac.uk/o/callback/");
        assert_eq!(r.server.renewal, Renewal::RefreshToken);
        assert!(r.server.pkce);
        assert!(r.scopes.contains(&"majora2.add_biosampleartifact".to_string()));
        let test = resolve(PresetKind::MajoraTest, &ServerSpec::default(), &http()).unwrap();
        assert_eq!(test.redirect_uri.as_str(), "https://majora-test.covid19.climb.ac.uk/o/callback/");
    }

    #[test]
    fn majora_base_override_keeps_trailing_slashes() {
        let spec = ServerSpec { base_url: Some(parse("http://127.0.0.1:8000")), ..Default::default() };
        let r = resolve(PresetKind::Majora, &spec, &http()).unwrap();
        assert_eq!(r.server.token_url.as_str(), "http://127.0.0.1:8000/o/token/");
        assert_eq!(r.server.revoke_url.unwrap().as_str(), "http://127.0.0.1:8000/o/revoke_token/");
        // Majora takes only https redirect URIs, whatever the base URL's scheme.
        assert_eq!(r.redirect_uri.as_str(), "https://127.0.0.1:8000/o/callback/");
        let spec = ServerSpec { base_url: Some(parse("http://localhost/majora")), ..Default::default() };
        let r = resolve(PresetKind::MajoraTest, &spec, &http()).unwrap();
        assert_eq!(r.redirect_uri.as_str(), "https://localhost/majora/o/callback/");
    }

    #[test]
    fn majora_tasks_map_to_scopes() {
        let r = resolve(PresetKind::Majora, &ServerSpec::default(), &http()).unwrap();
        assert_eq!(r.scopes.len(), 14, "the upload set only, by default");
        assert!(!r.scopes.contains(&"majora2.temp_can_read_pags_via_api".to_string()));
        let scopes = majora_task_scopes(&["upload", "addempty", "read"]).unwrap();
        assert_eq!(scopes.len(), 16, "shared scopes appear once: {scopes:?}");
        assert_eq!(scopes[14], "majora2.temp_can_read_pags_via_api");
        assert_eq!(scopes[15], "majora2.force_add_biosampleartifact");
        assert_eq!(majora_task_scopes(&["uplod"]).unwrap_err().code(), "usage");
        for task in MAJORA_TASKS {
            for scope in task.scopes {
                assert!(explain_majora_scope(scope).is_some(), "{scope} has no explanation");
            }
        }
    }

    #[test]
    fn agate_needs_a_base_and_has_no_pkce_or_refresh() {
        assert_eq!(resolve(PresetKind::Agate, &ServerSpec::default(), &http()).unwrap_err().code(), "usage");
        let spec = ServerSpec { base_url: Some(parse("https://agate.example.org/agate")), ..Default::default() };
        let r = resolve(PresetKind::Agate, &spec, &http()).unwrap();
        assert_eq!(r.server.authorize_url.as_str(), "https://agate.example.org/agate/ws/oauth2/authorize");
        assert_eq!(r.server.token_url.as_str(), "https://agate.example.org/agate/ws/oauth2/token");
        assert!(!r.server.pkce);
        assert_eq!(r.server.renewal, Renewal::ReexchangeCode);
    }

    #[test]
    fn plain_http_is_refused_off_loopback() {
        let spec = ServerSpec { base_url: Some(parse("http://agate.example.org/")), ..Default::default() };
        let err = resolve(PresetKind::Agate, &spec, &http()).unwrap_err();
        assert_eq!(err.code(), "insecure-endpoint");
        assert!(err.to_string().contains("must be https"), "{err}");
    }

    #[test]
    fn each_profile_has_its_own_scheme_path() {
        assert_eq!(for_profile(parse(SCHEME_REDIRECT_URI), "lab").as_str(), "latchkey://callback/lab");
        let majora = parse("https://majora.covid19.climb.ac.uk/o/callback/");
        assert_eq!(for_profile(majora.clone(), "lab"), majora);
        let a = for_profile(parse(SCHEME_REDIRECT_URI), "a");
        let b = for_profile(parse(SCHEME_REDIRECT_URI), "b");
        assert!(!crate::oauth::callback::matches_redirect_uri(&a, &b));
    }

    #[test]
    fn generic_by_hand() {
        let spec = ServerSpec {
            authorize_url: Some(parse("https://id.example.org/auth")),
            token_url: Some(parse("https://id.example.org/token")),
            ..Default::default()
        };
        let r = resolve(PresetKind::Generic, &spec, &http()).unwrap();
        assert_eq!(r.server.issuer.as_str(), "https://id.example.org/");
        assert_eq!(r.redirect_uri.as_str(), "latchkey://callback");
        assert!(r.scopes.contains(&"openid".to_string()));
        assert_eq!(resolve(PresetKind::Generic, &ServerSpec::default(), &http()).unwrap_err().code(), "usage");
    }

    #[test]
    fn a_refused_majora_grant_names_the_tasks_and_tells_an_unknown_scope_apart() {
        let mut scopes = super::majora_task_scopes(&["upload", "read"]).unwrap();
        let said = super::why_scopes_refused(true, &scopes);
        assert!(said.contains(r#"one of the chosen tasks ("upload", "read")"#), "{said}");
        assert!(!said.contains("majora2.add_biosampleartifact"), "no twenty scope names: {said}");
        assert!(!said.contains("not a Majora scope"), "{said}");
        scopes.push("majora2.view_pag".into());
        scopes.push("majora2-typo".into());
        let said = super::why_scopes_refused(true, &scopes);
        assert!(said.contains(r#"("upload", "read", majora2.view_pag)"#), "{said}");
        assert!(said.contains("majora2-typo is not a Majora scope (check the spelling)"), "{said}");
        let said = super::why_scopes_refused(true, &["typo".to_string()]);
        assert_eq!(said, "typo is not a Majora scope (check the spelling) (invalid_scope)");
    }
}
