import { describe, it, expect, vi } from 'vitest';

const invoke = vi.fn();
vi.mock('@tauri-apps/api/core', () => ({ invoke: (...a: unknown[]) => invoke(...a) }));
vi.mock('@tauri-apps/api/event', () => ({ listen: vi.fn() }));

import { asIpcError, listProfiles, IpcError } from './ipc';

describe('ipc', () => {
  it('turns backend errors into IpcError with code and hint', async () => {
    invoke.mockRejectedValue({ code: 'unknown-profile', message: 'no profile named `x`', hint: 'Run it.' });
    const err = await listProfiles().catch((e) => e);
    expect(err).toBeInstanceOf(IpcError);
    expect(err.code).toBe('unknown-profile');
    expect(err.hint).toBe('Run it.');
  });

  it('wraps anything else as internal', async () => {
    invoke.mockRejectedValue('boom');
    const err = await listProfiles().catch((e) => e);
    expect(err.code).toBe('internal');
  });

  it('reads the plain error of an event payload (never "[object Object]")', () => {
    const err = asIpcError({ code: 'scope-refused', message: 'your Majora account lacks…', hint: 'Untick it.' });
    expect(err.code).toBe('scope-refused');
    expect(err.message).toBe('your Majora account lacks…');
    expect(err.hint).toBe('Untick it.');
    expect(asIpcError(new Error('x')).message).not.toContain('[object');
  });
});
