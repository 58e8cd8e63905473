// The scan pipeline of one run: inventory -> region version catalogs -> access (role assignments and directory) ->
// rules -> exemptions -> the schemaVersion 1 report. Everything that could not be read is named in the report.
import { randomBytes } from 'node:crypto';
import type { AzureClients } from '../azure/clients';
import { loadSupportCalendar } from '../catalog/calendar';
import { fetchRegionCatalogs } from '../catalog/versionCatalog';
import type { Settings } from '../config/settings';
import { ExemptionIndex } from '../exemptions/exemptionIndex';
import { gatherAccess } from '../identity/gather';
import type { InClusterReaderOptions, InClusterStats } from '../incluster/reader';
import { InClusterReads } from '../incluster/state';
import { subjectIds } from '../incluster/subjects';
import { homeTenantOf } from '../identity/tenants';
import { parseClusterId } from '../inventory/clusters';
import { readInventory } from '../inventory/inventory';
import {
  ResourceGraphReader,
  type ResourceGraphReaderOptions,
  type ResourceGraphScope,
  type ResourceGraphStats,
} from '../inventory/resourceGraph';
import type { AccessView, ClusterReport, Exemption, ScanProblem, ScanReport, SupportCalendar } from '../model';
import { normaliseId } from '../model';
import { SummaryAccumulator, buildReport } from '../report/build';
import { buildRuleContext } from '../rules/context';
import { evaluateCluster } from '../rules/engine';

export interface RunScanDeps {
  settings: Settings;
  clients: AzureClients;
  log?: (line: string) => void;
  /** Called as clusters are evaluated (and once with done = total at the end). */
  progress?: (done: number, total: number) => void;
  /** Receives the run's figures once the report is built (phase timings, Resource Graph calls and quota waits). */
  metrics?: (metrics: ScanMetrics) => void;
  /**
   * Receives the subscriptions the inventory covered (lower case; a management-group scope resolved to its
   * subscriptions), so a store can tell which clusters a narrowed run speaks for.
   */
  covered?: (subscriptions: string[]) => void;
  /**
   * Receives the subscriptions (lower case) the run read completely, so the store resolves fails only there (see
   * src/store/resolution.ts).
   */
  readCompletely?: (subscriptions: string[]) => void;
  /**
   * At tenant or management-group scope: the subscriptions the last complete run of the same scope read. One Resource
   * Graph no longer returns is reported as no longer readable, and its clusters keep their state.
   */
  expectedSubscriptions?: string[];
  /**
   * Streaming: called once the inventory is read (before any cluster is evaluated) with what the run could read,
   * then `onCluster` with each cluster as it is evaluated (exemptions applied), awaited before the next. The
   * clusters are not kept: the returned report lists none (its summary counts them all).
   */
  stream?: {
    begin(info: { complete: boolean; problems: ScanProblem[] }): Promise<void> | void;
    onCluster(cluster: ClusterReport): Promise<void> | void;
  };
  /** Tuning of Resource Graph paging and retries (production defaults when absent). */
  resourceGraph?: Omit<ResourceGraphReaderOptions, 'log' | 'abortSignal'>;
  /** Tuning of the in-cluster pass (concurrency, per-cluster timeout, page size), when settings.inCluster is on. */
  inCluster?: Omit<InClusterReaderOptions, 'log' | 'abortSignal'>;
}

/** Where a run spent its time and calls (the benchmark and the run's log line read these). */
export interface ScanMetrics {
  clusters: number;
  inventoryMs: number;
  catalogsMs: number;
  accessMs: number;
  /** The in-cluster pass (0 when off) and its calls. */
  inClusterMs: number;
  inCluster?: InClusterStats;
  /** Rule evaluation and exemptions: wall time and the CPU time of this process. */
  rulesMs: number;
  rulesCpuMs: number;
  regions: number;
  resourceGraph: ResourceGraphStats;
}

export interface RunScanOptions {
  runId?: string;
  /** The clock of the age and horizon rules; default now. */
  asOf?: Date;
  /** Narrow the scope (instead of the configured one); when both lists are given, the subscriptions are read. */
  subscriptions?: string[];
  managementGroups?: string[];
  /** Scan one cluster (a managed cluster resource ID). */
  clusterId?: string;
  exemptions?: Exemption[];
  abortSignal?: AbortSignal;
}

/** A bad option (for example a clusterId that is not a managed cluster ID); the message names it. */
export class ScanOptionError extends Error {
  constructor(
    message: string,
    readonly option: string,
  ) {
    super(message);
    this.name = 'ScanOptionError';
  }
}

/** A sortable run ID safe in Table Storage keys and URLs: `20261127T020000Z-1a2b3c`. */
export function newRunId(now = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

function cleanList(list: string[] | undefined): string[] {
  return (list ?? []).map((s) => s.trim()).filter((s) => s.length > 0);
}

/** The scope of the run: one cluster's subscription, the options' lists, or the configured ones. */
export function resolveScope(settings: Settings, options: RunScanOptions): ResourceGraphScope & { clusterId?: string } {
  if (options.clusterId !== undefined) {
    const parts = parseClusterId(options.clusterId);
    if (!parts) {
      throw new ScanOptionError(
        `clusterId is not a managed cluster resource ID (/subscriptions/S/resourceGroups/RG/providers/Microsoft.ContainerService/managedClusters/NAME): ${options.clusterId.slice(0, 200)}`,
        'clusterId',
      );
    }
    return { subscriptions: [parts.subscriptionId], managementGroups: [], clusterId: normaliseId(options.clusterId) };
  }
  const subscriptions = cleanList(options.subscriptions);
  const managementGroups = cleanList(options.managementGroups);
  if (subscriptions.length > 0 || managementGroups.length > 0) return { subscriptions, managementGroups };
  return { subscriptions: cleanList(settings.subscriptions), managementGroups: cleanList(settings.managementGroups) };
}

/**
 * The subscriptions whose role assignments the run reads: those of the clusters it judges that the inventory read
 * (in the inventory's order), so a run over one cluster reads one subscription and an empty subscription none.
 */
export function accessSubscriptions(found: string[], clusters: readonly { subscriptionId: string }[]): string[] {
  const wanted = new Set(clusters.map((c) => c.subscriptionId.toLowerCase()));
  const out = found.filter((s) => wanted.has(s.toLowerCase()));
  const listed = new Set(out.map((s) => s.toLowerCase()));
  // A cluster of a subscription the subscription read missed (an incomplete read): still read its assignments.
  for (const c of clusters) {
    const key = c.subscriptionId.toLowerCase();
    if (!listed.has(key)) {
      listed.add(key);
      out.push(c.subscriptionId);
    }
  }
  return out;
}

function dedupeProblems(problems: ScanProblem[]): ScanProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.source}|${p.scope}|${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Scans the fleet in scope and returns the report. Service failures never throw: they make findings `unknown`,
 * are listed in `problems`, and an inventory that could not be read completely gives `complete: false`.
 * Throws only for bad options or settings (ScanOptionError, a calendar file that cannot be read).
 */
export async function runScan(deps: RunScanDeps, options: RunScanOptions = {}): Promise<ScanReport> {
  const log = deps.log ?? (() => undefined);
  const startedAt = new Date();
  const asOf = options.asOf ?? startedAt;
  const runId = options.runId ?? newRunId(startedAt);
  const scope = resolveScope(deps.settings, options);
  // A calendar file that cannot be read is a configuration error: fail before any call is made.
  const calendar: SupportCalendar = loadSupportCalendar(deps.settings.supportCalendarPath);

  const reader = new ResourceGraphReader(deps.clients.resourceGraph, {
    ...deps.resourceGraph,
    log,
    ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}),
  });
  const requestScope: ResourceGraphScope =
    scope.subscriptions && scope.subscriptions.length > 0
      ? { subscriptions: scope.subscriptions }
      : scope.managementGroups && scope.managementGroups.length > 0
        ? { managementGroups: scope.managementGroups }
        : {};

  let t = Date.now();
  const inventory = await readInventory(reader, requestScope, {
    ...(deps.expectedSubscriptions && !requestScope.subscriptions
      ? { expectedSubscriptions: deps.expectedSubscriptions }
      : {}),
    ...(scope.clusterId ? { clusterId: scope.clusterId } : {}),
  });
  deps.readCompletely?.(inventory.readCompletely);
  const inventoryMs = Date.now() - t;
  const problems: ScanProblem[] = [...inventory.problems];
  // The records stay on the shelf (a page at a time comes back for the in-cluster pass and the rules); the catalog
  // and access passes read the heads.
  const shelf = inventory.clusters;
  const clusters = shelf.heads;
  deps.covered?.([...new Set([...inventory.chains.keys(), ...clusters.map((c) => c.subscriptionId.toLowerCase())])]);
  log(
    `inventory: ${clusters.length} clusters in ${inventory.chains.size} subscriptions (${inventory.complete ? 'complete' : 'incomplete'}) in ${inventoryMs} ms (${Math.round(shelf.size / 1024)} KiB shelved)`,
  );

  t = Date.now();
  const catalogs = await fetchRegionCatalogs(deps.clients, clusters, {
    log,
    ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}),
  });
  for (const catalog of catalogs.values()) {
    if (!catalog.readable)
      problems.push({ source: 'containerService', scope: catalog.location, message: catalog.reason });
  }
  const catalogsMs = Date.now() - t;
  log(`catalogs: ${catalogs.size} regions in ${catalogsMs} ms`);

  // In-cluster pass (opt-in): before access, so that the bindings' subjects are resolved with the other principals.
  let inCluster: InClusterReads | undefined;
  let inClusterStats: InClusterStats | undefined;
  let inClusterMs = 0;
  if (deps.settings.inCluster && clusters.length > 0) {
    t = Date.now();
    // Loaded only for the in-cluster pass: the Kubernetes client holds ~30 MB of heap once loaded.
    const { InClusterReader } = await import('../incluster/reader');
    const reader = new InClusterReader(
      { credential: deps.clients.credential, containerService: deps.clients.containerService },
      {
        concurrency: deps.settings.inClusterConcurrency,
        timeoutInMs: deps.settings.inClusterTimeoutSeconds * 1000,
        ...deps.inCluster,
        log,
        ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}),
      },
    );
    const reads = new InClusterReads();
    try {
      await reader.readAll(shelf, (cluster, read) => reads.set(cluster.id, read), shelf.length);
    } finally {
      reader.close();
    }
    inCluster = reads;
    inClusterStats = { ...reader.stats };
    inClusterMs = Date.now() - t;
  }
  const subjects = inCluster ? subjectIds(inCluster.values()) : undefined;

  let access: AccessView | undefined;
  let accessMs = 0;
  if (clusters.length > 0) {
    t = Date.now();
    // Role assignments are read over the subscriptions of the clusters being judged (those the inventory found),
    // never at tenant scope: AtScopeAboveAndBelow is defined relative to the subscriptions in the request.
    const accessScope: ResourceGraphScope = { subscriptions: accessSubscriptions(inventory.subscriptions, clusters) };
    try {
      // The scanner's own tenant, to tell Azure Lighthouse customers' clusters apart (their principals are not in
      // this directory).
      const homeTenantId = await homeTenantOf(
        deps.clients.credential,
        deps.settings.armEndpoint,
        deps.settings.tenantId,
      );
      const gathered = await gatherAccess(
        { clients: deps.clients, reader },
        {
          clusters,
          chains: inventory.chains,
          scope: accessScope,
          ...(subjects ? { extraPrincipals: subjects.principals, extraMemberCounts: subjects.memberCounts } : {}),
          ...(homeTenantId ? { homeTenantId } : {}),
        },
      );
      access = gathered.view;
      problems.push(...gathered.problems);
    } catch (error) {
      // Without an access view the RBAC-subject rules report unknown; the other rules still judge.
      problems.push({
        source: 'graph',
        scope: 'access',
        message: `role assignments and principals could not be gathered: ${(error as Error)?.message ?? String(error)}`,
      });
    }
    accessMs = Date.now() - t;
    log(`access: gathered in ${accessMs} ms`);
  }

  t = Date.now();
  const cpu = process.cpuUsage();
  const ctx = buildRuleContext({
    asOf,
    nodeImageMaxAgeDays: deps.settings.nodeImageMaxAgeDays,
    eolWarningDays: deps.settings.eolWarningDays,
    maxClusterAdmins: deps.settings.maxClusterAdmins,
    catalogs,
    calendar,
    ...(access ? { access } : {}),
    ...(inCluster ? { inCluster } : {}),
  });
  const exemptions = new ExemptionIndex(options.exemptions ?? [], asOf);
  const reports: ClusterReport[] = [];
  const summary = new SummaryAccumulator();
  const stream = deps.stream;
  // Time spent in the stream's sink (the store's writes) is not the rules'.
  let sinkMs = 0;
  let sinkCpu = 0;
  if (stream) await stream.begin({ complete: inventory.complete, problems: dedupeProblems(problems) });
  const step = Math.max(1, Math.ceil(clusters.length / 100));
  let i = 0;
  for (const record of shelf) {
    i++;
    const evaluated = evaluateCluster(record, ctx);
    const cluster = exemptions.size === 0 ? evaluated : exemptions.apply(evaluated);
    summary.add(cluster);
    if (stream) {
      const at = Date.now();
      const atCpu = process.cpuUsage();
      await stream.onCluster(cluster);
      sinkMs += Date.now() - at;
      const spent = process.cpuUsage(atCpu);
      sinkCpu += spent.user + spent.system;
    } else reports.push(cluster);
    if (deps.progress && i % step === 0 && i < clusters.length) deps.progress(i, clusters.length);
  }
  deps.progress?.(clusters.length, clusters.length);
  const rulesMs = Date.now() - t - sinkMs;
  const used = process.cpuUsage(cpu);
  const rulesCpuMs = Math.round((used.user + used.system - sinkCpu) / 1000);
  log(`rules: ${clusters.length} clusters evaluated in ${rulesMs} ms (${rulesCpuMs} ms CPU)`);
  const rg = reader.stats;
  log(
    `resourceGraph: ${rg.calls} requests (${rg.retries} retries, ${rg.throttled} throttled), ${rg.quotaWaits} quota waits (${rg.quotaWaitMs} ms)`,
  );
  deps.metrics?.({
    clusters: clusters.length,
    inventoryMs,
    catalogsMs,
    accessMs,
    inClusterMs,
    ...(inClusterStats ? { inCluster: inClusterStats } : {}),
    rulesMs,
    rulesCpuMs,
    regions: catalogs.size,
    resourceGraph: { ...rg },
  });

  const report = buildReport({
    runId,
    asOf,
    startedAt,
    finishedAt: new Date(),
    scope: { subscriptions: scope.subscriptions ?? [], managementGroups: scope.managementGroups ?? [] },
    complete: inventory.complete,
    clusters: reports,
    problems: dedupeProblems(problems),
  });
  if (stream) report.summary = summary.value();
  return report;
}
