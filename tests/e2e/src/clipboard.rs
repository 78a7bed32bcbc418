//! The X clipboard as a clipboard manager sees it: the text, and the types its owner
//! offers. A manager keeps out of its history what is offered with KDE's
//! `x-kde-passwordManagerHint` (Klipper, and others following it); the copy-token tests
//! ask for the types as a manager does (ICCCM §2.6.2, the `TARGETS` conversion).

use std::time::{Duration, Instant};

use x11rb::connection::Connection;
use x11rb::protocol::xproto::{AtomEnum, ConnectionExt, CreateWindowAux, WindowClass};
use x11rb::protocol::Event;

/// The type names the clipboard's owner offers now (empty with no owner).
pub fn clipboard_types() -> Vec<String> {
    let (conn, screen) = x11rb::connect(None).expect("the X display");
    let root = conn.setup().roots[screen].root;
    let atom = |name: &[u8]| conn.intern_atom(false, name).unwrap().reply().unwrap().atom;
    let (clipboard, targets, property) = (atom(b"CLIPBOARD"), atom(b"TARGETS"), atom(b"LATCHKEY_TEST_TARGETS"));
    let window = conn.generate_id().unwrap();
    conn.create_window(0, window, root, 0, 0, 1, 1, 0, WindowClass::INPUT_ONLY, 0, &CreateWindowAux::new()).unwrap();
    conn.convert_selection(window, clipboard, targets, property, x11rb::CURRENT_TIME).unwrap();
    conn.flush().unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut names = Vec::new();
    while Instant::now() < deadline {
        match conn.poll_for_event().unwrap() {
            Some(Event::SelectionNotify(e)) if e.requestor == window => {
                if e.property == x11rb::NONE {
                    break; // no owner, or it refused
                }
                let reply =
                    conn.get_property(true, window, property, AtomEnum::ATOM, 0, 1024).unwrap().reply().unwrap();
                for offered in reply.value32().into_iter().flatten() {
                    let name = conn.get_atom_name(offered).unwrap().reply().unwrap().name;
                    names.push(String::from_utf8_lossy(&name).into_owned());
                }
                break;
            }
            Some(_) => {}
            None => std::thread::sleep(Duration::from_millis(20)),
        }
    }
    let _ = conn.destroy_window(window);
    let _ = conn.flush();
    names
}

/// Whether what is on the clipboard now is marked for clipboard managers to keep out of
/// their history.
pub fn clipboard_is_marked_secret() -> bool {
    clipboard_types().iter().any(|t| t == "x-kde-passwordManagerHint")
}
