import type { RuleOutcome } from '../model';
import { clusterArgs, OutcomeMemo, shellArg } from './common';
import { CLUSTER_EXAMPLES, exampleCluster, testContext, withCluster } from './testing';

describe('remediation command arguments', () => {
  it.each([
    ['rg1', 'rg1'],
    ['MC_rg1_cluster.name-1', 'MC_rg1_cluster.name-1'],
    ['rg (prod)', "'rg (prod)'"],
    ["it's; rm -rf /", "'it'\\''s; rm -rf /'"],
    ['$(whoami)', "'$(whoami)'"],
  ])('common: shellArg(%p) is %p', (value, expected) => {
    expect(shellArg(value)).toBe(expected);
  });

  it('common: cluster names are filled in and hostile ones quoted', () => {
    const cluster = withCluster(exampleCluster(CLUSTER_EXAMPLES.get), { resourceGroup: 'rg(1)', name: 'a`b' });
    expect(clusterArgs(cluster)).toBe("--resource-group 'rg(1)' --name 'a`b'");
  });
});

describe('OutcomeMemo', () => {
  const outcome = (message: string): RuleOutcome => ({ status: 'pass', message, details: {} });

  it('common: an outcome is judged once per scope and keys, and shared', () => {
    const memo = new OutcomeMemo();
    const ctx = testContext();
    const judge = jest.fn(() => outcome('judged'));
    const first = memo.get(ctx, ['1.33.2', 'location1', false], judge);
    const second = memo.get(ctx, ['1.33.2', 'location1', false], judge);
    expect(second).toBe(first);
    expect(judge).toHaveBeenCalledTimes(1);
    memo.get(ctx, ['1.33.2', 'location1', true], judge);
    memo.get(testContext(), ['1.33.2', 'location1', false], judge);
    expect(judge).toHaveBeenCalledTimes(3);
  });

  it('common: keys compare as values (strings, numbers) or identities (objects), and lists of other lengths never meet', () => {
    const memo = new OutcomeMemo();
    const ctx = testContext();
    const a = { text: '1.33.2' };
    const b = { text: '1.33.2' };
    expect(memo.get(ctx, [a], () => outcome('a')).message).toBe('a');
    expect(memo.get(ctx, [b], () => outcome('b')).message).toBe('b');
    expect(memo.get(ctx, ['x'], () => outcome('x')).message).toBe('x');
    expect(memo.get(ctx, ['x', 'y'], () => outcome('xy')).message).toBe('xy');
    expect(memo.get(ctx, ['x'], () => outcome('again')).message).toBe('x');
    expect(memo.get(ctx, [], () => outcome('none')).message).toBe('none');
    expect(memo.get(ctx, [2], () => outcome('two')).message).toBe('two');
    expect(memo.get(ctx, ['2'], () => outcome('text two')).message).toBe('text two');
  });
});
