// What the lab's policy lets the window offer, read once at start (App.svelte, from
// app_status). The backend refuses anything else in the policy's words anyway; this only
// keeps the window from offering it.
import type { SignInWay } from './bindings/SignInWay';

export const offered: { ways: SignInWay[] } = $state({ ways: ['window', 'browser', 'paste', 'code'] });
