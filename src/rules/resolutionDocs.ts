// The principle every rule's fail obeys, written into docs/rules.md by the generator: a fail is resolved only on
// positive evidence. Each way a read can be partial names the test that holds the product to it.

export interface PartialRead {
  way: string;
  /** What the product does about it. */
  effect: string;
  /** The test file (and test) that checks it, through the real SDK clients, the simulator and the store. */
  test: string;
}

export const PARTIAL_READS: PartialRead[] = [
  {
    way: 'A subscription Resource Graph leaves out (no Reader any more, a mistyped ID: the answer simply lacks it)',
    effect:
      'Every subscription the run is meant to cover (the configured list, or at tenant and management-group scope ' +
      'those the last complete run read) is compared with what came back; a missing one is a named problem ' +
      '("no longer readable"), the run is partial, and its clusters keep their state. The alert says so once.',
    test: 'test/fidelity/partialReads.test.ts (a subscription Resource Graph leaves out)',
  },
  {
    way: 'A page of the inventory lost (an error or a dropped connection past the retries)',
    effect:
      'The run is partial; the subscriptions of that request were not read completely, so their clusters keep ' +
      'their state (a new fail of a cluster that was read is still recorded).',
    test: 'test/fidelity/partialReads.test.ts (a lost page of the cluster inventory)',
  },
  {
    way: 'Role assignments unreadable (authorizationresources)',
    effect:
      'The RBAC-subject rules are unknown for the clusters concerned; a fail they held stays a fail in the state, ' +
      "and the run's own report shows the unknown.",
    test: 'test/fidelity/partialReads.test.ts (role assignments unreadable)',
  },
  {
    way: 'Microsoft Graph unreadable, or objects returned with only id and @odata.type (no Directory.Read.All)',
    effect:
      'The principal and admin-group rules are unknown naming Directory.Read.All; a fail stays a fail. A missing ' +
      'property a rule needs (userType, securityEnabled) is never read as a pass.',
    test: 'test/fidelity/partialReads.test.ts (Graph unreadable); test/fidelity/directory.test.ts',
  },
  {
    way: 'A cluster of another tenant (Azure Lighthouse) whose directory the scanner does not read',
    effect:
      'Its principals are unknown naming the tenant (never "deleted" from the wrong directory), unless the tenant ' +
      "is in AKS_COMPLIANCE_TENANTS, and then judged in that tenant's directory.",
    test: 'test/fidelity/tenants.test.ts',
  },
  {
    way: 'A scope larger than one query covers (TooManySubscriptionsUnderScope, x-ms-tenant-subscription-limit-hit)',
    effect: 'Never cut short silently: a named problem, the run partial, nothing resolved.',
    test: 'test/fidelity/partialReads.test.ts (a management group over the scope limit)',
  },
  {
    way: 'An AKS api-version the service does not serve',
    effect: 'The region catalog is unreadable naming the pinned api-version; the version rules are unknown.',
    test: 'test/fidelity/directory.test.ts (an AKS api-version the service does not serve)',
  },
];

/** The section of docs/rules.md. */
export function resolutionSection(): string[] {
  return [
    '## A fail is resolved only on positive evidence',
    '',
    'A fail stops being a fail in the stored state only when the cluster was read and the rule passes (or no ' +
      'longer applies), or when the cluster is gone from a subscription that was read completely. `unknown` is ' +
      "never evidence: a fail that could not be judged this time stays a fail in the state, and the run's own " +
      'report shows what it saw. A run that could not read everything is `complete: false`, names each thing it ' +
      'could not read in `problems`, and alerts that once (`partial_run`). The decision is `resolveEntry` in ' +
      '`src/store/resolution.ts`.',
    '',
    '| the read was partial because | what the product does | checked by |',
    '|---|---|---|',
    ...PARTIAL_READS.map(
      (p) =>
        `| ${p.way} | ${p.effect} | \`${p.test.split(' ')[0]}\`${p.test.slice(p.test.indexOf(' ') < 0 ? p.test.length : p.test.indexOf(' '))} |`,
    ),
    '',
  ];
}
