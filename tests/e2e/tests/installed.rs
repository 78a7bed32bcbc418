//! Who takes `latchkey://` links and what starts at login, when an installed copy and a
//! build from a checkout meet on one account (issue 23, item 9): the installed copy owns
//! both through its package; a checkout's build writes a per-user handler only where no
//! installed copy takes the links, and removes the one it or another build left. The
//! real app runs (`latchkey-desktop` under Xvfb); an "installed copy" is a desktop entry
//! in a system data directory of this test's (`XDG_DATA_DIRS`) naming a program that
//! exists, as the .deb's does.

use std::path::Path;
use std::time::Duration;

use latchkey_e2e::{desktop_bin, wait_until, HiddenApp};

const STALE: &str = "[Desktop Entry]\nType=Application\nName=Latchkey\nExec=/home/lab/old-checkout/target/debug/latchkey-desktop %u\nMimeType=x-scheme-handler/latchkey\n";
const MIMEAPPS: &str =
    "[Default Applications]\nx-scheme-handler/latchkey=latchkey-desktop-handler.desktop\ntext/plain=gedit.desktop\n";

/// Per-user directories with a handler entry and default that a build since deleted left,
/// and a system data directory with (`installed`) or without the package's entry.
fn account(installed: bool) -> (tempfile::TempDir, Vec<(String, String)>) {
    let dir = tempfile::tempdir().unwrap();
    let (data, config, system) = (dir.path().join("data"), dir.path().join("config"), dir.path().join("system"));
    std::fs::create_dir_all(data.join("applications")).unwrap();
    std::fs::create_dir_all(&config).unwrap();
    std::fs::create_dir_all(system.join("applications")).unwrap();
    std::fs::write(data.join("applications/latchkey-desktop-handler.desktop"), STALE).unwrap();
    std::fs::write(config.join("mimeapps.list"), MIMEAPPS).unwrap();
    if installed {
        // The package's entry names a program that is there (any will do for the app's check).
        std::fs::write(
            system.join("applications/Latchkey.desktop"),
            "[Desktop Entry]\nType=Application\nName=Latchkey\nExec=/bin/true %U\nMimeType=x-scheme-handler/latchkey;\n",
        )
        .unwrap();
    }
    let env = vec![
        ("XDG_DATA_HOME".to_string(), data.display().to_string()),
        ("XDG_CONFIG_HOME".to_string(), config.display().to_string()),
        ("XDG_DATA_DIRS".to_string(), system.display().to_string()),
    ];
    (dir, env)
}

fn handler(dir: &Path) -> std::io::Result<String> {
    std::fs::read_to_string(dir.join("data/applications/latchkey-desktop-handler.desktop"))
}

#[test]
fn where_a_copy_is_installed_a_checkouts_build_leaves_the_links_to_it() {
    let (dir, env) = account(true);
    let app = HiddenApp::launch_program(&desktop_bin(), &[], &env);
    assert!(
        wait_until(Duration::from_secs(10), || handler(dir.path()).is_err()),
        "the stale per-user handler is still there:\n{}",
        app.session.log()
    );
    let mimeapps = std::fs::read_to_string(dir.path().join("config/mimeapps.list")).unwrap();
    assert_eq!(mimeapps, "[Default Applications]\ntext/plain=gedit.desktop\n", "only Latchkey's line goes");
    assert!(app.session.log().contains("the installed Latchkey takes latchkey:// links"), "{}", app.session.log());
    app.stop();
}

#[test]
fn with_nothing_installed_a_build_takes_the_links_itself_with_its_own_path() {
    let (dir, env) = account(false);
    let app = HiddenApp::launch_program(&desktop_bin(), &[], &env);
    let me = std::fs::canonicalize(desktop_bin()).unwrap();
    assert!(
        wait_until(Duration::from_secs(10), || handler(dir.path()).is_ok_and(|t| t.contains(&*me.to_string_lossy()))),
        "the handler does not name this build ({}): {:?}\n{}",
        me.display(),
        handler(dir.path()),
        app.session.log()
    );
    app.stop();
}
