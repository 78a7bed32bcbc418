import { describe, it, expect, vi, beforeEach } from 'vitest';
import { render, screen, fireEvent } from '@testing-library/svelte';

const listProfiles = vi.fn();
vi.mock('../lib/ipc', async (importOriginal) => {
  const real = await importOriginal<typeof import('../lib/ipc')>();
  return { ...real, listProfiles: () => listProfiles() };
});

import ProfileList from './ProfileList.svelte';
import { IpcError } from '../lib/ipc';

describe('ProfileList', () => {
  beforeEach(() => { listProfiles.mockReset(); });

  it('shows the empty state and calls onAdd', async () => {
    listProfiles.mockResolvedValue([]);
    const onAdd = vi.fn();
    render(ProfileList, { onAdd });
    expect(await screen.findByText('Add your first server', { selector: 'h3' })).toBeTruthy();
    await fireEvent.click(screen.getByRole('button', { name: 'Add your first server' }));
    expect(onAdd).toHaveBeenCalledOnce();
  });

  it('lists profiles by name', async () => {
    listProfiles.mockResolvedValue([
      { name: 'majora-test', preset: 'majora-test', server: 'majora-test.covid19.climb.ac.uk (majora-test)', clientId: 'abc', scopes: [] },
    ]);
    render(ProfileList, { onAdd: () => {} });
    expect(await screen.findByText('majora-test')).toBeTruthy();
    expect(screen.queryByTestId('empty-state')).toBeNull();
  });

  it('shows the error and its hint', async () => {
    listProfiles.mockImplementation(() => Promise.reject(new IpcError('config-unreadable', 'cannot read /x/profiles.toml: bad', 'Fix or move it aside.')));
    render(ProfileList, { onAdd: () => {} });
    expect((await screen.findByRole('alert')).textContent).toContain('Fix or move it aside.');
  });
});
