// Exemptions indexed by rule and scope, parsed once: finding the exemption that covers a fail costs a few map
// look-ups (the cluster ID's ancestors and its tags) instead of a pass over every exemption.
import type { ClusterReport, Exemption, Finding } from '../model';
import { normaliseId } from '../model';
import { isExemptionActive, parseExemptionScope } from './scope';

interface RuleIndex {
  /** Normalised resource ID (cluster, resource group or subscription) -> the preferred exemption at that scope. */
  byId: Map<string, Entry>;
  /** Lower-case tag key -> lower-case tag value -> the preferred exemption. */
  byTag: Map<string, Map<string, Entry>>;
}

/** An exemption with its expiry parsed once. */
interface Entry {
  exemption: Exemption;
  expires: number;
}

/** Deterministic choice when several apply: the one that lasts longest, then by id. */
function prefer(a: Entry, b: Entry): number {
  return b.expires - a.expires || a.exemption.id.localeCompare(b.exemption.id);
}

function better(current: Entry | undefined, candidate: Entry): Entry {
  return current === undefined || prefer(candidate, current) < 0 ? candidate : current;
}

/** A normalised resource ID and every ancestor scope: the ID up to each '/'. */
function scopesOf(normalisedId: string): string[] {
  const scopes: string[] = [];
  for (let at = normalisedId.indexOf('/', 1); at > 0; at = normalisedId.indexOf('/', at + 1)) {
    scopes.push(normalisedId.slice(0, at));
  }
  scopes.push(normalisedId);
  return scopes;
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
      const entry: Entry = { exemption, expires: Date.parse(exemption.expiresOn) };
      let rule = this.rules.get(exemption.ruleId);
      if (!rule) {
        rule = { byId: new Map(), byTag: new Map() };
        this.rules.set(exemption.ruleId, rule);
      }
      if (scope.kind === 'tag') {
        const key = scope.key.toLowerCase();
        const value = scope.value.toLowerCase();
        const values = rule.byTag.get(key) ?? new Map<string, Entry>();
        values.set(value, better(values.get(value), entry));
        rule.byTag.set(key, values);
      } else {
        rule.byId.set(scope.id, better(rule.byId.get(scope.id), entry));
      }
    }
    this.size = size;
  }

  /** The preferred active exemption covering the rule on the cluster; undefined when none does. */
  match(
    ruleId: string,
    cluster: Pick<ClusterReport, 'id' | 'tags'>,
    scopes = scopesOf(normaliseId(cluster.id)),
  ): Exemption | undefined {
    const rule = this.rules.get(ruleId);
    if (!rule) return undefined;
    let best: Entry | undefined;
    if (rule.byId.size > 0) {
      for (const scope of scopes) {
        const found = rule.byId.get(scope);
        if (found) best = better(best, found);
      }
    }
    if (rule.byTag.size > 0) {
      for (const [k, v] of Object.entries(cluster.tags ?? {})) {
        if (typeof v !== 'string') continue;
        const found = rule.byTag.get(k.toLowerCase())?.get(v.toLowerCase());
        if (found) best = better(best, found);
      }
    }
    return best?.exemption;
  }

  /**
   * The cluster with each `fail` covered by an active exemption turned into `exempt` (details.exemption names it);
   * the same object when nothing is exempted. The input is not changed.
   */
  apply(cluster: ClusterReport): ClusterReport {
    if (this.size === 0) return cluster;
    let scopes: string[] | undefined;
    let changed = false;
    const findings = cluster.findings.map((finding): Finding => {
      if (finding.status !== 'fail' || !this.rules.has(finding.ruleId)) return finding;
      scopes ??= scopesOf(normaliseId(cluster.id));
      const match = this.match(finding.ruleId, cluster, scopes);
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
