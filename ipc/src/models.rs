//! What IPC commands take and return: status and metadata, never a token or secret
//! (a client secret travels only from the UI to Rust, when the user pastes it).
//! camelCase throughout; engine types that would cross in another casing are mirrored.

use latchkey_engine::ProfileStatus;
use latchkey_engine::Resolved;
use latchkey_engine::{PresetKind, RedirectMode};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::words;
use crate::words::status;

#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ProfileView {
    pub name: String,
    pub preset: PresetKind,
    pub server: String,
    pub client_id: Option<String>,
    pub account: Option<String>,
    /// The account of the sign-in before, when the last sign-in was another's: the Done
    /// page warns (someone else may have finished the sign-in).
    pub account_changed_from: Option<String>,
    pub scopes: Vec<String>,
    /// What the token may do in words ("May upload samples, …"); the names under Details.
    pub may_do: Option<String>,
    pub requested_scopes: Vec<String>,
    /// Majora: the tasks the scope settings offer (empty for other servers).
    pub tasks: Vec<TaskChoice>,
    pub status: latchkey_engine::Status,
    /// The status in words with its tone and icon (the row's badge, the tray's line).
    pub badge: status::Badge,
    /// "Fresh until 13:40" / "Expired at 13:40", when signed in with an expiry.
    pub freshness: Option<String>,
    /// What happens when the token expires (the Done page).
    pub renewal: String,
    #[ts(type = "number | null")]
    pub expires_at: Option<u64>,
    pub has_refresh_token: bool,
    pub renews_silently: bool,
    /// The button that gives the server a client again, when it refuses this one
    /// ("Register again", "Enter the client again", "Finish setup"); it opens the wizard.
    pub fix_client: Option<String>,
    pub last_error: Option<String>,
    /// Why the last renewal failed, in plain words (`last_error` is the exact message).
    pub reason: Option<String>,
    /// The kind of the last renewal failure: the window words it (`badge` carries the words, from ipc/src/words/status.rs).
    pub last_error_code: Option<latchkey_engine::ErrorCode>,

    pub redirect_uri: String,
    /// "Use my browser" can bring the sign-in back (a latchkey: link or a loopback port).
    pub can_use_browser: bool,
    pub redirect_mode: RedirectMode,
    pub dynamically_registered: bool,
    pub ocarina_sync: Option<String>,
    /// Where "Test access" starts (OpenID Connect userinfo), if the server has one.
    pub test_url: Option<String>,
    /// The server offers "Sign in with a code" (RFC 8628 device flow).
    pub can_use_code: bool,
}

impl ProfileView {
    /// The window's view of a profile's status at `now` (Unix seconds), worded where the
    /// tray's menu is ([`crate::words::status`]).
    ///
    /// Why a copy of `ProfileStatus` and not the type itself: `latchkey status --json` is
    /// snake_case for scripts and must stay so; the window's contract is camelCase. The
    /// destructuring names every field, so a field added to `ProfileStatus` fails to
    /// compile here until the window decides what to do with it.
    pub fn new(p: ProfileStatus, now: u64) -> Self {
        let badge = status::badge(&p, status::Activity::default(), now);
        let freshness = status::freshness(&p, now);
        let renewal = status::renewal_line(&p, now);
        let fix_client = status::fix_client(&p);
        let reason = status::reason(&p);
        let may_do = crate::words::scopes::may_do(p.preset, &p.scopes);
        let can_use_browser = latchkey_engine::browser_can_return(&p.redirect_uri);
        let ProfileStatus {
            name,
            preset,
            server: _, // worded for the window from the host
            host,
            client_id,
            status,
            expires_at,
            expires_in: _, // the window counts from `expires_at` on its own clock
            scopes,
            requested_scopes,
            has_refresh_token,
            has_tokens: _, // in `fix_client`
            renews_silently,
            last_error,
            last_error_code,
            last_error_at: _, // words come from the code; the time is for the CLI
            account,
            account_changed_from,
            redirect_uri,
            redirect_mode,
            dynamically_registered,
            ocarina_sync,
            userinfo_url,
            device_flow,
        } = p;
        Self {
            name,
            preset,
            server: status::server_line(&host, preset),
            client_id,
            account,
            account_changed_from,
            scopes,
            may_do,
            requested_scopes,
            tasks: TaskChoice::for_preset(preset),
            status,
            badge,
            freshness,
            renewal,
            expires_at,
            has_refresh_token,
            renews_silently,
            fix_client,
            last_error,
            reason,
            last_error_code,
            can_use_browser,
            redirect_uri: redirect_uri.to_string(),
            redirect_mode,
            dynamically_registered,
            ocarina_sync: ocarina_sync.map(|p| p.display().to_string()),
            test_url: userinfo_url.map(|u| u.to_string()),
            can_use_code: device_flow,
        }
    }
}

/// Where the wizard's server step points.
#[derive(Debug, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ServerInput {
    pub preset: PresetKind,
    #[ts(optional = nullable)]
    pub base_url: Option<String>,
    #[ts(optional = nullable)]
    pub issuer: Option<String>,
    #[ts(optional = nullable)]
    pub authorize_url: Option<String>,
    #[ts(optional = nullable)]
    pub token_url: Option<String>,
}

/// What the wizard shows after the server step.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ServerPreview {
    pub issuer: String,
    pub authorize_url: String,
    pub token_url: String,
    pub revoke_url: Option<String>,
    pub dynamic_registration: bool,
    pub manual_registration_url: Option<String>,
    pub redirect_uri: String,
    /// "Use my browser" can bring the sign-in back (a latchkey: link or a loopback port).
    /// The server offers "Sign in with a code" (RFC 8628 device flow).
    pub can_use_code: bool,
    pub can_use_browser: bool,
    pub default_scopes: Vec<ScopeChoice>,
    /// What tokens with those scopes may do, in words ("May upload samples, …").
    pub may_do: Option<String>,
    /// Majora: what the user will do, each with its scopes (empty for other servers).
    pub tasks: Vec<TaskChoice>,
    pub renewal: latchkey_engine::Renewal,
    /// Where "Test access" starts (OpenID Connect userinfo), if the server has one.
    pub test_url: Option<String>,
}

/// One thing a Majora user does with Ocarina, and the scopes it needs.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TaskChoice {
    pub id: &'static str,
    pub label: &'static str,
    pub scopes: &'static [&'static str],
    pub preselected: bool,
}

impl TaskChoice {
    pub fn for_preset(preset: PresetKind) -> Vec<TaskChoice> {
        if !preset.is_majora() {
            return Vec::new();
        }
        latchkey_engine::MAJORA_TASKS
            .iter()
            .map(|t| TaskChoice { id: t.id, label: t.label, scopes: t.scopes, preselected: t.default })
            .collect()
    }
}

#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ScopeChoice {
    pub scope: String,
    pub explanation: String,
}

impl From<Resolved> for ServerPreview {
    fn from(r: Resolved) -> Self {
        let explain = crate::words::scopes::explain;
        Self {
            issuer: r.server.issuer.to_string(),
            authorize_url: r.server.authorize_url.to_string(),
            token_url: r.server.token_url.to_string(),
            revoke_url: r.server.revoke_url.as_ref().map(|u| u.to_string()),
            dynamic_registration: r.server.registration_url.is_some(),
            manual_registration_url: r.server.manual_registration_url.as_ref().map(|u| u.to_string()),
            can_use_browser: latchkey_engine::browser_can_return(&r.redirect_uri),
            can_use_code: r.server.device_url.is_some(),
            redirect_uri: r.redirect_uri.to_string(),
            default_scopes: r
                .scopes
                .iter()
                .map(|s| ScopeChoice { scope: s.clone(), explanation: explain(s) })
                .collect(),
            may_do: crate::words::scopes::may_do(r.server.preset, &r.scopes),
            tasks: TaskChoice::for_preset(r.server.preset),
            renewal: r.server.renewal,
            test_url: r.server.userinfo_url.as_ref().map(|u| u.to_string()),
        }
    }
}

#[derive(Debug, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct NewProfileInput {
    pub name: String,
    pub server: ServerInput,
    #[ts(optional = nullable)]
    pub scopes: Option<Vec<String>>,
    #[ts(optional = nullable)]
    pub redirect_uri: Option<String>,
    /// A server the lab provides, by its id: its file gives the address, the client, the
    /// scopes and the redirect URI (`server` then says only its kind).
    #[ts(optional = nullable)]
    #[serde(default)]
    pub lab_server: Option<String>,
    /// An "add our server" link the person confirmed: read again, it gives everything
    /// (`server` then says only its kind).
    #[ts(optional = nullable)]
    #[serde(default)]
    pub link: Option<String>,
}

/// How the user wants to sign in.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq, TS)]
#[serde(rename_all = "kebab-case")]
pub enum SignInMethod {
    Window,
    Browser,
    Paste,
}

#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SignInStarted {
    pub method: SignInMethod,
    /// Shown for "paste" and "browser" (so the user can open it by hand).
    pub authorize_url: String,
}

/// Sent with `latchkey://sign-in-finished`.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SignInFinished {
    pub profile: String,
    pub ok: bool,
    pub error: Option<crate::error::IpcError>,
}

/// What Refresh now did, in words for the row's note.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Refreshed {
    /// The server made a new token.
    pub renewed: bool,
    pub note: String,
}

/// Sent with `latchkey://sign-in-page-error`: the sign-in window shows a page the
/// server answered with an HTTP error (after the login, most often a redirect URI it
/// does not know). The window stays open so its words can be read.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SignInPageError {
    pub profile: String,
    /// The HTTP status of the page (400 and up).
    pub status: u16,
    /// The host that showed it.
    pub host: String,
}

#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AppStatus {
    pub version: &'static str,
    pub degraded: Vec<String>,
    /// Warnings about links that arrived before the window listened (then cleared).
    pub link_warnings: Vec<String>,
    /// An "add our server" link that arrived before the window listened (then cleared).
    pub add_offer: Option<AddServerOffer>,
    /// The ways to sign in the window offers (the lab's policy may name fewer than all).
    pub sign_in_ways: Vec<latchkey_engine::SignInWay>,
}

/// What `register_client` did.
#[derive(Debug, Serialize, TS)]
#[serde(tag = "outcome", rename_all = "kebab-case", rename_all_fields = "camelCase")]
pub enum RegisterOutcomeView {
    /// Registered dynamically: the profile has a client id now.
    Registered { client_id: String },
    /// The server has no dynamic registration: type these into its form.
    Manual { registration_page: Option<String>, fields: Vec<latchkey_engine::FormField> },
}

impl From<latchkey_engine::RegisterOutcome> for RegisterOutcomeView {
    fn from(o: latchkey_engine::RegisterOutcome) -> Self {
        match o {
            latchkey_engine::RegisterOutcome::Registered { client_id } => Self::Registered { client_id },
            latchkey_engine::RegisterOutcome::Manual { registration_page, fields } => {
                Self::Manual { registration_page: registration_page.map(|u| u.to_string()), fields }
            }
        }
    }
}

/// What sign-out or remove did at the server.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SignOutView {
    pub revoked: bool,
    pub client_deleted: bool,
}

impl From<latchkey_engine::SignOutReport> for SignOutView {
    fn from(r: latchkey_engine::SignOutReport) -> Self {
        Self { revoked: r.revoked, client_deleted: r.client_deleted }
    }
}

#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SettingsView {
    /// In force: the lab's policy's, else the person's, else the default.
    pub renew_at_percent: u8,
    pub start_at_login: bool,
    pub config_dir: String,
    pub log_dir: String,
    /// What the lab's policy fixes (shown disabled, with `why`).
    pub fixed: FixedSettings,
    /// The policy file is wrong and fixes nothing: said on the Settings page.
    pub policy_problem: Option<String>,
    /// Where tools look for a token file on this system (`None`: Windows, which has none).
    pub token_file: Option<String>,
    /// The profile whose token that file holds, if any.
    pub token_file_profile: Option<String>,
}

/// The settings a lab's `policy.toml` fixes, and why in its words.
#[derive(Debug, Default, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FixedSettings {
    pub renew_at: bool,
    pub start_at_login: bool,
    /// The ways to sign in the window offers (all, where the policy names none).
    pub sign_in_ways: Vec<latchkey_engine::SignInWay>,
    /// "Set by your organisation (/etc/latchkey/policy.toml). Ask …", when anything is fixed.
    pub why: Option<String>,
}

impl From<&latchkey_engine::LabPolicy> for FixedSettings {
    fn from(p: &latchkey_engine::LabPolicy) -> Self {
        FixedSettings {
            renew_at: p.renew_at_percent.is_some(),
            start_at_login: p.start_at_login.is_some(),
            sign_in_ways: latchkey_engine::SignInWay::ALL.into_iter().filter(|w| p.offers(*w)).collect(),
            why: p.fixes_anything().then(|| p.why_fixed()),
        }
    }
}

#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct About {
    pub version: &'static str,
    pub tauri: &'static str,
    pub webkit: String,
    pub os: String,
}

/// A server the wizard offers: the lab's (files in the system folder's `servers.d`) first,
/// then the engine's catalogue, in its order.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PresetChoice {
    /// What the wizard sends back: a built-in kind's name, or the lab server's id.
    pub id: String,
    pub kind: PresetKind,
    pub title: String,
    pub description: String,
    pub address: Option<String>,
    /// The lab provides it: its address, client and scopes are set, nothing to fill in.
    pub from_lab: bool,
    /// The lab registered a client: no registration step, straight to Sign in.
    pub has_client: bool,
}

impl PresetChoice {
    pub fn all(lab: Vec<latchkey_engine::LabServer>) -> Vec<PresetChoice> {
        let lab = lab.into_iter().map(|s| PresetChoice {
            id: s.id,
            kind: s.kind,
            title: s.title,
            description: s.about.unwrap_or_else(|| words::app::lab_server_about(s.address.host_str().unwrap_or(""))),
            address: Some(s.address.to_string()),
            from_lab: true,
            has_client: s.client_id.is_some(),
        });
        let built_in = latchkey_engine::CATALOGUE.iter().map(|p| PresetChoice {
            id: p.kind.as_str().to_string(),
            kind: p.kind,
            title: p.title.to_string(),
            description: p.description.to_string(),
            address: p.address.map(str::to_string),
            from_lab: false,
            has_client: false,
        });
        lab.chain(built_in).collect()
    }
}

/// What an "add our server" link (`latchkey://add?…`) describes, for the page that asks
/// before anything is added. Nothing here has been fetched or saved.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AddServerOffer {
    /// The link itself: "Add" sends it back, and the engine reads it again.
    pub link: String,
    /// The name to suggest: the link's id, made unique among the person's profiles.
    pub name: String,
    /// What the link calls the server (its sender's words, shown as such).
    pub title: String,
    pub about: Option<String>,
    pub kind: PresetKind,
    /// What kind of server it is, in words ("COG-UK Majora").
    pub kind_title: String,
    /// The server's address, whole, as an address bar shows it (its host in ASCII, so no
    /// look-alike letters).
    pub address: String,
    /// The host alone, for the sentence that names it.
    pub host: String,
    /// What the tokens will be allowed to do, in words.
    pub may_do: String,
    /// The lab registered a client: after Add, only a sign-in.
    pub has_client: bool,
}

impl AddServerOffer {
    /// The offer for `server`, read from `link`; `taken` are the person's profile names.
    pub fn new(link: &str, server: latchkey_engine::LabServer, taken: &[String]) -> Self {
        let host = server.address.host_str().unwrap_or("").to_string();
        let address = server.address.as_str().to_string();
        let kind_title = latchkey_engine::CATALOGUE
            .iter()
            .find(|p| p.kind == server.kind)
            .map(|p| p.title.to_string())
            .unwrap_or_else(|| server.kind.as_str().to_string());
        let may_do = match &server.scopes {
            Some(scopes) => words::scopes::may_do(server.kind, scopes),
            None => None,
        }
        .unwrap_or_else(|| words::app::LINK_DEFAULT_SCOPES.to_string());
        let name = unique_name(&server.id, taken);
        AddServerOffer {
            link: link.to_string(),
            name,
            title: server.title,
            about: server.about,
            kind: server.kind,
            kind_title,
            address,
            host,
            may_do,
            has_client: server.client_id.is_some(),
        }
    }
}

/// `name`, or `name-2`, `name-3`… where a profile has it already (names are compared as
/// the engine compares them: without case).
fn unique_name(name: &str, taken: &[String]) -> String {
    let free = |n: &str| !taken.iter().any(|t| t.eq_ignore_ascii_case(n));
    if free(name) {
        return name.to_string();
    }
    (2..).map(|i| format!("{name}-{i}")).find(|n| free(n)).expect("an unbounded range")
}

/// A device sign-in has started: the code to type at the address (RFC 8628 §3.3).
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DeviceCodeView {
    pub verification_uri: String,
    /// The address with the code in it, where the server offers one (nothing to type).
    pub verification_uri_complete: Option<String>,
    pub user_code: String,
    #[ts(type = "number")]
    pub expires_in: u64,
}

impl From<latchkey_engine::DeviceCode> for DeviceCodeView {
    fn from(c: latchkey_engine::DeviceCode) -> Self {
        Self {
            verification_uri: c.verification_uri,
            verification_uri_complete: c.verification_uri_complete,
            user_code: c.user_code,
            expires_in: c.expires_in,
        }
    }
}
