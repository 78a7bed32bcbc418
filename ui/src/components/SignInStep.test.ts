import { describe, it, expect, vi } from 'vitest';
import { fireEvent, render, screen } from '@testing-library/svelte';

vi.mock('../lib/ipc', async (importOriginal) => {
  const real = await importOriginal<typeof import('../lib/ipc')>();
  return {
    ...real,
    previewProfile: () => Promise.resolve({ mayDo: 'May upload samples, libraries, sequencing runs and files.' }),
    onSignInFinished: () => Promise.resolve(() => {}),
    onSignInPageError: () => Promise.resolve(() => {}),
  };
});

import SignInStep from './SignInStep.svelte';
import { Wizard } from '../lib/wizard.svelte';

describe('SignInStep', () => {
  it('keeps the permissions in sight before the password, with Change to the scopes step', async () => {
    const wizard = new Wizard('sign-in', 'lab');
    render(SignInStep, { wizard });
    await vi.waitFor(() =>
      expect(screen.getByTestId('sign-in-may-do').textContent).toContain('May upload samples, libraries, sequencing runs and files.'),
    );
    await fireEvent.click(screen.getByTestId('change-scopes'));
    expect(wizard.step).toBe('scopes');
  });
});
