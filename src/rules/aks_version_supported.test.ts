import { aksVersionSupported } from './aks_version_supported';
import {
  CLUSTER_EXAMPLES,
  describeRuleCases,
  exampleCluster,
  exampleVersions,
  readableCatalog,
  shiftedVersions,
  withCluster,
  withProperties,
  withSupportPlans,
} from './testing';

const get = exampleCluster(CLUSTER_EXAMPLES.get);
const premium = exampleCluster(CLUSTER_EXAMPLES.premium);
const on = (version: string) => withProperties(get, { currentKubernetesVersion: version, kubernetesVersion: version });
// 1.30 offered with Long Term Support only; official window 1.31..1.32; platform support 1.30.
const ltsVersions = withSupportPlans(shiftedVersions(7), '1.30', ['AKSLongTermSupport']);
const premiumOn = (version: string) => withProperties(premium, { kubernetesVersion: version });

const notified = (cluster: ReturnType<typeof on>, eventType: string, kubernetesVersion?: string) =>
  withCluster(cluster, {
    notifications: {
      readable: true,
      items: [
        {
          id: `${cluster.id}/scheduledevents/00000000-0000-4000-8000-000000000001`,
          eventType,
          ...(kubernetesVersion ? { kubernetesVersion } : {}),
          time: '2026-11-20T00:00:00.000Z',
          details: 'Kubernetes version 1.33 is out of support.',
        },
      ],
    },
  });

describeRuleCases(aksVersionSupported, [
  {
    scenario: 'AKS notified KubernetesVersionOutOfSupport for the minor the catalog supports: fail critical',
    cluster: notified(on('1.33.5'), 'KubernetesVersionOutOfSupport', '1.33'),
    status: 'fail',
    severity: 'critical',
    message: [
      /AKS notified that this cluster's Kubernetes version 1\.33 is out of support \(KubernetesVersionOutOfSupport, 2026-11-20/,
      /the catalog alone gives pass/,
    ],
    details: { notifiedOutOfSupport: { eventType: 'KubernetesVersionOutOfSupport', kubernetesVersion: '1.33' } },
  },
  {
    scenario: 'an OutOfSupport notice with an unreadable catalog is still a fail (positive evidence)',
    cluster: notified(on('1.33.5'), 'KubernetesVersionOutOfSupport'),
    context: { catalogs: new Map([['location1', { readable: false, location: 'location1', reason: 'HTTP 503' }]]) },
    status: 'fail',
    severity: 'critical',
    message: /the catalog could not tell/,
  },
  {
    scenario: 'an OutOfSupport notice for an older minor (before an upgrade) does not count; it shows in the details',
    cluster: notified(on('1.33.5'), 'KubernetesVersionOutOfSupport', '1.30'),
    status: 'pass',
    details: { aksNotifications: [{ eventType: 'KubernetesVersionOutOfSupport', kubernetesVersion: '1.30' }] },
  },
  {
    scenario: 'a two-week warning shows in the details and changes nothing',
    cluster: notified(on('1.33.5'), 'KubernetesVersionEOLTwoWeeks', '1.33'),
    status: 'pass',
    details: { aksNotifications: [{ eventType: 'KubernetesVersionEOLTwoWeeks' }] },
  },
  {
    scenario: 'notifications that could not be read are named in the details',
    cluster: withCluster(on('1.33.5'), { notifications: { readable: false, reason: 'HTTP 429' } }),
    status: 'pass',
    details: { aksNotifications: 'not read: HTTP 429' },
  },
  {
    scenario: 'GA minor with KubernetesOfficial passes',
    cluster: on('1.33.5'),
    status: 'pass',
    message: /1\.33\.5 is an officially supported GA minor \(supported in location1: 1\.31 to 1\.33\)/,
    details: { minor: '1.33', supportedBy: 'KubernetesOfficial' },
  },
  {
    scenario: 'oldest official minor passes',
    cluster: on('1.31.12'),
    status: 'pass',
  },
  {
    scenario: 'verbatim 1.9.6 against the verbatim catalog is critical (1.9 is older than 1.23 as numbers)',
    cluster: get,
    context: { versions: exampleVersions() },
    status: 'fail',
    severity: 'critical',
    message: [/1\.9\.6 is out of support/, /upgrade to 1\.23\.15/],
    remediation: 'az aks upgrade --resource-group rg1 --name clustername1 --kubernetes-version 1.23.15',
  },
  {
    scenario: 'minor compared as numbers: 1.9 is older than 1.34',
    cluster: on('1.9.6'),
    status: 'fail',
    severity: 'critical',
    details: { oldestSupportedMinor: '1.31', upgradeTarget: '1.31.15' },
  },
  {
    scenario: 'one minor below the oldest official GA minor is platform support (high)',
    cluster: on('1.30.4'),
    status: 'fail',
    severity: 'high',
    message: /platform support only \(one minor below the oldest supported 1\.31\)/,
    remediation: '--kubernetes-version 1.31.15',
  },
  {
    scenario: 'platform support on the verbatim catalog is 1.22',
    cluster: on('1.22.11'),
    context: { versions: exampleVersions() },
    status: 'fail',
    severity: 'high',
  },
  {
    scenario: 'two minors below the window is critical',
    cluster: on('1.29.9'),
    status: 'fail',
    severity: 'critical',
  },
  {
    scenario: 'preview-only minor is medium',
    cluster: on('1.34.0'),
    status: 'fail',
    severity: 'medium',
    message: /1\.34 is listed only as a preview version/,
    remediation: 'az aks get-upgrades --resource-group rg1 --name clustername1',
  },
  {
    scenario: 'minor unknown to the catalog (newer) is critical',
    cluster: on('1.40.1'),
    status: 'fail',
    severity: 'critical',
    message: /is not in the version catalog of location1/,
    remediation: 'az aks get-upgrades',
  },
  {
    scenario: 'LTS: Premium tier, AKSLongTermSupport plan and an LTS minor passes',
    cluster: premiumOn('1.30.14'),
    context: { versions: ltsVersions },
    status: 'pass',
    message: /Long Term Support/,
    details: { supportedBy: 'AKSLongTermSupport', ltsPlan: true },
  },
  {
    scenario: 'LTS minor without the Premium tier is platform support',
    cluster: withCluster(premiumOn('1.30.14'), { sku: { name: 'Base', tier: 'Standard' } }),
    context: { versions: ltsVersions },
    status: 'fail',
    severity: 'high',
  },
  {
    scenario: 'LTS minor on Premium without the LTS support plan is platform support',
    cluster: withProperties(premiumOn('1.30.14'), { supportPlan: 'KubernetesOfficial' }),
    context: { versions: ltsVersions },
    status: 'fail',
    severity: 'high',
  },
  {
    scenario: 'Premium with the LTS plan on a minor the catalog offers no LTS for is judged without LTS',
    cluster: premiumOn('1.29.2'),
    context: { versions: ltsVersions },
    status: 'fail',
    severity: 'critical',
    message: /catalog does not offer LTS for this minor/,
  },
  {
    scenario: 'falls back to kubernetesVersion when currentKubernetesVersion is missing',
    cluster: withProperties(get, { currentKubernetesVersion: undefined, kubernetesVersion: '1.32.6' }),
    status: 'pass',
    details: { clusterVersion: '1.32.6' },
  },
  {
    scenario: 'location matched case- and space-insensitively',
    cluster: withCluster(on('1.33.5'), { location: 'Location1' }),
    status: 'pass',
  },
  {
    scenario: 'unreadable catalog is unknown',
    cluster: on('1.33.5'),
    context: { catalogs: new Map([['location1', { readable: false, location: 'location1', reason: 'HTTP 403' }]]) },
    status: 'unknown',
    message: /catalog of region location1 could not be read: HTTP 403/,
  },
  {
    scenario: 'missing catalog for the region is unknown',
    cluster: withCluster(on('1.33.5'), { location: 'westeurope' }),
    status: 'unknown',
    message: /No Kubernetes version catalog was read for region westeurope/,
  },
  {
    scenario: 'empty catalog is unknown',
    cluster: on('1.33.5'),
    context: { catalogs: new Map([['location1', readableCatalog([])]]) },
    status: 'unknown',
  },
  {
    scenario: 'garbage version is unknown naming the field',
    cluster: on('latest'),
    status: 'unknown',
    message: /properties\.currentKubernetesVersion is "latest"/,
  },
  {
    scenario: 'version of the wrong type is unknown',
    cluster: withProperties(get, { currentKubernetesVersion: 1.33 }),
    status: 'unknown',
    message: /currentKubernetesVersion is number 1\.33/,
  },
  {
    scenario: 'missing versions are unknown',
    cluster: withProperties(get, { currentKubernetesVersion: null, kubernetesVersion: undefined }),
    status: 'unknown',
    message: /no Kubernetes version/,
  },
]);
