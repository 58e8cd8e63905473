// A run's change set, planned: what the run reported compared with Latest (and with what an interrupted attempt of
// the same run already wrote), key by key, giving the before-images (Changes `cSEQ-NN`), the new Latest rows, the
// run's views (Changes `v-RUN-NN`), and each changed cluster's transitions for History.
import type { Finding, ScanReport } from '../model';
import { boundedJson, entryProps, findingJson, hashOf, isCompact, sameEntry, type Entry } from './codec';
import { META, bucketOf, bucketPk, changePk, clusterIdOfKey, clusterKey, keyInfo, ruleKey, viewPk } from './keys';
import type { StateMap } from './latest';
import { resolveEntry } from './resolution';
import { transition, type StatusTransition } from './history';
import type { Action } from './tables';

/** What this run reported, keyed like Latest, a key's entry made when asked for (a fleet is not held twice). */
class ReportedState {
  readonly clusters = new Map<
    string,
    { pk: string; subscriptionId: string; findings: Finding[]; meta: Entry; rules: Map<string, number> }
  >();

  constructor(report: ScanReport) {
    for (const cluster of report.clusters) {
      const { findings, ...meta } = cluster;
      this.clusters.set(clusterKey(cluster.id), {
        pk: bucketPk(bucketOf(cluster.id)),
        subscriptionId: cluster.subscriptionId,
        findings,
        // The metadata's JSON is small and compared; a finding's JSON is only built where it is written.
        meta: { json: boundedJson(meta) },
        rules: new Map(findings.map((finding, pos) => [ruleKey(finding.ruleId), pos])),
      });
    }
  }

  at(rk: string): { pk: string; entry: Entry } | undefined {
    const dot = rk.indexOf('.');
    const cluster = this.clusters.get(rk.slice(0, dot));
    if (!cluster) return undefined;
    const rule = rk.slice(dot + 1);
    if (rule === META) return { pk: cluster.pk, entry: cluster.meta };
    const pos = cluster.rules.get(rule);
    if (pos === undefined) return undefined;
    const finding = cluster.findings[pos];
    return {
      pk: cluster.pk,
      entry: { status: finding.status, severity: finding.severity, build: () => findingJson(finding, pos) },
    };
  }
}

export interface ChangeSetInput {
  report: ScanReport;
  runId: string;
  /** Latest (compact, filled where needed). */
  latest: StateMap;
  /** The change set number this run writes. */
  seq: number;
  /** No before-images (the store's first run). */
  skipBefore: boolean;
  /** Before-images an interrupted attempt of this run already wrote (they describe the state before this run). */
  priorBefore: Map<string, { pk: string; entry: Entry | undefined }>;
  /** View keys an earlier attempt of this run wrote, with their Latest partition. */
  priorViews: Map<string, string>;
  /** Which clusters the run speaks for (normalised IDs). */
  inScope: (normalisedClusterId: string) => boolean;
  /** Whether the run read a subscription (by ID) completely: see resolveEntry. */
  readCompletely: (subscriptionId: string) => boolean;
}

interface Decision {
  pk: string;
  bucket: string;
  ck: string;
  ruleId: string;
  isMeta: boolean;
  current: Entry | undefined;
  before: Entry | undefined;
  fresh: Entry | undefined;
  state: Entry | undefined;
}

export interface PlannedWrites {
  changeActions: Action[];
  staleChanges: Action[];
  latestActions: Action[];
  viewActions: Action[];
  transitions: Map<string, { pk: string; list: StatusTransition[] }>;
  /** Buckets holding this change set's before-images (with those of an interrupted attempt). */
  changeBuckets: Set<string>;
  viewBuckets: Set<string>;
  changedKeys: number;
  /** Each planned cluster's entries once the writes are done (row-key suffix and entry), for its digest. */
  states: Map<string, Array<[string, Entry]>>;
}

export class ChangeSetPlan {
  private readonly reported: ReportedState;

  constructor(private readonly input: ChangeSetInput) {
    this.reported = new ReportedState(input.report);
  }

  /** Every key once: Latest's (in its order), then the reported ones new to it, then an earlier attempt's. */
  private *allKeys(): Generator<string> {
    const { latest, priorBefore, priorViews } = this.input;
    yield* latest.keys();
    for (const [ck, cluster] of this.reported.clusters) {
      for (const rule of [META, ...cluster.rules.keys()]) {
        const rk = `${ck}.${rule}`;
        if (!latest.has(rk)) yield rk;
      }
    }
    for (const rk of priorBefore.keys()) if (!latest.has(rk) && !this.reported.at(rk)) yield rk;
    for (const rk of priorViews.keys()) {
      if (!latest.has(rk) && !this.reported.at(rk) && !priorBefore.has(rk)) yield rk;
    }
  }

  private decide(rk: string): Decision | undefined {
    const { latest, priorBefore, priorViews, skipBefore, inScope, readCompletely } = this.input;
    const mine = this.reported.at(rk);
    const pk = mine?.pk ?? latest.get(rk)?.pk ?? priorBefore.get(rk)?.pk ?? priorViews.get(rk)!;
    const { ck, ruleId } = keyInfo(rk, pk);
    const clusterId = clusterIdOfKey(ck);
    // Clusters outside a narrowed run's scope are neither read nor judged by it.
    if (!mine && !priorBefore.has(rk) && !priorViews.has(rk) && !inScope(clusterId)) return undefined;
    const isMeta = ruleId === META;
    const current = latest.get(rk)?.entry;
    const before = skipBefore ? undefined : priorBefore.has(rk) ? priorBefore.get(rk)!.entry : current;
    const fresh = mine?.entry;
    const reportedCluster = this.reported.clusters.get(ck);
    const subscription = reportedCluster?.subscriptionId ?? /^\/subscriptions\/([^/]+)\//.exec(clusterId)?.[1] ?? '';
    const resolution = resolveEntry({
      isMeta,
      clusterReported: reportedCluster !== undefined,
      subscriptionReadCompletely: readCompletely(subscription),
      before,
      fresh,
    });
    const state: Entry | undefined =
      resolution === 'fresh' ? (fresh ?? before) : resolution === 'keep' ? before : undefined;
    return { pk, bucket: pk.slice(1), ck, ruleId, isMeta, current, before, fresh, state };
  }

  /**
   * Latest was read compact: the entries whose before-image is written (or whose metadata is compared in the
   * history) must be read whole, and only those.
   */
  keysToFill(): string[] {
    const wanted: string[] = [];
    for (const rk of this.allKeys()) {
      const d = this.decide(rk);
      if (d && isCompact(d.before) && !sameEntry(d.state, d.before, d.isMeta)) wanted.push(rk);
    }
    return wanted;
  }

  /** The writes, once the keys of keysToFill are whole in `latest`. */
  plan(existingChangeBuckets: string[]): PlannedWrites {
    const { runId, seq, skipBefore, priorBefore, priorViews } = this.input;
    const out: PlannedWrites = {
      changeActions: [],
      staleChanges: [],
      latestActions: [],
      viewActions: [],
      transitions: new Map(),
      changeBuckets: new Set(existingChangeBuckets),
      viewBuckets: new Set(),
      changedKeys: 0,
      states: new Map(),
    };
    for (const rk of this.allKeys()) {
      const d = this.decide(rk);
      if (!d) continue;
      const { pk, bucket, ck, ruleId, isMeta, current, before, fresh, state } = d;
      const entries = out.states.get(ck) ?? [];
      if (state) entries.push([ruleId, state]);
      out.states.set(ck, entries);
      if (!sameEntry(state, before, isMeta)) {
        out.changedKeys += 1;
        if (!skipBefore) {
          out.changeBuckets.add(bucket);
          const cpk = changePk(seq, bucket);
          out.changeActions.push({
            kind: 'upsert',
            pk: cpk,
            entity: () => ({ partitionKey: cpk, rowKey: rk, ...entryProps(before, 'v') }),
          });
        }
        const t = out.transitions.get(ck) ?? { pk, list: [] };
        t.list.push(transition(ruleId, before, state));
        out.transitions.set(ck, t);
      } else if (priorBefore.has(rk)) {
        out.staleChanges.push({ kind: 'delete', pk: changePk(seq, bucket), rk });
      }
      if (!sameEntry(state, current, isMeta)) {
        out.latestActions.push(
          state
            ? {
                kind: 'upsert',
                pk,
                entity: () => ({
                  partitionKey: pk,
                  rowKey: rk,
                  ...entryProps(state, 'v'),
                  ...(isMeta ? { vh: hashOf(state) } : {}),
                  seq,
                  runId,
                }),
              }
            : { kind: 'delete', pk, rk },
        );
      }
      if (!sameEntry(fresh, state, isMeta)) {
        out.viewBuckets.add(bucket);
        const vpk = viewPk(runId, bucket);
        out.viewActions.push({
          kind: 'upsert',
          pk: vpk,
          entity: () => ({ partitionKey: vpk, rowKey: rk, ...entryProps(fresh, 'v') }),
        });
      } else if (priorViews.has(rk)) {
        out.viewActions.push({ kind: 'delete', pk: viewPk(runId, bucket), rk });
      }
    }
    return out;
  }
}
