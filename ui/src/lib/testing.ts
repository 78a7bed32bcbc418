// Helpers for the component tests (imported by *.test.ts only, so never bundled).
import { expect } from 'vitest';
import { IpcError } from './ipc';

/** A backend answer the test settles by hand, to look at a component while it waits. */
export function pending<T = void>() {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** What the backend says when the network fails, for a rejected call. */
export const networkError = () => new IpcError('network', 'cannot reach the server', 'Check your connection, then try again.');

/** The button waits for the backend: disabled, marked busy, with its spinner and its
 *  busy label ("Registering…") in place of its usual one. */
export function expectBusy(button: HTMLElement, label: string) {
  expect((button as HTMLButtonElement).disabled, 'disabled while the call is under way').toBe(true);
  expect(button.getAttribute('aria-busy'), 'aria-busy while the call is under way').toBe('true');
  expect(button.querySelector('.spinner'), 'a spinner while the call is under way').not.toBeNull();
  expect(button.textContent?.trim()).toBe(label);
}

/** The button is back: enabled, not busy, no spinner, its usual label. */
export function expectReady(button: HTMLElement, label: string) {
  expect((button as HTMLButtonElement).disabled, 'enabled once the call has ended').toBe(false);
  expect(button.getAttribute('aria-busy')).not.toBe('true');
  expect(button.querySelector('.spinner'), 'no spinner once the call has ended').toBeNull();
  expect(button.textContent?.trim()).toBe(label);
}
