import { aksVersionPatchCurrent } from './aks_version_patch_current';
import {
  CLUSTER_EXAMPLES,
  describeRuleCases,
  exampleCluster,
  exampleVersions,
  shiftedVersions,
  withProperties,
} from './testing';

const get = exampleCluster(CLUSTER_EXAMPLES.get);
const on = (version: string) => withProperties(get, { currentKubernetesVersion: version, kubernetesVersion: version });
const tenPatches = shiftedVersions(8).map((e) =>
  e.version === '1.33'
    ? { ...e, patchVersions: { '1.33.9': { upgrades: ['1.33.10'] }, '1.33.10': { upgrades: [] } } }
    : e,
);

describeRuleCases(aksVersionPatchCurrent, [
  {
    scenario: 'newest patch passes',
    cluster: on('1.33.5'),
    status: 'pass',
    details: { clusterVersion: '1.33.5', newestPatch: '1.33.5', patchesBehind: 0 },
  },
  {
    scenario: 'one patch behind is medium and names the newest patch',
    cluster: on('1.33.4'),
    status: 'fail',
    severity: 'medium',
    message: /1\.33\.4 is 1 patch behind the newest 1\.33 patch 1\.33\.5/,
    details: { newestPatch: '1.33.5', patchesBehind: 1 },
    remediation: 'az aks upgrade --resource-group rg1 --name clustername1 --kubernetes-version 1.33.5',
  },
  {
    scenario: 'an unlisted older patch counts every listed newer patch',
    cluster: on('1.31.1'),
    status: 'fail',
    message: /2 patches behind/,
    details: { patchesBehind: 2, newestPatch: '1.31.15' },
  },
  {
    scenario: 'patches compared as numbers (1.33.9 is older than 1.33.10)',
    cluster: on('1.33.9'),
    context: { versions: tenPatches },
    status: 'fail',
    details: { newestPatch: '1.33.10', patchesBehind: 1 },
  },
  {
    scenario: 'preview entries count: newest patch of a preview minor passes',
    cluster: on('1.34.0'),
    status: 'pass',
  },
  {
    scenario: 'verbatim 1.9.6 on the verbatim catalog is not applicable (minor not listed)',
    cluster: get,
    context: { versions: exampleVersions() },
    status: 'not_applicable',
    message: /1\.9 is not in the version catalog/,
  },
  {
    scenario: 'unreadable catalog is unknown',
    cluster: on('1.33.5'),
    context: { catalogs: new Map([['location1', { readable: false, location: 'location1', reason: 'timed out' }]]) },
    status: 'unknown',
  },
  {
    scenario: 'a version without a patch number is unknown',
    cluster: withProperties(get, { currentKubernetesVersion: undefined, kubernetesVersion: '1.33' }),
    status: 'unknown',
    message: /kubernetesVersion is "1\.33", which has no patch number/,
  },
  {
    scenario: 'a minor listed with no patches is unknown',
    cluster: on('1.33.5'),
    context: {
      versions: shiftedVersions(8).map((e) => (e.version === '1.33' ? { ...e, patchVersions: undefined } : e)),
    },
    status: 'unknown',
  },
  {
    scenario: 'garbage version is unknown',
    cluster: on('1.33.x'),
    status: 'unknown',
    message: /currentKubernetesVersion/,
  },
]);
