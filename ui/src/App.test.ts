import { describe, it, expect, vi } from 'vitest';
import { render, screen } from '@testing-library/svelte';
import type { ProfileView } from './lib/ipc';
import { pending } from './lib/testing';

const answers: ReturnType<typeof pending<ProfileView[]>>[] = [];
let changed: (() => void) | null = null;
const addProfile = vi.fn();
let presets: unknown[] = [];
let addOffer: unknown = null;
vi.mock('./lib/ipc', async (importOriginal) => {
  const real = await importOriginal<typeof import('./lib/ipc')>();
  return {
    ...real,
    appStatus: () => Promise.resolve({ version: '0', degraded: [], linkWarnings: [], addOffer, signInWays: ['window', 'browser', 'paste', 'code'] }),
    onAddServerLink: () => Promise.resolve(() => {}),
    uiReady: () => Promise.resolve(),
    onDeepLinkWarning: () => Promise.resolve(() => {}),
    onProfilesChanged: (f: () => void) => {
      changed = f;
      return Promise.resolve(() => {});
    },
    listPresets: () => Promise.resolve(presets),
    addProfile: (...a: unknown[]) => addProfile(...a),
    previewProfile: () => new Promise(() => {}),
    listProfiles: () => {
      const answer = pending<ProfileView[]>();
      answers.push(answer);
      return answer.promise;
    },
  };
});

import App from './App.svelte';

const row = (text: string): ProfileView => ({
  name: 'lab', preset: 'generic', server: 'id.example.org (generic)', clientId: 'c', account: null, accountChangedFrom: null, scopes: [], requestedScopes: [],
  tasks: [], status: 'signed-out', expiresAt: null, hasRefreshToken: false, renewsSilently: false, fixClient: null, mayDo: null, reason: null, lastError: null,
  redirectUri: 'latchkey://callback/lab', redirectMode: 'window', dynamicallyRegistered: true, ocarinaSync: null, testUrl: null,
  lastErrorCode: null, canUseBrowser: true, canUseCode: false, badge: { tone: 'idle', icon: '○', text }, freshness: null, renewal: '',
});

describe('App', () => {
  it('shows the newest list when two reloads overlap and the older answers last', async () => {
    render(App);
    answers[0].resolve([]);
    await vi.waitFor(() => expect(changed).not.toBeNull());
    changed!(); // the store changed (a profile added) …
    changed!(); // … and again (it was registered)
    answers[2].resolve([row('Not signed in')]);
    answers[1].resolve([row('Not set up yet')]);
    await vi.waitFor(() => expect(screen.getByTestId('status').textContent).toContain('Not signed in'));
    await new Promise((r) => setTimeout(r, 20));
    expect(screen.getByTestId('status').textContent).toContain('Not signed in');
  });

  it('on a first start with one lab server and its client, adds it and opens on Sign in', async () => {
    answers.length = 0;
    const lab = { id: 'our-lab', kind: 'generic', title: 'Our lab', description: '', address: 'https://a/', fromLab: true, hasClient: true };
    const builtIn = { id: 'generic', kind: 'generic', title: 'Other', description: '', address: null, fromLab: false, hasClient: false };
    presets = [lab, builtIn];
    addProfile.mockReset();
    addProfile.mockResolvedValue({});
    render(App);
    answers[0].resolve([]);
    await vi.waitFor(() => expect(addProfile).toHaveBeenCalledWith({ name: 'our-lab', server: { preset: 'generic' }, labServer: 'our-lab' }));
    await vi.waitFor(() => expect(screen.getByText('Opening our-lab…')).toBeTruthy());
  });

  it('adds nothing when the lab offers two servers, or one without its client', async () => {
    for (const offered of [
      [{ id: 'a', kind: 'generic', fromLab: true, hasClient: true }, { id: 'b', kind: 'generic', fromLab: true, hasClient: true }],
      [{ id: 'a', kind: 'generic', fromLab: true, hasClient: false }],
    ]) {
      answers.length = 0;
      presets = offered;
      addProfile.mockReset();
      const { unmount } = render(App);
      answers[0].resolve([]);
      await new Promise((r) => setTimeout(r, 20));
      expect(addProfile).not.toHaveBeenCalled();
      unmount();
    }
  });

  it('a link that opened the app asks first: its page, and no lab server added behind it', async () => {
    answers.length = 0;
    presets = [{ id: 'our-lab', kind: 'generic', title: 'Our lab', description: '', address: 'https://a/', fromLab: true, hasClient: true }];
    addOffer = {
      link: 'latchkey://add?x', name: 'other', title: 'Other lab', about: null, kind: 'generic', kindTitle: 'Other',
      address: 'https://other.example.org/', host: 'other.example.org', mayDo: 'May say who you are.', hasClient: true,
    };
    addProfile.mockReset();
    render(App);
    answers[0].resolve([]);
    await vi.waitFor(() => expect(screen.getByTestId('add-link')).toBeTruthy());
    await new Promise((r) => setTimeout(r, 20));
    expect(addProfile).not.toHaveBeenCalled();
    addOffer = null;
  });

  it('adds the lab server on a first start once: removed later, it is not added again', async () => {
    window.localStorage.clear();
    presets = [{ id: 'our-lab', kind: 'generic', title: 'Our lab', description: '', address: 'https://a/', fromLab: true, hasClient: true }];
    for (const expected of [1, 0]) {
      answers.length = 0;
      addProfile.mockReset();
      addProfile.mockResolvedValue({});
      const { unmount } = render(App);
      answers[0].resolve([]);
      await new Promise((r) => setTimeout(r, 20));
      expect(addProfile).toHaveBeenCalledTimes(expected);
      unmount();
    }
  });
});
