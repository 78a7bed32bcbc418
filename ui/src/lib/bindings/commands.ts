// Generated from ipc/src/commands/list.rs by `LATCHKEY_WRITE_BINDINGS=1 cargo test -p latchkey-ipc`.
// Do not edit: change the list (or an argument struct) and run that instead.
import type { About } from './About';
import type { AddProfile } from './AddProfile';
import type { AddServerOffer } from './AddServerOffer';
import type { ApiAnswer } from './ApiAnswer';
import type { AppStatus } from './AppStatus';
import type { CompleteSignIn } from './CompleteSignIn';
import type { CopyText } from './CopyText';
import type { CredentialCheck } from './CredentialCheck';
import type { DeviceCodeView } from './DeviceCodeView';
import type { Identity } from './Identity';
import type { PresetChoice } from './PresetChoice';
import type { PreviewServer } from './PreviewServer';
import type { ProfileName } from './ProfileName';
import type { ProfileView } from './ProfileView';
import type { Refreshed } from './Refreshed';
import type { RegisterClient } from './RegisterClient';
import type { RegisterOutcomeView } from './RegisterOutcomeView';
import type { ServerPreview } from './ServerPreview';
import type { SetClient } from './SetClient';
import type { SetOcarinaSync } from './SetOcarinaSync';
import type { SetRedirectUri } from './SetRedirectUri';
import type { SetRenewAt } from './SetRenewAt';
import type { SetScopes } from './SetScopes';
import type { SetStartAtLogin } from './SetStartAtLogin';
import type { SetTokenFileProfile } from './SetTokenFileProfile';
import type { SettingsView } from './SettingsView';
import type { SignInFinished } from './SignInFinished';
import type { SignInPageError } from './SignInPageError';
import type { SignInStarted } from './SignInStarted';
import type { SignOutView } from './SignOutView';
import type { StartSignIn } from './StartSignIn';
import type { TestAccess } from './TestAccess';

/** Every IPC command: what it takes (`null`: nothing) and what it answers. */
export interface Commands {
  /** The app's version, what is degraded, and deep-link warnings since last asked. */
  app_status: { args: null; result: AppStatus };
  /** The servers the wizard offers, in order (from the engine's presets). */
  list_presets: { args: null; result: Array<PresetChoice> };
  /** The window shows its first data (start-up time is logged). */
  ui_ready: { args: null; result: void };
  /** Copy non-secret text (a redirect URI, a form value) to the clipboard. */
  copy_text: { args: CopyText; result: void };
  list_profiles: { args: null; result: Array<ProfileView> };
  preview_server: { args: PreviewServer; result: ServerPreview };
  /** The wizard's view of an existing profile (to finish its setup). */
  preview_profile: { args: ProfileName; result: ServerPreview };
  add_profile: { args: AddProfile; result: ProfileView };
  register_client: { args: RegisterClient; result: RegisterOutcomeView };
  set_client: { args: SetClient; result: void };
  check_credentials: { args: ProfileName; result: CredentialCheck };
  set_scopes: { args: SetScopes; result: void };
  set_redirect_uri: { args: SetRedirectUri; result: void };
  /** Renew now, even a fresh token: what happened, in words. */
  refresh_profile: { args: ProfileName; result: Refreshed };
  /** Call an API with the profile's token; `confirmed` sends it to a host that is not the profile's server. */
  test_access: { args: TestAccess; result: ApiAnswer };
  /** Ask the server whose the token is and whether it still takes it (userinfo or introspection): Test access with no address to call. */
  check_identity: { args: ProfileName; result: Identity };
  /** Put a fresh access token on the clipboard (the window never sees it). */
  copy_token: { args: ProfileName; result: void };
  sign_out: { args: ProfileName; result: SignOutView };
  remove_profile: { args: ProfileName; result: SignOutView };
  /** Open the server's own "register an application" page in the browser. */
  open_registration_page: { args: ProfileName; result: void };
  set_ocarina_sync: { args: SetOcarinaSync; result: void };
  get_settings: { args: null; result: SettingsView };
  set_renew_at: { args: SetRenewAt; result: void };
  set_start_at_login: { args: SetStartAtLogin; result: void };
  /** Keep a profile's access token in the file tools look for (bt_u$UID), or stop. */
  set_token_file_profile: { args: SetTokenFileProfile; result: void };
  about: { args: null; result: About };
  /** A report for bug reports: versions, paths, statuses, log tail; never a secret. */
  diagnostics: { args: null; result: string };
  start_sign_in: { args: StartSignIn; result: SignInStarted };
  /** Finish a sign-in with a pasted callback address or code. */
  complete_sign_in: { args: CompleteSignIn; result: void };
  /** Sign in with a code (RFC 8628): the code to show; the end arrives as the sign-in-finished event. */
  start_device_sign_in: { args: ProfileName; result: DeviceCodeView };
  cancel_sign_in: { args: ProfileName; result: void };
  /** Forget the cookies of the profile's sign-in window. */
  forget_browser_session: { args: ProfileName; result: void };
}

/** The events Rust sends the window, by name. */
export const EVENTS = {
  /** A sign-in ended, whichever way the redirect was caught. */
  SIGN_IN_FINISHED: 'latchkey://sign-in-finished',
  /** The sign-in window shows an error page of the server's (HTTP 400 and up). */
  SIGN_IN_PAGE_ERROR: 'latchkey://sign-in-page-error',
  /** Profiles or their status changed; the window reloads its list. */
  PROFILES_CHANGED: 'latchkey://profiles-changed',
  /** A `latchkey://` link arrived that completed nothing (a warning to show). */
  DEEP_LINK_WARNING: 'latchkey://deep-link',
  /** An "add our server" link arrived: the page that asks Add or Cancel. */
  ADD_SERVER_LINK: 'latchkey://add-server',
} as const;

/** Each event's payload. */
export interface Events {
  'latchkey://sign-in-finished': SignInFinished;
  'latchkey://sign-in-page-error': SignInPageError;
  'latchkey://profiles-changed': null;
  'latchkey://deep-link': string;
  'latchkey://add-server': AddServerOffer;
}
