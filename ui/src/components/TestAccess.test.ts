import { describe, it, expect, vi, beforeEach } from 'vitest';
import { render, screen, fireEvent } from '@testing-library/svelte';

const testAccess = vi.fn();
const checkIdentity = vi.fn();
vi.mock('../lib/ipc', async (importOriginal) => {
  const real = await importOriginal<typeof import('../lib/ipc')>();
  return { ...real, testAccess: (...a: unknown[]) => testAccess(...a), checkIdentity: (...a: unknown[]) => checkIdentity(...a) };
});

import TestAccess from './TestAccess.svelte';
import { IpcError } from '../lib/ipc';
import { expectBusy, expectReady, networkError, pending } from '../lib/testing';

describe('TestAccess', () => {
  beforeEach(() => {
    testAccess.mockReset();
    checkIdentity.mockReset();
    window.localStorage.clear();
  });

  it('Check my access says in a sentence whom the server knows, the raw answer under Details', async () => {
    checkIdentity.mockResolvedValue({
      account: 'labuser', active: true, asked: 'https://m/o/introspect/',
      answer: { status: 200, contentType: 'application/json', body: '{"active": true, "username": "labuser"}' },
    });
    render(TestAccess, { profile: 'm', defaultUrl: '', serverName: 'Majora' });
    await fireEvent.click(screen.getByTestId('check-identity'));
    await vi.waitFor(() => expect(screen.getByTestId('identity-result').textContent).toBe('Majora knows you as labuser, and accepts this token.'));
    const details = screen.getByTestId('details') as HTMLDetailsElement;
    expect(details.open).toBe(false);
    expect(details.textContent).toContain('"username": "labuser"');
    expect(screen.getByTestId('identity-result').textContent).not.toContain('{');
  });

  it('a token the server no longer takes is said so, with what to do', async () => {
    checkIdentity.mockResolvedValue({ account: null, active: false, asked: 'https://m/o/introspect/', answer: { status: 200, contentType: null, body: '{"active": false}' } });
    render(TestAccess, { profile: 'm', defaultUrl: '', serverName: 'Majora' });
    await fireEvent.click(screen.getByTestId('check-identity'));
    await vi.waitFor(() => expect(screen.getByTestId('identity-result').textContent).toBe('Majora no longer accepts this token. Sign in again.'));
  });

  it('an API answer is a sentence, and a typed address is remembered for the server', async () => {
    testAccess.mockResolvedValue({ status: 403, contentType: 'application/json', body: '{"detail": "no"}' });
    const first = render(TestAccess, { profile: 'm', defaultUrl: '' });
    const field = screen.getByTestId('test-url') as HTMLInputElement;
    await fireEvent.input(field, { target: { value: 'https://m/api/v3/mdv/' } });
    await fireEvent.click(screen.getByTestId('test-access-run'));
    await vi.waitFor(() => expect(screen.getByTestId('test-status').textContent).toContain('may not do this:'));
    first.unmount();
    render(TestAccess, { profile: 'm', defaultUrl: '' });
    expect((screen.getByTestId('test-url') as HTMLInputElement).value).toBe('https://m/api/v3/mdv/');
  });

  it('brings what came back into view', async () => {
    const scrolled = vi.fn();
    Element.prototype.scrollIntoView = scrolled;
    testAccess.mockResolvedValue({ status: 200, contentType: 'application/json', body: '{}' });
    render(TestAccess, { profile: 'm', defaultUrl: 'https://m/api/' });
    await fireEvent.click(screen.getByTestId('test-access-run'));
    await vi.waitFor(() => expect(screen.getByTestId('test-status')).toBeTruthy());
    await vi.waitFor(() => expect(scrolled).toHaveBeenCalled());
  });

  it('Test access shows a spinner during the call, then is back with the error', async () => {
    const answer = pending();
    testAccess.mockReturnValue(answer.promise);
    render(TestAccess, { profile: 'm', defaultUrl: 'https://m/api/' });
    await fireEvent.click(screen.getByTestId('test-access-run'));
    expect(testAccess).toHaveBeenCalledWith('m', 'https://m/api/', false);
    expectBusy(screen.getByTestId('test-access-run'), 'Calling…');
    answer.reject(networkError());
    await vi.waitFor(() => expectReady(screen.getByTestId('test-access-run'), 'Test access'));
    expect(screen.getByRole('alert').textContent).toContain('Cannot reach the server');
  });

  it('Send my token there anyway shows a spinner during the call, then is back with the error', async () => {
    testAccess.mockRejectedValueOnce(new IpcError('foreign-host', 'other.example.org is not the server of m', null));
    render(TestAccess, { profile: 'm', defaultUrl: 'https://other.example.org/' });
    await fireEvent.click(screen.getByTestId('test-access-run'));
    const anyway = await screen.findByTestId('send-anyway');
    const answer = pending();
    testAccess.mockReturnValue(answer.promise);
    await fireEvent.click(anyway);
    expect(testAccess).toHaveBeenLastCalledWith('m', 'https://other.example.org/', true);
    expectBusy(screen.getByTestId('send-anyway'), 'Sending…');
    expect((screen.getByTestId('test-access-run') as HTMLButtonElement).disabled).toBe(true);
    answer.reject(networkError());
    await vi.waitFor(() => expectReady(screen.getByTestId('test-access-run'), 'Test access'));
    expect(screen.queryByTestId('send-anyway')).toBeNull();
    expect(screen.getByRole('alert').textContent).toContain('Cannot reach the server');
  });
});
