// `az aks get-upgrades -o json` as the --versions source for one cluster, through `aks-compliance evaluate`, with the
// verbatim ManagedClustersGetUpgradeProfile example (1.7.7, upgrades 1.7.9 and 1.7.11) in its ARM and CLI forms.
import { managedClusterExamples, managedClusterUpgradeProfileExample } from '../../sim/fleet/fixtures';
import { CliSandbox } from '../../test/cli/helpers';
import type { ScanReport } from '../model';

type Json = Record<string, unknown>;

const box = new CliSandbox();
afterAll(() => box.remove());

const profile = managedClusterUpgradeProfileExample();
/** The CLI form: `properties` lifted, `resourceGroup` added (the names are the wire's). */
const { properties, ...top } = profile as Json & { properties: Json };
const cliProfile: Json = { ...properties, ...top, resourceGroup: 'rg1' };

/** The Get example's cluster (the profile's cluster), on the profile's version unless told otherwise. */
function cluster(name = 'clustername1', version = '1.7.7'): Json {
  const body = structuredClone(managedClusterExamples().find((e) => /ManagedClustersGet\./.test(e.file))!.body);
  body.name = name;
  body.id = String(body.id).replace(/\/managedClusters\/[^/]+$/, `/managedClusters/${name}`);
  Object.assign(body.properties as Json, { currentKubernetesVersion: version, kubernetesVersion: version });
  return body;
}

async function evaluate(clusters: Json[], versions: unknown) {
  box.write('clusters.json', clusters);
  box.write('upgrades.json', versions);
  const run = await box.run(
    'evaluate',
    '--clusters',
    'clusters.json',
    '--versions',
    'upgrades.json',
    '--as-of',
    '2026-11-27',
    '--format',
    'json',
  );
  return { run, report: run.code === 2 ? undefined : (JSON.parse(run.stdout) as ScanReport) };
}

function finding(report: ScanReport, clusterName: string, ruleId: string) {
  return report.clusters.find((c) => c.name === clusterName)!.findings.find((f) => f.ruleId === ruleId)!;
}

describe('evaluate --versions with an upgrade profile', () => {
  it.each([
    ['ARM form', profile],
    ['az aks get-upgrades form', cliProfile],
  ])(
    '%s: the patch rule compares with the newest listed patch; support is unknown, asking for the catalog',
    async (_form, versions) => {
      const { run, report } = await evaluate([cluster(), cluster('other-cluster')], versions);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      const patch = finding(report!, 'clustername1', 'aks_version_patch_current');
      expect(patch).toMatchObject({ status: 'fail', severity: 'medium' });
      expect(patch.message).toContain('1.7.11');
      expect(patch.details).toMatchObject({ newestPatch: '1.7.11', patchesBehind: 2 });
      const supported = finding(report!, 'clustername1', 'aks_version_supported');
      expect(supported.status).toBe('unknown');
      expect(supported.message).toMatch(/upgrade profile \(az aks get-upgrades\).*az aks get-versions -l location1/);
      // Another cluster of the same region: the profile does not answer for it.
      for (const rule of ['aks_version_supported', 'aks_version_patch_current']) {
        const other = finding(report!, 'other-cluster', rule);
        expect(other.status).toBe('unknown');
        expect(other.message).toContain('upgrade profile of another cluster');
      }
    },
  );

  it('a profile exported for another version than the cluster runs makes the version rules unknown', async () => {
    const { report } = await evaluate([cluster('clustername1', '1.9.6')], profile);
    const patch = finding(report!, 'clustername1', 'aks_version_patch_current');
    expect(patch.status).toBe('unknown');
    expect(patch.message).toMatch(
      /is for Kubernetes 1\.7\.7, but the cluster runs 1\.9\.6: export both at the same time/,
    );
  });

  it('a profile of a cluster missing from the clusters file: one line naming the file, exit 2', async () => {
    const { run } = await evaluate([cluster('someone-else')], profile);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        /upgrades\.json: is the upgrade profile of .*clustername1, which is not in the clusters file/,
      ),
    ]);
  });

  it('a bad version in the profile: one line naming the field, exit 2', async () => {
    const broken = structuredClone(cliProfile) as { controlPlaneProfile: { upgrades: Json[] } };
    broken.controlPlaneProfile.upgrades[1].kubernetesVersion = 'latest';
    const { run } = await evaluate([cluster()], broken);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /upgrades\.json: controlPlaneProfile\.upgrades\[1\]\.kubernetesVersion must be a full version/,
    );
  });
});
