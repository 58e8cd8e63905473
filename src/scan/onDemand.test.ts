import { outsideScope, parseScanMessage } from './onDemand';

const A = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';
const B = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb';
const cluster = (sub: string) =>
  `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks`;

describe('outsideScope', () => {
  it('lets anything through when the whole tenant is configured', () => {
    expect(outsideScope({ subscriptions: [A, B] }, { subscriptions: [], managementGroups: [] })).toBeUndefined();
  });
  it('names the subscriptions outside AKS_COMPLIANCE_SUBSCRIPTIONS, for a list or a cluster', () => {
    const settings = { subscriptions: [A], managementGroups: [] };
    expect(outsideScope({}, settings)).toBeUndefined();
    expect(outsideScope({ subscriptions: [A.toUpperCase()] }, settings)).toBeUndefined();
    expect(outsideScope({ clusterId: cluster(A) }, settings)).toBeUndefined();
    expect(outsideScope({ subscriptions: [A, B] }, settings)).toBe(
      `subscription ${B} is outside the configured scope (AKS_COMPLIANCE_SUBSCRIPTIONS: ${A})`,
    );
    expect(outsideScope({ clusterId: cluster(B) }, settings)).toContain(B);
  });
  it('refuses a part of a management-group scope, naming the groups', () => {
    const settings = { subscriptions: [], managementGroups: ['mg-a', 'mg-b'] };
    expect(outsideScope({}, settings)).toBeUndefined();
    expect(outsideScope({ subscriptions: [A] }, settings)).toContain('mg-a, mg-b');
  });
});

describe('parseScanMessage', () => {
  it('reads the message as the host hands it over (object or text) and refuses anything else', () => {
    const message = { runId: 'r-1', subscriptions: [A], requestedBy: { oid: 'o', name: 'n' }, requestedAt: 't' };
    expect(parseScanMessage(message)).toEqual(message);
    expect(parseScanMessage(JSON.stringify(message))).toEqual(message);
    expect(parseScanMessage('nope')).toBeUndefined();
    expect(parseScanMessage({ runId: 'a/b' })).toBeUndefined();
    expect(parseScanMessage({ runId: 'r', subscriptions: 'all' })).toBeUndefined();
  });
});
