// A run record keeps its problems within the entity budget (Table Storage: 1 MiB an entity): the first ones whole,
// the rest counted in one closing line, so a run that met thousands of problems still records, and says how many.
import type { ScanProblem } from '../model';

/** Characters of problem JSON a run record keeps (UTF-16: about 400 KB of the 1 MiB entity). */
export const PROBLEMS_BUDGET_CHARS = 200_000;
/** Problems a run record keeps at most, whatever their size. */
export const MAX_STORED_PROBLEMS = 500;
/** One problem's message is cut to this many characters. */
const MAX_MESSAGE = 2_000;

/** The problems to store: the first that fit (each message cut to 2,000 characters), then "N more" when any were left. */
export function boundedProblems(
  problems: readonly ScanProblem[],
  budget = PROBLEMS_BUDGET_CHARS,
  max = MAX_STORED_PROBLEMS,
): ScanProblem[] {
  const kept: ScanProblem[] = [];
  let used = 2;
  for (const p of problems) {
    const problem: ScanProblem = {
      source: p.source,
      scope: String(p.scope).slice(0, 500),
      message: p.message.length > MAX_MESSAGE ? `${p.message.slice(0, MAX_MESSAGE)} [cut]` : p.message,
    };
    const size = JSON.stringify(problem).length + 1;
    if (kept.length >= max || used + size > budget) break;
    kept.push(problem);
    used += size;
  }
  const left = problems.length - kept.length;
  if (left > 0) {
    kept.push({
      source: 'storage',
      scope: 'problems',
      message: `${left} more problem(s) of this run are not stored (the run record keeps the first ${kept.length})`,
    });
  }
  return kept;
}
