import { describe, it, expect, vi } from 'vitest';
import { fireEvent, render, screen } from '@testing-library/svelte';
import type { AddServerOffer } from '../lib/ipc';
import { networkError, pending } from '../lib/testing';

const addProfile = vi.fn();
vi.mock('../lib/ipc', async (importOriginal) => {
  const real = await importOriginal<typeof import('../lib/ipc')>();
  return { ...real, addProfile: (...a: unknown[]) => addProfile(...a) };
});

import AddLinkPage from './AddLinkPage.svelte';

const offer: AddServerOffer = {
  link: 'latchkey://add?id=our-lab&title=Our+lab&kind=generic&address=https%3A%2F%2Fauth.lab.example.org%3A8443%2F',
  name: 'our-lab',
  title: "Our lab's data server",
  about: 'Sign in with your lab account.',
  kind: 'generic',
  kindTitle: 'Other OAuth 2.0 / OpenID Connect server',
  address: 'https://auth.lab.example.org:8443/realms/lab',
  host: 'auth.lab.example.org',
  mayDo: 'May say who you are; stay signed in.',
  hasClient: true,
};

describe('AddLinkPage', () => {
  it('shows where passwords would go and what the tokens may do, and adds nothing before Add', async () => {
    addProfile.mockReset();
    const onAdded = vi.fn();
    render(AddLinkPage, { offer, onAdded, onCancel: () => {} });
    const address = screen.getByTestId('add-link-address');
    expect(address.textContent).toBe('https://auth.lab.example.org:8443/realms/lab');
    expect(address.querySelector('strong')?.textContent).toBe('auth.lab.example.org');
    expect(screen.getByTestId('add-link-title').textContent).toContain("Our lab's data server");
    expect(screen.getByTestId('add-link-may-do').textContent).toBe('May say who you are; stay signed in.');
    expect(screen.getByText(/Nothing has been added or sent anywhere yet/)).toBeTruthy();
    expect(addProfile).not.toHaveBeenCalled();

    const answer = pending<unknown>();
    addProfile.mockReturnValue(answer.promise);
    await fireEvent.input(screen.getByTestId('add-link-name'), { target: { value: 'lab ' } });
    // Add waits a moment: a second link cannot swap the server under the click.
    const add = screen.getByTestId('add-link-add') as HTMLButtonElement;
    expect(add.disabled).toBe(true);
    await vi.waitFor(() => expect(add.disabled).toBe(false), { timeout: 2000 });
    await fireEvent.click(add);
    expect(addProfile).toHaveBeenCalledWith({ name: 'lab', server: { preset: 'generic' }, link: offer.link });
    expect(screen.getByTestId('add-link-add').textContent?.trim()).toBe('Adding…');
    answer.resolve({});
    await vi.waitFor(() => expect(onAdded).toHaveBeenCalledWith('lab', true));
  });

  it('Cancel and Escape add nothing; a failed add says why and stays', async () => {
    addProfile.mockReset();
    const onCancel = vi.fn();
    const onAdded = vi.fn();
    const { unmount } = render(AddLinkPage, { offer, onAdded, onCancel });
    await fireEvent.click(screen.getByTestId('add-link-cancel'));
    await fireEvent.keyDown(window, { key: 'Escape' });
    expect(onCancel).toHaveBeenCalledTimes(2);
    expect(addProfile).not.toHaveBeenCalled();
    unmount();

    addProfile.mockRejectedValue(networkError());
    render(AddLinkPage, { offer, onAdded, onCancel });
    const add = screen.getByTestId('add-link-add') as HTMLButtonElement;
    await vi.waitFor(() => expect(add.disabled).toBe(false), { timeout: 2000 });
    await fireEvent.click(add);
    await vi.waitFor(() => expect(screen.getByTestId('error').textContent).toContain('Cannot reach the server'));
    expect(onAdded).not.toHaveBeenCalled();
    expect(screen.getByTestId('add-link-add').textContent?.trim()).toBe('Add');
  });

  it('says so when the host has international letters, and Add waits for a name', async () => {
    render(AddLinkPage, { offer: { ...offer, host: 'xn--lb-1ia.example', address: 'https://xn--lb-1ia.example/', name: '' }, onAdded: () => {}, onCancel: () => {} });
    expect(screen.getByText(/international letters/)).toBeTruthy();
    expect((screen.getByTestId('add-link-add') as HTMLButtonElement).disabled).toBe(true);
  });
});
