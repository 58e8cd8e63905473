// Fleet data for the simulator: the scenario format, the deterministic generator with its ground truth, the demo's
// sample fleet, and the loaders of the verbatim Azure API examples.
export type * from './types';
export type { ClusterSpec, FleetModel, PoolSpec, PrincipalSpec, AssignmentSpec, SubscriptionSpec } from './model';
export {
  generateFleet,
  changeClusters,
  changeModel,
  mutateFleet,
  truthFor,
  DEFAULT_AS_OF,
  DIMENSIONS,
  REGIONS,
  type FleetOptions,
  type FleetStats,
  type GeneratedFleet,
  type Dimension,
} from './generator';
export { sampleFleet, HOSTILE_NAME, HOSTILE_TAGS } from './sample';
export {
  computeTruth,
  isCompliant,
  RULE_IDS,
  AKS_ROLES,
  type GroundTruth,
  type TruthEntry,
  type RuleId,
} from './truth';
export { CHANGED_CLUSTER_FIELDS, CHANGED_CLUSTER_PROPERTIES, buildFleet } from './build';
export * from './fixtures';
