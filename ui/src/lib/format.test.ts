import { describe, it, expect } from 'vitest';
import { statusLine, statusTone, clock, renewalLine, freshness } from './format';
import type { ProfileView } from './ipc';

const base: ProfileView = {
  name: 'm', preset: 'majora', server: 's', clientId: 'c', account: null, scopes: [], requestedScopes: [], tasks: [], status: 'signed-in',
  expiresAt: null, hasRefreshToken: true, renewsSilently: true, lastError: null, redirectUri: 'https://x/o/callback/', redirectMode: 'window',
  dynamicallyRegistered: false, ocarinaSync: null, testUrl: null, lastErrorCode: null, canUseBrowser: false,
};

describe('statusLine', () => {
  it('says who is signed in and that it renews by itself, with the time beside', () => {
    const at = 1_800_000_000;
    expect(statusLine({ ...base, account: 'alice', expiresAt: at }, at - 100)).toBe('Signed in as alice · renews by itself');
    expect(freshness({ ...base, expiresAt: at }, at - 100)).toBe(`Fresh until ${clock(at)}`);
    expect(statusTone({ ...base, expiresAt: at }, at - 100)).toBe('ok');
  });
  it('names what needs a person, in words, never a raw error', () => {
    expect(statusLine({ ...base, status: 'needs-sign-in' })).toBe('Needs you: sign in again');
    expect(statusTone({ ...base, status: 'needs-sign-in' })).toBe('bad');
    const failing = { ...base, status: 'failing' as const, lastError: 'cannot reach x: os error 111' };
    expect(statusLine({ ...failing, lastErrorCode: 'network' })).toBe("Can't reach the server — trying again");
    expect(statusLine({ ...failing, lastErrorCode: 'keyring-unavailable' })).toContain('Keyring locked');
    expect(statusLine({ ...failing, lastErrorCode: null })).not.toContain('os error');
    expect(statusLine({ ...base, status: 'signed-out', clientId: null })).toBe('Not set up yet');
  });
  it('an expired token that cannot renew asks for a sign-in', () => {
    const stuck = { ...base, renewsSilently: false, hasRefreshToken: false, expiresAt: 100 };
    expect(statusLine(stuck, 200)).toContain('sign in again');
    expect(statusTone(stuck, 200)).toBe('bad');
  });
});

describe('renewalLine', () => {
  it('promises fresh tokens only when Latchkey can renew them', () => {
    expect(renewalLine(base)).toBe('Latchkey keeps the token fresh from now on.');
    const none = renewalLine({ ...base, hasRefreshToken: false, renewsSilently: false, expiresAt: 1_800_000_000 });
    expect(none).toContain('no refresh token');
    expect(none).toContain(`sign in again when it expires at ${clock(1_800_000_000)}`);
    expect(none).not.toContain('keeps the token fresh');
  });
});
