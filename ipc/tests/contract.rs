//! The IPC contract, checked from both ends:
//! - the TypeScript in `ui/src/lib/bindings/` is exactly what these Rust types generate
//!   (`LATCHKEY_WRITE_BINDINGS=1 cargo test -p latchkey-ipc` rewrites it);
//!   That includes `commands.ts`, the map of every command and event made from the one
//!   list in `ipc/src/commands/list.rs`, which the handlers, the permissions and the
//!   capability are made from too (src-tauri), so nothing is kept equal by reading text.

use std::path::{Path, PathBuf};

use latchkey_ipc::IpcError;
use ts_rs::TS;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn export(dir: &Path) {
    latchkey_ipc::commands::export_to(dir).unwrap();
    // Not named by a command: the shape of every error, and its codes.
    IpcError::export_all_to(dir).unwrap();
}

fn files(dir: &Path) -> Vec<(String, String)> {
    let mut out: Vec<_> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| (e.file_name().to_string_lossy().into_owned(), std::fs::read_to_string(e.path()).unwrap()))
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

#[test]
fn the_typescript_bindings_are_generated_from_these_types() {
    let committed = repo().join("ui/src/lib/bindings");
    if std::env::var_os("LATCHKEY_WRITE_BINDINGS").is_some() {
        let _ = std::fs::remove_dir_all(&committed);
        export(&committed);
        return;
    }
    let fresh = std::env::temp_dir().join(format!("latchkey-bindings-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&fresh);
    export(&fresh);
    let (want, have) = (files(&fresh), files(&committed));
    let _ = std::fs::remove_dir_all(&fresh);
    let names = |v: &[(String, String)]| v.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    assert_eq!(names(&have), names(&want), "ui/src/lib/bindings/ has other files than the Rust types make");
    for ((name, want), (_, have)) in want.iter().zip(&have) {
        assert_eq!(
            have, want,
            "ui/src/lib/bindings/{name} differs from the Rust types; run LATCHKEY_WRITE_BINDINGS=1 cargo test -p latchkey-ipc"
        );
    }
}
