// The benchmark's simulated tenant: generates the fleet, runs the simulator with the benchmark's conditions, and
// answers the benchmark's questions (counters, a 1% change). Used in-process (jest) or from bench/simProcess.ts in a
// child process, so that the product's memory is measured alone.
import { startSimulator, type Simulator } from '../sim';
import { generateFleet, mutateFleet, type FleetOptions, type GeneratedFleet } from '../sim/fleet/generator';
import type { FleetStats } from '../sim/fleet/generator';
import { ENDPOINTS } from '../sim/faults';

export interface SimHostStart {
  fleet: FleetOptions;
  latencyMs: number;
  /** Resource Graph quota (default 15 per 5 s). */
  quota?: { limit?: number; windowMs?: number };
}

export interface SimHostInfo {
  env: Record<string, string>;
  caPem: string;
  teamsWebhookUrl: string;
  stats: FleetStats;
  /** Admin group IDs that exist in the directory as groups (their member counts are worth asking for). */
  adminGroupsResolvingAsGroups: number;
  generateMs: number;
}

export interface SimCounters {
  calls: Record<string, number>;
  byStatus: Record<string, number>;
}

export interface MutateResult {
  changedIds: string[];
  changedFindings: number;
  clustersWithChangedFindings: number;
}

export interface SimHost {
  info: SimHostInfo;
  counters(): Promise<SimCounters>;
  /** Clears the counters and starts the Resource Graph quota window afresh (as the hours between scans would). */
  reset(): Promise<void>;
  /**
   * Changes `count` clusters (mutateFleet) and serves the changed fleet; returns the changed cluster IDs and, from
   * the ground truth before and after, the findings whose status or severity changed and on how many clusters.
   */
  mutate(count: number, seed: number): Promise<MutateResult>;
  stop(): Promise<void>;
}

function adminGroupsResolvingAsGroups(generated: GeneratedFleet): number {
  const groups = new Set(
    generated.fleet.directory
      .filter((d) => d['@odata.type'] === '#microsoft.graph.group')
      .map((d) => d.id.toLowerCase()),
  );
  const admin = new Set<string>();
  for (const c of generated.fleet.clusters) {
    const ids = (c.properties.aadProfile as { adminGroupObjectIDs?: unknown } | undefined)?.adminGroupObjectIDs;
    if (Array.isArray(ids)) for (const id of ids) if (typeof id === 'string') admin.add(id.toLowerCase());
  }
  return [...admin].filter((id) => groups.has(id)).length;
}

/** Starts the simulator over a generated fleet in this process. */
export async function startSimHost(start: SimHostStart): Promise<SimHost> {
  const t = Date.now();
  let generated = generateFleet(start.fleet);
  const generateMs = Date.now() - t;
  let sim: Simulator | undefined = await startSimulator(generated.fleet, { quota: start.quota });
  for (const endpoint of ENDPOINTS) sim.faults.set(endpoint, { latencyMs: start.latencyMs });
  const running = sim;
  return {
    info: {
      env: running.env,
      caPem: running.caPem,
      teamsWebhookUrl: running.teamsWebhookUrl,
      stats: generated.stats,
      adminGroupsResolvingAsGroups: adminGroupsResolvingAsGroups(generated),
      generateMs,
    },
    counters: async () => ({ calls: running.counters.snapshot(), byStatus: running.counters.byStatus() }),
    reset: async () => {
      running.counters.reset();
      running.resetQuota();
    },
    mutate: async (count, seed) => {
      const changed = mutateFleet(generated, count, seed);
      let changedFindings = 0;
      const clusters = new Set<string>();
      for (const id of changed.changedIds.map((i) => i.toLowerCase())) {
        const before = generated.truth.get(id) ?? {};
        const after = changed.truth.get(id) ?? {};
        for (const rule of new Set([...Object.keys(before), ...Object.keys(after)])) {
          if (before[rule]?.status !== after[rule]?.status || before[rule]?.severity !== after[rule]?.severity) {
            changedFindings += 1;
            clusters.add(id);
          }
        }
      }
      generated = changed;
      running.setFleet(changed.fleet);
      return { changedIds: changed.changedIds, changedFindings, clustersWithChangedFindings: clusters.size };
    },
    stop: async () => {
      const s = sim;
      sim = undefined;
      await s?.stop();
    },
  };
}
