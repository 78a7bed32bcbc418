//! What IPC commands return: status and metadata, never a token or secret.

use serde::Serialize;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileSummary {
    pub name: String,
    pub preset: &'static str,
    pub server: String,
    pub client_id: Option<String>,
    pub scopes: Vec<String>,
}

impl From<&latchkey::Profile> for ProfileSummary {
    fn from(p: &latchkey::Profile) -> Self {
        Self {
            name: p.name.clone(),
            preset: p.server.preset.as_str(),
            server: p.server.describe(),
            client_id: p.client_id.clone(),
            scopes: p.scopes.clone(),
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppStatus {
    pub version: &'static str,
    pub degraded: Vec<String>,
}
