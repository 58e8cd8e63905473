// `evaluate --kube DIR` on `kubectl get <kind> -A -o json` exports of the sample fleet's clusters (the objects the
// simulated API servers serve), checked against the fleet's ground truth.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ScanReport } from '../../src/model';
import { kubeObjects, listWire } from '../../sim/fleet/kube';
import { sampleFleet } from '../../sim/fleet/sample';
import { DEFAULT_AS_OF } from '../../sim/fleet/generator';
import { CliSandbox, oneErrorLine } from './helpers';

const sample = sampleFleet();
let box: CliSandbox;

beforeEach(() => {
  box = new CliSandbox();
  box.write('clusters.json', { value: sample.fleet.clusters });
});
afterEach(() => box.remove());

/** Exports of every cluster the sample's scanner can reach with Entra ID (the others have no folder). */
function writeExports(skip: (cluster: string, kind: string) => boolean = () => false): string[] {
  const written: string[] = [];
  for (const c of sample.fleet.clusters) {
    const wire = sample.fleet.kube?.[c.id];
    const aad = c.properties.aadProfile as { managed?: boolean } | undefined;
    if (!wire || wire.reach !== 'ok' || aad?.managed !== true || /[/\\]/.test(c.name)) continue;
    const objects = kubeObjects(wire.spec, wire.pools, DEFAULT_AS_OF);
    const dir = join(box.dir, 'kube', c.name);
    mkdirSync(dir, { recursive: true });
    for (const [kind, items] of Object.entries(objects)) {
      if (!skip(c.name, kind)) writeFileSync(join(dir, `${kind}.json`), JSON.stringify(listWire(items)));
    }
    written.push(c.name);
  }
  return written;
}

async function evaluate(...extra: string[]): Promise<ScanReport> {
  const run = await box.run(
    'evaluate',
    '--clusters',
    'clusters.json',
    '--as-of',
    '2026-11-27',
    '--format',
    'json',
    ...extra,
  );
  expect(run.stderr).toBe('');
  return JSON.parse(run.stdout) as ScanReport;
}

test('the in-cluster rules match the ground truth wherever exports exist; other clusters are unknown naming the folder', async () => {
  const written = new Set(writeExports());
  const report = await evaluate('--kube', 'kube');
  const mismatches: string[] = [];
  let compared = 0;
  for (const cluster of report.clusters) {
    const truth = sample.truth.get(cluster.id.toLowerCase())!;
    for (const rule of ['aks_k8s_bindings_use_groups', 'aks_node_reboot_managed', 'aks_node_reboot_pending']) {
      const f = cluster.findings.find((x) => x.ruleId === rule)!;
      if (!written.has(cluster.name)) {
        if (f.status !== 'not_applicable')
          expect(f.message).toMatch(/does not exist \(expected clusterrolebindings\.json/);
        continue;
      }
      compared++;
      const want = `${truth[rule].status}/${truth[rule].severity ?? ''}`;
      const got = `${f.status}/${f.status === 'fail' ? f.severity : ''}`;
      if (want !== got) mismatches.push(`${cluster.name} ${rule}: ${got}, truth ${want} (${f.message})`);
    }
  }
  expect(mismatches).toEqual([]);
  expect(compared).toBeGreaterThan(100);
  // Offline there are no member counts: a cluster with an admin group cannot count its cluster-admin holders.
  const holders = report.clusters
    .find((c) => c.name === 'aks-payments-prod-weu')!
    .findings.find((f) => f.ruleId === 'aks_k8s_cluster_admin_holders')!;
  expect(holders.status).toBe('unknown');
  expect(holders.message).toMatch(/could not be counted/);
});

test('a missing file makes the rules reading it unknown, naming the file', async () => {
  writeExports((cluster, kind) => cluster === 'aks-identity-dev-weu' && kind === 'daemonsets');
  const report = await evaluate('--kube', 'kube');
  const cluster = report.clusters.find((c) => c.name === 'aks-identity-dev-weu')!;
  const managed = cluster.findings.find((f) => f.ruleId === 'aks_node_reboot_managed')!;
  expect(managed.status).toBe('unknown');
  expect(managed.message).toBe(
    'DaemonSets could not be read: kube/aks-identity-dev-weu/daemonsets.json is missing (kubectl get daemonsets -A -o json)',
  );
  // Bindings and nodes were there: those rules still judge.
  expect(cluster.findings.find((f) => f.ruleId === 'aks_k8s_bindings_use_groups')!.status).toBe('pass');
});

test('a file that is not a List, or a DIR that is not a folder, is bad input (exit 2, one line)', async () => {
  writeExports();
  writeFileSync(
    join(box.dir, 'kube', 'aks-payments-prod-weu', 'nodes.json'),
    JSON.stringify({ kind: 'Node', metadata: {} }),
  );
  const bad = await box.run('evaluate', '--clusters', 'clusters.json', '--kube', 'kube');
  expect(bad.code).toBe(2);
  expect(oneErrorLine(bad)).toMatch(
    /kube\/aks-payments-prod-weu\/nodes\.json: expected `kubectl get <kind> -A -o json` output/,
  );
  const missing = await box.run('evaluate', '--clusters', 'clusters.json', '--kube', 'nowhere');
  expect(missing.code).toBe(2);
  expect(oneErrorLine(missing)).toMatch(/nowhere: is not a directory/);
});
