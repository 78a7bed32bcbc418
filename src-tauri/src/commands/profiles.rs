use latchkey_engine::NewProfile;
use latchkey_engine::Secret;
use latchkey_engine::ServerSpec;
use latchkey_engine::{ApiAnswer, Identity};
use latchkey_ipc::commands::args::*;
use latchkey_ipc::models::{RegisterOutcomeView, SignOutView};
use tauri::{AppHandle, State};
use tauri_plugin_clipboard_manager::ClipboardExt;
use tauri_plugin_opener::OpenerExt;

use crate::commands::Args;
use crate::error::{IpcError, IpcResult};
use crate::events::profiles_changed;
use crate::models::{ProfileView, ServerInput, ServerPreview};
use crate::state::AppState;
use latchkey_ipc::words::app as words;

fn url(field: &str, value: Option<String>) -> IpcResult<Option<url::Url>> {
    value
        .filter(|v| !v.trim().is_empty())
        .map(|v| url::Url::parse(v.trim()).map_err(|e| IpcError::usage(words::not_a_url(field, &e.to_string()))))
        .transpose()
}

fn spec(input: ServerInput) -> IpcResult<(latchkey_engine::PresetKind, ServerSpec)> {
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
pub async fn preview_server(state: State<'_, AppState>, args: Args<PreviewServer>) -> IpcResult<ServerPreview> {
    let (preset, spec) = spec(args.0.server)?;
    state.run(move |e| e.preview_server(preset, &spec)).await.map(ServerPreview::from)
}

/// What the wizard knows after its server step, for a profile that exists: "Finish
/// setup" resumes the wizard with it.
#[tauri::command]
pub async fn preview_profile(state: State<'_, AppState>, args: Args<ProfileName>) -> IpcResult<ServerPreview> {
    let ProfileName { name } = args.0;
    let p = state.run(move |e| e.profile(&name)).await?;
    Ok(latchkey_engine::Resolved { server: p.server, scopes: p.scopes, redirect_uri: p.redirect_uri }.into())
}

#[tauri::command]
pub async fn add_profile(app: AppHandle, state: State<'_, AppState>, args: Args<AddProfile>) -> IpcResult<ProfileView> {
    let AddProfile { input } = args.0;
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
    profiles_changed(&app);
    Ok(view.into_iter().next().map(|p| ProfileView::new(p, now)).expect("the profile just added"))
}

#[tauri::command]
pub async fn register_client(state: State<'_, AppState>, args: Args<RegisterClient>) -> IpcResult<RegisterOutcomeView> {
    let RegisterClient { name, initial_access_token } = args.0;
    let initial = initial_access_token.filter(|s| !s.trim().is_empty()).map(|s| Secret::new(s.trim()));
    Ok(state.run(move |e| e.register(&name, initial.as_ref())).await?.into())
}

#[tauri::command]
pub async fn set_client(state: State<'_, AppState>, args: Args<SetClient>) -> IpcResult<()> {
    let SetClient { name, client_id, client_secret } = args.0;
    let secret = client_secret.filter(|s| !s.trim().is_empty()).map(|s| Secret::new(s.trim()));
    state.run(move |e| e.set_client(&name, client_id.trim(), secret.as_ref())).await
}

#[tauri::command]
pub async fn check_credentials(
    state: State<'_, AppState>,
    args: Args<ProfileName>,
) -> IpcResult<latchkey_engine::CredentialCheck> {
    let ProfileName { name } = args.0;
    state.run(move |e| e.check_credentials(&name)).await
}

#[tauri::command]
pub async fn set_scopes(app: AppHandle, state: State<'_, AppState>, args: Args<SetScopes>) -> IpcResult<()> {
    let SetScopes { name, scopes } = args.0;
    state.run(move |e| e.set_scopes(&name, scopes)).await?;
    profiles_changed(&app);
    Ok(())
}

#[tauri::command]
pub async fn set_redirect_uri(app: AppHandle, state: State<'_, AppState>, args: Args<SetRedirectUri>) -> IpcResult<()> {
    let SetRedirectUri { name, redirect_uri } = args.0;
    let uri = url("redirect URI", Some(redirect_uri))?.ok_or_else(|| IpcError::usage(words::REDIRECT_URI_NEEDED))?;
    state.run(move |e| e.set_redirect_uri(&name, uri)).await?;
    profiles_changed(&app);
    Ok(())
}

#[tauri::command]
pub async fn refresh_profile(
    app: AppHandle,
    state: State<'_, AppState>,
    args: Args<ProfileName>,
) -> IpcResult<latchkey_ipc::models::Refreshed> {
    let ProfileName { name } = args.0;
    let result = state
        .run(move |e| {
            let (tokens, source) = e.refresh(&name, true)?;
            Ok(latchkey_ipc::models::Refreshed {
                renewed: source != latchkey_engine::Source::Unchanged,
                note: latchkey_ipc::words::status::refreshed(source, tokens.expires_at, e.now()),
            })
        })
        .await;
    profiles_changed(&app);
    result
}

#[tauri::command]
pub async fn test_access(state: State<'_, AppState>, args: Args<TestAccess>) -> IpcResult<ApiAnswer> {
    let TestAccess { name, url, confirmed } = args.0;
    let target =
        url::Url::parse(url.trim()).map_err(|e| IpcError::usage(words::test_address_not_a_url(&e.to_string())))?;
    state.run(move |e| e.test_access(&name, &target, confirmed)).await
}

/// Whose the profile's token is, by the server's own word (the list changes: the account
/// is remembered).
#[tauri::command]
pub async fn check_identity(
    app: AppHandle,
    state: State<'_, AppState>,
    args: Args<ProfileName>,
) -> IpcResult<Identity> {
    let ProfileName { name } = args.0;
    let identity = state.run(move |e| e.identity(&name)).await?;
    crate::events::profiles_changed(&app);
    Ok(identity)
}

/// Put a fresh access token on the clipboard, from Rust: the webview never sees it. It
/// goes as a secret, which clipboard managers keep out of their history (Linux: the
/// `x-kde-passwordManagerHint` type; Windows: excluded from monitoring, so from history
/// and the cloud clipboard; macOS: nspasteboard.org's concealed type), as the tray's.
#[tauri::command]
pub async fn copy_token(app: AppHandle, state: State<'_, AppState>, args: Args<ProfileName>) -> IpcResult<()> {
    let ProfileName { name } = args.0;
    let profile = name.clone();
    let (tokens, _) = state.run(move |e| e.token(&name, None)).await?;
    app.clipboard().write_secret(tokens.access_token.expose()).map_err(|e| IpcError::internal(e.to_string()))?;
    state.copied.copied(&profile, tokens.access_token.expose());
    Ok(())
}

/// The app's clipboard, as the engine's rule for taking a token back sees it.
struct AppClipboard<'a>(&'a AppHandle);

impl latchkey_engine::desktop::copied::Clipboard for AppClipboard<'_> {
    fn text(&self) -> Option<String> {
        self.0.clipboard().read_text().ok()
    }
    fn clear(&self) -> Result<(), String> {
        self.0.clipboard().clear().map_err(|e| e.to_string())
    }
}

/// After sign-out or remove: a token of this profile we put on the clipboard goes, so
/// it cannot be pasted somewhere later by mistake. Anything else there stays.
fn clear_copied_token(app: &AppHandle, state: &AppState, name: &str) {
    state.copied.take_back(|profile| profile != name, &AppClipboard(app));
}

#[tauri::command]
pub async fn sign_out(app: AppHandle, state: State<'_, AppState>, args: Args<ProfileName>) -> IpcResult<SignOutView> {
    let ProfileName { name } = args.0;
    let gone = name.clone();
    let result = state.run(move |e| e.logout(&name)).await;
    clear_copied_token(&app, &state, &gone);
    profiles_changed(&app);
    Ok(result?.into())
}

#[tauri::command]
pub async fn remove_profile(
    app: AppHandle,
    state: State<'_, AppState>,
    args: Args<ProfileName>,
) -> IpcResult<SignOutView> {
    let ProfileName { name } = args.0;
    let gone = name.clone();
    let (report, problems) = state.run(move |e| e.remove_profile(&name)).await?;
    // Its browser data goes too: a profile added again under this name starts logged out.
    if let Err(e) = latchkey_engine::desktop::sign_in_data::forget(&state.paths, &gone, false) {
        tracing::warn!("cannot delete the browser data of `{gone}`: {e}");
    }
    for p in problems {
        tracing::warn!("while removing: {p}");
    }
    clear_copied_token(&app, &state, &gone);
    profiles_changed(&app);
    Ok(report.into())
}

/// Open the server's own "register an application" page in the browser. Only that
/// page: the webview cannot ask to open arbitrary URLs.
#[tauri::command]
pub async fn open_registration_page(
    app: AppHandle,
    state: State<'_, AppState>,
    args: Args<ProfileName>,
) -> IpcResult<()> {
    let ProfileName { name } = args.0;
    let profile = state.run(move |e| e.profile(&name)).await?;
    let page = profile.server.manual_registration_url.ok_or_else(|| IpcError::usage(words::NO_REGISTRATION_PAGE))?;
    app.opener().open_url(page.as_str(), None::<&str>).map_err(|e| IpcError::internal(e.to_string()))
}

/// Turn Ocarina token-cache sync on (default `~/.ocarina-tokens`) or off.
#[tauri::command]
pub async fn set_ocarina_sync(app: AppHandle, state: State<'_, AppState>, args: Args<SetOcarinaSync>) -> IpcResult<()> {
    let SetOcarinaSync { name, enabled } = args.0;
    let path = if enabled {
        Some(latchkey_engine::ocarina_tokens_path().ok_or_else(|| IpcError::usage(words::NO_HOME_FOR_OCARINA))?)
    } else {
        None
    };
    state.run(move |e| e.set_ocarina_sync(&name, path)).await?;
    profiles_changed(&app);
    Ok(())
}
