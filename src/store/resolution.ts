// A fail is resolved only on positive evidence: the cluster was read and the rule passes (or no longer applies), or
// the cluster is gone from a subscription that was read completely. Everything else keeps what the state held. Pure:
// the change set planner asks it key by key, whatever order the keys come in (whole report or streamed).
import type { Status } from '../model';

export interface ResolutionInput {
  /** The key is a cluster's metadata entry (name, version, tags), not a finding. */
  isMeta: boolean;
  /** The run reported this cluster. */
  clusterReported: boolean;
  /**
   * The run read the cluster's subscription completely: every page of its clusters came back, and Resource Graph
   * did not leave the subscription out. Only then can a cluster missing from the run be gone.
   */
  subscriptionReadCompletely: boolean;
  /** What the state held before this run (undefined: nothing). */
  before: { status?: Status } | undefined;
  /** What the run reported (undefined: the run did not report this key). */
  fresh: { status?: Status } | undefined;
}

export type Resolution = 'fresh' | 'keep' | 'gone';

/**
 * Which entry the state takes for one key: the run's (`fresh`), the one it held (`keep`), or none (`gone`, the
 * cluster was deleted or moved out of a subscription read completely).
 */
export function resolveEntry(input: ResolutionInput): Resolution {
  const { isMeta, clusterReported, subscriptionReadCompletely, before, fresh } = input;
  if (!clusterReported) return subscriptionReadCompletely ? 'gone' : 'keep';
  if (isMeta) return 'fresh';
  // A cluster read in a subscription that was not read completely: a new fail is evidence and is taken, but no fail
  // is resolved (the run's own report still shows what it saw).
  if (!subscriptionReadCompletely) {
    if (before?.status === 'fail' && fresh?.status !== 'fail') return 'keep';
    return fresh === undefined ? 'keep' : 'fresh';
  }
  // A rule the run no longer reports for a cluster it read (a rule taken out of the catalog).
  if (fresh === undefined) return 'gone';
  // Unknown is not evidence: a fail that could not be judged this time stays a fail.
  if (before?.status === 'fail' && fresh.status === 'unknown') return 'keep';
  return 'fresh';
}

/**
 * The subscriptions (lower case) a run read completely, from what it says of itself: the list it recorded, or for a
 * run that recorded none (older callers), all when it was complete and none otherwise.
 */
export function subscriptionReadFilter(
  complete: boolean,
  subscriptionsRead: readonly string[] | undefined,
): (subscriptionId: string) => boolean {
  if (subscriptionsRead === undefined) return () => complete;
  const read = new Set(subscriptionsRead.map((s) => s.trim().toLowerCase()));
  return (subscriptionId) => read.has(subscriptionId.toLowerCase());
}
