import { describe, it, expect, vi } from 'vitest';
import { render, screen, fireEvent } from '@testing-library/svelte';

const diagnostics = vi.fn();
vi.mock('../lib/ipc', async (importOriginal) => {
  const real = await importOriginal<typeof import('../lib/ipc')>();
  return {
    ...real,
    getSettings: () => Promise.resolve({ startAtLogin: false, renewAtPercent: 75, configDir: '/home/a/.config/latchkey', logDir: '/home/a/.local/state/latchkey' }),
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
});
