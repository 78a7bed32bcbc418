//! Token files for jobs and tools (see `crate::token_file`): a job's own, made by
//! `latchkey exec --token-file`, and the standard's default file (`bt_u$UID`) for the
//! profile the settings name, kept by whoever renews.

use super::*;
use crate::token_file::{self, JobTokenFile};

impl Latchkey {
    /// A token file for a job of `name`'s, holding `token` (from [`Latchkey::token`]):
    /// every renewal of the profile rewrites it while this process lives; dropping it
    /// removes it.
    pub fn job_token_file(&self, name: &str, token: &Secret) -> Result<JobTokenFile> {
        JobTokenFile::create(&self.paths, name, token)
    }

    /// Where the token file for tools is on this system (`None` on Windows, which has no
    /// such standard place).
    pub fn default_token_file(&self) -> Option<std::path::PathBuf> {
        token_file::default_file()
    }

    /// Keep `profile`'s access token in the token file tools look for (`None`: stop, and
    /// remove the file). Written now where the profile is signed in with a live token.
    pub fn set_token_file_profile(&self, profile: Option<&str>) -> Result<()> {
        if token_file::default_file().is_none() {
            return Err(Error::Unsupported(
                "a token file for tools (bt_u$UID) on Windows: give a job its own with `latchkey exec NAME \
                 --token-file -- COMMAND`"
                    .into(),
            ));
        }
        let before = token_file::default_profile(&self.paths);
        if let Some(name) = profile {
            self.profile(name)?;
            // Another profile's token goes first (this one may not be signed in yet).
            if before.as_deref().is_some_and(|b| b != name) {
                token_file::remove_default();
            }
            // Written before the setting is saved: a file by that name that is not ours
            // is refused before the setting says the file is kept.
            self.write_token_file_now(name)?;
        } else if before.is_some() {
            token_file::remove_default();
        }
        self.edit_config(|c| {
            c.settings_mut().token_file_profile = profile.map(str::to_string);
            Ok(())
        })
    }

    /// Write the token file for tools from the store, if the settings name a profile
    /// (the tray and `latchkey agent` at their start: the runtime folder is emptied at
    /// each login). A token that has expired is not written.
    pub fn keep_token_file(&self) -> Result<()> {
        match token_file::default_profile(&self.paths) {
            Some(name) => self.write_token_file_now(&name),
            None => Ok(()),
        }
    }

    fn write_token_file_now(&self, name: &str) -> Result<()> {
        match self.store.tokens(name)? {
            Some(tokens) if tokens.valid_for(self.now()).is_none_or(|left| left > 0) => {
                token_file::write_default(&tokens.access_token)
            }
            // Nothing to write yet; a file by that name that is not ours is still refused.
            _ => token_file::check_default(),
        }
    }
}
