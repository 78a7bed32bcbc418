import { describe, it, expect, vi, beforeEach } from 'vitest';
import { render, screen, fireEvent } from '@testing-library/svelte';

const registerClient = vi.fn();
const setClient = vi.fn();
const checkCredentials = vi.fn();
vi.mock('../lib/ipc', async (importOriginal) => {
  const real = await importOriginal<typeof import('../lib/ipc')>();
  return {
    ...real,
    registerClient: (...a: unknown[]) => registerClient(...a),
    setClient: (...a: unknown[]) => setClient(...a),
    checkCredentials: (n: string) => checkCredentials(n),
    copyText: vi.fn(),
  };
});

import RegisterStep from './RegisterStep.svelte';
import { Wizard } from '../lib/wizard.svelte';

function wizard(dynamic: boolean) {
  const w = new Wizard('register', 'mt');
  w.preview = {
    issuer: 'https://m/', authorizeUrl: 'https://m/o/authorize/', tokenUrl: 'https://m/o/token/', revokeUrl: null,
    dynamicRegistration: dynamic, manualRegistrationUrl: 'https://m/o/applications/register/', redirectUri: 'https://m/o/callback/',
    defaultScopes: [], tasks: [], renewal: 'refresh-token', testUrl: null, canUseBrowser: false,
  };
  return w;
}

describe('RegisterStep', () => {
  beforeEach(() => {
    registerClient.mockReset();
    setClient.mockReset();
    checkCredentials.mockReset();
  });

  it('shows the checklist with copy buttons and says which credentials are wrong', async () => {
    registerClient.mockResolvedValue({
      outcome: 'manual', registrationPage: 'https://m/o/applications/register/',
      fields: [{ label: 'Client type', value: 'Confidential' }, { label: 'Redirect URIs', value: 'https://m/o/callback/' }],
    });
    checkCredentials.mockResolvedValueOnce('rejected').mockResolvedValueOnce('accepted');
    const w = wizard(false);
    render(RegisterStep, { wizard: w });
    expect(await screen.findByText('Confidential')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Copy Redirect URIs' })).toBeTruthy();
    await fireEvent.input(screen.getByTestId('client-id'), { target: { value: 'id1' } });
    await fireEvent.input(screen.getByTestId('client-secret'), { target: { value: 'sec' } });
    await fireEvent.click(screen.getByTestId('check'));
    expect((await screen.findByTestId('verdict')).textContent).toContain('does not accept');
    expect((screen.getByTestId('next') as HTMLButtonElement).disabled).toBe(true);
    await fireEvent.click(screen.getByTestId('check'));
    await vi.waitFor(() => expect(screen.getByTestId('verdict').textContent).toContain('knows this client'));
    expect(setClient).toHaveBeenCalledWith('mt', 'id1', 'sec');
    await fireEvent.click(screen.getByTestId('next'));
    expect(w.step).toBe('scopes');
  });

  it('registers with one button where the server allows it', async () => {
    registerClient.mockResolvedValue({ outcome: 'registered', clientId: 'x' });
    const w = wizard(true);
    render(RegisterStep, { wizard: w });
    await fireEvent.click(screen.getByTestId('register-now'));
    await vi.waitFor(() => expect(w.step).toBe('scopes'));
    expect(registerClient).toHaveBeenCalledTimes(1);
  });

  it('asks for an initial access token once the server says it needs one', async () => {
    registerClient
      .mockRejectedValueOnce({ code: 'registration-refused', message: 'the server allows registration only with an initial access token from its administrator', hint: 'Ask for one and paste it below.' })
      .mockResolvedValueOnce({ outcome: 'registered', clientId: 'x' });
    const w = wizard(true);
    render(RegisterStep, { wizard: w });
    expect(screen.queryByTestId('initial-access-token')).toBeNull();
    await fireEvent.click(screen.getByTestId('register-now'));
    expect((await screen.findByRole('alert')).textContent).toContain('initial access token');
    const button = screen.getByTestId('register-now') as HTMLButtonElement;
    expect(button.disabled).toBe(true);
    await fireEvent.input(screen.getByTestId('initial-access-token'), { target: { value: ' iat-1 ' } });
    expect(button.disabled).toBe(false);
    await fireEvent.click(button);
    await vi.waitFor(() => expect(w.step).toBe('scopes'));
    expect(registerClient).toHaveBeenLastCalledWith('mt', ' iat-1 ');
  });
});
