// Plain-language status lines for profiles.
import type { ProfileView } from './ipc';

export function clock(unixSeconds: number): string {
  const d = new Date(unixSeconds * 1000);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

/** A profile's state in a few words, for its row's badge (the window's own words: the
 *  engine gives the status and the kind of the last failure, never prose for here). */
export function statusLine(p: ProfileView, now: number = Date.now() / 1000): string {
  const as = p.account ? ` as ${p.account}` : '';
  switch (p.status) {
    case 'signed-out':
      return p.clientId ? 'Not signed in' : 'Not set up yet';
    case 'needs-sign-in':
      return 'Needs you: sign in again';
    case 'failing':
      switch (p.lastErrorCode) {
        case 'network':
          return "Can't reach the server — trying again";
        case 'keyring-unavailable':
          return 'Keyring locked — unlock it; trying again';
        case 'server-error':
        case 'bad-response':
          return 'The server has a problem — trying again';
        default:
          return 'Renewal failing — trying again';
      }
    case 'signed-in':
      if (p.expiresAt !== null && p.expiresAt <= now && !p.renewsSilently) return `Expired at ${clock(p.expiresAt)}: sign in again`;
      if (p.renewsSilently) return `Signed in${as} · renews by itself`;
      return p.expiresAt === null ? `Signed in${as}` : `Signed in${as} · until ${clock(p.expiresAt)}`;
  }
}

/** The token's time, for the row's detail line ("Fresh until 13:40"). */
export function freshness(p: ProfileView, now: number = Date.now() / 1000): string | null {
  if (p.status !== 'signed-in' || p.expiresAt === null) return null;
  return p.expiresAt > now ? `Fresh until ${clock(p.expiresAt)}` : `Expired at ${clock(p.expiresAt)}`;
}

/** The badge's icon, beside the words (never the only signal). */
export function statusIcon(p: ProfileView, now: number = Date.now() / 1000): string {
  switch (statusTone(p, now)) {
    case 'ok':
      return '✓';
    case 'warn':
      return '⟳';
    case 'bad':
      return '!';
    default:
      return '○';
  }
}

export function statusTone(p: ProfileView, now: number = Date.now() / 1000): 'ok' | 'warn' | 'bad' | 'idle' {
  if (p.status === 'needs-sign-in') return 'bad';
  if (p.status === 'failing') return 'warn';
  if (p.status === 'signed-out') return 'idle';
  return p.expiresAt !== null && p.expiresAt <= now && !p.renewsSilently ? 'bad' : 'ok';
}

/** What happens when the token expires, for the Done page. */
export function renewalLine(p: ProfileView): string {
  if (p.renewsSilently) return 'Latchkey keeps the token fresh from now on.';
  const when = p.expiresAt !== null ? ` at ${clock(p.expiresAt)}` : '';
  return `This server gave no refresh token, so Latchkey cannot renew it: you will be asked to sign in again when it expires${when}.`;
}
