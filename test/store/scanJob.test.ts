// The scan job's edges: alerts that cannot be delivered never fail a run; a run that cannot scan is recorded as
// failed and its error propagates.
import { runScanJob } from '../../src/scan/job';
import { ScanOptionError } from '../../src/scan/runScan';
import { FindingStore } from '../../src/store/findingStore';
import { generateFleet } from '../../sim/fleet/generator';
import { startLocalAzure, type LocalAzure } from '../harness/localAzure';

jest.setTimeout(120_000);

let local: LocalAzure;
const generated = generateFleet({ seed: 77, clusters: 20, subscriptions: 2, regions: 2 });

beforeAll(async () => {
  // Nothing listens on port 9: every post to the notifier fails.
  local = await startLocalAzure({
    fleet: generated.fleet,
    azurite: true,
    env: { AKS_COMPLIANCE_NOTIFY_URL: 'https://127.0.0.1:9/api/notify' },
  });
});
afterAll(async () => {
  await local?.stop();
});

describe('runScanJob', () => {
  it('completes and records the run when the notifier is unreachable', async () => {
    const logs: string[] = [];
    const store = new FindingStore(local.clients);
    const result = await runScanJob(
      { settings: local.settings, clients: local.clients, store, log: (l) => logs.push(l) },
      { trigger: 'timer', runId: 'job-notify', keepReport: true },
    );
    expect(result.run.status).toBe('completed');
    expect(result.report.clusters).toHaveLength(20);
    expect((await store.getRun('job-notify'))?.status).toBe('completed');
    expect(logs.some((l) => /alerts?/i.test(l))).toBe(true);
    const summary = JSON.parse(logs.find((l) => l.startsWith('{"event":"scanRun"'))!);
    expect(summary).toMatchObject({ runId: 'job-notify', trigger: 'timer', status: 'completed', clusters: 20 });
  });

  it('records a run that cannot scan as failed and rethrows', async () => {
    const store = new FindingStore(local.clients);
    const logs: string[] = [];
    await expect(
      runScanJob(
        { settings: local.settings, clients: local.clients, store, log: (l) => logs.push(l) },
        { trigger: 'http', runId: 'job-bad', clusterId: '/subscriptions/x/resourceGroups/y', notify: false },
      ),
    ).rejects.toBeInstanceOf(ScanOptionError);
    expect(await store.getRun('job-bad')).toMatchObject({ status: 'failed', trigger: 'http' });
    expect(logs.some((l) => l.includes('"status":"failed"'))).toBe(true);
  });

  it('alerts nothing for a partial on-demand run, while a partial nightly run does alert', async () => {
    const store = new FindingStore(local.clients);
    const [subA, subB] = generated.fleet.subscriptions.map((x) => x.subscriptionId);
    local.sim.faults.set('resourceGraph', { forbiddenSubscriptions: [subB] });
    try {
      const quiet: string[] = [];
      const onDemand = await runScanJob(
        { settings: local.settings, clients: local.clients, store, log: (l) => quiet.push(l) },
        { trigger: 'http', runId: 'job-partial-http', subscriptions: [subA, subB], alertPartial: false },
      );
      expect(onDemand.report.complete).toBe(false);
      expect(quiet).toContain(
        'alerts: run job-partial-http is partial and on demand: no alerts (the nightly run alerts)',
      );
      expect(quiet.filter((l) => /notifier|alert\(s\)/.test(l))).toEqual([]);

      const loud: string[] = [];
      const nightly = await runScanJob(
        { settings: local.settings, clients: local.clients, store, log: (l) => loud.push(l) },
        { trigger: 'timer', runId: 'job-partial-timer', subscriptions: [subA, subB] },
      );
      expect(nightly.report.complete).toBe(false);
      expect(loud.filter((l) => /notifier/.test(l)).length).toBeGreaterThan(0);
    } finally {
      local.sim.faults.clear('resourceGraph');
    }
  });
});
