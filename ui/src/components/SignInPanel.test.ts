import { describe, it, expect, vi, beforeEach, afterEach } from 'vitest';
import { render, screen, fireEvent } from '@testing-library/svelte';

const startSignIn = vi.fn();
const cancelSignIn = vi.fn();
const completeSignIn = vi.fn();
const startDeviceSignIn = vi.fn();
let finished: ((f: { profile: string; ok: boolean; error: unknown }) => void) | null = null;
let pageError: ((p: { profile: string; status: number; host: string }) => void) | null = null;
vi.mock('../lib/ipc', async (importOriginal) => {
  const real = await importOriginal<typeof import('../lib/ipc')>();
  return {
    ...real,
    startSignIn: (...a: unknown[]) => startSignIn(...a),
    cancelSignIn: (...a: unknown[]) => cancelSignIn(...a),
    completeSignIn: (...a: unknown[]) => completeSignIn(...a),
    startDeviceSignIn: (...a: unknown[]) => startDeviceSignIn(...a),
    onSignInFinished: (f: typeof finished) => {
      finished = f;
      return Promise.resolve(() => {});
    },
    onSignInPageError: (f: typeof pageError) => {
      pageError = f;
      return Promise.resolve(() => {});
    },
  };
});

import SignInPanel from './SignInPanel.svelte';
import { offered } from '../lib/policy.svelte';
import { expectBusy, expectReady, networkError, pending } from '../lib/testing';

describe('SignInPanel', () => {
  beforeEach(() => {
    startSignIn.mockReset().mockResolvedValue({ method: 'window', authorizeUrl: 'https://m/o/authorize/?x' });
    cancelSignIn.mockReset().mockResolvedValue(undefined);
    completeSignIn.mockReset();
  });
  afterEach(() => vi.useRealTimers());

  it("offers no browser for a server's own callback page, and says why", () => {
    render(SignInPanel, { profile: 'm', redirectUri: 'https://majora.example.org/o/callback/', canUseBrowser: false, onSignedIn: () => {} });
    expect(screen.queryByTestId('sign-in-browser')).toBeNull();
    expect(screen.getByTestId('no-browser').textContent).toContain('majora.example.org');
  });

  it('offers the browser for a latchkey:// redirect', () => {
    render(SignInPanel, { profile: 'g', redirectUri: 'latchkey://callback/g', canUseBrowser: true, onSignedIn: () => {} });
    expect(screen.getByTestId('sign-in-browser')).toBeTruthy();
    expect(screen.queryByTestId('no-browser')).toBeNull();
  });

  it('a sign-in that never comes back says what to check, and can be cancelled', async () => {
    vi.useFakeTimers();
    render(SignInPanel, { profile: 'm', redirectUri: 'https://m/o/callback/', canUseBrowser: false, onSignedIn: () => {} });
    await fireEvent.click(screen.getByTestId('sign-in-window'));
    await vi.advanceTimersByTimeAsync(10_000);
    expect(screen.queryByTestId('sign-in-stuck')).toBeNull();
    await vi.advanceTimersByTimeAsync(40_000);
    expect(screen.getByTestId('sign-in-stuck').textContent).toContain('redirect URI');
    await fireEvent.click(screen.getByTestId('cancel-sign-in'));
    await vi.waitFor(() => expect(cancelSignIn).toHaveBeenCalledWith('m'));
    expect(screen.queryByTestId('sign-in-stuck')).toBeNull();
  });
});

describe('SignInPanel while the backend works', () => {
  const props = { profile: 'g', redirectUri: 'latchkey://callback/g', canUseBrowser: true, onSignedIn: () => {} };
  beforeEach(() => {
    startSignIn.mockReset();
    cancelSignIn.mockReset();
    completeSignIn.mockReset();
  });

  it('Paste the address shows a spinner while the address is made, then is back with the error', async () => {
    const answer = pending();
    startSignIn.mockReturnValue(answer.promise);
    render(SignInPanel, props);
    await fireEvent.click(screen.getByTestId('sign-in-paste'));
    expectBusy(screen.getByTestId('sign-in-paste'), 'Getting the address…');
    // One sign-in at a time.
    expect((screen.getByTestId('sign-in-window') as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByTestId('sign-in-browser') as HTMLButtonElement).disabled).toBe(true);
    answer.reject(networkError());
    await vi.waitFor(() => expectReady(screen.getByTestId('sign-in-paste'), 'Paste the address'));
    expect(screen.getByRole('alert').textContent).toContain('Cannot reach the server');
  });

  it('Use my browser shows a spinner until the browser is asked, then is back with the error', async () => {
    const answer = pending();
    startSignIn.mockReturnValue(answer.promise);
    render(SignInPanel, props);
    await fireEvent.click(screen.getByTestId('sign-in-browser'));
    expectBusy(screen.getByTestId('sign-in-browser'), 'Opening your browser…');
    answer.reject(networkError());
    await vi.waitFor(() => expectReady(screen.getByTestId('sign-in-browser'), 'Use my browser'));
    expect(screen.getByRole('alert').textContent).toContain('Cannot reach the server');
  });

  it('Finish signing in shows a spinner while the pasted code is exchanged, then is back with the error', async () => {
    startSignIn.mockResolvedValue({ method: 'paste', authorizeUrl: 'https://g/authorize?x' });
    const answer = pending();
    completeSignIn.mockReturnValue(answer.promise);
    render(SignInPanel, props);
    await fireEvent.click(screen.getByTestId('sign-in-paste'));
    await fireEvent.input(await screen.findByTestId('pasted'), { target: { value: 'latchkey://callback/g?code=c&state=s' } });
    await fireEvent.click(screen.getByTestId('submit-paste'));
    expect(completeSignIn).toHaveBeenCalledWith('g', 'latchkey://callback/g?code=c&state=s');
    expectBusy(screen.getByTestId('submit-paste'), 'Signing in…');
    answer.reject(networkError());
    await vi.waitFor(() => expectReady(screen.getByTestId('submit-paste'), 'Finish signing in'));
    expect(screen.getByRole('alert').textContent).toContain('Cannot reach the server');
  });

  it('Cancel shows a spinner, and the wait ends even when cancelling fails', async () => {
    startSignIn.mockResolvedValue({ method: 'window', authorizeUrl: 'https://g/authorize?x' });
    const answer = pending();
    cancelSignIn.mockReturnValue(answer.promise);
    render(SignInPanel, props);
    await fireEvent.click(screen.getByTestId('sign-in-window'));
    expectBusy(screen.getByTestId('sign-in-window'), 'Waiting for the sign-in window…');
    await fireEvent.click(await screen.findByTestId('cancel-sign-in'));
    expectBusy(screen.getByTestId('cancel-sign-in'), 'Cancelling…');
    answer.reject(networkError());
    await vi.waitFor(() => expectReady(screen.getByTestId('sign-in-window'), 'Sign in'));
    expect(screen.queryByTestId('cancel-sign-in')).toBeNull();
    expect(screen.getByRole('alert').textContent).toContain('Cannot reach the server');
  });
});

describe('SignInPanel with a code (device flow)', () => {
  const props = { profile: 'kc', redirectUri: 'latchkey://callback/kc', canUseBrowser: true, canUseCode: true, onSignedIn: () => {} };
  const code = {
    verificationUri: 'https://id.example.org/device', verificationUriComplete: 'https://id.example.org/device?user_code=WDJB-MJHT',
    userCode: 'WDJB-MJHT', expiresIn: 600,
  };
  beforeEach(() => {
    startDeviceSignIn.mockReset();
    cancelSignIn.mockReset().mockResolvedValue(undefined);
    finished = null;
  });

  it('is offered only where the server has the device flow', () => {
    render(SignInPanel, { ...props, canUseCode: false });
    expect(screen.queryByTestId('sign-in-code')).toBeNull();
  });

  it('shows the code large and copyable, where to type it, and waits with a Cancel', async () => {
    const answer = pending<typeof code>();
    startDeviceSignIn.mockReturnValue(answer.promise);
    render(SignInPanel, props);
    await fireEvent.click(screen.getByTestId('sign-in-code'));
    expectBusy(screen.getByTestId('sign-in-code'), 'Asking the server for a code…');
    answer.resolve(code);
    await vi.waitFor(() => expect(screen.getByTestId('device-code').textContent).toBe('WDJB-MJHT'));
    expect(startDeviceSignIn).toHaveBeenCalledWith('kc');
    const panel = screen.getByTestId('device-panel').textContent ?? '';
    expect(panel).toContain('id.example.org');
    expect(panel).toContain('10 minutes');
    expect(screen.getByRole('button', { name: /copy.*code/i })).toBeTruthy();
    await fireEvent.click(screen.getByTestId('cancel-sign-in'));
    await vi.waitFor(() => expect(cancelSignIn).toHaveBeenCalledWith('kc'));
    expect(screen.queryByTestId('device-panel')).toBeNull();
    // The stopped flow reports "cancelled" afterwards: no error for what the person asked for.
    finished?.({ profile: 'kc', ok: false, error: { code: 'cancelled', message: 'sign-in was cancelled', hint: null } });
    await Promise.resolve();
    expect(screen.queryByRole('alert')).toBeNull();
    expectReady(screen.getByTestId('sign-in-code'), 'Sign in with a code');
  });

  it('a code that expires, or a server that refuses, says so and offers the button again', async () => {
    startDeviceSignIn.mockResolvedValue(code);
    render(SignInPanel, props);
    await fireEvent.click(screen.getByTestId('sign-in-code'));
    await vi.waitFor(() => screen.getByTestId('device-code'));
    finished?.({
      profile: 'kc', ok: false,
      error: { code: 'cancelled', message: 'sign-in was cancelled: the code expired before it was approved', hint: null },
    });
    await vi.waitFor(() => expect(document.body.textContent).toMatch(/the code expired before it was approved/i));
    expect(screen.queryByTestId('device-panel')).toBeNull();
    startDeviceSignIn.mockRejectedValue(networkError());
    await fireEvent.click(screen.getByTestId('sign-in-code'));
    await vi.waitFor(() => expect(document.body.textContent).toMatch(/cannot reach the server/i));
    expectReady(screen.getByTestId('sign-in-code'), 'Sign in with a code');
  });
});

describe('SignInPanel Cancel while a sign-in is being started', () => {
  it('waits until the sign-in exists, so the Cancel is never lost', async () => {
    const answer = pending<{ method: 'window'; authorizeUrl: string }>();
    startSignIn.mockReset().mockReturnValue(answer.promise);
    cancelSignIn.mockReset().mockResolvedValue(undefined);
    render(SignInPanel, { profile: 'm', redirectUri: 'https://m/o/callback/', canUseBrowser: false, onSignedIn: () => {} });
    await fireEvent.click(screen.getByTestId('sign-in-window'));
    const cancel = screen.getByTestId('cancel-sign-in') as HTMLButtonElement;
    expect(cancel.disabled, 'no Cancel before the sign-in exists').toBe(true);
    answer.resolve({ method: 'window', authorizeUrl: 'https://m/o/authorize/?x' });
    await vi.waitFor(() => expect((screen.getByTestId('cancel-sign-in') as HTMLButtonElement).disabled).toBe(false));
  });
});

describe('SignInPanel after a cancelled sign-in', () => {
  it('never shows the address of the earlier sign-in while the next one starts', async () => {
    startSignIn.mockReset().mockResolvedValueOnce({ method: 'browser', authorizeUrl: 'https://m/o/authorize/?state=old' });
    cancelSignIn.mockReset().mockResolvedValue(undefined);
    render(SignInPanel, { profile: 'g', redirectUri: 'latchkey://callback/g', canUseBrowser: true, onSignedIn: () => {} });
    await fireEvent.click(screen.getByTestId('sign-in-browser'));
    await vi.waitFor(() => expect(screen.getByTestId('authorize-url').textContent).toContain('state=old'));
    await fireEvent.click(screen.getByTestId('cancel-sign-in'));
    await vi.waitFor(() => expect(cancelSignIn).toHaveBeenCalled());
    const next = pending<{ method: 'paste'; authorizeUrl: string }>();
    startSignIn.mockReturnValue(next.promise);
    await vi.waitFor(() => expect((screen.getByTestId('sign-in-paste') as HTMLButtonElement).disabled).toBe(false));
    await fireEvent.click(screen.getByTestId('sign-in-paste'));
    expect(screen.queryByTestId('authorize-url'), 'the old address is gone at once').toBeNull();
    next.resolve({ method: 'paste', authorizeUrl: 'https://m/o/authorize/?state=new' });
    await vi.waitFor(() => expect(screen.getByTestId('authorize-url').textContent).toContain('state=new'));
  });

  it("an error page in the sign-in window is said at once, for this profile's sign-in only", async () => {
    render(SignInPanel, { profile: 'm', redirectUri: 'latchkey://callback/m', canUseBrowser: true, onSignedIn: () => {} });
    pageError!({ profile: 'm', status: 400, host: 'agate.example.org' });
    await vi.waitFor(() => expect(screen.queryByTestId('sign-in-page-error')).toBeNull());
    await fireEvent.click(screen.getByTestId('sign-in-window'));
    pageError!({ profile: 'other', status: 400, host: 'agate.example.org' });
    await new Promise((r) => setTimeout(r, 10));
    expect(screen.queryByTestId('sign-in-page-error')).toBeNull();
    pageError!({ profile: 'm', status: 400, host: 'agate.example.org' });
    const said = (await screen.findByTestId('sign-in-page-error')).textContent ?? '';
    expect(said).toContain('HTTP 400 from agate.example.org');
    expect(said).toContain('latchkey://callback/m');
    await fireEvent.click(screen.getByTestId('cancel-sign-in'));
    await vi.waitFor(() => expect(screen.queryByTestId('sign-in-page-error')).toBeNull());
  });

  it("offers only the ways the lab's policy names, the first of them as the main button", async () => {
    const all = offered.ways;
    try {
      offered.ways = ['browser', 'code'];
      const { unmount } = render(SignInPanel, {
        profile: 'lab', redirectUri: 'http://127.0.0.1/callback', canUseBrowser: true, canUseCode: true, onSignedIn: () => {}, autoStart: true,
      });
      expect(screen.queryByTestId('sign-in-window')).toBeNull();
      expect(screen.queryByTestId('sign-in-paste')).toBeNull();
      expect(screen.getByTestId('sign-in-browser').classList.contains('primary')).toBe(true);
      expect(screen.getByTestId('sign-in-code').classList.contains('primary')).toBe(false);
      // The row's one-click Sign in takes the main way, not the window.
      expect(startSignIn).toHaveBeenCalledWith('lab', 'browser');
      unmount();

      // No way left for this server: said, not an empty row of buttons.
      offered.ways = ['browser'];
      render(SignInPanel, { profile: 'lab', redirectUri: 'https://m/o/callback/', canUseBrowser: false, onSignedIn: () => {} });
      expect(screen.getByTestId('no-way-offered').textContent).toContain('Your organisation allows only ways to sign in');
      expect(screen.queryByTestId('no-browser')).not.toBeNull();
    } finally {
      offered.ways = all;
    }
  });
});
