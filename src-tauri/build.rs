// The app's IPC commands are listed once here; tauri-build generates an `allow-*`
// permission for each, and only the ones named in capabilities/ reach a window.
const COMMANDS: &[&str] = &["list_profiles", "app_status"];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri-build failed");
}
