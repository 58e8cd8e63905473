// npm run bench [-- --clusters N] [--seed S] [--output FILE]: the fleet-scale benchmark. A generated fleet (10,000
// clusters by default) is served by the simulator (20 ms per call, Resource Graph quota 15 per 5 s, Graph
// unthrottled) in a child process; the product scans it through the service path (runScanJob with a FindingStore on
// Azurite and the notifier posting), three times: a full scan, an unchanged rescan and a rescan with 1% of the
// clusters changed. It prints a table with PASS/MISS per target and writes bench/results.json.
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { ClusterReport } from '../src/model';
import { evaluateCluster } from '../src/rules/engine';
import { ALL_RULES } from '../src/rules/index';
import type { FleetOptions } from '../sim/fleet/generator';
import { startAzurite } from '../sim/azurite';
import { inClusterTargets, measureInCluster, type InClusterResult } from './inCluster';
import {
  deployedNodeArguments,
  startProductHost,
  type ProductHost,
  type MemoryAtPeak,
  type ProductInClusterPass,
  type ProductScan,
  type ProductStart,
} from './productHost';
import { measureExemptionMatching, type ExemptionMatching } from './exemptionBench';
import { prepareRuleInputs } from './fleetReport';
import {
  startSimHost,
  type MutateResult,
  type SimCounters,
  type SimHost,
  type SimHostInfo,
  type SimHostStart,
} from './simHost';

export const FULL_SIZE = 10_000;
export const LATENCY_MS = 20;
export const QUOTA = { limit: 15, windowMs: 5000 };
/** Exemptions the matching benchmark applies to the evaluated fleet. */
export const EXEMPTIONS = 100_000;
/**
 * HTTP calls the scan makes, compared with the lower bound. Sign-in and alert delivery are listed but not part of it;
 * `graph.memberCount` counts the `$count` requests inside `$batch` calls (the simulator counts inner requests too),
 * so it is listed but not added: the `$batch` calls are the HTTP calls.
 */
export const SCAN_APIS = [
  'resourceGraph',
  'kubernetesVersions',
  'managedClusters',
  'upgradeProfiles',
  'graph.getByIds',
  'graph.batch',
] as const;

export interface BenchOptions {
  clusters?: number;
  seed?: number;
  latencyMs?: number;
  /** Where the simulator runs; default a child process when its compiled entry exists, else in-process. */
  simulator?: 'child' | 'in-process';
  /** results.json path; null writes nothing. Default bench/results.json. */
  output?: string | null;
  log?: (line: string) => void;
}

export interface ScanResult {
  name: string;
  wallMs: number;
  cpuMs: number;
  peakRssMb: number;
  /** At the peak: the V8 heap allocated and used, and the memory outside it (external, of which array buffers). */
  memoryAtPeakMb: MemoryAtPeak;
  calls: Record<string, number>;
  lowerBound: number;
  callsPerLowerBound: number;
  tableTransactions: number;
  entitiesWritten: number;
  alertsSent: number;
  quotaCriticalPathMs: number;
  /** Wall time beyond the Resource Graph quota's critical path (the unchanged rescan's is a target). */
  overQuotaPathMs: number;
  // Extra figures.
  scanCalls: number;
  resourceGraphThrottled: number;
  storeWriteMs: number;
  entitiesPerSecond: number | null;
  writesByTable: Record<string, { transactions: number; entities: number }>;
  complete: boolean;
  runStatus: string;
  clusters: number;
  /** Findings and cluster metadata whose state changed in the store (what the run found different). */
  changedKeys: number;
  /** What the run could not read (the first few). */
  problems: string[];
  /**
   * Where the wall time went, from the run's log lines: inventory (Resource Graph, quota waits included), region
   * catalogs, access (role assignments and Graph), rules, the store's recordRun, and the rest (run start, the alert
   * baseline and exemptions read from the store, posting alerts).
   */
  phasesMs: Record<string, number>;
  /** Changed findings and clusters the 1% rescan should write (from the generator's ground truth). */
  expectedChangedFindings?: number;
  expectedChangedClusters?: number;
}

export interface Target {
  name: string;
  limit: string;
  value: string;
  pass: boolean;
  note?: string;
}

export interface BenchResults {
  fleet: Record<string, number | string | boolean>;
  scans: ScanResult[];
  inCluster?: InClusterResult;
  ruleEvaluation: { clusters: number; rules: number; cpuMs: number; wallMs: number; gcMs: number };
  /** Exemptions applied to every finding of the evaluated fleet (index built and applied). */
  exemptionMatching: ExemptionMatching;
  /** Bytes of report.html for the full scan's report (clusters linked to their pages). */
  reportHtmlBytes: number | null;
  /** The step the product process could not complete, and why (its later steps were not measured). */
  productFailure?: string;
  /** Why report.html could not be read (the product process failed, for example ran out of heap). */
  reportHtmlError?: string;
  /** The unchanged rescan's wall time beyond the Resource Graph quota's critical path. */
  unchangedOverQuotaPathMs: number | null;
  targets: Target[];
  /** The report.html read of the full scan (as GET /api/reports/{runId}?format=html reads it): its peak RSS. */
  reportHtmlPeakRssMb: number | null;
  environment: { node: string; simulator: 'child' | 'in-process'; productNodeArguments: string; rssNote: string };
}

/** The issue's fleet at 10,000 clusters, scaled linearly for other sizes. */
export function fleetOptionsFor(clusters: number, seed = 9): FleetOptions {
  const scale = clusters / FULL_SIZE;
  return {
    seed,
    clusters,
    subscriptions: Math.max(1, Math.round(500 * scale)),
    regions: Math.min(40, Math.max(1, Math.ceil(clusters / 25))),
    poolsPerCluster: 3,
    roleAssignments: Math.round(60_000 * scale),
    relevantAssignmentShare: 1 / 3,
    principals: Math.round(15_000 * scale),
    adminGroups: Math.max(1, Math.round(2_000 * scale)),
  };
}

/** The fewest calls the services allow for this fleet. */
export function lowerBoundOf(info: SimHostInfo): { total: number; parts: Record<string, number> } {
  const s = info.stats;
  // The clusters and role assignments are read over the subscriptions found, at most 1,000 a request: at least one
  // request per 1,000 subscriptions, whatever the rows.
  const subscriptionLists = Math.ceil(s.subscriptions / 1000);
  const parts = {
    clusterPages: Math.max(Math.ceil(s.clusters / 1000), subscriptionLists),
    roleAssignmentPages: Math.max(Math.ceil(s.relevantAssignments / 1000), subscriptionLists),
    chainPages: Math.max(1, Math.ceil(s.subscriptions / 1000)),
    regions: s.regions,
    getByIds: Math.ceil(s.resolvablePrincipals / 1000),
    memberCountBatches: Math.ceil(info.adminGroupsResolvingAsGroups / 20),
    // AKS notifications: one query per subscription list of the clusters query, more pages past 1000 rows.
    clusterEventPages: Math.max(Math.ceil(s.subscriptions / 1000), Math.ceil((s.clusterEvents ?? 0) / 1000)),
  };
  return { total: Object.values(parts).reduce((a, b) => a + b, 0), parts };
}

/** The least time the Resource Graph quota alone forces on `calls` requests: calls beyond a window wait for resets. */
export function quotaCriticalPathMs(calls: number, quota = QUOTA): number {
  if (calls <= 0) return 0;
  return Math.floor((calls - 1) / quota.limit) * quota.windowMs;
}

// ---------------------------------------------------------------------------------------------------------------
// The simulator, in a child process or in this one

/** A child process of the benchmark answering { id, op, args } requests over IPC (and sending { log } lines). */
function forkChild(
  entry: string,
  execArgv: string[],
  log: (line: string) => void,
): { call<T>(op: string, args?: unknown): Promise<T>; close(): void } {
  const child: ChildProcess = fork(join(__dirname, entry), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    execArgv,
  });
  let next = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  child.on('message', (m: { id?: number; ok?: boolean; result?: unknown; error?: string; log?: string }) => {
    if (typeof m.log === 'string') return log(m.log);
    const p = m.id !== undefined ? pending.get(m.id) : undefined;
    if (!p) return;
    pending.delete(m.id!);
    if (m.ok) p.resolve(m.result);
    else p.reject(new Error(`${entry}: ${m.error}`));
  });
  child.on('error', (error) => log(`bench: ${entry}: ${error.message}`));
  child.once('exit', (code, signal) => {
    for (const p of pending.values()) p.reject(new Error(`${entry} exited (${code ?? signal})`));
    pending.clear();
  });
  return {
    call: <T>(op: string, args?: unknown): Promise<T> =>
      new Promise<T>((resolvePromise, reject) => {
        // A child that exited (for example out of heap) answers nothing more.
        if (!child.connected) return reject(new Error(`${entry} is not running`));
        const id = next++;
        pending.set(id, { resolve: resolvePromise as (v: unknown) => void, reject });
        child.send({ id, op, args });
      }),
    close: () => {
      if (child.connected) child.disconnect();
    },
  };
}

async function startChildSimHost(start: SimHostStart, log: (line: string) => void): Promise<SimHost> {
  const { call, close } = forkChild('simProcess.js', [], log);
  const info = await call<SimHostInfo>('start', start);
  return {
    info,
    counters: () => call<SimCounters>('counters'),
    reset: () => call<void>('reset'),
    mutate: (count, seed) => call<MutateResult>('mutate', { count, seed }),
    stop: async () => {
      await call('stop').catch(() => undefined);
      close();
    },
  };
}

/** The product in a child process started with `nodeArguments` (the function app's). */
async function startChildProductHost(
  start: ProductStart,
  nodeArguments: string,
  log: (line: string) => void,
): Promise<ProductHost> {
  const { call, close } = forkChild('productProcess.js', nodeArguments.split(/\s+/).filter(Boolean), log);
  const started = await call<{ nodeArguments: string }>('start', start);
  return {
    nodeArguments: started.nodeArguments,
    scan: () => call<ProductScan>('scan'),
    inClusterPass: (options) => call<ProductInClusterPass>('inClusterPass', options),
    reportHtml: (runId) => call<{ bytes: number; peakRssMb: number }>('reportHtml', runId),
    stop: async () => {
      await call('stop').catch(() => undefined);
      close();
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Measuring

/** A notifier stand-in that accepts every batch and counts the alerts the scanner posted. */
/** A stand-in notifier: accepts the scanner's run IDs (what POST /api/notify receives) and remembers them. */
async function startAlertSink(key: string): Promise<{ url: string; runIds: Set<string>; stop(): Promise<void> }> {
  const runIds = new Set<string>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.headers['x-functions-key'] !== key) {
        res.writeHead(401).end();
        return;
      }
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { runId?: unknown };
        if (typeof body.runId === 'string') runIds.add(body.runId);
        res.writeHead(202, { 'content-type': 'application/json' }).end('{}');
      } catch {
        res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":{"code":"InvalidJson"}}');
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/notify`,
    runIds,
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** A full garbage collection, so that the fleet generation's garbage is not billed to what is measured next. */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

/**
 * Rule evaluation alone: every rule on every cluster, in this process, with a context prepared beforehand, the
 * reports kept as runScan keeps them. CPU time includes the garbage collection the evaluation causes (also given
 * apart, as gcMs).
 */
export async function measureRuleEvaluation(
  fleetOptions: FleetOptions,
  exemptions = 0,
): Promise<BenchResults['ruleEvaluation'] & { exemptionMatching?: ExemptionMatching }> {
  const { records, ctx } = prepareRuleInputs(fleetOptions);
  // Warm, untimed: the rules once over the same fleet with a context of its own (its shared outcomes are not
  // reused). Until the product moved to a process of its own, the benchmark's scans of this fleet did that here before
  // this measurement; what stays warm is what a worker keeps between nightly scans (compiled code, parsed image dates).
  const warm = prepareRuleInputs(fleetOptions);
  for (const record of warm.records) evaluateCluster(record, warm.ctx);
  collectGarbage();
  let gcMs = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) gcMs += entry.duration;
  });
  observer.observe({ entryTypes: ['gc'] });
  const wall = performance.now();
  const cpu = process.cpuUsage();
  const reports: ClusterReport[] = [];
  for (const record of records) reports.push(evaluateCluster(record, ctx));
  const used = process.cpuUsage(cpu);
  const wallMs = performance.now() - wall;
  // GC entries arrive asynchronously.
  await new Promise((r) => setTimeout(r, 50));
  observer.disconnect();
  const findings = reports.reduce((sum, r) => sum + r.findings.length, 0);
  if (findings !== records.length * ALL_RULES.length) {
    throw new Error(`rule evaluation gave ${findings} findings, expected ${records.length * ALL_RULES.length}`);
  }
  return {
    clusters: records.length,
    rules: ALL_RULES.length,
    cpuMs: Math.round((used.user + used.system) / 1000),
    wallMs: Math.round(wallMs),
    gcMs: Math.round(gcMs),
    ...(exemptions > 0 ? { exemptionMatching: measureExemptionMatching(reports, exemptions, ctx.asOf) } : {}),
  };
}

/** Bytes of a run's report.html, the report read back from the store (a scan keeps no clusters) and let go. */
/** Phase timings from the run's log lines (see runScan's `inventory: ... in N ms` lines). */
export function phasesOf(lines: string[], wallMs: number, storeMs: number): Record<string, number> {
  const phases: Record<string, number> = {};
  const take = (name: string, pattern: RegExp) => {
    for (const line of lines) {
      const m = pattern.exec(line);
      if (m) phases[name] = Number(m[1]);
    }
  };
  take('inventory', /^inventory: .* in (\d+) ms/);
  take('catalogs', /^catalogs: .* in (\d+) ms/);
  take('access', /^access: .* in (\d+) ms/);
  take('rules', /^rules: .* in (\d+) ms/);
  take('resourceGraphQuotaWaits', /^resourceGraph: .*quota waits \((\d+) ms\)/);
  phases.storeRecordRun = Math.round(storeMs);
  const accounted = ['inventory', 'catalogs', 'access', 'rules', 'storeRecordRun'].reduce(
    (sum, k) => sum + (phases[k] ?? 0),
    0,
  );
  phases.other = Math.max(0, Math.round(wallMs - accounted));
  return phases;
}

/** The project folder, from bench/ (ts-jest) or dist/bench/ (compiled). */
function projectRoot(): string {
  return existsSync(join(__dirname, '..', 'package.json')) ? join(__dirname, '..') : join(__dirname, '..', '..');
}

function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

// ---------------------------------------------------------------------------------------------------------------

export async function runBench(options: BenchOptions = {}): Promise<BenchResults> {
  const clusters = options.clusters ?? FULL_SIZE;
  const seed = options.seed ?? 9;
  const latencyMs = options.latencyMs ?? LATENCY_MS;
  const log = options.log ?? (() => undefined);
  const where = options.simulator ?? (existsSync(join(__dirname, 'simProcess.js')) ? 'child' : ('in-process' as const));
  const fleetOptions = fleetOptionsFor(clusters, seed);

  log(`bench: generating ${clusters} clusters and starting the simulator (${where})`);
  const start: SimHostStart = { fleet: fleetOptions, latencyMs, quota: QUOTA };
  const sim = where === 'child' ? await startChildSimHost(start, log) : await startSimHost(start);
  const stops: Array<() => Promise<void>> = [() => sim.stop()];
  try {
    const azurite = await startAzurite();
    stops.unshift(() => azurite.dispose());
    const notifyKey = 'bench-notify-key';
    const sink = await startAlertSink(notifyKey);
    stops.unshift(() => sink.stop());
    const productStart: ProductStart = {
      env: {
        ...sim.info.env,
        AKS_COMPLIANCE_STORAGE: azurite.connectionString,
        AKS_COMPLIANCE_NOTIFY_URL: sink.url,
        AKS_COMPLIANCE_NOTIFY_KEY: notifyKey,
      },
      caPem: sim.info.caPem,
    };
    // The product runs with the function app's Node arguments (its heap limit) when it runs in its own process.
    const product =
      where === 'child'
        ? await startChildProductHost(productStart, deployedNodeArguments(projectRoot()), log)
        : await startProductHost(productStart, log);
    stops.unshift(() => product.stop());
    const bound = lowerBoundOf(sim.info);
    log(
      `bench: fleet ready (${sim.info.generateMs} ms); lower bound ${bound.total} calls ${JSON.stringify(bound.parts)}`,
    );

    const scans: ScanResult[] = [];
    // The full scan's run, whose report's HTML is measured once every scan is done (reading the report back holds
    // it whole: a scan measured after that would count the memory the bench used).
    let fullRunId: string | undefined;
    const scan = async (name: string, extra: Partial<ScanResult> = {}): Promise<ScanResult> => {
      await sim.reset();
      const result = await product.scan();
      const { wallMs, jobLog } = result;
      const counters = await sim.counters();
      const scanCalls = SCAN_APIS.reduce((sum, api) => sum + (counters.calls[api] ?? 0), 0);
      const rgOk = counters.byStatus['resourceGraph 200'] ?? 0;
      const entities = result.entitiesWritten;
      const r: ScanResult = {
        name,
        wallMs,
        cpuMs: result.cpuMs,
        peakRssMb: result.peakRssMb,
        memoryAtPeakMb: result.memoryAtPeakMb,
        calls: counters.calls,
        lowerBound: bound.total,
        callsPerLowerBound: round(scanCalls / bound.total, 3),
        tableTransactions: result.tableTransactions,
        entitiesWritten: entities,
        // The alerts of the run's stored batch, when its run ID reached the notifier.
        alertsSent: sink.runIds.has(result.runId) ? result.alerts : 0,
        quotaCriticalPathMs: quotaCriticalPathMs(rgOk),
        overQuotaPathMs: wallMs - quotaCriticalPathMs(rgOk),
        scanCalls,
        resourceGraphThrottled: counters.byStatus['resourceGraph 429'] ?? 0,
        storeWriteMs: result.storeWriteMs,
        entitiesPerSecond: result.storeWriteMs > 0 ? Math.round(entities / (result.storeWriteMs / 1000)) : null,
        writesByTable: result.writesByTable,
        complete: result.complete,
        runStatus: result.runStatus,
        clusters: result.clusters,
        changedKeys: result.changedKeys,
        problems: result.problems,
        phasesMs: phasesOf(jobLog, wallMs, result.storeWriteMs),
        ...extra,
      };
      log(
        `bench: ${name}: ${r.wallMs} ms wall, ${r.cpuMs} ms CPU, ${r.peakRssMb} MB peak RSS ` +
          `(heap ${r.memoryAtPeakMb.heapUsed}/${r.memoryAtPeakMb.heapTotal} MB used/allocated, ${r.memoryAtPeakMb.external} MB external), ${scanCalls} calls ` +
          `(${r.callsPerLowerBound} x lower bound), ${r.tableTransactions} transactions, ${r.entitiesWritten} entities, ` +
          `${r.alertsSent} alerts`,
      );
      if (!r.complete) log(`bench: ${name} was not complete: ${jobLog.slice(-5).join(' | ')}`);
      for (const problem of r.problems) log(`bench: ${name}: could not read: ${problem}`);
      scans.push(r);
      if (name === 'full') fullRunId = result.runId;
      return r;
    };

    // A step the product process cannot complete (it ran out of heap, say) is recorded and ends the product's steps.
    let productFailure: string | undefined;
    const step = async <T>(what: string, run: () => Promise<T>): Promise<T | undefined> => {
      if (productFailure !== undefined) return undefined;
      try {
        return await run();
      } catch (error) {
        productFailure = `${what}: ${String((error as Error)?.message ?? error).slice(0, 300)}`;
        log(`bench: the product failed in ${productFailure}`);
        return undefined;
      }
    };
    await step('the full scan', () => scan('full'));
    await step('the unchanged rescan', () => scan('rescan-unchanged'));
    const changedCount = Math.max(1, Math.round(clusters / 100));
    const expected = await sim.mutate(changedCount, seed + 1);
    await step('the 1% rescan', () =>
      scan('rescan-1pct-changed', {
        expectedChangedFindings: expected.changedFindings,
        expectedChangedClusters: expected.clustersWithChangedFindings,
      }),
    );

    log('bench: the in-cluster pass (AKS_COMPLIANCE_IN_CLUSTER=true)');
    await sim.reset();
    const inCluster = await step('the in-cluster pass', () => measureInCluster({ product, sim, log }));
    // Measured last on the product's side: a read that fails (the process running out of heap) is recorded as such.
    const reportHtml = await (
      productFailure === undefined && fullRunId !== undefined
        ? product.reportHtml(fullRunId)
        : Promise.reject(new Error(`not measured: ${productFailure ?? 'the full scan did not finish'}`))
    ).then(
      (read) => ({ ...read, error: undefined }),
      (error: unknown) => ({ bytes: null, peakRssMb: null, error: String((error as Error)?.message ?? error) }),
    );
    const reportHtmlBytes = reportHtml.bytes;
    log(
      reportHtml.error === undefined
        ? `bench: report.html of the full scan: ${reportHtmlBytes} bytes, ${reportHtml.peakRssMb} MB peak RSS`
        : `bench: report.html of the full scan could not be read: ${reportHtml.error.slice(0, 300)}`,
    );

    log('bench: timing rule evaluation alone, then exemption matching');
    const { exemptionMatching, ...ruleEvaluation } = await measureRuleEvaluation(fleetOptions, EXEMPTIONS);
    const results: BenchResults = {
      fleet: {
        seed,
        latencyMs,
        resourceGraphQuota: `${QUOTA.limit} per ${QUOTA.windowMs / 1000} s`,
        clusters: sim.info.stats.clusters,
        subscriptions: sim.info.stats.subscriptions,
        regions: sim.info.stats.regions,
        poolsPerCluster: fleetOptions.poolsPerCluster ?? 3,
        pools: sim.info.stats.pools,
        roleAssignments: sim.info.stats.roleAssignments,
        relevantAssignments: sim.info.stats.relevantAssignments,
        principals: sim.info.stats.principals,
        resolvablePrincipals: sim.info.stats.resolvablePrincipals,
        adminGroups: sim.info.stats.adminGroups,
        adminGroupsResolvingAsGroups: sim.info.adminGroupsResolvingAsGroups,
        directoryObjects: sim.info.stats.directoryObjects,
        changedClusters: changedCount,
        ...Object.fromEntries(Object.entries(bound.parts).map(([k, v]) => [`lowerBound.${k}`, v])),
      },
      scans,
      ruleEvaluation,
      exemptionMatching: exemptionMatching!,
      ...(inCluster ? { inCluster } : {}),
      ...(productFailure !== undefined ? { productFailure } : {}),
      reportHtmlBytes,
      reportHtmlPeakRssMb: reportHtml.peakRssMb,
      ...(reportHtml.error !== undefined ? { reportHtmlError: reportHtml.error.slice(0, 500) } : {}),
      unchangedOverQuotaPathMs: scans.find((s) => s.name === 'rescan-unchanged')?.overQuotaPathMs ?? null,
      targets: [],
      environment: {
        node: process.version,
        simulator: where,
        productNodeArguments: product.nodeArguments,
        rssNote:
          where === 'child'
            ? `peak RSS of the product process alone, started with the function app's Node arguments ` +
              `(${product.nodeArguments || 'none'}, infra/app/node-worker.json); the simulator and Azurite run in ` +
              `processes of their own`
            : 'peak RSS of the benchmark process, which holds the in-process simulator and its fleet too (Azurite runs in a child process)',
      },
    };
    results.targets = evaluateTargets(results);
    if (options.output !== null) {
      const file = resolve(options.output ?? join(projectRoot(), 'bench', 'results.json'));
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
      log(`bench: wrote ${file}`);
    }
    return results;
  } finally {
    for (const stop of stops) await stop().catch(() => undefined);
  }
}

export function evaluateTargets(results: BenchResults): Target[] {
  const targets: Target[] = [];
  for (const s of results.scans) {
    // Fewer calls than the bound, or any unreadable part, means calls were lost, not saved.
    const lost = s.problems.length > 0 || s.callsPerLowerBound < 1;
    targets.push({
      name: `calls / lower bound (${s.name})`,
      limit: '<= 1.10, with everything read',
      value: String(s.callsPerLowerBound),
      pass: s.callsPerLowerBound <= 1.1 && !lost,
      ...(lost ? { note: `the scan could not read everything: ${s.problems[0] ?? 'fewer calls than the bound'}` } : {}),
    });
  }
  const unchanged = results.scans.find((s) => s.name === 'rescan-unchanged');
  if (unchanged) {
    const limit = 1.5 * unchanged.quotaCriticalPathMs + 10_000;
    targets.push({
      name: 'unchanged rescan, end to end',
      limit: `<= 1.5 x ${unchanged.quotaCriticalPathMs} ms + 10 s = ${limit} ms`,
      value: `${unchanged.wallMs} ms`,
      pass: unchanged.wallMs <= limit,
    });
    targets.push({
      name: 'unchanged rescan over the quota critical path (unchangedOverQuotaPathMs)',
      limit: '<= 5000 ms',
      value: `${unchanged.overQuotaPathMs} ms`,
      pass: unchanged.overQuotaPathMs <= 5000,
    });
    targets.push({
      name: 'unchanged rescan, table transactions',
      limit: '<= 2',
      value: String(unchanged.tableTransactions),
      pass: unchanged.tableTransactions <= 2,
      note: Object.entries(unchanged.writesByTable)
        .filter(([, v]) => v.transactions > 0)
        .map(([k, v]) => `${k}: ${v.transactions} tx / ${v.entities} entities`)
        .join(', '),
    });
  }
  const changed = results.scans.find((s) => s.name === 'rescan-1pct-changed');
  if (changed && changed.expectedChangedFindings !== undefined) {
    const latest = changed.writesByTable.latest?.entities ?? 0;
    const history = changed.writesByTable.history?.entities ?? 0;
    targets.push({
      name: '1% rescan writes only the changed rows',
      limit: `latest rows = ${changed.expectedChangedFindings} changed findings, history rows = ${changed.expectedChangedClusters} changed clusters`,
      value: `latest ${latest}, history ${history} (all entities ${changed.entitiesWritten})`,
      pass: latest === changed.expectedChangedFindings && history === changed.expectedChangedClusters,
    });
  }
  if (results.inCluster) targets.push(...inClusterTargets(results.inCluster));
  const peak = Math.max(...results.scans.map((s) => s.peakRssMb), results.inCluster?.peakRssMb ?? 0);
  targets.push({
    name: 'peak RSS',
    limit: '<= 512 MB',
    value: `${peak} MB`,
    pass: peak <= 512 && results.productFailure === undefined,
    ...(results.productFailure !== undefined ? { note: `the product failed in ${results.productFailure}` } : {}),
  });
  const r = results.ruleEvaluation;
  // 1 s for 10,000 clusters; larger fleets proportionally (smaller ones keep 1 s: warm-up dominates there).
  const ruleLimit = Math.round(1000 * Math.max(1, r.clusters / FULL_SIZE));
  targets.push({
    name: `rule evaluation CPU (${r.clusters} clusters x ${r.rules} rules)`,
    limit: `<= ${ruleLimit} ms`,
    value: `${r.cpuMs} ms`,
    pass: r.cpuMs <= ruleLimit,
  });
  targets.push({
    name: `exemption matching (${results.exemptionMatching.exemptions} exemptions x ${results.exemptionMatching.findings} findings)`,
    limit: '< 1000 ms CPU',
    value: `${results.exemptionMatching.cpuMs} ms CPU (${results.exemptionMatching.ms} ms wall)`,
    pass: results.exemptionMatching.cpuMs < 1000,
    note: `${results.exemptionMatching.exempted} of ${results.exemptionMatching.fails} fails exempted`,
  });
  targets.push({
    name: `report.html bytes (${results.fleet.clusters} clusters)`,
    limit: '<= 5,000,000',
    value: results.reportHtmlBytes === null ? 'not read' : String(results.reportHtmlBytes),
    pass: results.reportHtmlBytes !== null && results.reportHtmlBytes <= 5_000_000,
    ...(results.reportHtmlError ? { note: results.reportHtmlError.slice(0, 200) } : {}),
  });
  return targets;
}

function pad(text: string, width: number, right = false): string {
  return right ? text.padStart(width) : text.padEnd(width);
}

export function formatResults(results: BenchResults): string {
  const lines: string[] = [];
  const f = results.fleet;
  lines.push(
    `Fleet: ${f.clusters} clusters, ${f.subscriptions} subscriptions, ${f.regions} regions, ${f.pools} pools, ` +
      `${f.roleAssignments} role assignments (${f.relevantAssignments} relevant), ${f.resolvablePrincipals} principals ` +
      `to resolve, ${f.adminGroups} admin groups (${f.adminGroupsResolvingAsGroups} resolve as groups); ` +
      `latency ${f.latencyMs} ms, Resource Graph quota ${f.resourceGraphQuota}`,
  );
  lines.push('');
  const cols: [string, number, (s: ScanResult) => string][] = [
    ['scan', 20, (s) => s.name],
    ['wall s', 8, (s) => (s.wallMs / 1000).toFixed(1)],
    ['CPU s', 7, (s) => (s.cpuMs / 1000).toFixed(1)],
    ['RSS MB', 7, (s) => String(s.peakRssMb)],
    ['calls', 6, (s) => String(s.scanCalls)],
    ['bound', 6, (s) => String(s.lowerBound)],
    ['ratio', 6, (s) => s.callsPerLowerBound.toFixed(2)],
    ['quota s', 8, (s) => (s.quotaCriticalPathMs / 1000).toFixed(1)],
    ['tx', 6, (s) => String(s.tableTransactions)],
    ['entities', 9, (s) => String(s.entitiesWritten)],
    ['store s', 8, (s) => (s.storeWriteMs / 1000).toFixed(1)],
    ['ent/s', 7, (s) => (s.entitiesPerSecond === null ? '-' : String(s.entitiesPerSecond))],
    ['alerts', 7, (s) => String(s.alertsSent)],
  ];
  lines.push(cols.map(([h, w], i) => pad(h, w, i > 0)).join(' '));
  for (const s of results.scans) lines.push(cols.map(([, w, get], i) => pad(get(s), w, i > 0)).join(' '));
  lines.push('');
  lines.push('Calls per API:');
  const apis = [...new Set(results.scans.flatMap((s) => Object.keys(s.calls)))].filter((a) =>
    results.scans.some((s) => s.calls[a] > 0),
  );
  lines.push(`  ${pad('api', 20)}${results.scans.map((s) => pad(s.name, 21, true)).join('')}`);
  for (const api of apis) {
    lines.push(`  ${pad(api, 20)}${results.scans.map((s) => pad(String(s.calls[api] ?? 0), 21, true)).join('')}`);
  }
  lines.push('');
  lines.push('Where the wall time went (ms):');
  const phaseNames = [...new Set(results.scans.flatMap((s) => Object.keys(s.phasesMs)))];
  lines.push(`  ${pad('phase', 24)}${results.scans.map((s) => pad(s.name, 21, true)).join('')}`);
  for (const phase of phaseNames) {
    lines.push(
      `  ${pad(phase, 24)}${results.scans.map((s) => pad(String(s.phasesMs[phase] ?? '-'), 21, true)).join('')}`,
    );
  }
  const r = results.ruleEvaluation;
  lines.push('');
  lines.push(
    `Rule evaluation alone: ${r.clusters} clusters x ${r.rules} rules in ${r.cpuMs} ms CPU (${r.wallMs} ms wall, ` +
      `of which ${r.gcMs} ms garbage collection)`,
  );
  lines.push(`Memory: ${results.environment.rssNote}`);
  lines.push('');
  lines.push('Targets:');
  for (const t of results.targets) {
    lines.push(
      `  ${t.pass ? 'PASS' : 'MISS'}  ${t.name}: ${t.value} (target ${t.limit})${t.note ? ` [${t.note}]` : ''}`,
    );
  }
  return lines.join('\n');
}

function parseArgs(argv: string[]): BenchOptions {
  const options: BenchOptions = {};
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    const number = (name: string): number => {
      const n = Number(value);
      if (value === undefined || !Number.isInteger(n) || n < 1) throw new Error(`${name} needs a positive integer`);
      i++;
      return n;
    };
    if (flag === '--clusters') options.clusters = number('--clusters');
    else if (flag === '--seed') options.seed = number('--seed');
    else if (flag === '--latency-ms') options.latencyMs = number('--latency-ms');
    else if (flag === '--output') {
      if (!value) throw new Error('--output needs a file');
      options.output = value;
      i++;
    } else if (flag === '--in-process') options.simulator = 'in-process';
    else
      throw new Error(
        `unknown flag ${flag} (known: --clusters N, --seed S, --latency-ms MS, --output FILE, --in-process)`,
      );
  }
  return options;
}

if (require.main === module) {
  let options: BenchOptions;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`bench: ${(error as Error).message}\n`);
    process.exit(2);
  }
  runBench({ ...options, log: (line) => process.stderr.write(`${line}\n`) }).then(
    (results) => {
      process.stdout.write(`${formatResults(results)}\n`);
      process.exit(0);
    },
    (error: unknown) => {
      process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
