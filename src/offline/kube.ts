// `evaluate --kube DIR`: each cluster's `kubectl get <kind> -A -o json` exports, DIR/<cluster name>/<kind>.json, as the
// in-cluster view. A missing file makes that list unreadable (the rules reading it say which file); a file that is
// not a Kubernetes List is bad input (exit 2).
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ClusterRecord } from '../model';
import { IN_CLUSTER_KINDS, InClusterReads, stateFromLists, type InClusterKind, type RawList } from '../incluster/state';
import { InputError, readJsonFile } from './inputs';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The items of a `kubectl get -o json` answer: a `List` (or `<Kind>List`) with `items`. */
export function listItems(json: unknown, file: string): unknown[] {
  if (!isObject(json) || !Array.isArray(json.items)) {
    throw new InputError(
      file,
      'expected `kubectl get <kind> -A -o json` output (an object with "kind": "List" and "items")',
    );
  }
  if (typeof json.kind === 'string' && !json.kind.endsWith('List')) {
    throw new InputError(file, `"kind" is ${JSON.stringify(json.kind.slice(0, 40))}, not a List`);
  }
  return json.items;
}

function isDirectory(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}

/** The in-cluster view of every cluster from DIR; throws InputError when DIR is not a directory. */
export function readKubeDir(dir: string, clusters: ClusterRecord[], cwd?: string): InClusterReads {
  const root = cwd ? resolve(cwd, dir) : dir;
  if (!isDirectory(root)) throw new InputError(dir, 'is not a directory (expected DIR/<cluster name>/<kind>.json)');
  const reads = new InClusterReads();
  for (const cluster of clusters) {
    const name = cluster.name;
    if (name === '' || name === '.' || name === '..' || /[/\\\0]/.test(name)) {
      reads.set(cluster.id, { readable: false, reason: `the cluster name cannot name a folder under ${dir}` });
      continue;
    }
    const folder = join(root, name);
    const shown = join(dir, name);
    if (!isDirectory(folder)) {
      reads.set(cluster.id, {
        readable: false,
        reason: `${shown}/ does not exist (expected ${IN_CLUSTER_KINDS.map((k) => `${k}.json`).join(', ')})`,
      });
      continue;
    }
    const raw = {} as Record<InClusterKind, RawList>;
    for (const kind of IN_CLUSTER_KINDS) {
      const file = join(folder, `${kind}.json`);
      const label = join(shown, `${kind}.json`);
      raw[kind] = existsSync(file)
        ? { items: listItems(readJsonFile(file), label) }
        : { reason: `${label} is missing (kubectl get ${kind} -A -o json)` };
    }
    reads.set(cluster.id, { readable: true, state: stateFromLists(raw) });
  }
  return reads;
}
