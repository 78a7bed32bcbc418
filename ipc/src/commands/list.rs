// The one list of the desktop app's IPC: every command the window may call (its module
// in src-tauri/src/commands/, its argument struct, what it answers) and every event Rust
// sends the window (its name and payload). Everything that must name them is made from
// this list, so none can disagree with it:
// - the handlers (`src-tauri/src/lib.rs`, `tauri::generate_handler!`),
// - the `allow-*` permissions and the main window's capability (`src-tauri/build.rs`,
//   which has this file as a module: it is plain `macro_rules!`, with no dependency),
// - the Rust event names and payload types (`latchkey_ipc::events`),
// - the TypeScript the window calls through (`ui/src/lib/bindings/commands.ts`,
//   written by `LATCHKEY_WRITE_BINDINGS=1 cargo test -p latchkey-ipc`, checked by that test).
//
// `with_commands!(callback)` hands the whole list to a `macro_rules!` callback of the
// caller's; `with_commands!(paths callback)` hands it only `module::command, …`.
// Argument structs are in `ipc/src/commands/args.rs`; a command without one takes nothing.

#[macro_export]
macro_rules! with_commands {
    (paths $callback:ident) => {
        $crate::with_commands! { @list [paths $callback] }
    };
    ($callback:ident) => {
        $crate::with_commands! { @list [all $callback] }
    };
    (@emit [all $callback:ident] $($list:tt)*) => {
        $callback! { $($list)* }
    };
    (
        @emit [paths $callback:ident]
        commands { $( $module:ident { $(
            $(#[doc = $doc:literal])*
            $name:ident ( $($args:ty)? ) -> $result:ty ;
        )* } )* }
        events { $($events:tt)* }
    ) => {
        $callback!($($($module::$name),*),*)
    };
    (@list $how:tt) => {
        $crate::with_commands! { @emit $how
            commands {
                app {
                    /// The app's version, what is degraded, and deep-link warnings since last asked.
                    app_status() -> AppStatus;
                    /// The servers the wizard offers, in order (from the engine's presets).
                    list_presets() -> Vec<PresetChoice>;
                    /// The window shows its first data (start-up time is logged).
                    ui_ready() -> ();
                    /// Copy non-secret text (a redirect URI, a form value) to the clipboard.
                    copy_text(CopyText) -> ();
                }
                profiles {
                    list_profiles() -> Vec<ProfileView>;
                    preview_server(PreviewServer) -> ServerPreview;
                    /// The wizard's view of an existing profile (to finish its setup).
                    preview_profile(ProfileName) -> ServerPreview;
                    add_profile(AddProfile) -> ProfileView;
                    register_client(RegisterClient) -> RegisterOutcomeView;
                    set_client(SetClient) -> ();
                    check_credentials(ProfileName) -> CredentialCheck;
                    set_scopes(SetScopes) -> ();
                    set_redirect_uri(SetRedirectUri) -> ();
                    /// Renew now, even a fresh token: what happened, in words.
                    refresh_profile(ProfileName) -> Refreshed;
                    /// Call an API with the profile's token; `confirmed` sends it to a host
                    /// that is not the profile's server.
                    test_access(TestAccess) -> ApiAnswer;
                    /// Ask the server whose the token is and whether it still takes it
                    /// (userinfo or introspection): Test access with no address to call.
                    check_identity(ProfileName) -> Identity;
                    /// Put a fresh access token on the clipboard (the window never sees it).
                    copy_token(ProfileName) -> ();
                    sign_out(ProfileName) -> SignOutView;
                    remove_profile(ProfileName) -> SignOutView;
                    /// Open the server's own "register an application" page in the browser.
                    open_registration_page(ProfileName) -> ();
                    set_ocarina_sync(SetOcarinaSync) -> ();
                }
                settings {
                    get_settings() -> SettingsView;
                    set_renew_at(SetRenewAt) -> ();
                    set_start_at_login(SetStartAtLogin) -> ();
                    /// Keep a profile's access token in the file tools look for (bt_u$UID), or stop.
                    set_token_file_profile(SetTokenFileProfile) -> ();
                    about() -> About;
                    /// A report for bug reports: versions, paths, statuses, log tail; never a secret.
                    diagnostics() -> String;
                }
                sign_in {
                    start_sign_in(StartSignIn) -> SignInStarted;
                    /// Finish a sign-in with a pasted callback address or code.
                    complete_sign_in(CompleteSignIn) -> ();
                    /// Sign in with a code (RFC 8628): the code to show; the end arrives as
                    /// the sign-in-finished event.
                    start_device_sign_in(ProfileName) -> DeviceCodeView;
                    cancel_sign_in(ProfileName) -> ();
                    /// Forget the cookies of the profile's sign-in window.
                    forget_browser_session(ProfileName) -> ();
                }
            }
            events {
                /// A sign-in ended, whichever way the redirect was caught.
                SIGN_IN_FINISHED = "latchkey://sign-in-finished" => SignInFinished;
                /// The sign-in window shows an error page of the server's (HTTP 400 and up).
                SIGN_IN_PAGE_ERROR = "latchkey://sign-in-page-error" => SignInPageError;
                /// Profiles or their status changed; the window reloads its list.
                PROFILES_CHANGED = "latchkey://profiles-changed" => ();
                /// A `latchkey://` link arrived that completed nothing (a warning to show).
                DEEP_LINK_WARNING = "latchkey://deep-link" => String;
                /// An "add our server" link arrived: the page that asks Add or Cancel.
                ADD_SERVER_LINK = "latchkey://add-server" => AddServerOffer;
            }
        }
    };
}
