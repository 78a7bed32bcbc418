//! What each command takes, one struct per shape: the window sends exactly these fields
//! (camelCase), and the TypeScript the window calls with is generated from them, so a
//! field renamed here is a type error in `ui/src/lib/ipc.ts` until the call is fixed.
//! Unknown fields are refused: a misspelt argument is an error, never silently ignored.
//!
//! No `Debug`: a secret travels in some (`SetClient`, `RegisterClient`, and a code in
//! `CompleteSignIn`), and none of them can be logged by accident.

use serde::Deserialize;
use ts_rs::TS;

use crate::models::{NewProfileInput, ServerInput, SignInMethod};

/// The commands that act on one profile and need nothing else.
#[derive(Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProfileName {
    pub name: String,
}

#[derive(Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CopyText {
    pub text: String,
}

#[derive(Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PreviewServer {
    pub server: ServerInput,
}

#[derive(Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AddProfile {
    pub input: NewProfileInput,
}

#[derive(Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RegisterClient {
    pub name: String,
    /// The server's initial access token, where registration needs one (a secret).
    pub initial_access_token: Option<String>,
}

#[derive(Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SetClient {
    pub name: String,
    pub client_id: String,
    /// A secret: it only ever travels from the window to Rust.
    pub client_secret: Option<String>,
}

#[derive(Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SetScopes {
    pub name: String,
    pub scopes: Vec<String>,
}

#[derive(Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SetRedirectUri {
    pub name: String,
    pub redirect_uri: String,
}

#[derive(Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TestAccess {
    pub name: String,
    pub url: String,
    /// Send the token to a host that is not the profile's server (the user said yes).
    pub confirmed: bool,
}

#[derive(Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SetOcarinaSync {
    pub name: String,
    pub enabled: bool,
}

#[derive(Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SetRenewAt {
    /// Any number: the engine says in words which ones it takes.
    pub percent: u32,
}

#[derive(Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SetStartAtLogin {
    pub enabled: bool,
}

/// The profile whose token the token file for tools holds (`null`: none, and the file goes).
#[derive(Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SetTokenFileProfile {
    #[ts(optional = nullable)]
    pub profile: Option<String>,
}

#[derive(Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StartSignIn {
    pub name: String,
    pub method: SignInMethod,
}

#[derive(Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CompleteSignIn {
    pub name: String,
    /// The callback address or code the user pasted.
    pub pasted: String,
}
