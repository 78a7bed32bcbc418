//! Desktop notifications for the processes without a GUI toolkit (`latchkey agent`,
//! `latchkey-tray` on Linux): `notify-send` (libnotify), which speaks the freedesktop
//! notification protocol to whatever daemon the desktop runs. Where there is none (a
//! server, a bare X session) nothing is shown; callers log the message as well. What
//! they say is latchkey-ipc's (`words::notify`).

use std::process::{Command, Stdio};

/// Show a notification; `false` if none could be shown.
pub fn show(title: &str, body: &str) -> bool {
    // Notification daemons render a body's markup (links, images): what Latchkey says
    // may carry a server's words, so it is shown as text.
    let body = plain_text(body);
    Command::new("notify-send")
        .args(["--app-name=Latchkey", "--icon=latchkey-desktop", "--", title, &body])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// `text` with the freedesktop body markup characters escaped (`&`, `<`, `>`), so a
/// daemon shows it as written.
pub fn plain_text(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    #[test]
    fn markup_in_a_body_is_shown_as_text() {
        assert_eq!(
            super::plain_text("<a href=\"https://evil.example.org\">renew</a> & <img src=x>"),
            "&lt;a href=\"https://evil.example.org\"&gt;renew&lt;/a&gt; &amp; &lt;img src=x&gt;"
        );
    }
}
