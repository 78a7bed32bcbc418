//! Start at login on macOS: a LaunchAgent (`~/Library/LaunchAgents/uk.ac.latchkey.tray.plist`)
//! that launchd runs when the user logs in (`RunAtLoad`), and does not restart when the
//! person quits the tray (no `KeepAlive`). Plain files, so this compiles and is tested on
//! every system; it is the `Autostart` of macOS only.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

const LABEL: &str = "uk.ac.latchkey.tray";

/// The LaunchAgent of one user (`dir` is `~/Library/LaunchAgents`).
#[derive(Debug, Clone)]
pub struct Autostart {
    dir: PathBuf,
}

impl Autostart {
    pub fn for_user() -> Result<Self> {
        let base = directories::BaseDirs::new().ok_or(Error::NoConfigDir)?;
        Ok(Self::in_dir(base.home_dir().join("Library").join("LaunchAgents")))
    }

    pub fn in_dir(dir: PathBuf) -> Self {
        Self { dir }
    }

    pub fn path(&self) -> PathBuf {
        self.dir.join(format!("{LABEL}.plist"))
    }

    /// Whether the agent exists and is not marked `Disabled`.
    pub fn is_enabled(&self) -> bool {
        match std::fs::read_to_string(self.path()) {
            Ok(text) => !text.split_whitespace().collect::<String>().contains("<key>Disabled</key><true/>"),
            Err(_) => false,
        }
    }

    /// Write the agent so `tray` starts at login.
    pub fn enable(&self, tray: &Path) -> Result<()> {
        crate::desktop::program_place::check("Start at login", tray)?;
        super::write_file(&self.dir, &self.path(), &plist(tray))
    }

    /// Remove the agent (nothing to do if there is none).
    pub fn disable(&self) -> Result<()> {
        super::remove_file(&self.path())
    }

    /// The program the agent starts (the first of its `ProgramArguments`), if there is one.
    pub fn target(&self) -> Option<PathBuf> {
        let text = std::fs::read_to_string(self.path()).ok()?;
        let (_, rest) = text.split_once("<key>ProgramArguments</key>")?;
        let (_, rest) = rest.split_once("<string>")?;
        let (value, _) = rest.split_once("</string>")?;
        let plain = value.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&amp;", "&");
        Some(PathBuf::from(plain))
    }
}

fn plist(tray: &Path) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
  <key>Label</key>
  <string>{LABEL}</string>
  <key>ProgramArguments</key>
  <array>
    <string>{}</string>
  </array>
  <key>RunAtLoad</key>
  <true/>
  <key>ProcessType</key>
  <string>Interactive</string>
</dict>
</plist>
"#,
        xml_escape(&tray.to_string_lossy())
    )
}

fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enable_writes_an_agent_that_runs_the_tray_at_login_and_disable_removes_it() {
        let dir = tempfile::tempdir().unwrap();
        let agent = Autostart::in_dir(dir.path().join("LaunchAgents"));
        assert!(!agent.is_enabled());
        agent.enable(Path::new("/Applications/Latchkey & Co.app/Contents/MacOS/latchkey-tray")).unwrap();
        assert!(agent.is_enabled());
        assert_eq!(agent.target(), Some("/Applications/Latchkey & Co.app/Contents/MacOS/latchkey-tray".into()));
        let text = std::fs::read_to_string(agent.path()).unwrap();
        assert!(text.contains("<string>uk.ac.latchkey.tray</string>"));
        assert!(text.contains("<string>/Applications/Latchkey &amp; Co.app/Contents/MacOS/latchkey-tray</string>"));
        assert!(text.contains("<key>RunAtLoad</key>\n  <true/>"));
        assert!(!text.contains("KeepAlive"), "Quit must stay quit");
        std::fs::write(agent.path(), text.replace("</dict>", "<key>Disabled</key>\n<true/>\n</dict>")).unwrap();
        assert!(!agent.is_enabled());
        agent.disable().unwrap();
        assert!(!agent.path().exists());
        agent.disable().unwrap();
    }
}
