//! Getting a client id: dynamic registration (RFC 7591), or credentials given by hand
//! and checked against the token endpoint.

use super::*;

impl Latchkey {
    /// Register the profile's client (RFC 7591) or say what to type where. The initial
    /// access token, where the server wants one, is used once and never stored.
    pub fn register(&self, name: &str, initial_access_token: Option<&Secret>) -> Result<RegisterOutcome> {
        let profile = self.profile(name)?;
        let Some(endpoint) = profile.server.registration_url.clone() else {
            return Ok(RegisterOutcome::Manual {
                registration_page: profile.server.manual_registration_url.clone(),
                fields: registration::manual_form(&profile),
            });
        };
        let reg = registration::register(self.http()?, &endpoint, &profile, initial_access_token)?;
        if let Some(uri) = &reg.registration_client_uri {
            profile.server.check_endpoint("registration client", uri)?;
        }
        if let Some(secret) = &reg.client_secret {
            self.store.set_client_secret(name, secret)?;
        }
        if let Some(token) = &reg.registration_access_token {
            self.store.set_registration_token(name, token)?;
        }
        let client_id = reg.client_id.clone();
        self.edit_config(|c| {
            let p = c.get_mut(name)?;
            p.client_id = Some(reg.client_id.clone());
            p.has_client_secret = reg.client_secret.is_some();
            p.registration_client_uri = reg.registration_client_uri.clone();
            Ok(())
        })?;
        self.store.client_replaced(name)?;
        Ok(RegisterOutcome::Registered { client_id })
    }

    /// Set (or replace) the client credentials of a profile.
    pub fn set_client(&self, name: &str, client_id: &str, secret: Option<&Secret>) -> Result<()> {
        self.flows.cancel(name); // started with the old client
        match secret {
            Some(s) => self.store.set_client_secret(name, s)?,
            None => self.store.forget_client_secret(name)?,
        }
        self.edit_config(|c| {
            let p = c.get_mut(name)?;
            p.client_id = Some(client_id.to_string());
            p.has_client_secret = secret.is_some();
            Ok(())
        })?;
        self.store.client_replaced(name)
    }

    /// Ask the token endpoint whether it knows this client id and secret. A refusal is
    /// kept on the profile (it waits for a client again, and its row says so), so a
    /// setup left after a failed check never offers a sign-in that cannot work.
    pub fn check_credentials(&self, name: &str) -> Result<CredentialCheck> {
        let profile = self.profile(name)?;
        let secret = self.client_secret(&profile)?;
        let check = self.oauth_client(&profile, secret.as_ref())?.check_credentials()?;
        match check {
            CredentialCheck::Rejected => {
                self.store.client_refused(name, Error::ClientRejected.to_string(), self.now())?
            }
            CredentialCheck::Accepted => self.store.client_replaced(name)?,
        }
        Ok(check)
    }
}
