// The only module that talks to the Rust side. One typed function per IPC command,
// one error type. Commands never return a secret.
import { invoke } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';

export interface ProfileSummary {
  name: string;
  preset: 'majora' | 'majora-test' | 'agate' | 'generic';
  server: string;
  clientId: string | null;
  scopes: string[];
}

export interface AppStatus {
  version: string;
  degraded: string[];
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
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (raw) {
    const e = raw as { code?: string; message?: string; hint?: string | null };
    if (e && typeof e === 'object' && typeof e.code === 'string') {
      throw new IpcError(e.code, e.message ?? 'Unknown error', e.hint ?? null);
    }
    throw new IpcError('internal', String(raw));
  }
}

export const listProfiles = () => call<ProfileSummary[]>('list_profiles');
export const appStatus = () => call<AppStatus>('app_status');

/** A `latchkey://` link reached the app (payload: the link without its query). */
export const onDeepLink = (handler: (link: string) => void): Promise<UnlistenFn> =>
  listen<string>('latchkey://deep-link', (event) => handler(event.payload));
