import type { SupportCalendar } from '../model';
import { aksVersionEndOfSupportHorizon } from './aks_version_end_of_support_horizon';
import { CLUSTER_EXAMPLES, describeRuleCases, exampleCluster, withProperties } from './testing';

const get = exampleCluster(CLUSTER_EXAMPLES.get);
const premium = exampleCluster(CLUSTER_EXAMPLES.premium);
const on = (version: string) => withProperties(get, { currentKubernetesVersion: version, kubernetesVersion: version });
const calendar: SupportCalendar = {
  source: 'test',
  retrieved: '2026-11-01',
  minors: { '1.33': { endOfSupport: '2026-06' }, '1.36': { endOfSupport: '2027-03-31', estimated: true } },
};

// Shipped calendar, as of 2026-11-27: 1.35 ends 2027-03-31 (124 days), 1.34 ends 2026-11-30 (3 days),
// 1.33 ended 2026-06-30 (LTS 2027-06-30).
describeRuleCases(aksVersionEndOfSupportHorizon, [
  {
    scenario: 'end of support beyond the window passes',
    cluster: on('1.35.1'),
    status: 'pass',
    message: /1\.35 support ends on 2027-03-31 \(estimated date\), 124 days from now/,
    details: { endOfSupport: '2027-03-31', daysLeft: 124, lts: false },
  },
  {
    scenario: 'end of support within the window is medium with the days left',
    cluster: on('1.34.2'),
    status: 'fail',
    severity: 'medium',
    message: /1\.34 support ends on 2026-11-30, in 3 days \(warning window 60 days\)/,
    details: { daysLeft: 3, upgradeTarget: null },
    remediation: 'az aks get-upgrades --resource-group rg1 --name clustername1',
  },
  {
    scenario: 'end of support already past is medium',
    cluster: on('1.32.9'),
    status: 'fail',
    severity: 'medium',
    message: [/1\.32 support ended on 2026-03-31, 241 days ago/, /plan the upgrade to 1\.33\.5/],
    details: { upgradeTarget: '1.33.5', daysLeft: -241 },
    remediation: 'az aks upgrade --resource-group rg1 --name clustername1 --kubernetes-version 1.33.5',
  },
  {
    scenario: 'LTS-covered cluster uses the LTS date',
    cluster: withProperties(premium, { kubernetesVersion: '1.33.5' }),
    status: 'pass',
    message: /Long Term Support ends on 2027-06-30/,
    details: { lts: true, endOfSupport: '2027-06-30' },
  },
  {
    scenario: 'Premium without the LTS plan uses the standard date',
    cluster: withProperties(premium, { kubernetesVersion: '1.33.5', supportPlan: 'KubernetesOfficial' }),
    status: 'fail',
    details: { lts: false },
  },
  {
    scenario: 'exactly the warning window before end of support fails',
    cluster: on('1.35.1'),
    context: { asOf: new Date('2027-01-30T00:00:00Z') },
    status: 'fail',
    details: { daysLeft: 60 },
  },
  {
    scenario: 'one day more than the warning window passes',
    cluster: on('1.35.1'),
    context: { asOf: new Date('2027-01-29T00:00:00Z') },
    status: 'pass',
    details: { daysLeft: 61 },
  },
  {
    scenario: 'a shorter warning window from settings',
    cluster: on('1.35.1'),
    context: { asOf: new Date('2027-01-30T00:00:00Z'), eolWarningDays: 30 },
    status: 'pass',
  },
  {
    scenario: 'a user calendar with exact dates',
    cluster: on('1.36.0'),
    context: { calendar, asOf: new Date('2027-03-01T00:00:00Z') },
    status: 'fail',
    message: /ends on 2027-03-31 \(estimated date\), in 30 days/,
  },
  {
    scenario: 'LTS cluster on a minor without an LTS date uses the standard date',
    cluster: withProperties(premium, { kubernetesVersion: '1.33.1' }),
    context: { calendar },
    status: 'fail',
    details: { lts: false, endOfSupport: '2026-06-30' },
  },
  {
    scenario: 'minor not in the shipped calendar is unknown (verbatim 1.9.6)',
    cluster: get,
    status: 'unknown',
    message: /1\.9 is not in the support calendar/,
  },
  {
    scenario: 'garbage version is unknown',
    cluster: on('one.thirty'),
    status: 'unknown',
    message: /currentKubernetesVersion/,
  },
]);
