// The in-cluster pass at fleet scale: a scan with AKS_COMPLIANCE_IN_CLUSTER=true (no store, no alerts) against the
// simulated API servers, timing the pass itself and counting its calls per cluster.
import type { ProductHost } from './productHost';
import type { SimHost } from './simHost';

export const IN_CLUSTER_CONCURRENCY = 16;
/** Per-cluster budget in the benchmark: firewalled API servers (no answer) each hold a worker this long. */
export const IN_CLUSTER_TIMEOUT_SECONDS = 5;
export const IN_CLUSTER_LIMIT_MS = 120_000;

export interface InClusterResult {
  clusters: number;
  concurrency: number;
  timeoutSeconds: number;
  /** The in-cluster pass alone (runScan's inClusterMs), and the whole scan around it. */
  passMs: number;
  scanWallMs: number;
  peakRssMb: number;
  readable: number;
  unreadable: number;
  /** Requests that reached the simulated API servers, listClusterUserCredential calls, and both per cluster. */
  kubeCalls: number;
  credentialCalls: number;
  callsPerCluster: number;
  /** Connections left unanswered (authorized IP ranges excluding the scanner) until the per-cluster budget. */
  hungCalls: number;
  retries: number;
  /** Status counts per in-cluster rule. */
  findings: Record<string, Record<string, number>>;
}

export async function measureInCluster(deps: {
  product: ProductHost;
  sim: SimHost;
  log: (line: string) => void;
}): Promise<InClusterResult> {
  const pass = await deps.product.inClusterPass({
    concurrency: IN_CLUSTER_CONCURRENCY,
    timeoutSeconds: IN_CLUSTER_TIMEOUT_SECONDS,
  });
  const { metrics, scanWallMs, findings } = pass;
  const counters = await deps.sim.counters();
  const stats = metrics?.inCluster;
  const kubeCalls = counters.calls.kube ?? 0;
  const credentialCalls = counters.calls.listClusterUserCredential ?? 0;
  const clusters = pass.clusters;
  const result: InClusterResult = {
    clusters,
    concurrency: IN_CLUSTER_CONCURRENCY,
    timeoutSeconds: IN_CLUSTER_TIMEOUT_SECONDS,
    passMs: metrics?.inClusterMs ?? 0,
    scanWallMs,
    peakRssMb: pass.peakRssMb,
    readable: stats?.readable ?? 0,
    unreadable: stats?.unreadable ?? 0,
    kubeCalls,
    credentialCalls,
    callsPerCluster: clusters > 0 ? Math.round(((kubeCalls + credentialCalls) / clusters) * 100) / 100 : 0,
    hungCalls: counters.byStatus['kube hung'] ?? 0,
    retries: stats?.retries ?? 0,
    findings,
  };
  deps.log(
    `bench: in-cluster pass: ${result.passMs} ms for ${clusters} clusters (${result.readable} read, ${result.unreadable} unreadable), ` +
      `${result.callsPerCluster} calls per cluster, ${result.peakRssMb} MB peak RSS`,
  );
  return result;
}

export function inClusterTargets(
  r: InClusterResult,
): { name: string; limit: string; value: string; pass: boolean; note?: string }[] {
  const limit = Math.round(IN_CLUSTER_LIMIT_MS * Math.max(1, r.clusters / 10_000));
  return [
    {
      name: `in-cluster pass (${r.clusters} clusters, concurrency ${r.concurrency})`,
      limit: `<= ${limit} ms`,
      value: `${r.passMs} ms`,
      pass: r.passMs <= limit && r.readable > 0,
      note: `${r.callsPerCluster} calls per cluster; ${r.unreadable} unreadable (${r.hungCalls} connections unanswered within ${r.timeoutSeconds} s)`,
    },
  ];
}
