//! What the lab's policy (`policy.toml` in the system folder) fixes, applied: the settings
//! in force, refusals of changes to fixed ones, the servers people may add and the ways
//! they may sign in. Read at each call, as the server files are: an admin's change counts
//! at once, and a broken file fixes nothing (see `crate::lab::policy`).

use super::*;
use crate::lab::{LabPolicy, SignInWay};

impl Latchkey {
    /// The lab's policy, and what is wrong with its file (then nothing is fixed).
    pub fn lab_policy(&self) -> (LabPolicy, Option<LabProblem>) {
        match self.paths.system_dir() {
            Some(dir) => crate::lab::load_policy(dir),
            None => (LabPolicy::default(), None),
        }
    }

    /// The policy alone; a broken file is logged once for each thing wrong with it (the
    /// renewal loop asks at every event; each shell also says it where people look).
    fn policy(&self) -> LabPolicy {
        static SAID: std::sync::Mutex<Option<String>> = std::sync::Mutex::new(None);
        let (policy, problem) = self.lab_policy();
        if let Some(problem) = problem.map(|p| p.to_string()) {
            let mut said = SAID.lock().unwrap_or_else(|e| e.into_inner());
            if said.as_deref() != Some(problem.as_str()) {
                tracing::warn!("the lab's policy is not applied: {problem}");
                *said = Some(problem);
            }
        }
        policy
    }

    /// Renew at this percentage of a token's life: fixed by the policy, else the person's
    /// setting; `None` is the default.
    pub fn renew_at_percent(&self) -> Result<Option<u8>> {
        Ok(match self.policy().renew_at_percent {
            Some(p) => Some(p),
            None => self.config()?.settings().renew_at_percent,
        })
    }

    /// The CA file trusted beside the system's: fixed by the policy, else the person's.
    pub fn extra_ca_file(&self) -> Result<Option<std::path::PathBuf>> {
        Ok(match self.policy().extra_ca_file {
            Some(p) => Some(p),
            None => self.config()?.settings().extra_ca_file.clone(),
        })
    }

    /// `Err` in "Set by your organisation" words when the policy fixes `setting`.
    pub(super) fn refuse_if_fixed(&self, setting: &str, fixes: impl Fn(&LabPolicy) -> bool) -> Result<()> {
        let policy = self.policy();
        if fixes(&policy) {
            return Err(Error::SetByOrganisation { setting: setting.to_string(), why: policy.why_fixed() });
        }
        Ok(())
    }

    /// `Err` when the policy does not offer `way` to sign in (the shells ask before they
    /// start one; the device flow is also checked here, in the engine).
    pub fn check_sign_in_way(&self, way: SignInWay) -> Result<()> {
        let policy = self.policy();
        if policy.offers(way) {
            return Ok(());
        }
        let offered: Vec<&str> =
            SignInWay::ALL.into_iter().filter(|w| policy.offers(*w)).map(SignInWay::as_str).collect();
        Err(Error::SetByOrganisation {
            setting: format!("sign-in-ways (offered: {})", offered.join(", ")),
            why: format!("{} is not offered here. {}", capital(way.words()), policy.why_fixed()),
        })
    }

    /// `Err` when the policy allows only the lab's servers and `new` is not one of them.
    pub(super) fn check_server_allowed(&self, new: &NewProfile) -> Result<()> {
        let policy = self.policy();
        if policy.allows_other_servers() {
            return Ok(());
        }
        // The lab's server as its file makes it, field by field: the same kind, the same
        // address and nothing by hand beside it, the file's client and redirect where it
        // names them.
        let (servers, _) = self.lab_servers();
        let theirs = servers.into_iter().any(|s| {
            let (has_client, has_redirect) = (s.client_id.is_some(), s.redirect_uri.is_some());
            let lab = super::profiles::from_lab_server(&new.name, s);
            lab.preset == new.preset
                && lab.spec == new.spec
                && (!has_client || lab.client_id == new.client_id)
                && (!has_redirect || lab.redirect_uri == new.redirect_uri)
        });
        if theirs {
            return Ok(());
        }
        Err(Error::SetByOrganisation {
            setting: "allow-other-servers".into(),
            why: format!(
                "only the servers your organisation provides can be added (`latchkey profile presets` lists them). {}",
                policy.why_fixed()
            ),
        })
    }
}

fn capital(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
}
