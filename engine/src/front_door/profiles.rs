//! Profiles: adding, changing and removing them, and their status for lists.

use super::*;

impl Latchkey {
    /// Add a profile from a preset. The client secret, if any, goes to the keyring first,
    /// so a profile never claims a secret that is not there.
    pub fn add_profile(&self, new: NewProfile) -> Result<Profile> {
        validate_name(&new.name)?;
        self.check_server_allowed(&new)?;
        if self.config()?.get(&new.name).is_ok() {
            return Err(Error::ProfileExists(new.name));
        }
        let resolved = preset::resolve(new.preset, &new.spec, self.http()?)?;
        let redirect_uri = new.redirect_uri.unwrap_or_else(|| preset::for_profile(resolved.redirect_uri, &new.name));
        crate::profile::check_redirect_uri_for(new.preset, &redirect_uri)?;
        let redirect_mode = new.redirect_mode.unwrap_or_else(|| default_mode(&redirect_uri));
        let profile = Profile {
            name: new.name.clone(),
            server: resolved.server,
            client_id: new.client_id.filter(|c| !c.trim().is_empty()),
            has_client_secret: new.client_secret.is_some(),
            registration_client_uri: None,
            scopes: new.scopes.unwrap_or(resolved.scopes),
            redirect_uri,
            redirect_mode,
            ocarina_sync: None,
        };
        if let Some(secret) = &new.client_secret {
            self.store.set_client_secret(&profile.name, secret)?;
        }
        self.edit_config(|c| c.insert(profile.clone()))?;
        Ok(profile)
    }

    /// Remove a profile: revoke its tokens and delete a dynamically registered client
    /// where the server allows, then forget its secrets and settings. Server failures
    /// are reported but do not keep the profile (the user asked for it gone).
    pub fn remove_profile(&self, name: &str) -> Result<(SignOutReport, Vec<Error>)> {
        let profile = self.profile(name)?;
        let mut problems = Vec::new();
        let mut report = SignOutReport::default();
        match self.revoke_all(&profile) {
            Ok(revoked) => report.revoked = revoked,
            Err(e) => problems.push(e),
        }
        if let (Some(uri), Ok(Some(token))) = (&profile.registration_client_uri, self.store.registration_token(name)) {
            match registration::delete(self.http()?, &profile, uri, &token) {
                Ok(()) => report.client_deleted = true,
                Err(e) => problems.push(e),
            }
        }
        self.forget_ocarina_entries(&profile);
        self.store.forget_all(name)?;
        crate::token_file::after_sign_out(&self.paths, name);
        self.flows.cancel(name);
        self.edit_config(|c| {
            // The token file for tools was this profile's: it is no one's now.
            if c.settings().token_file_profile.as_deref() == Some(name) {
                c.settings_mut().token_file_profile = None;
            }
            c.remove(name).map(|_| ())
        })?;
        // The sign-in window's login at the server goes too (whoever removes it: the CLI
        // as well as the app), so a profile added again under this name starts with a
        // directory of its own — never the old account's session.
        match std::fs::remove_dir_all(self.paths.webview_dir(name)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                problems.push(Error::io("cannot delete the sign-in window's browser data", e))
            }
            _ => {}
        }
        Ok((report, problems))
    }

    /// The servers the lab provides (`servers.d` in the system folder), and the files that
    /// were refused, each with its path, line and why. Read at each call: an admin's new
    /// file counts at once.
    pub fn lab_servers(&self) -> (Vec<LabServer>, Vec<LabProblem>) {
        match self.paths.system_dir() {
            Some(dir) => crate::lab::load(dir),
            None => (Vec::new(), Vec::new()),
        }
    }

    /// A new profile `name` for the server `id`: a built-in one (`majora`, `majora-test`,
    /// `agate`, `generic`) gives only its kind, to be filled in; a lab's server everything
    /// its file says — with a client id, nothing is left to register.
    pub fn new_profile_for(&self, name: &str, id: &str) -> Result<NewProfile> {
        let built_in = [PresetKind::Majora, PresetKind::MajoraTest, PresetKind::Agate, PresetKind::Generic];
        if let Some(kind) = built_in.into_iter().find(|k| k.as_str() == id) {
            return Ok(template(name, kind));
        }
        Ok(from_lab_server(name, self.lab_server(id)?))
    }

    /// The lab's server `id`, or why there is none: no file gives it, or its file was
    /// refused (with the file's own words).
    fn lab_server(&self, id: &str) -> Result<LabServer> {
        let (servers, problems) = self.lab_servers();
        servers.into_iter().find(|s| s.id == id).ok_or_else(|| {
            Error::Usage(match problems.iter().find(|p| p.path.file_stem().is_some_and(|s| s == id)) {
                Some(problem) => format!("the server file for `{id}` was refused: {problem}"),
                None => format!("no server has the id `{id}`: `latchkey profile presets` lists them"),
            })
        })
    }

    /// What an "add our server" link (`latchkey://add?…`) describes, checked as a server
    /// file is. Nothing is fetched, opened or saved: the window shows this and asks.
    pub fn read_add_link(&self, link: &str) -> Result<LabServer> {
        crate::lab::read_link(link).map_err(|why| Error::Usage(format!("This link was refused: {why}.")))
    }

    /// A new profile `name` for the server a link describes (read again here: the add
    /// trusts nothing but the link itself).
    pub fn new_profile_from_link(&self, name: &str, link: &str) -> Result<NewProfile> {
        Ok(from_lab_server(name, self.read_add_link(link)?))
    }

    /// After the person pressed Add for a link: the server's own endpoints (discovered
    /// now, not before) must be on the host the page showed, or the password would be
    /// typed somewhere the person was never told of.
    pub fn check_linked_server(&self, new: &NewProfile) -> Result<()> {
        let Some(address) = new.spec.issuer.as_ref().or(new.spec.base_url.as_ref()) else { return Ok(()) };
        let resolved = preset::resolve(new.preset, &new.spec, self.http()?)?;
        for (what, url) in
            [("signs people in", &resolved.server.authorize_url), ("hands out tokens", &resolved.server.token_url)]
        {
            if url.host_str() != address.host_str() {
                return Err(Error::Usage(format!(
                    "This link was refused: the server at {} {what} at {}, another computer than the link showed. Ask \
                     whoever sent the link",
                    address.host_str().unwrap_or("?"),
                    url.host_str().unwrap_or("?")
                )));
            }
        }
        Ok(())
    }

    /// The "add our server" link for the lab's server `id`, or for a server file named by
    /// its path (an admin's draft, before it is installed).
    pub fn add_link_for(&self, id_or_file: &str) -> Result<Url> {
        let file = std::path::Path::new(id_or_file);
        if id_or_file.ends_with(".toml") || file.components().count() > 1 {
            let text = std::fs::read_to_string(file)
                .map_err(|e| Error::Usage(format!("cannot read the server file {}: {e}", file.display())))?;
            let server = crate::lab::parse(file, &text).map_err(|p| Error::Usage(p.to_string()))?;
            return Ok(crate::lab::link_for(&server));
        }
        Ok(crate::lab::link_for(&self.lab_server(id_or_file)?))
    }

    /// What a preset and spec resolve to, without saving anything (for the wizard).
    pub fn preview_server(&self, preset: PresetKind, spec: &ServerSpec) -> Result<preset::Resolved> {
        preset::resolve(preset, spec, self.http()?)
    }

    /// Change the redirect URI registered for a profile (e.g. after registering the
    /// application again); cancels a sign-in in progress, which used the old one.
    pub fn set_redirect_uri(&self, name: &str, uri: Url) -> Result<()> {
        crate::profile::check_redirect_uri_for(self.profile(name)?.server.preset, &uri)?;
        self.flows.cancel(name);
        self.edit_config(|c| {
            let p = c.get_mut(name)?;
            p.redirect_mode = default_mode(&uri);
            p.redirect_uri = uri;
            Ok(())
        })
    }

    /// Replace the scopes a profile asks for (takes effect at the next sign-in).
    pub fn set_scopes(&self, name: &str, scopes: Vec<String>) -> Result<()> {
        self.edit_config(|c| {
            c.get_mut(name)?.scopes = scopes;
            Ok(())
        })
    }

    /// Turn Ocarina token-cache sync on (at `path`) or off (`None`); writes the cache now
    /// when signed in.
    pub fn set_ocarina_sync(&self, name: &str, path: Option<std::path::PathBuf>) -> Result<()> {
        self.edit_config(|c| {
            c.get_mut(name)?.ocarina_sync = path.clone();
            Ok(())
        })?;
        let profile = self.profile(name)?;
        if let (Some(_), Some(tokens)) = (&path, self.store.tokens(name)?) {
            crate::renewal::refresh::sync_ocarina(&profile, &tokens, None);
        }
        Ok(())
    }

    /// Trust the CA certificates in `path` (PEM) beside the system's, or stop (`None`).
    /// Checked now: a file that cannot be read is refused, not saved.
    pub fn set_extra_ca_file(&self, path: Option<std::path::PathBuf>) -> Result<()> {
        self.change_settings(None, Some(path))
    }

    /// Renew at this percentage of a token's lifetime (50..=95).
    pub fn set_renew_at_percent(&self, percent: u32) -> Result<()> {
        self.change_settings(Some(percent), None)
    }

    /// Change app-wide settings together: every change is checked first (a value out of
    /// range, a CA file that cannot be read, a setting the lab's policy fixes), and then
    /// all are saved, or none.
    pub fn change_settings(
        &self,
        renew_at_percent: Option<u32>,
        extra_ca_file: Option<Option<std::path::PathBuf>>,
    ) -> Result<()> {
        if renew_at_percent.is_some() {
            self.refuse_if_fixed("renew-at", |p| p.renew_at_percent.is_some())?;
        }
        if extra_ca_file.is_some() {
            self.refuse_if_fixed("extra-ca-file", |p| p.extra_ca_file.is_some())?;
        }
        // Any number is taken, so a mistyped one is refused in these words (300 is not a u8).
        let percent = match renew_at_percent {
            Some(percent) => match u8::try_from(percent).ok().filter(|p| (50..=95).contains(p)) {
                Some(p) => Some(p),
                None => {
                    return Err(Error::Usage(format!(
                        "tokens can be renewed when between 50 and 95 % of their lifetime has passed; {percent} % is \
                         outside that"
                    )))
                }
            },
            None => None,
        };
        if let Some(Some(p)) = &extra_ca_file {
            Http::with_extra_ca(Some(p))?;
        }
        self.edit_config(|c| {
            if let Some(p) = percent {
                c.settings_mut().renew_at_percent = Some(p);
            }
            if let Some(path) = &extra_ca_file {
                c.settings_mut().extra_ca_file = path.clone();
            }
            Ok(())
        })
    }

    /// The `~/.ocarina` configuration for a profile (client secret only if asked).
    pub fn ocarina_config(&self, name: &str, with_secret: bool) -> Result<serde_json::Value> {
        let profile = self.profile(name)?;
        let secret = if with_secret { self.client_secret(&profile)? } else { None };
        let user = self.store.state(name).account;
        Ok(crate::ocarina::config(&profile, user.as_deref(), secret.as_ref()))
    }

    /// Status of one or all profiles, from the non-secret state (no keyring access).
    pub fn status(&self, name: Option<&str>) -> Result<Vec<ProfileStatus>> {
        let config = self.config()?;
        let profiles: Vec<&Profile> = match name {
            Some(n) => vec![config.get(n)?],
            None => config.profiles().collect(),
        };
        let now = self.now() as i64;
        Ok(profiles
            .into_iter()
            .map(|p| {
                let s: TokenState = self.store.state(&p.name);
                ProfileStatus {
                    name: p.name.clone(),
                    preset: p.server.preset,
                    server: p.server.describe(),
                    host: p.server.issuer.host_str().unwrap_or("?").to_string(),
                    client_id: p.client_id.clone(),
                    status: s.status,
                    expires_at: s.expires_at,
                    expires_in: s.expires_at.map(|at| at as i64 - now),
                    scopes: if s.scopes.is_empty() { p.scopes.clone() } else { s.scopes.clone() },
                    requested_scopes: p.scopes.clone(),
                    has_refresh_token: s.has_refresh_token,
                    has_tokens: s.obtained_at.is_some(),
                    renews_silently: match p.server.renewal {
                        crate::profile::Renewal::RefreshToken => s.has_refresh_token,
                        crate::profile::Renewal::ReexchangeCode => s.status != Status::SignedOut,
                        crate::profile::Renewal::SignIn => false,
                    },
                    last_error: s.last_error,
                    last_error_code: s.last_error_code,
                    last_error_at: s.last_error_at,
                    account: s.account,
                    account_changed_from: s.account_changed_from,
                    redirect_uri: p.redirect_uri.clone(),
                    userinfo_url: p.server.userinfo_url.clone(),
                    device_flow: p.server.device_url.is_some(),
                    redirect_mode: p.redirect_mode,
                    dynamically_registered: p.registration_client_uri.is_some(),
                    ocarina_sync: p.ocarina_sync.clone(),
                }
            })
            .collect())
    }
}

/// A profile `name` of `kind`, the rest to be filled in.
fn template(name: &str, preset: PresetKind) -> NewProfile {
    NewProfile {
        name: name.to_string(),
        preset,
        spec: ServerSpec::default(),
        client_id: None,
        client_secret: None,
        scopes: None,
        redirect_uri: None,
        redirect_mode: None,
    }
}

/// A profile `name` for a server the lab describes, all of it from the description.
pub(super) fn from_lab_server(name: &str, server: LabServer) -> NewProfile {
    let mut new = template(name, server.kind);
    match server.kind {
        PresetKind::Generic => new.spec.issuer = Some(server.address),
        _ => new.spec.base_url = Some(server.address),
    }
    new.client_id = server.client_id;
    new.scopes = server.scopes;
    new.redirect_uri = server.redirect_uri;
    new
}
