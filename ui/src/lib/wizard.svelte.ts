// The add-a-server wizard's shared state: which step, the server chosen, and the
// profile once it exists. Each step component reads and advances it.
import type { Preset, ServerPreview } from './ipc';

export type Step = 'server' | 'register' | 'scopes' | 'sign-in' | 'done';
export const STEPS: Step[] = ['server', 'register', 'scopes', 'sign-in', 'done'];
export const STEP_TITLES: Record<Step, string> = {
  server: 'Choose your server',
  register: 'Register the application',
  scopes: 'Choose what it may do',
  'sign-in': 'Sign in',
  done: 'Done',
};

export class Wizard {
  step: Step = $state('server');
  preset: Preset | null = $state(null);
  profile: string | null = $state(null);
  preview: ServerPreview | null = $state(null);

  constructor(step: Step = 'server', profile: string | null = null) {
    this.step = step;
    this.profile = profile;
  }

  get index(): number {
    return STEPS.indexOf(this.step);
  }

  next() {
    this.step = STEPS[Math.min(this.index + 1, STEPS.length - 1)];
  }

  /** Where Back goes: not to the server step (the profile exists by then; remove it
   *  from the list to start over), not from Done. */
  get canGoBack(): boolean {
    return this.step === 'scopes' || this.step === 'sign-in';
  }

  back() {
    if (this.canGoBack) this.step = STEPS[this.index - 1];
  }
}
