// `aks-compliance scan` through main() against the local Azure simulator (real SDK clients, HTTPS), with and without
// the store (Azurite).
import type { CliIO } from '../../src/cli/io';
import { main } from '../../src/cli/main';
import type { ScanReport } from '../../src/model';
import { validateReport } from '../../src/report/schema';
import { FindingStore } from '../../src/store/findingStore';
import { generateFleet, type GeneratedFleet } from '../../sim/fleet/generator';
import { IN_CLUSTER_RULE_IDS } from '../../sim/fleet/truth';
import { startLocalAzure, type LocalAzure } from '../harness/localAzure';
import { sarifErrors } from '../sarif/validate';
import { CliSandbox, oneErrorLine } from './helpers';

// Rules whose verdict depends on the clock: the CLI scans "now", the ground truth is for the generator's as-of date.
const CLOCK_RULES = new Set(['aks_node_image_current', 'aks_version_end_of_support_horizon']);
const IN_CLUSTER = new Set<string>(IN_CLUSTER_RULE_IDS);

async function run(argv: string[], env: NodeJS.ProcessEnv, cwd: string, isTTY = false) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), env, isTTY, cwd };
  const code = await main(argv, io);
  return { code, stdout: out.join(''), stderr: err.join('') };
}

describe('scan --no-store against the simulator', () => {
  let generated: GeneratedFleet;
  let local: LocalAzure;
  let box: CliSandbox;

  beforeAll(async () => {
    generated = generateFleet({ seed: 11, clusters: 60, subscriptions: 4, regions: 3 });
    local = await startLocalAzure({ fleet: generated.fleet });
    box = new CliSandbox();
  });
  afterAll(async () => {
    await local?.stop();
    box?.remove();
  });

  test('sarif: valid SARIF 2.1.0 with a result per fail and unknown, gated by --fail-on', async () => {
    const result = await run(
      ['scan', '--no-store', '--output', 'aks.sarif', '--fail-on', 'critical'],
      local.env,
      box.dir,
    );
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^Wrote aks\.sarif \(sarif\): /);
    const log = JSON.parse(box.read('aks.sarif')) as {
      runs: { results: { level: string; properties: { status: string; severity: string } }[] }[];
    };
    expect(sarifErrors(log)).toEqual([]);
    const results = log.runs[0].results;
    expect(results.length).toBeGreaterThan(0);
    const criticalFails = results.filter((r) => r.properties.status === 'fail' && r.properties.severity === 'critical');
    expect(result.code).toBe(criticalFails.length > 0 ? 1 : 0);
    for (const r of criticalFails) expect(r.level).toBe('error');
  });

  test('json: every generated cluster, every rule, schema-valid, verdicts match the ground truth', async () => {
    const result = await run(['scan', '--no-store', '--format', 'json'], local.env, box.dir);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as ScanReport;
    expect(validateReport(report)).toEqual([]);
    expect(report.complete).toBe(true);
    expect(report.clusters).toHaveLength(60);
    let compared = 0;
    const mismatches: string[] = [];
    for (const cluster of report.clusters) {
      expect(cluster.findings).toHaveLength(21);
      const truth = generated.truth.get(cluster.id.toLowerCase());
      expect(truth).toBeDefined();
      for (const finding of cluster.findings) {
        const expected = truth![finding.ruleId];
        // In-cluster reads are off here: those rules are unknown (test/incluster covers them).
        if (IN_CLUSTER.has(finding.ruleId)) {
          expect(finding.status === 'unknown' || finding.status === 'not_applicable').toBe(true);
          continue;
        }
        if (!expected || CLOCK_RULES.has(finding.ruleId)) continue;
        compared++;
        const got = `${finding.status}${finding.status === 'fail' ? `:${finding.severity}` : ''}`;
        const want = `${expected.status}${expected.status === 'fail' ? `:${expected.severity}` : ''}`;
        if (got !== want) mismatches.push(`${cluster.name} ${finding.ruleId}: ${got}, truth ${want}`);
      }
    }
    expect(mismatches).toEqual([]);
    expect(compared).toBeGreaterThan(60 * 10);
  });

  test('--fail-on and --output: exit 1 on remaining fails, the file written, one summary line', async () => {
    const result = await run(
      ['scan', '--no-store', '--fail-on', 'low', '--output', 'reports/scan.csv'],
      local.env,
      box.dir,
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^Wrote reports\/scan\.csv \(csv\): 60 clusters: \d+ fail/);
    expect(result.stdout.trimEnd().split('\n')).toHaveLength(1);
    expect(box.read('reports/scan.csv').trimEnd().split('\n').length).toBeGreaterThanOrEqual(1 + 60 * 21);
  });

  test('progress goes to stderr on a terminal only', async () => {
    const tty = await run(
      ['scan', '--no-store', '--format', 'json', '--subscription', generated.fleet.subscriptions[0].subscriptionId],
      local.env,
      box.dir,
      true,
    );
    expect(tty.code).toBe(0);
    expect(tty.stderr).toMatch(/Evaluated (\d+)\/\1 clusters\n/);
    const report = JSON.parse(tty.stdout) as ScanReport;
    expect(report.scope.subscriptions).toEqual([generated.fleet.subscriptions[0].subscriptionId.toLowerCase()]);
  });

  test('bad settings: one line naming the setting, exit 2', async () => {
    const result = await run(['scan', '--no-store'], { ...local.env, AKS_COMPLIANCE_EOL_WARNING_DAYS: '-3' }, box.dir);
    expect(result.code).toBe(2);
    expect(oneErrorLine(result)).toContain('AKS_COMPLIANCE_EOL_WARNING_DAYS');
  });
});

describe('scan with a forbidden subscription', () => {
  test('its clusters are unknown or missing, complete is false, the rest is judged', async () => {
    const generated = generateFleet({ seed: 5, clusters: 40, subscriptions: 4, regions: 2 });
    const local = await startLocalAzure({ fleet: generated.fleet });
    const refused = generated.fleet.subscriptions[1].subscriptionId;
    local.sim.faults.set('resourceGraph', { forbiddenSubscriptions: [refused] });
    const box = new CliSandbox();
    try {
      // Named explicitly, the unreadable subscription answers 403 (left out silently when the tenant is scanned).
      const flags = generated.fleet.subscriptions.flatMap((s) => ['--subscription', s.subscriptionId]);
      const result = await run(['scan', '--no-store', '--format', 'json', ...flags], local.env, box.dir);
      expect(result.code).toBe(0);
      const report = JSON.parse(result.stdout) as ScanReport;
      expect(validateReport(report)).toEqual([]);
      expect(report.complete).toBe(false);
      expect(report.problems?.length).toBeGreaterThan(0);
      const forbidden = new Set([refused.toLowerCase()]);
      expect(generated.fleet.clusters.some((c) => c.id.toLowerCase().includes(refused.toLowerCase()))).toBe(true);
      const judged = report.clusters.filter((c) => !forbidden.has(c.subscriptionId.toLowerCase()));
      expect(judged.length).toBeGreaterThan(0);
      for (const c of report.clusters) {
        if (forbidden.has(c.subscriptionId.toLowerCase())) {
          for (const f of c.findings) expect(['unknown', 'not_applicable']).toContain(f.status);
        }
      }
      expect(judged.some((c) => c.findings.some((f) => f.status === 'pass' || f.status === 'fail'))).toBe(true);
    } finally {
      await local.stop();
      box.remove();
    }
  });
});

describe('scan with the store (Azurite)', () => {
  test('records the run; report prints it back; a second scan is recorded too', async () => {
    const generated = generateFleet({ seed: 3, clusters: 20, subscriptions: 2, regions: 2 });
    const local = await startLocalAzure({ fleet: generated.fleet, azurite: true });
    const box = new CliSandbox();
    try {
      const first = await run(['scan', '--format', 'json', '--no-notify'], local.env, box.dir);
      expect(first.stderr).toBe('');
      expect(first.code).toBe(0);
      const scanned = JSON.parse(first.stdout) as ScanReport;
      expect(validateReport(scanned)).toEqual([]);
      expect(scanned.clusters).toHaveLength(20);

      const stored = await run(['report', '--run', scanned.runId, '--format', 'json'], local.env, box.dir);
      expect(stored.code).toBe(0);
      const fromStore = JSON.parse(stored.stdout) as ScanReport;
      expect(fromStore.runId).toBe(scanned.runId);
      expect(fromStore.summary).toEqual(scanned.summary);

      // The stored run as SARIF: valid, one result per fail, unknown and exempt finding.
      const sarif = await run(['report', '--run', scanned.runId, '--format', 'sarif'], local.env, box.dir);
      expect(sarif.code).toBe(0);
      const log = JSON.parse(sarif.stdout) as { runs: { results: unknown[]; automationDetails: { id: string } }[] };
      expect(sarifErrors(log)).toEqual([]);
      expect(log.runs[0].automationDetails.id).toBe(`aks-compliance/${scanned.runId}`);
      const { fail, unknown, exempt } = scanned.summary.status;
      expect(log.runs[0].results).toHaveLength(fail + unknown + exempt);

      // Notifications on (the default); with no notifier configured the scan still succeeds.
      const second = await run(['scan', '--output', 'second.json'], local.env, box.dir);
      expect(second.code).toBe(0);
      const secondReport = JSON.parse(box.read('second.json')) as ScanReport;
      expect(secondReport.runId).not.toBe(scanned.runId);
      const latest = await run(['report', '--format', 'json'], local.env, box.dir);
      expect((JSON.parse(latest.stdout) as ScanReport).runId).toBe(secondReport.runId);
    } finally {
      await local.stop();
      box.remove();
    }
  });

  test('--management-group: the stored run covers only that group’s subscriptions', async () => {
    // Subscriptions 0, 1 and 2 sit under mg-corp, mg-online and mg-platform.
    const generated = generateFleet({ seed: 3, clusters: 24, subscriptions: 3, regions: 2 });
    const [corp, online] = generated.fleet.subscriptions.map((s) => s.subscriptionId.toLowerCase());
    expect(generated.fleet.subscriptions.map((s) => s.managementGroupAncestorsChain[0].name)).toEqual([
      'mg-corp',
      'mg-online',
      'mg-platform',
    ]);
    const inSub = (sub: string) => generated.fleet.clusters.filter((c) => c.id.toLowerCase().includes(sub));
    expect(inSub(corp).length).toBeGreaterThan(1);
    expect(inSub(online).length).toBeGreaterThan(0);
    const local = await startLocalAzure({ fleet: generated.fleet, azurite: true });
    const box = new CliSandbox();
    try {
      const fleetWide = await run(['scan', '--format', 'json', '--no-notify'], local.env, box.dir);
      expect(fleetWide.code).toBe(0);
      const fleetRunId = (JSON.parse(fleetWide.stdout) as ScanReport).runId;

      // One cluster in the group and one outside it are deleted; the narrowed scan judges only the group's.
      const goneInGroup = inSub(corp)[0].id;
      const goneOutside = inSub(online)[0].id;
      local.sim.setFleet({
        ...generated.fleet,
        clusters: generated.fleet.clusters.filter((c) => c.id !== goneInGroup && c.id !== goneOutside),
      });
      const narrowed = await run(
        ['scan', '--management-group', 'mg-corp', '--format', 'json', '--no-notify'],
        local.env,
        box.dir,
      );
      expect(narrowed.stderr).toBe('');
      expect(narrowed.code).toBe(0);
      const report = JSON.parse(narrowed.stdout) as ScanReport;
      expect(report.scope).toEqual({ subscriptions: [], managementGroups: ['mg-corp'] });
      expect(report.complete).toBe(true);
      expect(report.clusters).toHaveLength(inSub(corp).length - 1);
      expect(new Set(report.clusters.map((c) => c.subscriptionId.toLowerCase()))).toEqual(new Set([corp]));

      const store = new FindingStore(local.clients);
      expect((await store.getRun(report.runId))?.scope).toEqual({ subscriptions: [], managementGroups: ['mg-corp'] });
      // Its stored report is the state of its scope only, and the fleet-wide latest report stays the earlier run.
      const stored = (await store.getRunReport(report.runId))!;
      expect(stored.clusters.map((c) => c.id).sort()).toEqual(report.clusters.map((c) => c.id).sort());
      expect((await store.getLatestReport())?.runId).toBe(fleetRunId);
      // The cluster deleted inside the group left the latest state; the one outside it is not judged by this run.
      expect(await store.getClusterHistory(goneInGroup)).toBeUndefined();
      expect((await store.getClusterHistory(goneOutside))?.cluster.id).toBe(goneOutside);
    } finally {
      await local.stop();
      box.remove();
    }
  });

  test('without storage settings: one line naming the setting, exit 2', async () => {
    const generated = generateFleet({ seed: 3, clusters: 2 });
    const local = await startLocalAzure({ fleet: generated.fleet });
    const box = new CliSandbox();
    try {
      const result = await run(['scan'], local.env, box.dir);
      expect(result.code).toBe(2);
      expect(oneErrorLine(result)).toMatch(/AKS_COMPLIANCE_STORAGE|AzureWebJobsStorage/);
    } finally {
      await local.stop();
      box.remove();
    }
  });
});
