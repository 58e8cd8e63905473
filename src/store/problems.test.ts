import type { ScanProblem } from '../model';
import { boundedProblems, MAX_STORED_PROBLEMS, PROBLEMS_BUDGET_CHARS } from './problems';

const problem = (i: number, message = `subscription ${i} could not be read`): ScanProblem => ({
  source: 'resourceGraph',
  scope: `/subscriptions/${String(i).padStart(8, '0')}-0000-4000-8000-000000000000`,
  message,
});

describe('boundedProblems', () => {
  it('keeps a short list as it is', () => {
    const list = [problem(1), problem(2)];
    expect(boundedProblems(list)).toEqual(list);
  });

  it('keeps the first problems of thousands and counts the rest in one closing line', () => {
    const list = Array.from({ length: 5000 }, (_, i) => problem(i));
    const kept = boundedProblems(list);
    expect(kept).toHaveLength(MAX_STORED_PROBLEMS + 1);
    expect(kept.slice(0, 3)).toEqual(list.slice(0, 3));
    expect(kept.at(-1)).toMatchObject({ source: 'storage', message: expect.stringMatching(/^4500 more problem/) });
    expect(JSON.stringify(kept).length).toBeLessThan(PROBLEMS_BUDGET_CHARS);
  });

  it('stays within the character budget with long multi-byte messages', () => {
    const long = 'Ünïcødé ✓ '.repeat(1000);
    const kept = boundedProblems(Array.from({ length: 400 }, (_, i) => problem(i, long)));
    expect(JSON.stringify(kept).length).toBeLessThan(PROBLEMS_BUDGET_CHARS + 500);
    expect(kept[0].message.endsWith('[cut]')).toBe(true);
    expect(kept.at(-1)?.source).toBe('storage');
  });
});
