import type { RuleOutcome } from '../model';
import {
  clusterArgs,
  describe,
  learn,
  OutcomeMemo,
  readBoolean,
  readObject,
  unknown,
  type DocumentedRule,
} from './common';

/** Ranges that admit the whole internet. */
const OPEN_RANGES = ['0.0.0.0/0', '::/0'];

export const aksApiServerAccessRestricted: DocumentedRule = {
  id: 'aks_api_server_access_restricted',
  title: 'API server is private or limited to authorized IP ranges',
  severity: 'high',
  section: 'identity-and-access',
  rationale:
    'A public API server open to every address is exposed to credential stuffing and to any vulnerability of the ' +
    'API server itself. A private cluster or authorized IP ranges limit who can even reach it.',
  evaluation:
    'Pass: `apiServerAccessProfile.enablePrivateCluster` is true, or `apiServerAccessProfile.authorizedIPRanges` is ' +
    'a non-empty list without `0.0.0.0/0` (or `::/0`). Fail high: otherwise (no profile, an empty list, or an ' +
    'open range). Unknown: the profile, the flag or the list of the wrong type.',
  references: [
    learn('api-server-authorized-ip-ranges'),
    learn('private-clusters'),
    learn('operator-best-practices-cluster-security'),
  ],
  remediation(cluster) {
    return `az aks update ${clusterArgs(cluster)} --api-server-authorized-ip-ranges ALLOWED_CIDR_1,ALLOWED_CIDR_2`;
  },
  evaluate(cluster, ctx): RuleOutcome {
    const profile = readObject(cluster, 'apiServerAccessProfile');
    if (!profile.ok) return profile.outcome;
    const isPrivate = readBoolean(profile.value, 'enablePrivateCluster', 'apiServerAccessProfile.enablePrivateCluster');
    if (!isPrivate.ok) return isPrivate.outcome;
    if (isPrivate.value === true) return PRIVATE;
    const ranges = profile.value?.authorizedIPRanges;
    if (
      ranges !== undefined &&
      ranges !== null &&
      (!Array.isArray(ranges) || ranges.some((r) => typeof r !== 'string'))
    ) {
      return unknown(`apiServerAccessProfile.authorizedIPRanges is ${describe(ranges)}, not a list of CIDR strings.`, {
        field: 'properties.apiServerAccessProfile.authorizedIPRanges',
      });
    }
    const list = ((ranges as string[] | null | undefined) ?? []).map((r) => r.trim()).filter((r) => r !== '');
    // A public API server's verdict depends on its ranges alone: one outcome per list of ranges.
    return memo.get(ctx, list, () => judgePublic(list));
  },
};

const PRIVATE: RuleOutcome = {
  status: 'pass',
  message: 'The API server is private.',
  details: { enablePrivateCluster: true },
};

const memo = new OutcomeMemo();

function judgePublic(list: string[]): RuleOutcome {
  const details = { enablePrivateCluster: false, authorizedIPRanges: list };
  if (list.length === 0) {
    return {
      status: 'fail',
      severity: 'high',
      message: 'The API server is public and reachable from any address (no authorized IP ranges).',
      details,
    };
  }
  const open = list.filter((r) => OPEN_RANGES.includes(r));
  if (open.length > 0) {
    return {
      status: 'fail',
      severity: 'high',
      message: `The API server is public and its authorized IP ranges include ${open.join(' and ')}, which admits any address.`,
      details,
    };
  }
  return {
    status: 'pass',
    message: `The API server accepts only authorized IP ranges: ${list.join(', ')}.`,
    details,
  };
}
