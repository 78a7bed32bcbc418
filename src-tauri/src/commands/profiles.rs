use latchkey_engine::NewProfile;
use latchkey_engine::Secret;
use latchkey_engine::ServerSpec;
use latchkey_engine::{ApiAnswer, Identity};
use latchkey_ipc::commands::args::*;
use latchkey_ipc::models::{RegisterOutcomeView, SignOutView};
use tauri::AppHandle;
use tauri_plugin_clipboard_manager::ClipboardExt;
use tauri_plugin_opener::OpenerExt;

use crate::commands::Ctx;
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

pub async fn list_profiles(cx: &Ctx<'_>) -> IpcResult<Vec<ProfileView>> {
    let state = cx.state;
    state
        .run(|e| Ok((e.status(None)?, e.now())))
        .await
        .map(|(rows, now)| rows.into_iter().map(|p| ProfileView::new(p, now)).collect())
}

pub async fn preview_server(cx: &Ctx<'_>, args: PreviewServer) -> IpcResult<ServerPreview> {
    let state = cx.state;
    let (preset, spec) = spec(args.server)?;
    state.run(move |e| e.preview_server(preset, &spec)).await.map(ServerPreview::from)
}

/// What the wizard knows after its server step, for a profile that exists: "Finish
/// setup" resumes the wizard with it.
pub async fn preview_profile(cx: &Ctx<'_>, args: ProfileName) -> IpcResult<ServerPreview> {
    let state = cx.state;
    let ProfileName { name } = args;
    let p = state.run(move |e| e.profile(&name)).await?;
    Ok(latchkey_engine::Resolved { server: p.server, scopes: p.scopes, redirect_uri: p.redirect_uri }.into())
}

pub async fn add_profile(cx: &Ctx<'_>, args: AddProfile) -> IpcResult<ProfileView> {
    let app = cx.app;
    let state = cx.state;
    let AddProfile { input } = args;
    let name = input.name.clone();
    // A lab's server: all of it from its file (read by the engine); a confirmed link:
    // all of it from the link, read again. Else what the wizard's fields say.
    enum Wanted {
        Lab(String),
        Link(String),
        ByHand(Box<NewProfile>),
    }
    let wanted = match (input.lab_server, input.link) {
        (Some(id), _) => Wanted::Lab(id),
        (None, Some(link)) => {
            // Answered: a window opened later does not ask again.
            let mut kept = state.add_offer.lock().unwrap_or_else(|e| e.into_inner());
            if kept.as_ref().is_some_and(|o| o.link == link) {
                *kept = None;
            }
            Wanted::Link(link)
        }
        (None, None) => {
            let (preset, spec) = spec(input.server)?;
            Wanted::ByHand(Box::new(NewProfile {
                name: input.name,
                preset,
                spec,
                client_id: None,
                client_secret: None,
                scopes: input.scopes,
                redirect_uri: url("redirect URI", input.redirect_uri)?,
                redirect_mode: None,
            }))
        }
    };
    let (view, now) = state
        .run(move |e| {
            let new = match wanted {
                Wanted::Lab(id) => e.new_profile_for(&name, &id)?,
                Wanted::Link(link) => {
                    let new = e.new_profile_from_link(&name, &link)?;
                    e.check_linked_server(&new)?;
                    new
                }
                Wanted::ByHand(new) => *new,
            };
            e.add_profile(new).and_then(|_| Ok((e.status(Some(&name))?, e.now())))
        })
        .await?;
    profiles_changed(app);
    Ok(view.into_iter().next().map(|p| ProfileView::new(p, now)).expect("the profile just added"))
}

pub async fn register_client(cx: &Ctx<'_>, args: RegisterClient) -> IpcResult<RegisterOutcomeView> {
    let state = cx.state;
    let RegisterClient { name, initial_access_token } = args;
    let initial = initial_access_token.filter(|s| !s.trim().is_empty()).map(|s| Secret::new(s.trim()));
    Ok(state.run(move |e| e.register(&name, initial.as_ref())).await?.into())
}

pub async fn set_client(cx: &Ctx<'_>, args: SetClient) -> IpcResult<()> {
    let state = cx.state;
    let SetClient { name, client_id, client_secret } = args;
    let secret = client_secret.filter(|s| !s.trim().is_empty()).map(|s| Secret::new(s.trim()));
    state.run(move |e| e.set_client(&name, client_id.trim(), secret.as_ref())).await
}

pub async fn check_credentials(cx: &Ctx<'_>, args: ProfileName) -> IpcResult<latchkey_engine::CredentialCheck> {
    let state = cx.state;
    let ProfileName { name } = args;
    state.run(move |e| e.check_credentials(&name)).await
}

pub async fn set_scopes(cx: &Ctx<'_>, args: SetScopes) -> IpcResult<()> {
    let app = cx.app;
    let state = cx.state;
    let SetScopes { name, scopes } = args;
    state.run(move |e| e.set_scopes(&name, scopes)).await?;
    profiles_changed(app);
    Ok(())
}

pub async fn set_redirect_uri(cx: &Ctx<'_>, args: SetRedirectUri) -> IpcResult<()> {
    let app = cx.app;
    let state = cx.state;
    let SetRedirectUri { name, redirect_uri } = args;
    let uri = url("redirect URI", Some(redirect_uri))?.ok_or_else(|| IpcError::usage(words::REDIRECT_URI_NEEDED))?;
    state.run(move |e| e.set_redirect_uri(&name, uri)).await?;
    profiles_changed(app);
    Ok(())
}

pub async fn refresh_profile(cx: &Ctx<'_>, args: ProfileName) -> IpcResult<latchkey_ipc::models::Refreshed> {
    let app = cx.app;
    let state = cx.state;
    let ProfileName { name } = args;
    let result = state
        .run(move |e| {
            let (tokens, source) = e.refresh(&name, true)?;
            Ok(latchkey_ipc::models::Refreshed {
                renewed: source != latchkey_engine::Source::Unchanged,
                note: latchkey_ipc::words::status::refreshed(source, tokens.expires_at, e.now()),
            })
        })
        .await;
    profiles_changed(app);
    result
}

pub async fn test_access(cx: &Ctx<'_>, args: TestAccess) -> IpcResult<ApiAnswer> {
    let state = cx.state;
    let TestAccess { name, url, confirmed } = args;
    let target =
        url::Url::parse(url.trim()).map_err(|e| IpcError::usage(words::test_address_not_a_url(&e.to_string())))?;
    state.run(move |e| e.test_access(&name, &target, confirmed)).await
}

/// Whose the profile's token is, by the server's own word (the list changes: the account
/// is remembered).
pub async fn check_identity(cx: &Ctx<'_>, args: ProfileName) -> IpcResult<Identity> {
    let app = cx.app;
    let state = cx.state;
    let ProfileName { name } = args;
    let identity = state.run(move |e| e.identity(&name)).await?;
    crate::events::profiles_changed(app);
    Ok(identity)
}

/// Put a fresh access token on the clipboard, from Rust: the webview never sees it. It
/// goes as a secret, which clipboard managers keep out of their history (Linux: the
/// `x-kde-passwordManagerHint` type; Windows: excluded from monitoring, so from history
/// and the cloud clipboard; macOS: nspasteboard.org's concealed type), as the tray's.
pub async fn copy_token(cx: &Ctx<'_>, args: ProfileName) -> IpcResult<()> {
    let app = cx.app;
    let state = cx.state;
    let ProfileName { name } = args;
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

pub async fn sign_out(cx: &Ctx<'_>, args: ProfileName) -> IpcResult<SignOutView> {
    let app = cx.app;
    let state = cx.state;
    let ProfileName { name } = args;
    let gone = name.clone();
    let result = state.run(move |e| e.logout(&name)).await;
    clear_copied_token(app, state, &gone);
    profiles_changed(app);
    Ok(result?.into())
}

pub async fn remove_profile(cx: &Ctx<'_>, args: ProfileName) -> IpcResult<SignOutView> {
    let app = cx.app;
    let state = cx.state;
    let ProfileName { name } = args;
    let gone = name.clone();
    let (report, problems) = state.run(move |e| e.remove_profile(&name)).await?;
    // Its browser data goes too: a profile added again under this name starts logged out.
    if let Err(e) = latchkey_engine::desktop::sign_in_data::forget(&state.paths, &gone, false) {
        tracing::warn!("cannot delete the browser data of `{gone}`: {e}");
    }
    for p in problems {
        tracing::warn!("while removing: {p}");
    }
    clear_copied_token(app, state, &gone);
    profiles_changed(app);
    Ok(report.into())
}

/// Open the server's own "register an application" page in the browser. Only that
/// page: the webview cannot ask to open arbitrary URLs.
pub async fn open_registration_page(cx: &Ctx<'_>, args: ProfileName) -> IpcResult<()> {
    let app = cx.app;
    let state = cx.state;
    let ProfileName { name } = args;
    let profile = state.run(move |e| e.profile(&name)).await?;
    let page = profile.server.manual_registration_url.ok_or_else(|| IpcError::usage(words::NO_REGISTRATION_PAGE))?;
    app.opener().open_url(page.as_str(), None::<&str>).map_err(|e| IpcError::internal(e.to_string()))
}

/// Turn Ocarina token-cache sync on (default `~/.ocarina-tokens`) or off.
pub async fn set_ocarina_sync(cx: &Ctx<'_>, args: SetOcarinaSync) -> IpcResult<()> {
    let app = cx.app;
    let state = cx.state;
    let SetOcarinaSync { name, enabled } = args;
    let path = if enabled {
        Some(latchkey_engine::ocarina_tokens_path().ok_or_else(|| IpcError::usage(words::NO_HOME_FOR_OCARINA))?)
    } else {
        None
    };
    state.run(move |e| e.set_ocarina_sync(&name, path)).await?;
    profiles_changed(app);
    Ok(())
}
