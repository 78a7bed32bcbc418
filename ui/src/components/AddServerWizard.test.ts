import { describe, it, expect, vi, beforeEach } from 'vitest';
import { render, screen, fireEvent } from '@testing-library/svelte';

const addProfile = vi.fn();
const previewServer = vi.fn();
vi.mock('../lib/ipc', async (importOriginal) => {
  const real = await importOriginal<typeof import('../lib/ipc')>();
  return {
    ...real,
    listPresets: () =>
      Promise.resolve([
        { id: 'majora-test', title: 'COG-UK Majora (test)', description: 'Try things here first.', address: 'https://t/' },
        { id: 'generic', title: 'Other server', description: 'Its issuer URL.', address: null },
      ]),
    addProfile: (...a: unknown[]) => addProfile(...a),
    previewServer: (...a: unknown[]) => previewServer(...a),
  };
});

import AddServerWizard from './AddServerWizard.svelte';

describe('AddServerWizard from the keyboard', () => {
  beforeEach(() => {
    addProfile.mockReset();
    previewServer.mockReset();
    previewServer.mockResolvedValue({
      issuer: 'https://t/', authorizeUrl: 'https://t/o/authorize/', tokenUrl: 'https://t/o/token/', revokeUrl: null,
      dynamicRegistration: true, manualRegistrationUrl: null, redirectUri: 'https://t/o/callback/',
      defaultScopes: [], tasks: [], renewal: 'refresh-token', testUrl: null, canUseBrowser: false,
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
});
