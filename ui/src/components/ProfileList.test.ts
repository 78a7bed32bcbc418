import { describe, it, expect, vi } from 'vitest';
import { render, screen, fireEvent } from '@testing-library/svelte';
import ProfileList from './ProfileList.svelte';
import { IpcError, type ProfileView } from '../lib/ipc';

let finished: ((f: { profile: string; ok: boolean; error: null }) => void) | null = null;
vi.mock('../lib/ipc', async (importOriginal) => {
  const real = await importOriginal<typeof import('../lib/ipc')>();
  return {
    ...real, refreshProfile: vi.fn(), copyToken: vi.fn(), signOut: vi.fn(), removeProfile: vi.fn(),
    forgetBrowserSession: vi.fn().mockResolvedValue(undefined),
    startSignIn: vi.fn().mockResolvedValue({ method: 'window', authorizeUrl: 'https://m/o/authorize/?x' }),
    onSignInFinished: (f: typeof finished) => {
      finished = f;
      return Promise.resolve(() => {});
    },
    onSignInPageError: () => Promise.resolve(() => {}),
  };
});

const profile: ProfileView = {
  name: 'majora-test', preset: 'majora-test', server: 'majora-test.covid19.climb.ac.uk (majora-test)', clientId: 'abc',
  account: 'alice', accountChangedFrom: null, scopes: ['a', 'b', 'c', 'd', 'e'], requestedScopes: ['a', 'b', 'c', 'd', 'e'], tasks: [], status: 'needs-sign-in', expiresAt: null, hasRefreshToken: true, renewsSilently: true, fixClient: null,
  mayDo: 'May a; b; c; d; e.', reason: null,
  lastError: null, redirectUri: 'https://majora-test.covid19.climb.ac.uk/o/callback/', redirectMode: 'window', dynamicallyRegistered: false,
  ocarinaSync: null, testUrl: null, lastErrorCode: null, canUseBrowser: false, canUseCode: false,
  // Worded in Rust (ipc/src/words/status.rs, tested there); the row shows them as they come.
  badge: { tone: 'bad', icon: '!', text: 'Needs you: sign in again' }, freshness: null,
  renewal: 'Latchkey keeps the token fresh from now on.',
};

describe('ProfileList', () => {
  it('shows the empty state and calls onAdd', async () => {
    const onAdd = vi.fn();
    render(ProfileList, { profiles: [], error: null, onAdd, onChanged: () => {} });
    expect(screen.getByText('Welcome to Latchkey', { selector: 'h3' })).toBeTruthy();
    await fireEvent.click(screen.getByRole('button', { name: 'Add your first server' }));
    expect(onAdd).toHaveBeenCalledOnce();
  });

  it('lists profiles with status, account and what the token may do, the scope names under Details', () => {
    render(ProfileList, { profiles: [profile], error: null, onAdd: () => {}, onChanged: () => {} });
    expect(screen.getByText('majora-test')).toBeTruthy();
    expect(screen.getByTestId('status').textContent).toContain('Needs you: sign in again');
    // One primary action for the state; the rest is under More.
    expect(screen.getByTestId('action-sign-in').classList.contains('primary')).toBe(true);
    expect(screen.queryByTestId('action-remove')).toBeNull();
    expect(screen.getByText(/alice/)).toBeTruthy();
    const mayDo = screen.getByTestId('may-do');
    expect(mayDo.textContent).toContain('May a; b; c; d; e.');
    const details = screen.getByTestId('row-details') as HTMLDetailsElement;
    expect(details.open).toBe(false);
    expect(details.textContent).toContain('a b c d e');
    expect(screen.queryByTestId('empty-state')).toBeNull();
  });

  it('every action button has a name', () => {
    render(ProfileList, { profiles: [profile], error: null, onAdd: () => {}, onChanged: () => {} });
    for (const b of screen.getAllByRole('button')) expect(b.textContent?.trim() || b.getAttribute('aria-label')).toBeTruthy();
  });

  it('the More menu is a menu: focus on its first item, Escape closes it and gives focus back, so does a click elsewhere', async () => {
    render(ProfileList, { profiles: [profile], error: null, onAdd: () => {}, onChanged: () => {} });
    const more = screen.getByTestId('more');
    await fireEvent.click(more);
    await vi.waitFor(() => expect(document.activeElement?.getAttribute('role')).toBe('menuitem'));
    // Escape while focus is still on the button that opened it works as well.
    more.focus();
    await fireEvent.keyDown(more, { key: 'Escape' });
    expect(screen.queryByRole('menu')).toBeNull();
    expect(document.activeElement).toBe(more);
    await fireEvent.click(more);
    expect(screen.getByRole('menu')).toBeTruthy();
    await fireEvent.click(document.body);
    expect(screen.queryByRole('menu')).toBeNull();
  });

  it('says Signed in after a sign-in, also one the server approved at once, and the earlier note goes', async () => {
    const onChanged = vi.fn();
    render(ProfileList, { profiles: [profile], error: null, onAdd: () => {}, onChanged });
    await fireEvent.click(screen.getByTestId('more'));
    await fireEvent.click(screen.getByTestId('action-forget'));
    await vi.waitFor(() => expect(screen.getByRole('status').textContent).toContain('log in again'));
    await fireEvent.click(screen.getByTestId('action-sign-in'));
    await vi.waitFor(() => expect(finished).not.toBeNull());
    finished!({ profile: 'majora-test', ok: true, error: null });
    await vi.waitFor(() => expect(screen.getByRole('status').textContent).toBe('Signed in.'));
    expect(screen.queryByText(/log in again/)).toBeNull();
    expect(onChanged).toHaveBeenCalled();
    // The next thing the person opens starts without it.
    await fireEvent.click(screen.getByTestId('more'));
    await fireEvent.click(screen.getByTestId('action-scripts'));
    expect(screen.queryByText('Signed in.')).toBeNull();
  });

  it('a failing row says why from the start, from the stored error', () => {
    const failing = {
      ...profile, status: 'failing' as const, lastError: 'cannot reach the server at 127.0.0.1:9 (nothing answers)',
      badge: { tone: 'warn' as const, icon: '⟳', text: "Can't reach the server — trying again" },
    };
    render(ProfileList, { profiles: [failing, { ...profile, name: 'fine', lastError: 'an old error' }], error: null, onAdd: () => {}, onChanged: () => {} });
    const reasons = screen.getAllByTestId('last-error');
    expect(reasons).toHaveLength(1);
    expect(reasons[0].textContent).toBe('Last try: cannot reach the server at 127.0.0.1:9 (nothing answers)');
  });

  it('the More menu opens upwards where it would run past the bottom of the window', async () => {
    const rect = (r: Partial<DOMRect>) => ({ top: 0, bottom: 0, height: 0, left: 0, right: 0, width: 0, x: 0, y: 0, ...r }) as DOMRect;
    const spy = vi.spyOn(HTMLElement.prototype, 'getBoundingClientRect').mockImplementation(function (this: HTMLElement) {
      return this.getAttribute('role') === 'menu' ? rect({ height: 320 }) : rect({ top: 520, bottom: 550 });
    });
    try {
      for (const [height, up] of [[600, true], [2000, false]] as const) {
        window.innerHeight = height;
        const { unmount } = render(ProfileList, { profiles: [profile], error: null, onAdd: () => {}, onChanged: () => {} });
        await fireEvent.click(screen.getByTestId('more'));
        await vi.waitFor(() => expect(screen.getByRole('menu').classList.contains('up')).toBe(up));
        unmount();
      }
    } finally {
      spy.mockRestore();
    }
  });

  it('Sign out asks, and also forgets the sign-in window\'s session unless unticked; the choice is remembered', async () => {
    const ipc = await import('../lib/ipc');
    window.localStorage.clear();
    vi.mocked(ipc.signOut).mockResolvedValue({ revoked: true } as never);
    const { unmount } = render(ProfileList, { profiles: [profile], error: null, onAdd: () => {}, onChanged: () => {} });
    await fireEvent.click(screen.getByTestId('more'));
    await fireEvent.click(screen.getByTestId('action-sign-out'));
    expect(ipc.signOut).not.toHaveBeenCalled();
    expect((screen.getByTestId('forget-too') as HTMLInputElement).checked).toBe(true);
    await vi.waitFor(() => expect(document.activeElement).toBe(screen.getByTestId('confirm-sign-out')));
    await fireEvent.click(screen.getByTestId('confirm-sign-out'));
    await vi.waitFor(() => expect(screen.getByRole('status').textContent).toBe('Signed out. The next sign-in asks for your password.'));
    expect(ipc.signOut).toHaveBeenCalledWith('majora-test');
    expect(ipc.forgetBrowserSession).toHaveBeenCalledWith('majora-test');
    vi.mocked(ipc.forgetBrowserSession).mockClear();
    await fireEvent.click(screen.getByTestId('more'));
    await fireEvent.click(screen.getByTestId('action-sign-out'));
    await fireEvent.click(screen.getByTestId('forget-too'));
    await fireEvent.click(screen.getByTestId('confirm-sign-out'));
    await vi.waitFor(() => expect(screen.getByRole('status').textContent).toBe('Signed out.'));
    expect(ipc.forgetBrowserSession).not.toHaveBeenCalled();
    unmount();
    render(ProfileList, { profiles: [profile], error: null, onAdd: () => {}, onChanged: () => {} });
    await fireEvent.click(screen.getByTestId('more'));
    await fireEvent.click(screen.getByTestId('action-sign-out'));
    expect((screen.getByTestId('forget-too') as HTMLInputElement).checked).toBe(false);
  });

  it('asks before removing', async () => {
    render(ProfileList, { profiles: [profile], error: null, onAdd: () => {}, onChanged: () => {} });
    expect(screen.queryByTestId('confirm-remove')).toBeNull();
    await fireEvent.click(screen.getByTestId('more'));
    await fireEvent.click(screen.getByRole('menuitem', { name: 'Remove…' }));
    expect(screen.getByTestId('confirm-remove')).toBeTruthy();
    // Removed, it leaves nothing of its own behind (Test access's last address).
    window.localStorage.setItem('latchkey.test-url.majora-test', 'https://old.example.org/api/');
    await fireEvent.click(screen.getByTestId('confirm-remove'));
    await vi.waitFor(() => expect(window.localStorage.getItem('latchkey.test-url.majora-test')).toBeNull());
  });

  it('offers Finish setup, and only that, for a profile left before registration', async () => {
    const onResume = vi.fn();
    const unset = { ...profile, name: 'half', clientId: null, status: 'signed-out' as const };
    render(ProfileList, { profiles: [unset], error: null, onAdd: () => {}, onChanged: () => {}, onResume });
    expect(screen.queryByTestId('action-sign-in')).toBeNull();
    await fireEvent.click(screen.getByTestId('action-finish-setup'));
    expect(onResume).toHaveBeenCalledWith('half');
  });

  it('a client the server refuses is mended from the row, and sign-in is not offered', async () => {
    const onResume = vi.fn();
    const refused = {
      ...profile, status: 'needs-client' as const, fixClient: 'Register again', dynamicallyRegistered: true,
      lastError: 'the server does not accept the client id or secret (invalid_client)',
      reason: 'The server no longer knows the application Latchkey registered with it.',
      badge: { tone: 'bad' as const, icon: '!', text: 'Needs you: register again' },
    };
    render(ProfileList, { profiles: [refused], error: null, onAdd: () => {}, onChanged: () => {}, onResume });
    expect(screen.getByTestId('last-error').textContent).toBe('The server no longer knows the application Latchkey registered with it.');
    expect(screen.getByTestId('last-error-details').textContent).toContain('(invalid_client)');
    const mend = screen.getByTestId('action-finish-setup');
    expect((mend.textContent ?? '').trim()).toBe('Register again');
    expect(mend.classList.contains('primary')).toBe(true);
    await fireEvent.click(screen.getByTestId('more'));
    expect(screen.queryByTestId('action-sign-in')).toBeNull();
    await fireEvent.click(mend);
    expect(onResume).toHaveBeenCalledWith('majora-test');
  });

  it('shows the error and its hint', () => {
    render(ProfileList, { profiles: null, error: new IpcError('config-unreadable', 'cannot read /x/profiles.toml: bad', 'Fix or move it aside.'), onAdd: () => {}, onChanged: () => {} });
    expect(screen.getByRole('alert').textContent).toContain('Fix or move it aside.');
  });
});

describe('script snippets', () => {
  it('offer the token, exec and curl forms for the profile, never a token', async () => {
    render(ProfileList, { profiles: [profile], error: null, onAdd: () => {}, onChanged: () => {} });
    await fireEvent.click(screen.getByTestId('more'));
    await fireEvent.click(screen.getByTestId('action-scripts'));
    const text = screen.getByTestId('snippets').textContent ?? '';
    expect(text).toContain('latchkey token majora-test');
    expect(text).toContain('latchkey exec majora-test -- ocarina');
    expect(text).toContain('latchkey token majora-test --format header');
  });
});
