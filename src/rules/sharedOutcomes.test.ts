// Rules share outcomes between clusters with the same inputs (OutcomeMemo, remembered per-list summaries): the
// findings of a fleet must not depend on the order its clusters are evaluated in, so a key that missed an input
// would show here as a cluster given another's verdict.
import { prepareRuleInputs } from '../../bench/fleetReport';
import { DEFAULT_AS_OF, type FleetOptions } from '../../sim/fleet/generator';
import { evaluateCluster } from './engine';

const FLEET: FleetOptions = {
  seed: 21,
  clusters: 400,
  subscriptions: 20,
  regions: 16,
  poolsPerCluster: 3,
  roleAssignments: 2_400,
  relevantAssignmentShare: 1 / 3,
  principals: 600,
  adminGroups: 80,
};

describe('shared outcomes', () => {
  it('engine: a generated fleet gives the same findings evaluated in order and in reverse, each in a context of its own', () => {
    const forward = prepareRuleInputs(FLEET, DEFAULT_AS_OF);
    const backward = prepareRuleInputs(FLEET, DEFAULT_AS_OF);
    const inOrder = forward.records.map((record) => evaluateCluster(record, forward.ctx));
    const reversed = [...backward.records].reverse().map((record) => evaluateCluster(record, backward.ctx));
    reversed.reverse();
    expect(reversed.length).toBe(FLEET.clusters);
    const statuses = new Set(inOrder.flatMap((r) => r.findings.map((f) => f.status)));
    expect([...statuses].sort()).toEqual(['fail', 'not_applicable', 'pass', 'unknown']);
    for (let i = 0; i < inOrder.length; i++) expect(reversed[i]).toEqual(inOrder[i]);
  });
});
