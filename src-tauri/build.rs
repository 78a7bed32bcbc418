// The app's IPC commands are listed once here; tauri-build generates an `allow-*`
// permission for each, and only the ones named in capabilities/ reach a window.
const COMMANDS: &[&str] = &[
    "app_status",
    "list_presets",
    "ui_ready",
    "copy_text",
    "list_profiles",
    "preview_server",
    "preview_profile",
    "add_profile",
    "register_client",
    "set_client",
    "check_credentials",
    "set_scopes",
    "set_redirect_uri",
    "refresh_profile",
    "test_access",
    "copy_token",
    "sign_out",
    "remove_profile",
    "start_sign_in",
    "start_device_sign_in",
    "complete_sign_in",
    "cancel_sign_in",
    "forget_browser_session",
    "open_registration_page",
    "set_ocarina_sync",
    "get_settings",
    "set_renew_at",
    "set_start_at_login",
    "about",
    "diagnostics",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri-build failed");
}
