import { describe, it, expect, vi, beforeEach } from 'vitest';
import { render, screen, fireEvent } from '@testing-library/svelte';

const registerClient = vi.fn();
const setClient = vi.fn();
const checkCredentials = vi.fn();
const openRegistrationPage = vi.fn();
vi.mock('../lib/ipc', async (importOriginal) => {
  const real = await importOriginal<typeof import('../lib/ipc')>();
  return {
    ...real,
    registerClient: (...a: unknown[]) => registerClient(...a),
    setClient: (...a: unknown[]) => setClient(...a),
    checkCredentials: (n: string) => checkCredentials(n),
    openRegistrationPage: (n: string) => openRegistrationPage(n),
    copyText: vi.fn(),
  };
});

import RegisterStep from './RegisterStep.svelte';
import { Wizard } from '../lib/wizard.svelte';
import { expectBusy, expectReady, networkError, pending } from '../lib/testing';

function wizard(dynamic: boolean) {
  const w = new Wizard('register', 'mt');
  w.preview = {
    mayDo: null, issuer: 'https://m/', authorizeUrl: 'https://m/o/authorize/', tokenUrl: 'https://m/o/token/', revokeUrl: null,
    dynamicRegistration: dynamic, manualRegistrationUrl: 'https://m/o/applications/register/', redirectUri: 'https://m/o/callback/',
    defaultScopes: [], tasks: [], renewal: 'refresh-token', testUrl: null, canUseBrowser: false, canUseCode: false,
  };
  return w;
}

describe('RegisterStep', () => {
  beforeEach(() => {
    registerClient.mockReset();
    setClient.mockReset();
    checkCredentials.mockReset();
    openRegistrationPage.mockReset();
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

  it('recognises the stored hash Django lists instead of the secret, and sends nothing', async () => {
    registerClient.mockResolvedValue({ outcome: 'manual', registrationPage: null, fields: [{ label: 'Client type', value: 'Confidential' }] });
    render(RegisterStep, { wizard: wizard(false) });
    await screen.findByText('Confidential');
    await fireEvent.input(screen.getByTestId('client-id'), { target: { value: 'id1' } });
    await fireEvent.input(screen.getByTestId('client-secret'), { target: { value: 'pbkdf2_sha256$260000$salt$hash=' } });
    await fireEvent.click(screen.getByTestId('check'));
    expect((await screen.findByTestId('verdict')).textContent).toContain('stored hash of the secret');
    expect(setClient).not.toHaveBeenCalled();
    expect(checkCredentials).not.toHaveBeenCalled();
    expect((screen.getByTestId('next') as HTMLButtonElement).disabled).toBe(true);
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

describe('RegisterStep while the backend works', () => {
  const manual = {
    outcome: 'manual', registrationPage: 'https://m/o/applications/register/',
    fields: [{ label: 'Client type', value: 'Confidential' }],
  };
  beforeEach(() => {
    registerClient.mockReset();
    setClient.mockReset();
    checkCredentials.mockReset();
    openRegistrationPage.mockReset();
  });

  it('Register shows a spinner while registering, then is back with the error', async () => {
    const answer = pending();
    registerClient.mockReturnValue(answer.promise);
    const w = wizard(true);
    render(RegisterStep, { wizard: w });
    await fireEvent.click(screen.getByTestId('register-now'));
    expectBusy(screen.getByTestId('register-now'), 'Registering…');
    answer.reject(networkError());
    await vi.waitFor(() => expectReady(screen.getByTestId('register-now'), 'Register Latchkey with this server'));
    expect(screen.getByRole('alert').textContent).toContain('Cannot reach the server');
    expect(w.step).toBe('register');
  });

  it('Check shows a spinner while the credentials are checked, then is back with the error', async () => {
    registerClient.mockResolvedValue(manual);
    setClient.mockResolvedValue(undefined);
    const answer = pending<'accepted' | 'rejected'>();
    checkCredentials.mockReturnValue(answer.promise);
    render(RegisterStep, { wizard: wizard(false) });
    await screen.findByText('Confidential');
    await fireEvent.input(screen.getByTestId('client-id'), { target: { value: 'id1' } });
    await fireEvent.input(screen.getByTestId('client-secret'), { target: { value: 'sec' } });
    await fireEvent.click(screen.getByTestId('check'));
    await vi.waitFor(() => expect(checkCredentials).toHaveBeenCalledTimes(1));
    expectBusy(screen.getByTestId('check'), 'Checking…');
    expect((screen.getByTestId('next') as HTMLButtonElement).disabled).toBe(true);
    answer.reject(networkError());
    await vi.waitFor(() => expectReady(screen.getByTestId('check'), 'Check'));
    expect(screen.getByRole('alert').textContent).toContain('Cannot reach the server');
  });

  it('Open the registration page shows a spinner until the browser opens, then is back with the error', async () => {
    registerClient.mockResolvedValue(manual);
    const answer = pending();
    openRegistrationPage.mockReturnValue(answer.promise);
    render(RegisterStep, { wizard: wizard(false) });
    await fireEvent.click(await screen.findByTestId('open-registration'));
    expectBusy(screen.getByTestId('open-registration'), 'Opening…');
    answer.reject(networkError());
    await vi.waitFor(() => expectReady(screen.getByTestId('open-registration'), 'Open the registration page'));
    expect(screen.getByRole('alert').textContent).toContain('Cannot reach the server');
  });

  it('says it is asking the server what to enter, and stops when that fails', async () => {
    const answer = pending();
    registerClient.mockReturnValue(answer.promise);
    render(RegisterStep, { wizard: wizard(false) });
    const loading = await screen.findByTestId('register-loading');
    expect(loading.querySelector('.spinner')).not.toBeNull();
    expect((screen.getByTestId('check') as HTMLButtonElement).disabled).toBe(true);
    answer.reject(networkError());
    await vi.waitFor(() => expect(screen.queryByTestId('register-loading')).toBeNull());
    expect(screen.getByRole('alert').textContent).toContain('Cannot reach the server');
  });
});
