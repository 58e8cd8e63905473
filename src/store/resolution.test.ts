import { resolveEntry, subscriptionReadFilter, type ResolutionInput } from './resolution';

const fail = { status: 'fail' as const };
const pass = { status: 'pass' as const };
const unknown = { status: 'unknown' as const };

function resolve(partial: Partial<ResolutionInput>): string {
  return resolveEntry({
    isMeta: false,
    clusterReported: true,
    subscriptionReadCompletely: true,
    before: fail,
    fresh: pass,
    ...partial,
  });
}

describe('resolveEntry: a fail is resolved only on positive evidence', () => {
  it.each([
    ['the cluster was read and the rule passes', {}, 'fresh'],
    ['the rule could not be judged (unknown): the fail stays', { fresh: unknown }, 'keep'],
    ['a new fail of a read cluster is taken', { before: pass, fresh: fail }, 'fresh'],
    ['an unknown replacing a pass is taken', { before: pass, fresh: unknown }, 'fresh'],
    ['the cluster is gone from a subscription read completely', { clusterReported: false }, 'gone'],
    [
      'the cluster is missing from a subscription not read completely (omitted, page lost)',
      { clusterReported: false, subscriptionReadCompletely: false },
      'keep',
    ],
    [
      'a read cluster of a subscription not read completely: its pass does not resolve',
      { subscriptionReadCompletely: false },
      'keep',
    ],
    [
      'a read cluster of a subscription not read completely: a new fail is taken',
      { subscriptionReadCompletely: false, before: pass, fresh: fail },
      'fresh',
    ],
    ['cluster metadata follows what was read', { isMeta: true, before: {}, fresh: {} }, 'fresh'],
    ['a rule no longer reported for a read cluster goes', { fresh: undefined }, 'gone'],
  ] as const)('%s -> %s', (_, input, expected) => {
    expect(resolve(input as Partial<ResolutionInput>)).toBe(expected);
  });
});

describe('subscriptionReadFilter', () => {
  it('reads the recorded list case-insensitively; without one, all or none by the report', () => {
    const f = subscriptionReadFilter(false, ['AAAA-1']);
    expect(f('aaaa-1')).toBe(true);
    expect(f('bbbb-2')).toBe(false);
    expect(subscriptionReadFilter(true, undefined)('x')).toBe(true);
    expect(subscriptionReadFilter(false, undefined)('x')).toBe(false);
  });
});
