//! What to do next, worded for a terminal: the engine says *what* the next step is
//! ([`NextStep`], data); this file says it as commands to type. The desktop words the
//! same steps as buttons and fields (`ipc/src/error.rs`). Also what `latchkey agent`
//! says on stderr when a profile needs someone: its reader may have no desktop app, so
//! it names the command too (its notification is latchkey-ipc's `words::notify`, as
//! the tray's).

use latchkey_engine::Attention;
use latchkey_engine::Error;
use latchkey_engine::NextStep;

/// `latchkey agent`'s line on stderr when a profile needs someone.
pub fn attention(what: &Attention) -> String {
    match what {
        Attention::SignInNeeded { profile } => {
            format!("`{profile}` needs you to sign in again: run `latchkey login {profile}`")
        }
        Attention::CannotRenew { profile, reason, .. } => {
            format!("cannot renew `{profile}`: {reason}; trying again (see `latchkey status {profile}`)")
        }
        Attention::KeyringUnavailable { profile } => {
            format!("cannot renew `{profile}`: the keyring is locked or not running; unlock it, trying again")
        }
        Attention::ClientRejected { profile } => format!(
            "cannot renew `{profile}`: the server does not accept its client id or secret; not trying again until \
             you run `latchkey register {profile}` or `latchkey profile set-client {profile} ...`"
        ),
    }
}

/// The line printed under `latchkey: <error>`, when there is something to do.
pub fn hint(err: &Error) -> Option<String> {
    err.next_step().map(|step| next_step(&step))
}

pub fn next_step(step: &NextStep) -> String {
    match step {
        NextStep::ChooseExistingProfile => "Run `latchkey profile list` to see the profiles you have.".into(),
        NextStep::ChooseAnotherName { existing } => {
            format!("Choose another name, or remove the old one with `latchkey profile remove {existing}`.")
        }
        NextStep::UseHttps => "Use the server's https address.".into(),
        NextStep::RepairConfig { path } => {
            format!("Fix or move {} aside; Latchkey will not overwrite it.", path.display())
        }
        NextStep::UpgradeLatchkey => "Upgrade Latchkey, or use the version that wrote this file.".into(),
        NextStep::SetConfigDir => "Set LATCHKEY_CONFIG_DIR to a writable directory.".into(),
        NextStep::UnlockKeyring => "Unlock your keyring (or start a Secret Service such as gnome-keyring in this \
            session) and try again. Latchkey never stores secrets in plain files."
            .into(),
        NextStep::GiveClientSecret { profile } => format!(
            "Give the client secret again with `latchkey profile set-client {profile} --client-id ID \
             --client-secret-stdin`."
        ),
        NextStep::SignIn { profile } => format!("Run `latchkey login {profile}` to sign in again."),
        NextStep::Register { profile } => format!(
            "Run `latchkey register {profile}`, or add the client id with \
             `latchkey profile add {profile} ... --client-id ID`."
        ),
        NextStep::StartSignInAgain => "Start the sign-in again and use the address from that attempt; links from \
            older or other sign-ins are never accepted."
            .into(),
        NextStep::AuthorizeOnServerPage => "Sign in again and choose \"Authorize\" on the server's page.".into(),
        NextStep::AskForFewerScopes { profile, majora: true } => format!(
            "Untick the task or scope your account may not use (`latchkey profile set {profile} --tasks ...` or \
             `--scopes ...`), or ask your Majora administrator to grant you the permission; then sign in again."
        ),
        NextStep::AskForFewerScopes { profile, majora: false } => format!(
            "Ask for fewer scopes (`latchkey profile set {profile} --scopes ...`), or ask the server's \
             administrator; then sign in again."
        ),
        NextStep::EnableTwoFactor { profile } => format!(
            "Set up two-factor authentication on your Majora account page (Profile, then \"Enable 2FA\"), then \
             sign in again with `latchkey login {profile}`."
        ),
        NextStep::GetInitialAccessToken { profile, again } => format!(
            "Ask the server's administrator for {} initial access token and run `latchkey register {profile} \
             --initial-access-token-stdin`, or ask for a client id and secret and give them with \
             `latchkey profile set-client {profile} --client-id ID --client-secret-stdin`.",
            if *again { "a new" } else { "an" }
        ),
        NextStep::CheckRedirectUri { profile, redirect_uri } => format!(
            "Make the server's application page list exactly {redirect_uri} (and the client id of \
             `latchkey status {profile}`), or change the profile's with `latchkey profile set {profile} \
             --redirect-uri URI`; then sign in again."
        ),
        NextStep::CheckClientCredentials => {
            "Check the client id and secret against the server's application page, then update the profile \
             (`latchkey profile set-client NAME ...`), or register again (`latchkey register NAME`)."
                .into()
        }
        NextStep::SignInPromptly => {
            "Sign in again; authorization codes are valid for a minute and can be used only once.".into()
        }
        NextStep::TryAgainLater => {
            "Your stored tokens are unchanged. Check your connection or the server's status and try again.".into()
        }
        NextStep::AskForLessTime { profile } => format!(
            "Ask for less with `latchkey token {profile} --min-valid SECONDS`, or ask the server's administrator \
             for tokens that last longer."
        ),
        NextStep::CheckIssuer => {
            "Check the issuer URL, or give the endpoints by hand with --authorize-url and --token-url.".into()
        }
        NextStep::EndStuckProcess => "Check for a stuck `latchkey` process and try again.".into(),
        NextStep::ConfirmForeignHost => {
            "Check the address. If you trust that host with your token, confirm to send it anyway.".into()
        }
    }
}
