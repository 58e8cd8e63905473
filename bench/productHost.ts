// The product's side of the benchmark: the scans (runScanJob into a FindingStore on Azurite, the notifier posting),
// the in-cluster pass and the HTML report read, in the process whose time and memory are measured. `npm run bench`
// runs it in a child process started with the Node arguments the function app is deployed with
// (infra/app/node-worker.json: the worker's heap limit), so that its peak RSS is the deployed worker's; the jest
// check of the benchmark runs it in-process.
import { readFileSync } from 'node:fs';
import { createAzureClients } from '../src/azure/clients';
import { loadSettings } from '../src/config/settings';
import type { ClusterReport } from '../src/model';
import { passesThinnedFor, reportDetailFor } from '../src/http/reports';
import { renderReport } from '../src/report/render';
import { runScanJob } from '../src/scan/job';
import { runScan, type ScanMetrics } from '../src/scan/runScan';
import type { Settings } from '../src/config/settings';
import { FindingStore, type OpenRunInput, type RunWriter } from '../src/store/findingStore';
import { trustCa } from '../sim/trust';

export interface ProductStart {
  /** The product's settings as environment variables (the simulator's endpoints, Azurite, the notifier). */
  env: Record<string, string>;
  caPem: string;
}

/** One scan as the product process measured it. */
export interface ProductScan {
  runId: string;
  wallMs: number;
  cpuMs: number;
  peakRssMb: number;
  memoryAtPeakMb: MemoryAtPeak;
  tableTransactions: number;
  entitiesWritten: number;
  writesByTable: Record<string, { transactions: number; entities: number }>;
  storeWriteMs: number;
  alerts: number;
  complete: boolean;
  runStatus: string;
  clusters: number;
  changedKeys: number;
  problems: string[];
  jobLog: string[];
}

/** The in-cluster pass as the product process measured it (the simulator's counters are read by the caller). */
export interface ProductInClusterPass {
  clusters: number;
  scanWallMs: number;
  peakRssMb: number;
  metrics?: ScanMetrics;
  /** Status counts per in-cluster rule. */
  findings: Record<string, Record<string, number>>;
}

export interface ProductHost {
  /** The Node arguments of the process the product runs in ('' in-process: whatever this process has). */
  nodeArguments: string;
  scan(): Promise<ProductScan>;
  inClusterPass(options: { concurrency: number; timeoutSeconds: number }): Promise<ProductInClusterPass>;
  /** The bytes of the run's report.html as GET /api/reports/{runId}?format=html serves it, and the read's peak RSS. */
  reportHtml(runId: string): Promise<{ bytes: number; peakRssMb: number }>;
  stop(): Promise<void>;
}

/** The Node arguments the function app's worker runs with (infra/app/node-worker.json, read by main.bicep too). */
export function deployedNodeArguments(projectRoot: string): string {
  const file = `${projectRoot}/infra/app/node-worker.json`;
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { languageWorkers__node__arguments?: unknown };
  const args = parsed.languageWorkers__node__arguments;
  if (typeof args !== 'string') throw new Error(`${file}: languageWorkers__node__arguments is not a string`);
  return args;
}

/** Times the store's recording of a run (the streaming writer's work) apart from the rest of the run. */
class TimedFindingStore extends FindingStore {
  recordMs = 0;
  override async openRun(input: OpenRunInput): Promise<RunWriter> {
    const writer = await super.openRun(input);
    const timed =
      <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
      async (...args: A): Promise<R> => {
        const t = performance.now();
        try {
          return await fn(...args);
        } finally {
          this.recordMs += performance.now() - t;
        }
      };
    writer.add = timed(writer.add.bind(writer));
    writer.finish = timed(writer.finish.bind(writer));
    return writer;
  }
}

const mb = (bytes: number): number => Math.round(bytes / 1024 / 1024);

/** The process's memory at its highest RSS, in MB: the V8 heap (allocated and used) and memory outside it. */
export interface MemoryAtPeak {
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

function rssSampler(): { stop(): number; atPeak(): MemoryAtPeak } {
  let peak = process.memoryUsage();
  const sample = () => {
    const now = process.memoryUsage();
    if (now.rss > peak.rss) peak = now;
  };
  // Unreferenced: a step that throws before stop() leaves no timer holding the process.
  const timer = setInterval(sample, 50).unref();
  return {
    stop() {
      clearInterval(timer);
      sample();
      return peak.rss;
    },
    atPeak: () => ({
      rss: mb(peak.rss),
      heapTotal: mb(peak.heapTotal),
      heapUsed: mb(peak.heapUsed),
      external: mb(peak.external),
      arrayBuffers: mb(peak.arrayBuffers),
    }),
  };
}

/** The product in this process. */
export async function startProductHost(
  start: ProductStart,
  log: (line: string) => void = () => undefined,
): Promise<ProductHost> {
  trustCa(start.caPem);
  const settings = loadSettings(start.env);
  const clients = createAzureClients(settings);
  const store = new TimedFindingStore(clients);
  await store.ensureTables();

  return {
    nodeArguments: '',

    async scan() {
      store.resetCounters();
      store.recordMs = 0;
      const rss = rssSampler();
      const cpu = process.cpuUsage();
      const wall = performance.now();
      const jobLog: string[] = [];
      const result = await runScanJob(
        { settings, clients, store, log: (line: string) => jobLog.push(line) },
        { trigger: 'timer', notify: true },
      );
      const wallMs = performance.now() - wall;
      const used = process.cpuUsage(cpu);
      const peak = rss.stop();
      return {
        runId: result.runId,
        wallMs: Math.round(wallMs),
        cpuMs: Math.round((used.user + used.system) / 1000),
        peakRssMb: mb(peak),
        memoryAtPeakMb: rss.atPeak(),
        tableTransactions: store.counters.transactions,
        entitiesWritten: store.counters.entities,
        writesByTable: structuredClone(store.counters.byTable),
        storeWriteMs: Math.round(store.recordMs),
        alerts: result.alerts?.alerts ?? 0,
        complete: result.report.complete,
        runStatus: result.run.status,
        clusters: result.report.summary.clusters,
        changedKeys: result.run.writes?.latest ?? 0,
        problems: (result.report.problems ?? []).slice(0, 5).map((p) => `${p.source} ${p.scope}: ${p.message}`),
        jobLog,
      };
    },

    async inClusterPass(options) {
      const inClusterSettings: Settings = {
        ...settings,
        inCluster: true,
        inClusterConcurrency: options.concurrency,
        inClusterTimeoutSeconds: options.timeoutSeconds,
      };
      const rss = rssSampler();
      let metrics: ScanMetrics | undefined;
      const findings: Record<string, Record<string, number>> = {};
      const count = (c: ClusterReport): void => {
        for (const f of c.findings) {
          if (!/^aks_(k8s_|node_reboot_)/.test(f.ruleId)) continue;
          const byStatus = (findings[f.ruleId] ??= {});
          byStatus[f.status] = (byStatus[f.status] ?? 0) + 1;
        }
      };
      const started = performance.now();
      let report;
      let peak = 0;
      try {
        // Streamed as the scan job streams: each cluster counted and dropped.
        report = await runScan({
          settings: inClusterSettings,
          clients,
          log: (line) => {
            if (line.startsWith('inCluster:')) log(`bench: ${line}`);
          },
          metrics: (m) => (metrics = m),
          stream: { begin: () => undefined, onCluster: count },
        });
      } finally {
        peak = rss.stop();
      }
      return {
        clusters: report.summary.clusters,
        scanWallMs: Math.round(performance.now() - started),
        peakRssMb: mb(peak),
        ...(metrics ? { metrics } : {}),
        findings,
      };
    },

    async reportHtml(runId) {
      const rss = rssSampler();
      // Read as GET /api/reports/{runId}?format=html reads it: a fleet-scale run's passes thinned, then counted.
      const report = await store.getRunReport(runId, reportDetailFor('html'));
      if (!report) throw new Error(`run ${runId} has no report`);
      const thinned = passesThinnedFor('html', report);
      const html = renderReport(report, 'html', {
        clusterLinkBase: '/api',
        ...(thinned ? { fullTableLimit: 0 } : {}),
      });
      return { bytes: Buffer.byteLength(html), peakRssMb: mb(rss.stop()) };
    },

    async stop() {
      // Nothing of its own to close: the store's clients hold no open handles between calls.
    },
  };
}
