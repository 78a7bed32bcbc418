import { describe, it, expect, vi } from 'vitest';
import { render, screen, fireEvent } from '@testing-library/svelte';

const setScopes = vi.fn();
vi.mock('../lib/ipc', async (importOriginal) => {
  const real = await importOriginal<typeof import('../lib/ipc')>();
  return { ...real, setScopes: (...a: unknown[]) => setScopes(...a) };
});

import ScopesStep from './ScopesStep.svelte';
import { Wizard } from '../lib/wizard.svelte';
import { expectBusy, expectReady, networkError, pending } from '../lib/testing';

describe('ScopesStep', () => {
  it('Next shows a spinner while the scopes are saved, then is back with the error', async () => {
    const answer = pending();
    setScopes.mockReturnValue(answer.promise);
    const w = new Wizard('scopes', 'g');
    w.preview = {
      mayDo: null, issuer: 'https://g/', authorizeUrl: 'https://g/authorize', tokenUrl: 'https://g/token', revokeUrl: null,
      dynamicRegistration: false, manualRegistrationUrl: null, redirectUri: 'latchkey://callback/g',
      defaultScopes: [{ scope: 'openid', explanation: 'Who you are' }], tasks: [], renewal: 'refresh-token', testUrl: null, canUseBrowser: true, canUseCode: false,
    };
    render(ScopesStep, { wizard: w });
    await fireEvent.click(screen.getByTestId('next'));
    expect(setScopes).toHaveBeenCalledWith('g', ['openid']);
    expectBusy(screen.getByTestId('next'), 'Saving…');
    answer.reject(networkError());
    await vi.waitFor(() => expectReady(screen.getByTestId('next'), 'Next'));
    expect(screen.getByRole('alert').textContent).toContain('Cannot reach the server');
    expect(w.step).toBe('scopes');
  });
});
