// Majora tasks ↔ scopes: the scope step and the profile's settings show tasks ("upload
// samples…"), the server wants scopes. Pure functions, tested in tasks.test.ts.
import type { TaskChoice } from './ipc';

/** The scopes of the chosen tasks, each once, in the tasks' order. */
export function scopesOf(tasks: TaskChoice[], chosen: Record<string, boolean>): string[] {
  const out: string[] = [];
  for (const t of tasks) {
    if (!chosen[t.id]) continue;
    for (const s of t.scopes) if (!out.includes(s)) out.push(s);
  }
  return out;
}

/** Which tasks a scope list already grants (every scope of the task present). */
export function tasksIn(tasks: TaskChoice[], scopes: string[]): Record<string, boolean> {
  return Object.fromEntries(tasks.map((t) => [t.id, t.scopes.every((s) => scopes.includes(s))]));
}

/** Scopes in `scopes` that no task brings (kept as "more scopes"). */
export function otherScopes(tasks: TaskChoice[], scopes: string[]): string[] {
  const known = new Set(tasks.flatMap((t) => t.scopes));
  return scopes.filter((s) => !known.has(s));
}

/** The server's name in a sentence ("Majora knows you as …"); "The server" where the
 *  preset names none. */
export function serverName(preset: string): string {
  if (preset === 'majora' || preset === 'majora-test') return 'Majora';
  if (preset === 'agate') return 'Agate';
  return 'The server';
}
