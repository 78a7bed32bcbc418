use latchkey_engine::front_door::NewProfile;
use latchkey_engine::oauth::probe::ApiAnswer;
use latchkey_engine::preset::ServerSpec;
use latchkey_engine::store::secret::Secret;
use latchkey_ipc::models::{RegisterOutcomeView, SignOutView};
use tauri::{AppHandle, Emitter, State};
use tauri_plugin_clipboard_manager::ClipboardExt;
use tauri_plugin_opener::OpenerExt;

use crate::error::{IpcError, IpcResult};
use crate::events::PROFILES_CHANGED;
use crate::models::{NewProfileInput, ProfileView, ServerInput, ServerPreview};
use crate::state::AppState;

fn url(field: &str, value: Option<String>) -> IpcResult<Option<url::Url>> {
    value
        .filter(|v| !v.trim().is_empty())
        .map(|v| {
            url::Url::parse(v.trim()).map_err(|e| IpcError::usage(format!("the {field} is not a valid URL ({e})")))
        })
        .transpose()
}

fn spec(input: ServerInput) -> IpcResult<(latchkey_engine::profile::PresetKind, ServerSpec)> {
    Ok((
        input.preset,
        ServerSpec {
            base_url: url("server address", input.base_url)?,
            issuer: url("issuer URL", input.issuer)?,
            authorize_url: url("authorization endpoint", input.authorize_url)?,
            token_url: url("token endpoint", input.token_url)?,
            revoke_url: None,
            device_url: None,
        },
    ))
}

#[tauri::command]
pub async fn list_profiles(state: State<'_, AppState>) -> IpcResult<Vec<ProfileView>> {
    state
        .run(|e| Ok((e.status(None)?, e.now())))
        .await
        .map(|(rows, now)| rows.into_iter().map(|p| ProfileView::new(p, now)).collect())
}

#[tauri::command]
pub async fn preview_server(state: State<'_, AppState>, server: ServerInput) -> IpcResult<ServerPreview> {
    let (preset, spec) = spec(server)?;
    state.run(move |e| e.preview_server(preset, &spec)).await.map(ServerPreview::from)
}

/// What the wizard knows after its server step, for a profile that exists: "Finish
/// setup" resumes the wizard with it.
#[tauri::command]
pub async fn preview_profile(state: State<'_, AppState>, name: String) -> IpcResult<ServerPreview> {
    let p = state.run(move |e| e.profile(&name)).await?;
    Ok(latchkey_engine::preset::Resolved { server: p.server, scopes: p.scopes, redirect_uri: p.redirect_uri }.into())
}

#[tauri::command]
pub async fn add_profile(app: AppHandle, state: State<'_, AppState>, input: NewProfileInput) -> IpcResult<ProfileView> {
    let (preset, spec) = spec(input.server)?;
    let redirect_uri = url("redirect URI", input.redirect_uri)?;
    let new = NewProfile {
        name: input.name.clone(),
        preset,
        spec,
        client_id: None,
        client_secret: None,
        scopes: input.scopes,
        redirect_uri,
        redirect_mode: None,
    };
    let name = input.name;
    let (view, now) =
        state.run(move |e| e.add_profile(new).and_then(|_| Ok((e.status(Some(&name))?, e.now())))).await?;
    let _ = app.emit(PROFILES_CHANGED, ());
    Ok(view.into_iter().next().map(|p| ProfileView::new(p, now)).expect("the profile just added"))
}

#[tauri::command]
pub async fn register_client(
    state: State<'_, AppState>,
    name: String,
    initial_access_token: Option<String>,
) -> IpcResult<RegisterOutcomeView> {
    let initial = initial_access_token.filter(|s| !s.trim().is_empty()).map(|s| Secret::new(s.trim()));
    Ok(state.run(move |e| e.register(&name, initial.as_ref())).await?.into())
}

#[tauri::command]
pub async fn set_client(
    state: State<'_, AppState>,
    name: String,
    client_id: String,
    client_secret: Option<String>,
) -> IpcResult<()> {
    let secret = client_secret.filter(|s| !s.trim().is_empty()).map(|s| Secret::new(s.trim()));
    state.run(move |e| e.set_client(&name, client_id.trim(), secret.as_ref())).await
}

#[tauri::command]
pub async fn check_credentials(
    state: State<'_, AppState>,
    name: String,
) -> IpcResult<latchkey_engine::oauth::client::CredentialCheck> {
    state.run(move |e| e.check_credentials(&name)).await
}

#[tauri::command]
pub async fn set_scopes(
    app: AppHandle,
    state: State<'_, AppState>,
    name: String,
    scopes: Vec<String>,
) -> IpcResult<()> {
    state.run(move |e| e.set_scopes(&name, scopes)).await?;
    let _ = app.emit(PROFILES_CHANGED, ());
    Ok(())
}

#[tauri::command]
pub async fn set_redirect_uri(
    app: AppHandle,
    state: State<'_, AppState>,
    name: String,
    redirect_uri: String,
) -> IpcResult<()> {
    let uri = url("redirect URI", Some(redirect_uri))?
        .ok_or_else(|| IpcError::usage("Enter the redirect URI registered with the server."))?;
    state.run(move |e| e.set_redirect_uri(&name, uri)).await?;
    let _ = app.emit(PROFILES_CHANGED, ());
    Ok(())
}

#[tauri::command]
pub async fn refresh_profile(app: AppHandle, state: State<'_, AppState>, name: String) -> IpcResult<()> {
    let result = state.run(move |e| e.refresh(&name, true).map(|_| ())).await;
    let _ = app.emit(PROFILES_CHANGED, ());
    result
}

#[tauri::command]
pub async fn test_access(
    state: State<'_, AppState>,
    name: String,
    url: String,
    confirmed: Option<bool>,
) -> IpcResult<ApiAnswer> {
    let target = url::Url::parse(url.trim()).map_err(|e| IpcError::usage(format!("not a valid URL ({e})")))?;
    state.run(move |e| e.test_access(&name, &target, confirmed.unwrap_or(false))).await
}

/// Put a fresh access token on the clipboard, from Rust: the webview never sees it.
#[tauri::command]
pub async fn copy_token(app: AppHandle, state: State<'_, AppState>, name: String) -> IpcResult<()> {
    let profile = name.clone();
    let (tokens, _) = state.run(move |e| e.token(&name, None)).await?;
    app.clipboard().write_text(tokens.access_token.expose()).map_err(|e| IpcError::internal(e.to_string()))?;
    let print = crate::state::fingerprint(tokens.access_token.expose());
    state.copied.lock().expect("copied lock").insert(profile, print);
    Ok(())
}

/// After sign-out or remove: a token of this profile we put on the clipboard goes, so
/// it cannot be pasted somewhere later by mistake. Anything else there stays.
fn clear_copied_token(app: &AppHandle, state: &AppState, name: &str) {
    let Some(print) = state.copied.lock().expect("copied lock").remove(name) else { return };
    match app.clipboard().read_text() {
        Ok(text) if crate::state::fingerprint(&text) == print => {
            if let Err(e) = app.clipboard().clear() {
                tracing::warn!("cannot clear the copied token from the clipboard: {e}");
            } else {
                tracing::info!(profile = name, "cleared the copied token from the clipboard");
            }
        }
        _ => {}
    }
}

#[tauri::command]
pub async fn sign_out(app: AppHandle, state: State<'_, AppState>, name: String) -> IpcResult<SignOutView> {
    let gone = name.clone();
    let result = state.run(move |e| e.logout(&name)).await;
    clear_copied_token(&app, &state, &gone);
    let _ = app.emit(PROFILES_CHANGED, ());
    Ok(result?.into())
}

#[tauri::command]
pub async fn remove_profile(app: AppHandle, state: State<'_, AppState>, name: String) -> IpcResult<SignOutView> {
    let gone = name.clone();
    let (report, problems) = state.run(move |e| e.remove_profile(&name)).await?;
    // Its browser data goes too: a profile added again under this name starts logged out.
    if let Err(e) = crate::catch::window::forget(&state.paths, &gone, false) {
        tracing::warn!("cannot delete the browser data of `{gone}`: {e}");
    }
    for p in problems {
        tracing::warn!("while removing: {p}");
    }
    clear_copied_token(&app, &state, &gone);
    let _ = app.emit(PROFILES_CHANGED, ());
    Ok(report.into())
}

/// Open the server's own "register an application" page in the browser. Only that
/// page: the webview cannot ask to open arbitrary URLs.
#[tauri::command]
pub async fn open_registration_page(app: AppHandle, state: State<'_, AppState>, name: String) -> IpcResult<()> {
    let profile = state.run(move |e| e.profile(&name)).await?;
    let page = profile
        .server
        .manual_registration_url
        .ok_or_else(|| IpcError::usage("This server has no registration page Latchkey knows of."))?;
    app.opener().open_url(page.as_str(), None::<&str>).map_err(|e| IpcError::internal(e.to_string()))
}

/// Turn Ocarina token-cache sync on (default `~/.ocarina-tokens`) or off.
#[tauri::command]
pub async fn set_ocarina_sync(
    app: AppHandle,
    state: State<'_, AppState>,
    name: String,
    enabled: bool,
) -> IpcResult<()> {
    let path = if enabled {
        Some(
            latchkey_engine::ocarina::default_path()
                .ok_or_else(|| IpcError::usage("No home directory for ~/.ocarina-tokens."))?,
        )
    } else {
        None
    };
    state.run(move |e| e.set_ocarina_sync(&name, path)).await?;
    let _ = app.emit(PROFILES_CHANGED, ());
    Ok(())
}
