import type { ClusterReport, Exemption, Finding } from '../model';
import { ExemptionIndex } from './exemptionIndex';
import { exemptionCoversCluster, isExemptionActive } from './exemptions';

const AS_OF = new Date('2026-11-27T12:00:00Z');
const RULES = ['aks_local_accounts_disabled', 'aks_entra_id_enabled', 'aks_version_supported'];

/** A small deterministic generator (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function clusterId(sub: number, rg: number, name: number): string {
  return `/subscriptions/00000000-0000-0000-0000-00000000000${sub}/resourceGroups/rg-${rg}/providers/Microsoft.ContainerService/managedClusters/aks-${name}`;
}

function cluster(id: string, tags: Record<string, string>, statuses: Finding['status'][]): ClusterReport {
  return {
    id,
    name: id.split('/').pop()!,
    subscriptionId: id.split('/')[2],
    resourceGroup: id.split('/')[4],
    location: 'westeurope',
    kubernetesVersion: '1.31.2',
    tags,
    findings: RULES.map((ruleId, k) => ({
      ruleId,
      status: statuses[k],
      severity: 'high',
      title: ruleId,
      message: '',
      remediation: '',
      details: { k },
    })),
  };
}

function exemption(id: string, ruleId: string, scope: string, expiresOn: string): Exemption {
  return {
    id,
    ruleId,
    scope,
    justification: `because ${id}`,
    expiresOn,
    author: 'ops@contoso.example',
    createdAt: '2026-11-01T00:00:00.000Z',
  };
}

/** The rule as written in the contract, checked one exemption at a time. */
function linear(c: ClusterReport, ruleId: string, exemptions: Exemption[]): Exemption | undefined {
  return exemptions
    .filter((e) => isExemptionActive(e, AS_OF) && e.ruleId === ruleId && exemptionCoversCluster(e, c))
    .sort((a, b) => Date.parse(b.expiresOn) - Date.parse(a.expiresOn) || a.id.localeCompare(b.id))[0];
}

describe('ExemptionIndex', () => {
  it('chooses exactly what a pass over every exemption chooses (random fleets and scopes)', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const next = random(seed);
      const pick = <T>(list: T[]): T => list[Math.floor(next() * list.length)];
      const clusters = Array.from({ length: 60 }, (_, i) =>
        cluster(
          clusterId(pick([1, 2, 3]), pick([1, 2, 10, 11]), i),
          next() < 0.5 ? { Env: pick(['Prod', 'dev']) } : { team: pick(['a', 'b']) },
          RULES.map(() => pick(['fail', 'fail', 'pass', 'unknown'] as const)),
        ),
      );
      const exemptions = Array.from({ length: 200 }, (_, i) => {
        const c = pick(clusters);
        const parts = c.id.split('/');
        const scope = pick([
          c.id.toUpperCase(),
          parts.slice(0, 5).join('/'),
          parts.slice(0, 3).join('/'),
          `tag:env=${pick(['prod', 'DEV'])}`,
          `tag:team=${pick(['a', 'b', 'c'])}`,
          '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-1',
          'not a scope',
        ]);
        const expires = pick(['2026-11-01', '2026-12-01', '2027-01-01', '2027-01-01', '2027-06-01']);
        return exemption(`ex-${String(i).padStart(3, '0')}`, pick(RULES), scope, `${expires}T00:00:00.000Z`);
      });
      const index = new ExemptionIndex(exemptions, AS_OF);
      let exempted = 0;
      for (const c of clusters) {
        const applied = index.apply(c);
        c.findings.forEach((f, k) => {
          const expected = f.status === 'fail' ? linear(c, f.ruleId, exemptions) : undefined;
          const got = applied.findings[k];
          if (expected) {
            exempted += 1;
            expect(got.status).toBe('exempt');
            expect((got.details.exemption as { id: string }).id).toBe(expected.id);
          } else {
            expect(got).toBe(f);
          }
        });
      }
      expect(exempted).toBeGreaterThan(10);
    }
  });

  it('matches ancestors on whole path segments only, tags case-insensitively, and ignores expired exemptions', () => {
    const c = cluster(clusterId(1, 10, 1), { Env: 'Prod' }, ['fail', 'fail', 'fail']);
    const index = new ExemptionIndex(
      [
        exemption(
          'rg-prefix',
          RULES[0],
          '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-1',
          '2027-01-01',
        ),
        exemption('tag', RULES[1], 'tag:ENV=prod', '2027-01-01T00:00:00Z'),
        exemption('expired', RULES[2], '/subscriptions/00000000-0000-0000-0000-000000000001', '2026-11-27T12:00:00Z'),
      ],
      AS_OF,
    );
    expect(index.size).toBe(2);
    const applied = index.apply(c);
    expect(applied.findings.map((f) => f.status)).toEqual(['fail', 'exempt', 'fail']);
    expect(c.findings[1].status).toBe('fail');
    expect(index.apply(cluster(clusterId(1, 1, 2), {}, ['fail', 'pass', 'pass'])).findings[0].status).toBe('exempt');
  });

  it('prefers the exemption that lasts longest, then the smaller id, whatever the scope kind', () => {
    const c = cluster(clusterId(2, 1, 7), { env: 'prod' }, ['fail', 'pass', 'pass']);
    const index = new ExemptionIndex(
      [
        exemption('b', RULES[0], c.id, '2027-01-01'),
        exemption('a', RULES[0], '/subscriptions/00000000-0000-0000-0000-000000000002', '2027-01-01'),
        exemption('z', RULES[0], 'tag:env=prod', '2026-12-31'),
      ],
      AS_OF,
    );
    expect(index.match(RULES[0], c)?.id).toBe('a');
    expect(index.match(RULES[1], c)).toBeUndefined();
  });
});
