// Builds the RuleContext every rule receives: the clock, thresholds, region catalogs, calendar and access view.
import {
  normaliseLocation,
  type AccessView,
  type InClusterView,
  type RegionCatalog,
  type RuleContext,
  type SupportCalendar,
} from '../model';

export const DEFAULT_NODE_IMAGE_MAX_AGE_DAYS = 30;
export const DEFAULT_EOL_WARNING_DAYS = 60;
export const DEFAULT_MAX_CLUSTER_ADMINS = 10;

export interface RuleContextInput {
  asOf: Date;
  nodeImageMaxAgeDays?: number;
  eolWarningDays?: number;
  /** By location; keys are normalised here (`West Europe` -> `westeurope`). */
  catalogs: ReadonlyMap<string, RegionCatalog>;
  calendar: SupportCalendar;
  access?: AccessView;
  inCluster?: InClusterView;
  maxClusterAdmins?: number;
}

function days(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 0)
    throw new RangeError(`${name} must be a whole number of days >= 0, got ${value}`);
  return value;
}

function count(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 0) throw new RangeError(`${name} must be a whole number >= 0, got ${value}`);
  return value;
}

export function buildRuleContext(input: RuleContextInput): RuleContext {
  if (!(input.asOf instanceof Date) || Number.isNaN(input.asOf.getTime())) {
    throw new RangeError('asOf must be a valid date');
  }
  const catalogs = new Map<string, RegionCatalog>();
  for (const [location, catalog] of input.catalogs) catalogs.set(normaliseLocation(location), catalog);
  return {
    asOf: input.asOf,
    nodeImageMaxAgeDays: days(input.nodeImageMaxAgeDays, DEFAULT_NODE_IMAGE_MAX_AGE_DAYS, 'nodeImageMaxAgeDays'),
    eolWarningDays: days(input.eolWarningDays, DEFAULT_EOL_WARNING_DAYS, 'eolWarningDays'),
    catalogs,
    calendar: input.calendar,
    maxClusterAdmins: count(input.maxClusterAdmins, DEFAULT_MAX_CLUSTER_ADMINS, 'maxClusterAdmins'),
    ...(input.access ? { access: input.access } : {}),
    ...(input.inCluster ? { inCluster: input.inCluster } : {}),
  };
}
