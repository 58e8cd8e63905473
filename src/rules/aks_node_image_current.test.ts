import { aksNodeImageCurrent, nodeImageDate } from './aks_node_image_current';
import { CLUSTER_EXAMPLES, describeRuleCases, exampleCluster, withPools, withProperties } from './testing';

// As of 2026-11-27.
const get = exampleCluster(CLUSTER_EXAMPLES.get);
const images = (...versions: unknown[]) =>
  withPools(
    get,
    versions.map((nodeImageVersion, i) => ({ name: `np${i + 1}`, nodeImageVersion })),
  );
const linux = (yyyymm: string, dd: string) => `AKSUbuntu-2204gen2containerd-${yyyymm}.${dd}.0`;
const windows = (yymmdd: string) => `AKSWindows-2022-containerd-20348.2227.${yymmdd}`;

describe('nodeImageDate', () => {
  it.each([
    ['AKSUbuntu-2204gen2containerd-202405.27.0', '2024-05-27'],
    ['AKSAzureLinux-V2gen2-202611.20.1', '2026-11-20'],
    ['AKSWindows-2022-containerd-20348.2227.240315', '2024-03-15'],
    ['AKSWindows-2019-containerd-17763.5576.261115', '2026-11-15'],
  ])('reads the date of %s', (version, date) => {
    expect(nodeImageDate(version)?.toISOString().slice(0, 10)).toBe(date);
  });

  it.each([
    ['AKSUbuntu:1604:2020.03.11'],
    ['AKSUbuntu-2204gen2containerd-202413.40.0'],
    ['latest'],
    [''],
    [20240527],
    [null],
  ])('finds no date in %p', (version) => {
    expect(nodeImageDate(version)).toBeUndefined();
  });
});

describeRuleCases(aksNodeImageCurrent, [
  {
    scenario: 'recent Linux and Windows images pass',
    cluster: images(linux('202611', '20'), windows('261115')),
    status: 'pass',
    message: /oldest 12 days/,
    remediation: /^az aks nodepool list --resource-group rg1 --cluster-name clustername1 /,
  },
  { scenario: 'exactly the maximum age passes', cluster: images(linux('202610', '28')), status: 'pass' },
  {
    scenario: 'one day over the maximum age fails medium',
    cluster: images(linux('202610', '27')),
    status: 'fail',
    severity: 'medium',
    message: /np1 AKSUbuntu-2204gen2containerd-202610\.27\.0 \(31 days\)/,
    remediation:
      'az aks nodepool upgrade --resource-group rg1 --cluster-name clustername1 --name np1 --node-image-only',
  },
  {
    scenario: '90 days old is still medium',
    cluster: images(linux('202608', '29')),
    status: 'fail',
    severity: 'medium',
  },
  { scenario: '91 days old is high', cluster: images(linux('202608', '28')), status: 'fail', severity: 'high' },
  {
    scenario: 'old Windows image fails high',
    cluster: images(linux('202611', '20'), windows('240315')),
    status: 'fail',
    severity: 'high',
    message: /np2 AKSWindows-2022-containerd-20348\.2227\.240315 \(987 days\)/,
    details: { stalePools: [{ name: 'np2', ageDays: 987, imageDate: '2024-03-15' }] },
    remediation: /--name np2 --node-image-only$/,
  },
  {
    scenario: 'a stale pool fails even when another pool is unrecognisable',
    cluster: images('AKSUbuntu:1604:2020.03.11', linux('202610', '01')),
    status: 'fail',
    severity: 'medium',
    message: /np2/,
  },
  {
    scenario: 'verbatim old-format image is unknown, never pass',
    cluster: get,
    status: 'unknown',
    message: /nodepool1 nodeImageVersion "AKSUbuntu:1604:2020\.03\.11"/,
    remediation:
      'az aks nodepool upgrade --resource-group rg1 --cluster-name clustername1 --name nodepool1 --node-image-only',
  },
  {
    scenario: 'an unrecognisable image beside a fresh one is unknown',
    cluster: images(linux('202611', '20'), 'custom-image'),
    status: 'unknown',
  },
  { scenario: 'a missing image version is unknown', cluster: images(undefined), status: 'unknown', message: /missing/ },
  {
    scenario: 'an image version of the wrong type is unknown',
    cluster: images(202611),
    status: 'unknown',
    message: /number/,
  },
  {
    scenario: 'the maximum age comes from settings',
    cluster: images(linux('202611', '15')),
    context: { nodeImageMaxAgeDays: 7 },
    status: 'fail',
    severity: 'medium',
    message: /older than 7 days/,
  },
  {
    scenario: 'an image dated after the as-of date counts as new',
    cluster: images(linux('202612', '05')),
    status: 'pass',
  },
  {
    scenario: 'no pools is not applicable',
    cluster: withProperties(get, { agentPoolProfiles: [] }),
    status: 'not_applicable',
  },
  {
    scenario: 'missing agentPoolProfiles is unknown',
    cluster: withProperties(get, { agentPoolProfiles: null }),
    status: 'unknown',
    message: /agentPoolProfiles is null/,
  },
]);
