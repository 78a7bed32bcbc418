import { describe, it, expect, vi, beforeEach, afterEach } from 'vitest';
import { render, screen, fireEvent } from '@testing-library/svelte';

const startSignIn = vi.fn();
const cancelSignIn = vi.fn();
vi.mock('../lib/ipc', async (importOriginal) => {
  const real = await importOriginal<typeof import('../lib/ipc')>();
  return {
    ...real,
    startSignIn: (...a: unknown[]) => startSignIn(...a),
    cancelSignIn: (...a: unknown[]) => cancelSignIn(...a),
    onSignInFinished: () => Promise.resolve(() => {}),
  };
});

import SignInPanel from './SignInPanel.svelte';

describe('SignInPanel', () => {
  beforeEach(() => {
    startSignIn.mockReset().mockResolvedValue({ method: 'window', authorizeUrl: 'https://m/o/authorize/?x' });
    cancelSignIn.mockReset().mockResolvedValue(undefined);
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
