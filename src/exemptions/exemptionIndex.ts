// Exemptions indexed by rule and scope, parsed once: finding the exemption that covers a fail costs a few map
// look-ups (the cluster ID's ancestors and its tags) instead of a pass over every exemption.
import type { ClusterReport, Exemption, Finding } from '../model';
import { normaliseId } from '../model';
import { isExemptionActive, parseExemptionScope } from './scope';

interface RuleIndex {
  /** Normalised resource ID (cluster, resource group or subscription) -> the preferred exemption at that scope. */
  byId: Map<string, Exemption>;
  /** Lower-case tag key -> lower-case tag value -> the preferred exemption. */
  byTag: Map<string, Map<string, Exemption>>;
}

/** Deterministic choice when several apply: the one that lasts longest, then by id. */
function prefer(a: Exemption, b: Exemption): number {
  return Date.parse(b.expiresOn) - Date.parse(a.expiresOn) || a.id.localeCompare(b.id);
}

function better(current: Exemption | undefined, candidate: Exemption): Exemption {
  return current === undefined || prefer(candidate, current) < 0 ? candidate : current;
}

export class ExemptionIndex {
  private readonly rules = new Map<string, RuleIndex>();
  /** Active exemptions indexed. */
  readonly size: number;

  /** Indexes the exemptions active at `asOf` (an unparseable scope covers nothing, as before). */
  constructor(exemptions: readonly Exemption[], asOf: Date) {
    let size = 0;
    for (const exemption of exemptions) {
      if (!isExemptionActive(exemption, asOf)) continue;
      const scope = parseExemptionScope(exemption.scope);
      if (!scope) continue;
      size += 1;
      let rule = this.rules.get(exemption.ruleId);
      if (!rule) {
        rule = { byId: new Map(), byTag: new Map() };
        this.rules.set(exemption.ruleId, rule);
      }
      if (scope.kind === 'tag') {
        const key = scope.key.toLowerCase();
        const value = scope.value.toLowerCase();
        const values = rule.byTag.get(key) ?? new Map<string, Exemption>();
        values.set(value, better(values.get(value), exemption));
        rule.byTag.set(key, values);
      } else {
        rule.byId.set(scope.id, better(rule.byId.get(scope.id), exemption));
      }
    }
    this.size = size;
  }

  /** The preferred active exemption covering the rule on the cluster; undefined when none does. */
  match(
    ruleId: string,
    cluster: Pick<ClusterReport, 'id' | 'tags'>,
    normalisedId = normaliseId(cluster.id),
  ): Exemption | undefined {
    const rule = this.rules.get(ruleId);
    if (!rule) return undefined;
    let best: Exemption | undefined;
    if (rule.byId.size > 0) {
      // The cluster itself and every ancestor scope: the ID up to each '/'.
      for (let at = normalisedId.indexOf('/', 1); at > 0; at = normalisedId.indexOf('/', at + 1)) {
        const found = rule.byId.get(normalisedId.slice(0, at));
        if (found) best = better(best, found);
      }
      const own = rule.byId.get(normalisedId);
      if (own) best = better(best, own);
    }
    if (rule.byTag.size > 0) {
      for (const [k, v] of Object.entries(cluster.tags ?? {})) {
        if (typeof v !== 'string') continue;
        const found = rule.byTag.get(k.toLowerCase())?.get(v.toLowerCase());
        if (found) best = better(best, found);
      }
    }
    return best;
  }

  /**
   * The cluster with each `fail` covered by an active exemption turned into `exempt` (details.exemption names it);
   * the same object when nothing is exempted. The input is not changed.
   */
  apply(cluster: ClusterReport): ClusterReport {
    if (this.size === 0) return cluster;
    let normalisedId: string | undefined;
    let changed = false;
    const findings = cluster.findings.map((finding): Finding => {
      if (finding.status !== 'fail' || !this.rules.has(finding.ruleId)) return finding;
      normalisedId ??= normaliseId(cluster.id);
      const match = this.match(finding.ruleId, cluster, normalisedId);
      if (!match) return finding;
      changed = true;
      return {
        ...finding,
        status: 'exempt',
        details: {
          ...finding.details,
          exemption: {
            id: match.id,
            justification: match.justification,
            expiresOn: match.expiresOn,
            author: match.author,
          },
        },
      };
    });
    return changed ? { ...cluster, findings } : cluster;
  }
}
