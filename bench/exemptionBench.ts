// Exemption matching at fleet scale: many exemptions (cluster, resource group, subscription and tag scopes, a few
// expired) applied to every finding of a fleet's evaluated reports, index built and applied, timed together.
import { applyExemptions } from '../src/exemptions/exemptions';
import type { ClusterReport, Exemption } from '../src/model';

export interface ExemptionMatching {
  exemptions: number;
  findings: number;
  fails: number;
  exempted: number;
  /** Wall time to index and apply. */
  ms: number;
  /** CPU time of this process for the same (a shared machine's load does not inflate it). */
  cpuMs: number;
}

/** Exemptions over the fleet's own scopes, deterministic for a seed. */
export function benchExemptions(clusters: ClusterReport[], count: number, asOf: Date, seed = 1): Exemption[] {
  let state = seed >>> 0 || 1;
  const next = (): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
  const rules = [...new Set(clusters.flatMap((c) => c.findings.map((f) => f.ruleId)))];
  const expires = new Date(asOf.getTime() + 90 * 86_400_000).toISOString();
  const expired = new Date(asOf.getTime() - 86_400_000).toISOString();
  return Array.from({ length: count }, (_, i) => {
    const c = clusters[Math.floor(next() * clusters.length)];
    const kind = next();
    const rg = c.id.split('/').slice(0, 5).join('/');
    const tag = Object.entries(c.tags ?? {})[0];
    const scope =
      kind < 0.7
        ? c.id
        : kind < 0.85
          ? rg
          : kind < 0.9
            ? `/subscriptions/${c.subscriptionId}`
            : tag
              ? `tag:${tag[0]}=${tag[1]}`
              : c.id;
    return {
      id: `bench-${i}`,
      ruleId: rules[Math.floor(next() * rules.length)],
      scope,
      justification: 'bench',
      expiresOn: next() < 0.05 ? expired : expires,
      author: 'bench@contoso.example',
      createdAt: asOf.toISOString(),
    };
  });
}

export function measureExemptionMatching(clusters: ClusterReport[], count: number, asOf: Date): ExemptionMatching {
  const exemptions = benchExemptions(clusters, count, asOf);
  const started = performance.now();
  const cpu = process.cpuUsage();
  const applied = applyExemptions(clusters, exemptions, asOf);
  const used = process.cpuUsage(cpu);
  const ms = performance.now() - started;
  let findings = 0;
  let fails = 0;
  let exempted = 0;
  for (const c of clusters) {
    findings += c.findings.length;
    for (const f of c.findings) if (f.status === 'fail') fails += 1;
  }
  for (const c of applied) for (const f of c.findings) if (f.status === 'exempt') exempted += 1;
  return {
    exemptions: count,
    findings,
    fails,
    exempted,
    ms: Math.round(ms),
    cpuMs: Math.round((used.user + used.system) / 1000),
  };
}
