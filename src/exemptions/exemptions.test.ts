import type { ClusterReport, Exemption, Finding } from '../model';
import {
  CONTRACT_RULE_IDS,
  ExemptionError,
  applyExemptions,
  parseExemptionScope,
  validateExemption,
} from './exemptions';

const NOW = new Date('2026-11-27T12:00:00Z');
const CLUSTER_ID =
  '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-prod/providers/Microsoft.ContainerService/managedClusters/aks-one';

const valid = {
  ruleId: 'aks_local_accounts_disabled',
  scope: CLUSTER_ID,
  justification: 'Break-glass account needed until the migration finishes.',
  expiresOn: '2027-03-01',
  author: 'platform@contoso.example',
};

function fieldOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof ExemptionError) return err.field;
    throw err;
  }
  throw new Error('expected an ExemptionError');
}

describe('validateExemption', () => {
  it('accepts a complete record, normalises dates and generates an id', () => {
    const e = validateExemption(valid, NOW);
    expect(e.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(e.expiresOn).toBe('2027-03-01T00:00:00.000Z');
    expect(e.createdAt).toBe(NOW.toISOString());
    expect(e.ruleId).toBe(valid.ruleId);
    expect(e.scope).toBe(CLUSTER_ID);
  });

  it('keeps a given id and createdAt', () => {
    const e = validateExemption({ ...valid, id: 'ex-1', createdAt: '2026-11-01T00:00:00Z' }, NOW);
    expect(e.id).toBe('ex-1');
    expect(e.createdAt).toBe('2026-11-01T00:00:00.000Z');
  });

  it('knows all 21 contract rule IDs', () => {
    expect(new Set(CONTRACT_RULE_IDS).size).toBe(21);
    for (const ruleId of CONTRACT_RULE_IDS) expect(validateExemption({ ...valid, ruleId }, NOW).ruleId).toBe(ruleId);
  });

  it.each([
    ['a non-object', 'x', 'exemption'],
    ['an array', [valid], 'exemption'],
    ['an unknown field', { ...valid, colour: 'red' }, 'colour'],
    ['a missing ruleId', { ...valid, ruleId: undefined }, 'ruleId'],
    ['an unknown ruleId', { ...valid, ruleId: 'aks_made_up' }, 'ruleId'],
    ['a numeric ruleId', { ...valid, ruleId: 7 }, 'ruleId'],
    ['a missing scope', { ...valid, scope: undefined }, 'scope'],
    [
      'a scope that is a storage account',
      { ...valid, scope: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/x' },
      'scope',
    ],
    ['a scope without a leading slash', { ...valid, scope: 'subscriptions/s' }, 'scope'],
    ['a tag scope without a key', { ...valid, scope: 'tag:=prod' }, 'scope'],
    ['a tag scope without "="', { ...valid, scope: 'tag:env' }, 'scope'],
    ['an empty justification', { ...valid, justification: '   ' }, 'justification'],
    ['a justification over 2000 characters', { ...valid, justification: 'x'.repeat(2001) }, 'justification'],
    ['a missing expiry', { ...valid, expiresOn: undefined }, 'expiresOn'],
    ['an expiry that is not a date', { ...valid, expiresOn: 'next tuesday' }, 'expiresOn'],
    ['an impossible date', { ...valid, expiresOn: '2027-02-30' }, 'expiresOn'],
    ['an expiry in the past', { ...valid, expiresOn: '2026-11-01' }, 'expiresOn'],
    ['an expiry more than a year ahead', { ...valid, expiresOn: '2027-11-28' }, 'expiresOn'],
    ['a missing author', { ...valid, author: undefined }, 'author'],
    ['an author over 256 characters', { ...valid, author: 'a'.repeat(257) }, 'author'],
    ['an id with a slash', { ...valid, id: 'a/b' }, 'id'],
    ['an invalid createdAt', { ...valid, createdAt: 'yesterday' }, 'createdAt'],
  ])('rejects %s, naming the field', (_name, input, field) => {
    expect(fieldOf(() => validateExemption(input, NOW))).toBe(field);
  });

  it('accepts every scope form', () => {
    for (const scope of [
      CLUSTER_ID,
      '/subscriptions/s1/resourceGroups/rg',
      '/subscriptions/s1/resourcegroups/rg/',
      '/subscriptions/s1',
      'tag:env=prod',
      'TAG:cost center=a=b',
    ]) {
      expect(() => validateExemption({ ...valid, scope }, NOW)).not.toThrow();
    }
    expect(parseExemptionScope('TAG:cost center=a=b')).toEqual({ kind: 'tag', key: 'cost center', value: 'a=b' });
    expect(parseExemptionScope('/subscriptions/S1/resourcegroups/RG/')).toEqual({
      kind: 'resourceGroup',
      id: '/subscriptions/s1/resourcegroups/rg',
    });
  });

  it('accepts an expiry exactly one year ahead', () => {
    expect(validateExemption({ ...valid, expiresOn: '2027-11-27T12:00:00Z' }, NOW).expiresOn).toBe(
      '2027-11-27T12:00:00.000Z',
    );
  });
});

function finding(ruleId: string, status: Finding['status']): Finding {
  return { ruleId, status, severity: 'high', title: 't', message: 'm', remediation: 'r', details: { k: 1 } };
}

function cluster(id: string, tags: Record<string, string> = {}): ClusterReport {
  const m = /subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/.*managedClusters\/([^/]+)$/i.exec(id)!;
  return {
    id,
    name: m[3],
    subscriptionId: m[1],
    resourceGroup: m[2],
    location: 'westeurope',
    kubernetesVersion: '1.31.2',
    tags,
    findings: [
      finding('aks_local_accounts_disabled', 'fail'),
      finding('aks_entra_id_enabled', 'fail'),
      finding('aks_azure_rbac_enabled', 'pass'),
      finding('aks_node_image_current', 'unknown'),
    ],
  };
}

function exemption(overrides: Partial<Exemption>): Exemption {
  return {
    id: 'ex-1',
    ruleId: 'aks_local_accounts_disabled',
    scope: CLUSTER_ID,
    justification: 'accepted',
    expiresOn: '2027-01-01T00:00:00.000Z',
    author: 'me',
    createdAt: '2026-11-01T00:00:00.000Z',
    ...overrides,
  };
}

const OTHER_ID =
  '/subscriptions/00000000-0000-0000-0000-000000000002/resourceGroups/rg-dev/providers/Microsoft.ContainerService/managedClusters/aks-two';

describe('applyExemptions', () => {
  const clusters = [cluster(CLUSTER_ID, { Env: 'Prod' }), cluster(OTHER_ID, { env: 'dev' })];

  function statuses(result: ClusterReport[]): string[][] {
    return result.map((c) => c.findings.map((f) => f.status));
  }

  it('an expired exemption has no effect', () => {
    const result = applyExemptions(clusters, [exemption({ expiresOn: '2026-11-26T00:00:00.000Z' })], NOW);
    expect(result).toEqual(clusters);
  });

  it('an exemption expiring exactly at asOf has no effect', () => {
    const result = applyExemptions(clusters, [exemption({ expiresOn: NOW.toISOString() })], NOW);
    expect(result).toEqual(clusters);
  });

  it('a future expiry turns exactly the matching fail into exempt, and nothing else', () => {
    const result = applyExemptions(clusters, [exemption({})], NOW);
    expect(statuses(result)).toEqual([
      ['exempt', 'fail', 'pass', 'unknown'],
      ['fail', 'fail', 'pass', 'unknown'],
    ]);
    expect(result[0].findings[0].details).toEqual({
      k: 1,
      exemption: { id: 'ex-1', justification: 'accepted', expiresOn: '2027-01-01T00:00:00.000Z', author: 'me' },
    });
    expect(result[0].findings[0].severity).toBe('high');
    // The input is not changed.
    expect(clusters[0].findings[0].status).toBe('fail');
  });

  it('never turns a pass or unknown into exempt', () => {
    const result = applyExemptions(
      clusters,
      [exemption({ ruleId: 'aks_azure_rbac_enabled' }), exemption({ id: 'ex-2', ruleId: 'aks_node_image_current' })],
      NOW,
    );
    expect(result).toEqual(clusters);
  });

  it('matches resource group and subscription scopes case-insensitively', () => {
    const rg = applyExemptions(
      clusters,
      [exemption({ scope: '/SUBSCRIPTIONS/00000000-0000-0000-0000-000000000001/resourcegroups/RG-PROD' })],
      NOW,
    );
    expect(statuses(rg)[0][0]).toBe('exempt');
    expect(statuses(rg)[1][0]).toBe('fail');
    const sub = applyExemptions(
      clusters,
      [exemption({ scope: '/subscriptions/00000000-0000-0000-0000-000000000002' })],
      NOW,
    );
    expect(statuses(sub)[0][0]).toBe('fail');
    expect(statuses(sub)[1][0]).toBe('exempt');
  });

  it('does not match a resource group whose name merely starts with the scope', () => {
    const result = applyExemptions(
      clusters,
      [exemption({ scope: '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-pro' })],
      NOW,
    );
    expect(result).toEqual(clusters);
  });

  it('matches a tag selector against cluster tags', () => {
    const result = applyExemptions(clusters, [exemption({ scope: 'tag:env=prod' })], NOW);
    expect(statuses(result)).toEqual([
      ['exempt', 'fail', 'pass', 'unknown'],
      ['fail', 'fail', 'pass', 'unknown'],
    ]);
    expect(applyExemptions(clusters, [exemption({ scope: 'tag:env=staging' })], NOW)).toEqual(clusters);
  });
});
