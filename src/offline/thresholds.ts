// Rule thresholds for offline runs, from the same environment settings the service reads. Only these are read
// here: `evaluate` must not fail because of settings it never uses (credentials, storage, alerting).
import { UsageError } from '../cli/io';

export interface OfflineThresholds {
  nodeImageMaxAgeDays: number;
  eolWarningDays: number;
  maxClusterAdmins: number;
  supportCalendarPath?: string;
}

function integer(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
  min: number,
  max: number,
  unit = ' of days',
): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new UsageError(`${name} must be a whole number${unit} from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return Number(raw);
}

export function thresholdsFromEnv(env: NodeJS.ProcessEnv): OfflineThresholds {
  const thresholds: OfflineThresholds = {
    nodeImageMaxAgeDays: integer(env, 'AKS_COMPLIANCE_NODE_IMAGE_MAX_AGE_DAYS', 30, 1, 3650),
    eolWarningDays: integer(env, 'AKS_COMPLIANCE_EOL_WARNING_DAYS', 60, 0, 3650),
    maxClusterAdmins: integer(env, 'AKS_COMPLIANCE_MAX_CLUSTER_ADMINS', 10, 0, 100_000, ''),
  };
  const calendar = env.AKS_COMPLIANCE_SUPPORT_CALENDAR?.trim();
  if (calendar) thresholds.supportCalendarPath = calendar;
  return thresholds;
}
