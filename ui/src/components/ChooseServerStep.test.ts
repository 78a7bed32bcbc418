import { describe, it, expect, vi, beforeEach } from 'vitest';
import { render, screen, fireEvent } from '@testing-library/svelte';

const addProfile = vi.fn();
const previewServer = vi.fn();
const previewProfile = vi.fn();
vi.mock('../lib/ipc', async (importOriginal) => {
  const real = await importOriginal<typeof import('../lib/ipc')>();
  return {
    ...real,
    listPresets: () =>
      Promise.resolve([
        { id: 'our-lab', kind: 'generic', title: "Our lab's server", description: 'Sign in with your lab account.', address: 'https://auth.lab/', fromLab: true, hasClient: true },
        { id: 'majora-test', kind: 'majora-test', title: 'COG-UK Majora (test)', description: 'Try things here first.', address: 'https://t/', fromLab: false, hasClient: false },
        { id: 'agate', kind: 'agate', title: 'OBiBa Agate', description: 'Its address.', address: null, fromLab: false, hasClient: false },
        { id: 'generic', kind: 'generic', title: 'Other server', description: 'Its issuer URL.', address: null, fromLab: false, hasClient: false },
      ]),
    addProfile: (...a: unknown[]) => addProfile(...a),
    previewServer: (...a: unknown[]) => previewServer(...a),
    previewProfile: (...a: unknown[]) => previewProfile(...a),
  };
});

import ChooseServerStep from './ChooseServerStep.svelte';
import { Wizard } from '../lib/wizard.svelte';
import { expectBusy, expectReady, networkError, pending } from '../lib/testing';

const preview = {
  issuer: 'https://t/', authorizeUrl: 'https://t/o/authorize/', tokenUrl: 'https://t/o/token/', revokeUrl: null,
  dynamicRegistration: true, manualRegistrationUrl: null, redirectUri: 'https://t/o/callback/',
  defaultScopes: [], tasks: [], renewal: 'refresh-token', testUrl: null, canUseBrowser: false, canUseCode: false,
};

describe('ChooseServerStep while the backend works', () => {
  beforeEach(() => {
    addProfile.mockReset();
    previewServer.mockReset();
  });

  it('Look up shows a spinner and waits, then is back with the error', async () => {
    const answer = pending();
    previewServer.mockReturnValue(answer.promise);
    render(ChooseServerStep, { wizard: new Wizard(), existing: [], onCancel: () => {} });
    await fireEvent.click(await screen.findByTestId('server-generic'));
    await fireEvent.input(screen.getByTestId('issuer'), { target: { value: 'id.example.org' } });
    await fireEvent.click(screen.getByTestId('look-up'));
    expectBusy(screen.getByTestId('look-up'), 'Looking up…');
    expect((screen.getByTestId('next') as HTMLButtonElement).disabled).toBe(true);
    answer.reject(networkError());
    await vi.waitFor(() => expectReady(screen.getByTestId('look-up'), 'Look up'));
    expect(screen.getByRole('alert').textContent).toContain('Cannot reach the server');
  });

  it('Next shows a spinner while the profile is added, then is back with the error', async () => {
    previewServer.mockResolvedValue(preview);
    const added = pending();
    addProfile.mockReturnValue(added.promise);
    const wizard = new Wizard();
    render(ChooseServerStep, { wizard, existing: [], onCancel: () => {} });
    await fireEvent.click(await screen.findByTestId('server-majora-test'));
    await fireEvent.click(screen.getByTestId('next'));
    await vi.waitFor(() => expect(addProfile).toHaveBeenCalledTimes(1));
    expectBusy(screen.getByTestId('next'), 'Checking the server…');
    added.reject(networkError());
    await vi.waitFor(() => expectReady(screen.getByTestId('next'), 'Next'));
    expect(screen.getByRole('alert').textContent).toContain('Cannot reach the server');
    expect(wizard.step).toBe('server');
  });
});

describe('ChooseServerStep, Advanced: server address', () => {
  it('opened, its field is scrolled into view and has the focus', async () => {
    const scrolled = vi.fn();
    Element.prototype.scrollIntoView = scrolled;
    render(ChooseServerStep, { wizard: new Wizard(), existing: [], onCancel: () => {} });
    await fireEvent.click(await screen.findByTestId('server-majora-test'));
    const details = screen.getByText('Advanced: server address').closest('details')!;
    details.open = true;
    await fireEvent(details, new Event('toggle'));
    const field = screen.getByTestId('server-address');
    expect(document.activeElement).toBe(field);
    expect(scrolled).toHaveBeenCalled();
  });
});

describe('ChooseServerStep, the way back to Latchkey', () => {
  it('names the local address each server is given: a free port on Agate, /callback elsewhere', async () => {
    render(ChooseServerStep, { wizard: new Wizard(), existing: [], onCancel: () => {} });
    await fireEvent.click(await screen.findByTestId('server-agate'));
    const agate = screen.getByTestId('redirect-loopback').textContent!;
    expect(agate).toContain('http://127.0.0.1 and a free port');
    expect(agate).not.toContain('/callback');
    await fireEvent.click(screen.getByTestId('server-generic'));
    expect(screen.getByTestId('redirect-loopback').textContent).toContain('(http://127.0.0.1/callback)');
  });
});

describe('ChooseServerStep, a server the lab provides', () => {
  it('is offered first, asks only for a name, and with its client goes straight to Sign in', async () => {
    addProfile.mockReset();
    addProfile.mockResolvedValue({});
    previewProfile.mockResolvedValue(preview);
    const wizard = new Wizard();
    render(ChooseServerStep, { wizard, existing: [], onCancel: () => {} });
    const cards = await screen.findAllByRole('radio');
    expect(cards[0].getAttribute('data-testid')).toBe('server-our-lab');
    await fireEvent.click(cards[0]);
    expect(screen.getByTestId('lab-server-address').textContent).toBe('Set up by your lab: https://auth.lab/');
    expect(screen.queryByTestId('issuer')).toBeNull();
    expect(screen.queryByTestId('redirect-kind')).toBeNull();
    expect((screen.getByTestId('profile-name') as HTMLInputElement).value).toBe('our-lab');
    await fireEvent.click(screen.getByTestId('next'));
    await vi.waitFor(() => expect(wizard.step).toBe('sign-in'));
    expect(addProfile).toHaveBeenCalledWith({ name: 'our-lab', server: { preset: 'generic' }, labServer: 'our-lab' });
    expect(wizard.profile).toBe('our-lab');
  });
});
