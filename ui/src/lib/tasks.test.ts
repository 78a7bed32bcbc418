import { describe, expect, it } from 'vitest';
import { otherScopes, scopesOf, tasksIn } from './tasks';
import type { TaskChoice } from './ipc';

const tasks: TaskChoice[] = [
  { id: 'upload', label: 'Upload', scopes: ['a', 'b'], preselected: true },
  { id: 'read', label: 'Read', scopes: ['r'], preselected: false },
  { id: 'empty', label: 'Empty', scopes: ['f', 'a'], preselected: false },
];

describe('tasks', () => {
  it('gives each scope once, in task order', () => {
    expect(scopesOf(tasks, { upload: true, empty: true })).toEqual(['a', 'b', 'f']);
    expect(scopesOf(tasks, {})).toEqual([]);
  });
  it('finds the tasks a scope list grants, and the scopes no task brings', () => {
    expect(tasksIn(tasks, ['a', 'b', 'x'])).toEqual({ upload: true, read: false, empty: false });
    expect(otherScopes(tasks, ['a', 'b', 'x'])).toEqual(['x']);
  });
});
