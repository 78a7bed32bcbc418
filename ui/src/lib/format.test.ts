import { describe, it, expect } from 'vitest';
import { statusLine, statusTone, clock, renewalLine } from './format';
import type { ProfileView } from './ipc';

const base: ProfileView = {
  name: 'm', preset: 'majora', server: 's', clientId: 'c', account: null, scopes: [], requestedScopes: [], tasks: [], status: 'signed-in',
  expiresAt: null, hasRefreshToken: true, renewsSilently: true, lastError: null, redirectUri: 'https://x/o/callback/', redirectMode: 'window',
  dynamicallyRegistered: false, ocarinaSync: null, testUrl: null,
};

describe('statusLine', () => {
  it('says fresh until a clock time', () => {
    const at = 1_800_000_000;
    expect(statusLine({ ...base, expiresAt: at }, at - 100)).toBe(`Fresh until ${clock(at)}`);
    expect(statusTone({ ...base, expiresAt: at }, at - 100)).toBe('ok');
  });
  it('names what needs a person', () => {
    expect(statusLine({ ...base, status: 'needs-sign-in' })).toBe('Needs sign-in');
    expect(statusTone({ ...base, status: 'needs-sign-in' })).toBe('bad');
    expect(statusLine({ ...base, status: 'failing', lastError: 'cannot reach x' })).toBe('Renewal failing: cannot reach x');
    expect(statusLine({ ...base, status: 'signed-out', clientId: null })).toBe('Not registered yet');
  });
  it('says an expired token renews on next use when it can', () => {
    expect(statusLine({ ...base, expiresAt: 100 }, 200)).toContain('renews on next use');
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
