//! What the desktop app's own commands and windows say (not an engine error's words,
//! which are `error.rs`'s): the sign-in window's title, and the few refusals the app
//! makes before the engine is asked.

/// The sign-in window's title while a page loads: where it is going.
pub fn sign_in_window_connecting(host: &str, profile: &str) -> String {
    format!("Connecting to {host}\u{2026} \u{2014} Sign in \u{2014} {profile}")
}

/// The sign-in window's title with a page shown: whose page it is (the host names it).
pub fn sign_in_window(profile: &str, host: &str) -> String {
    format!("Sign in \u{2014} {profile} \u{2014} {host}")
}

/// A host in the sign-in window's title, marked when the page comes over plain http.
pub fn host_not_secure(host: &str) -> String {
    format!("{host} (not secure)")
}

pub fn sign_in_window_not_opened(error: &str) -> String {
    format!("The sign-in window could not be opened: {error}")
}

pub const CLOSE_SIGN_IN_WINDOW_FIRST: &str = "Close the sign-in window first.";

pub fn cannot_forget_sign_in(profile: &str, error: &str) -> String {
    format!("cannot forget the browser session of `{profile}`: {error}")
}

pub const DEVICE_SIGN_IN_ENDED_EARLY: &str = "the sign-in with a code ended before it started";

pub fn not_a_url(field: &str, error: &str) -> String {
    format!("the {field} is not a valid URL ({error})")
}

pub fn test_address_not_a_url(error: &str) -> String {
    format!("not a valid URL ({error})")
}

pub const REDIRECT_URI_NEEDED: &str = "Enter the redirect URI registered with the server.";

pub const NO_REGISTRATION_PAGE: &str = "This server has no registration page Latchkey knows of.";

pub const NO_HOME_FOR_OCARINA: &str = "No home directory for ~/.ocarina-tokens.";

pub fn cannot_change_start_at_login(error: &str) -> String {
    format!("cannot change start at login: {error}")
}

/// Under a lab's server in the wizard, where its file gives no sentence of its own.
pub fn lab_server_about(host: &str) -> String {
    format!("Provided by your lab: {host}")
}

/// On an "add our server" page, where the link names no scopes.
pub const LINK_DEFAULT_SCOPES: &str =
    "What the server allows by default. You can see and change it before you sign in.";

/// On the Settings page, when `policy.toml` cannot be applied.
pub fn policy_not_applied(problem: &str) -> String {
    format!("Your organisation's settings are not applied: {problem}. Tell whoever looks after this computer.")
}
