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
        { id: 'majora-test', kind: 'majora-test', title: 'COG-UK Majora (test)', description: 'Try things here first.', address: 'https://t/', fromLab: false, hasClient: false },
        { id: 'generic', kind: 'generic', title: 'Other server', description: 'Its issuer URL.', address: null, fromLab: false, hasClient: false },
      ]),
    addProfile: (...a: unknown[]) => addProfile(...a),
    previewServer: (...a: unknown[]) => previewServer(...a),
    previewProfile: (...a: unknown[]) => previewProfile(...a),
  };
});

import AddServerWizard from './AddServerWizard.svelte';
import { networkError, pending } from '../lib/testing';

describe('AddServerWizard from the keyboard', () => {
  beforeEach(() => {
    addProfile.mockReset();
    previewServer.mockReset();
    previewServer.mockResolvedValue({
      issuer: 'https://t/', authorizeUrl: 'https://t/o/authorize/', tokenUrl: 'https://t/o/token/', revokeUrl: null,
      dynamicRegistration: true, manualRegistrationUrl: null, redirectUri: 'https://t/o/callback/',
      defaultScopes: [], tasks: [], renewal: 'refresh-token', testUrl: null, canUseBrowser: false, canUseCode: false,
    });
    addProfile.mockResolvedValue({});
  });

  it('offers the engine presets in their order, goes on with Enter and lands on the heading', async () => {
    render(AddServerWizard, { existing: [], onClose: () => {} });
    const first = await screen.findByTestId('server-majora-test');
    expect(screen.getAllByRole('radio').map((r) => (r as HTMLInputElement).value)).toEqual(['majora-test', 'generic']);
    await fireEvent.click(first);
    await fireEvent.keyDown(screen.getByTestId('profile-name'), { key: 'Enter' });
    await vi.waitFor(() => expect(addProfile).toHaveBeenCalledTimes(1));
    await vi.waitFor(() => expect(screen.getByRole('heading', { level: 2 }).textContent).toBe('Register the application'));
    expect(document.activeElement).toBe(screen.getByRole('heading', { level: 2 }));
  });

  it('Escape cancels; Enter in a field with nothing to do does nothing', async () => {
    const onClose = vi.fn();
    render(AddServerWizard, { existing: [], onClose });
    await fireEvent.click(await screen.findByTestId('server-generic'));
    // The issuer is empty, so neither Look up nor Next can run.
    await fireEvent.input(screen.getByTestId('profile-name'), { target: { value: '' } });
    await fireEvent.keyDown(screen.getByTestId('issuer'), { key: 'Enter' });
    expect(previewServer).not.toHaveBeenCalled();
    expect(addProfile).not.toHaveBeenCalled();
    await fireEvent.keyDown(screen.getByTestId('issuer'), { key: 'Escape' });
    expect(onClose).toHaveBeenCalledTimes(1);
  });

  it('Escape leaves from a later step too, wherever focus is (after a click: on nothing)', async () => {
    const onClose = vi.fn();
    render(AddServerWizard, { existing: [], onClose });
    await fireEvent.click(await screen.findByTestId('server-majora-test'));
    await fireEvent.click(screen.getByTestId('next'));
    await vi.waitFor(() => expect(screen.getByRole('heading', { level: 2 }).textContent).toBe('Register the application'));
    (document.activeElement as HTMLElement | null)?.blur();
    expect(document.activeElement).toBe(document.body);
    await fireEvent.keyDown(document.body, { key: 'Escape' });
    expect(onClose).toHaveBeenCalledTimes(1);
  });
});

describe('AddServerWizard resuming a profile', () => {
  const found = {
    issuer: 'https://t/', authorizeUrl: 'https://t/o/authorize/', tokenUrl: 'https://t/o/token/', revokeUrl: null,
    dynamicRegistration: true, manualRegistrationUrl: null, redirectUri: 'https://t/o/callback/',
    defaultScopes: [], tasks: [], renewal: 'refresh-token', testUrl: null, canUseBrowser: false, canUseCode: false,
  };
  beforeEach(() => {
    previewProfile.mockReset();
  });

  it('says it is opening the profile, and when that fails says why and offers the way back', async () => {
    const answer = pending();
    previewProfile.mockReturnValue(answer.promise);
    const onClose = vi.fn();
    render(AddServerWizard, { existing: ['half'], onClose, resume: 'half' });
    const opening = screen.getByRole('status');
    expect(opening.textContent).toContain('Opening half…');
    expect(opening.querySelector('.spinner')).not.toBeNull();
    answer.reject(networkError());
    await vi.waitFor(() => expect(screen.getByRole('alert').textContent).toContain('Cannot reach the server'));
    expect(screen.queryByText('Opening half…')).toBeNull();
    expect(document.querySelector('.spinner')).toBeNull();
    await fireEvent.click(screen.getByTestId('back-to-list'));
    expect(onClose).toHaveBeenCalledTimes(1);
  });

  it("puts Finish later in the step's action bar, beside the step's own action", async () => {
    previewProfile.mockResolvedValue(found);
    const onClose = vi.fn();
    render(AddServerWizard, { existing: ['half'], onClose, resume: 'half' });
    const step = await screen.findByTestId('wizard-step-register');
    const bar = step.querySelector('[data-testid=wizard-actions]')!;
    expect(bar.querySelector('[data-testid=register-now]')).not.toBeNull();
    await fireEvent.click(bar.querySelector<HTMLButtonElement>('[data-testid=finish-later]')!);
    expect(onClose).toHaveBeenCalledTimes(1);
  });
});
