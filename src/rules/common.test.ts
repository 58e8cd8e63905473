import { clusterArgs, shellArg } from './common';
import { CLUSTER_EXAMPLES, exampleCluster, withCluster } from './testing';

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
