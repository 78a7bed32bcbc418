import { describe, it, expect, vi } from 'vitest';
import { render, screen, fireEvent } from '@testing-library/svelte';

const diagnostics = vi.fn();
const setTokenFileProfile = vi.fn();
const free = { renewAt: false, startAtLogin: false, signInWays: ['window', 'browser', 'paste', 'code'], why: null };
let settings: unknown = {
  startAtLogin: false, renewAtPercent: 75, configDir: '/home/a/.config/latchkey', logDir: '/home/a/.local/state/latchkey', fixed: free, policyProblem: null,
  tokenFile: '/run/user/1000/bt_u1000', tokenFileProfile: null,
};
vi.mock('../lib/ipc', async (importOriginal) => {
  const real = await importOriginal<typeof import('../lib/ipc')>();
  return {
    ...real,
    getSettings: () => Promise.resolve(settings),
    listProfiles: () => Promise.resolve([{ name: 'lab' }, { name: 'cog' }]),
    setTokenFileProfile: (...a: unknown[]) => setTokenFileProfile(...a),
    diagnostics: () => diagnostics(),
    copyText: vi.fn(),
  };
});

import SettingsPage from './SettingsPage.svelte';
import { expectBusy, expectReady, networkError, pending } from '../lib/testing';

describe('SettingsPage', () => {
  it('Copy diagnostics shows a spinner while they are gathered, then is back with the error', async () => {
    const answer = pending<string>();
    diagnostics.mockReturnValue(answer.promise);
    render(SettingsPage);
    await fireEvent.click(await screen.findByTestId('copy-diagnostics'));
    expectBusy(screen.getByTestId('copy-diagnostics'), 'Gathering diagnostics…');
    answer.reject(networkError());
    await vi.waitFor(() => expectReady(screen.getByTestId('copy-diagnostics'), 'Copy diagnostics'));
    expect(screen.getByRole('alert').textContent).toContain('Cannot reach the server');
  });

  it("a setting the lab fixes is shown disabled, with why; the others stay the person's", async () => {
    const why = 'Set by your organisation (/etc/latchkey/policy.toml). Ask it-help@lab.example.org.';
    settings = {
      startAtLogin: true, renewAtPercent: 60, configDir: '/c', logDir: '/l', policyProblem: null, tokenFile: null, tokenFileProfile: null,
      fixed: { ...free, renewAt: true, why },
    };
    render(SettingsPage);
    const renewAt = (await screen.findByTestId('renew-at')) as HTMLInputElement;
    expect(renewAt.disabled).toBe(true);
    expect(renewAt.value).toBe('60');
    expect(screen.getByTestId('renew-at-fixed').textContent).toBe(why);
    expect(renewAt.getAttribute('aria-describedby')).toBe('renew-at-why');
    expect((screen.getByTestId('start-at-login') as HTMLInputElement).disabled).toBe(false);
    expect(screen.queryByTestId('start-at-login-fixed')).toBeNull();
  });

  it('a policy file that cannot be applied is said', async () => {
    settings = { startAtLogin: false, renewAtPercent: 75, configDir: '/c', logDir: '/l', fixed: free, policyProblem: "Your organisation's settings are not applied: …", tokenFile: null, tokenFileProfile: null };
    render(SettingsPage);
    expect((await screen.findByTestId('policy-problem')).textContent).toContain('not applied');
  });

  it('keeps a token file for tools for the server chosen, and says where', async () => {
    settings = {
      startAtLogin: false, renewAtPercent: 75, configDir: '/c', logDir: '/l', fixed: free, policyProblem: null,
      tokenFile: '/run/user/1000/bt_u1000', tokenFileProfile: null,
    };
    setTokenFileProfile.mockReset().mockImplementation(async (p: string | null) => {
      settings = { ...(settings as object), tokenFileProfile: p };
    });
    render(SettingsPage);
    const box = (await screen.findByTestId('token-file')) as HTMLInputElement;
    await vi.waitFor(() => expect(box.disabled).toBe(false));
    await fireEvent.click(box);
    expect(setTokenFileProfile).toHaveBeenCalledWith('lab');
    await vi.waitFor(() => expect(screen.getByTestId('token-file-path').textContent).toContain('/run/user/1000/bt_u1000'));
    await fireEvent.change(screen.getByTestId('token-file-profile'), { target: { value: 'cog' } });
    expect(setTokenFileProfile).toHaveBeenLastCalledWith('cog');
  });
});
