// Plain-language status lines for profiles.
import type { ProfileView } from './ipc';

export function clock(unixSeconds: number): string {
  const d = new Date(unixSeconds * 1000);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

export function statusLine(p: ProfileView, now: number = Date.now() / 1000): string {
  switch (p.status) {
    case 'signed-out':
      return p.clientId ? 'Not signed in' : 'Not registered yet';
    case 'needs-sign-in':
      return 'Needs sign-in';
    case 'failing':
      return `Renewal failing${p.lastError ? `: ${p.lastError}` : ''}`;
    case 'signed-in':
      if (p.expiresAt === null) return 'Signed in';
      if (p.expiresAt > now) return `Fresh until ${clock(p.expiresAt)}`;
      return p.hasRefreshToken ? `Expired at ${clock(p.expiresAt)}; renews on next use` : `Expired at ${clock(p.expiresAt)}`;
  }
}

export function statusTone(p: ProfileView, now: number = Date.now() / 1000): 'ok' | 'warn' | 'bad' | 'idle' {
  if (p.status === 'needs-sign-in') return 'bad';
  if (p.status === 'failing') return 'warn';
  if (p.status === 'signed-out') return 'idle';
  return p.expiresAt !== null && p.expiresAt <= now && !p.hasRefreshToken ? 'warn' : 'ok';
}

/** What happens when the token expires, for the Done page. */
export function renewalLine(p: ProfileView): string {
  if (p.renewsSilently) return 'Latchkey keeps the token fresh from now on.';
  const when = p.expiresAt !== null ? ` at ${clock(p.expiresAt)}` : '';
  return `This server gave no refresh token, so Latchkey cannot renew it: you will be asked to sign in again when it expires${when}.`;
}
