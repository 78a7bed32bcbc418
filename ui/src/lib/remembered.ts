// Small choices the window keeps between runs (never a secret): the address last called
// in Test access, whether Sign out also forgets the sign-in window's session. Kept in
// the webview's local storage; where storage is off they are simply not kept.

/** The value kept under `key`, or null. */
export function recall(key: string): string | null {
  try {
    return window.localStorage.getItem(key);
  } catch {
    return null;
  }
}

/** Keep `value` under `key`, or forget it (`null`). */
export function remember(key: string, value: string | null) {
  try {
    if (value === null) window.localStorage.removeItem(key);
    else window.localStorage.setItem(key, value);
  } catch {
    // Storage off: nothing is kept.
  }
}

/** Set once a first start has added the lab's server `id`: a person who removes it later
 *  has it back only by choosing it, not at every start. */
export const labFirstStartKey = (id: string) => `latchkey.lab-first-start.${id}`;

/** Where Test access keeps the address last called for `profile`. */
export const testUrlKey = (profile: string) => `latchkey.test-url.${profile}`;
