// The only module that talks to the Rust side. One typed function per IPC command,
// one error type. Commands never return a secret: tokens are copied to the clipboard
// by Rust, and a client secret only ever travels from here to Rust.
import { invoke } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';

export type Preset = 'majora' | 'majora-test' | 'agate' | 'generic';
export type Status = 'signed-out' | 'signed-in' | 'needs-sign-in' | 'failing';
export type SignInMethod = 'window' | 'browser' | 'paste';

export interface ProfileView {
  name: string;
  preset: Preset;
  server: string;
  clientId: string | null;
  account: string | null;
  /** Granted when signed in, else what the profile asks for. */
  scopes: string[];
  /** What the profile asks for at its next sign-in. */
  requestedScopes: string[];
  /** Majora: the tasks its scope settings offer (empty for other servers). */
  tasks: TaskChoice[];
  status: Status;
  expiresAt: number | null;
  hasRefreshToken: boolean;
  /** Latchkey can renew without the user (refresh token, or Agate's code). */
  renewsSilently: boolean;
  lastError: string | null;
  redirectUri: string;
  redirectMode: 'window' | 'scheme' | 'loopback' | 'paste';
  dynamicallyRegistered: boolean;
  /** Where Ocarina's token cache is kept current, if enabled. */
  ocarinaSync: string | null;
}

export interface ServerInput {
  preset: Preset;
  baseUrl?: string | null;
  issuer?: string | null;
  authorizeUrl?: string | null;
  tokenUrl?: string | null;
}

export interface ScopeChoice {
  scope: string;
  explanation: string;
}

/** One thing a Majora user does with Ocarina, and the scopes it needs. */
export interface TaskChoice {
  id: string;
  label: string;
  scopes: string[];
  preselected: boolean;
}

export interface ServerPreview {
  issuer: string;
  authorizeUrl: string;
  tokenUrl: string;
  revokeUrl: string | null;
  dynamicRegistration: boolean;
  manualRegistrationUrl: string | null;
  redirectUri: string;
  defaultScopes: ScopeChoice[];
  /** Majora: what the user will do (each task brings its scopes); empty elsewhere. */
  tasks: TaskChoice[];
  renewal: 'refresh-token' | 'reexchange-code' | 'sign-in';
}

export interface FormField {
  label: string;
  value: string;
}

export type RegisterOutcome =
  | { outcome: 'registered'; client_id: string }
  | { outcome: 'manual'; registration_page: string | null; fields: FormField[] };

export type CredentialCheck = 'accepted' | 'rejected';

export interface SignInStarted {
  method: SignInMethod;
  authorizeUrl: string;
}

export interface SignInFinished {
  profile: string;
  ok: boolean;
  error: IpcErrorShape | null;
}

export interface ApiAnswer {
  status: number;
  contentType: string | null;
  body: string;
}

export interface SignOutReport {
  revoked: boolean;
  client_deleted: boolean;
}

export interface AppStatus {
  version: string;
  degraded: string[];
  /** Warnings about links that arrived before this window listened. */
  linkWarnings: string[];
}

interface IpcErrorShape {
  code: string;
  message: string;
  hint: string | null;
}

/** The shape of every error the backend returns; `code` is stable, branch on it. */
export class IpcError extends Error {
  constructor(
    public code: string,
    message: string,
    public hint: string | null = null,
  ) {
    super(message);
    this.name = 'IpcError';
  }

  static from(shape: IpcErrorShape): IpcError {
    return new IpcError(shape.code, shape.message, shape.hint);
  }
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (raw) {
    const e = raw as Partial<IpcErrorShape>;
    if (e && typeof e === 'object' && typeof e.code === 'string') {
      throw new IpcError(e.code, e.message ?? 'Unknown error', e.hint ?? null);
    }
    throw new IpcError('internal', String(raw));
  }
}

export const appStatus = () => call<AppStatus>('app_status');
/** Tell the app the window shows its first data (start-up time is logged). */
export const uiReady = () => call<void>('ui_ready');
export const copyText = (text: string) => call<void>('copy_text', { text });

export const listProfiles = () => call<ProfileView[]>('list_profiles');
export const previewServer = (server: ServerInput) => call<ServerPreview>('preview_server', { server });
export const addProfile = (input: { name: string; server: ServerInput; scopes?: string[] | null; redirectUri?: string | null }) =>
  call<ProfileView>('add_profile', { input });
export const registerClient = (name: string, initialAccessToken: string | null = null) =>
  call<RegisterOutcome>('register_client', { name, initialAccessToken });
export const openRegistrationPage = (name: string) => call<void>('open_registration_page', { name });
export const setClient = (name: string, clientId: string, clientSecret: string | null) =>
  call<void>('set_client', { name, clientId, clientSecret });
export const checkCredentials = (name: string) => call<CredentialCheck>('check_credentials', { name });
export const setScopes = (name: string, scopes: string[]) => call<void>('set_scopes', { name, scopes });
export const setRedirectUri = (name: string, redirectUri: string) => call<void>('set_redirect_uri', { name, redirectUri });
export const refreshProfile = (name: string) => call<void>('refresh_profile', { name });
/** `confirmed`: send the token to a host that is not the profile's server. */
export const testAccess = (name: string, url: string, confirmed = false) => call<ApiAnswer>('test_access', { name, url, confirmed });
export const copyToken = (name: string) => call<void>('copy_token', { name });
export const signOut = (name: string) => call<SignOutReport>('sign_out', { name });
export const removeProfile = (name: string) => call<SignOutReport>('remove_profile', { name });

export const setOcarinaSync = (name: string, enabled: boolean) => call<void>('set_ocarina_sync', { name, enabled });

export interface SettingsView {
  renewAtPercent: number;
  startAtLogin: boolean;
  configDir: string;
  logDir: string;
}

export interface About {
  version: string;
  tauri: string;
  webkit: string;
  os: string;
}

export const getSettings = () => call<SettingsView>('get_settings');
export const setRenewAt = (percent: number) => call<void>('set_renew_at', { percent });
export const setStartAtLogin = (enabled: boolean) => call<void>('set_start_at_login', { enabled });
export const about = () => call<About>('about');
/** A report for bug reports: versions, paths, statuses, log tail; never a secret. */
export const diagnostics = () => call<string>('diagnostics');

export const startSignIn = (name: string, method: SignInMethod) => call<SignInStarted>('start_sign_in', { name, method });
export const completeSignIn = (name: string, pasted: string) => call<void>('complete_sign_in', { name, pasted });
export const cancelSignIn = (name: string) => call<void>('cancel_sign_in', { name });
export const forgetBrowserSession = (name: string) => call<void>('forget_browser_session', { name });

/** A `latchkey://` link arrived that completed nothing (payload: a warning). */
export const onDeepLinkWarning = (handler: (warning: string) => void): Promise<UnlistenFn> =>
  listen<string>('latchkey://deep-link', (event) => handler(event.payload));

/** A sign-in ended, whichever way the redirect was caught. */
export const onSignInFinished = (handler: (finished: SignInFinished) => void): Promise<UnlistenFn> =>
  listen<SignInFinished>('latchkey://sign-in-finished', (event) => handler(event.payload));

/** Profiles or their status changed. */
export const onProfilesChanged = (handler: () => void): Promise<UnlistenFn> =>
  listen('latchkey://profiles-changed', () => handler());

/** Turn anything thrown into an IpcError for display. */
/** Anything caught or received (an event's `error` is a plain `{code, message, hint}`). */
export function asIpcError(e: unknown): IpcError {
  if (e instanceof IpcError) return e;
  const shape = e as Partial<IpcErrorShape> | null;
  if (shape && typeof shape === 'object' && typeof shape.code === 'string' && typeof shape.message === 'string') {
    return new IpcError(shape.code, shape.message, shape.hint ?? null);
  }
  return new IpcError('internal', String(e));
}
