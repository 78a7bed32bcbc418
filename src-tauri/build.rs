//! The app's IPC commands come from the one list in `ipc/src/commands/list.rs` (a
//! module here too: it is plain `macro_rules!`). From it tauri-build generates an
//! `allow-*` permission for each command, and this script writes the main window's
//! capability granting exactly those, so no command can be added, renamed or dropped in
//! one place and not another. Sign-in windows get no capability at all.

#[path = "../ipc/src/commands/list.rs"]
mod list;

macro_rules! names {
    ($($module:ident::$name:ident),*) => {
        &[$(stringify!($name)),*]
    };
}

const COMMANDS: &[&str] = crate::with_commands!(paths names);

/// The main window's capability: listening to the app's events, and every command.
fn main_window_capability() -> String {
    let mut permissions = vec!["core:event:allow-listen".to_string(), "core:event:allow-unlisten".to_string()];
    permissions.extend(COMMANDS.iter().map(|c| format!("allow-{}", c.replace('_', "-"))));
    let quoted: Vec<String> = permissions.iter().map(|p| format!("    \"{p}\"")).collect();
    format!(
        "{{\n  \"identifier\": \"main-window\",\n  \"description\": \"The main window: the app's commands (ipc/src/commands/list.rs). Sign-in windows get nothing.\",\n  \"windows\": [\"main\"],\n  \"permissions\": [\n{}\n  ]\n}}\n",
        quoted.join(",\n")
    )
}

fn main() {
    println!("cargo:rerun-if-changed=../ipc/src/commands/list.rs");
    let out = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    let dir = std::path::Path::new(&out).join("capabilities");
    std::fs::create_dir_all(&dir).expect("create the capabilities directory");
    std::fs::write(dir.join("main-window.json"), main_window_capability()).expect("write the capability");
    // tauri-build wants a pattern that lives as long as the build: this process's.
    let pattern: &'static str = Box::leak(format!("{}/*.json", dir.display()).into_boxed_str());
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .capabilities_path_pattern(pattern)
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri-build failed");
}
