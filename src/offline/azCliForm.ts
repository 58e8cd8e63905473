// `az aks list -o json` / `az aks show -o json` rows back in the ARM wire form the rules read. The Azure CLI prints
// the SDK's model: `properties` lifted to the top level and names re-cased (`enableRbac`, `aadProfile.enableAzureRbac`,
// `autoUpgradeProfile.nodeOsUpgradeChannel`, `apiServerAccessProfile.authorizedIpRanges`, `autoScalerProfile` keys in
// camelCase where the wire has `scan-interval`). The renames are not written by hand: they are read off the
// deserializer of @azure/arm-containerservice (wire -> model), run once on a recording input that notes which wire
// path each model field came from. Model and CLI names differ only in letter case (both derive from the same spec),
// so a CLI key finds its model field case-insensitively. Keys the model does not know (`resourceGroup`, which the CLI
// adds) stay where they are; dictionary keys (tags, identities, add-ons) are kept verbatim.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** One level of the model: each field's wire path relative to its parent, and the fields below it. */
interface FieldNode {
  /** Wire path segments from the parent object (`['properties', 'enableRBAC']` for a lifted field). */
  wire: string[];
  /** Children by lower-cased model name; `*` stands for every element of an array or value of a dictionary. */
  children: Map<string, FieldNode>;
}

type Deserializer = (item: unknown) => unknown;

const WIRE_PATH = Symbol('wirePath');
/** Deeper than any field the rules read; also stops the recursive types (error details) of the model. */
const MAX_DEPTH = 8;

/** The SDK's deserializers. They are not exported by name, so they are loaded from the package's own files. */
function sdkDeserializers(): { managedCluster: Deserializer } {
  const load = createRequire(__filename);
  const entry = load.resolve('@azure/arm-containerservice');
  const models = load(join(dirname(entry), 'models', 'models.js')) as Record<string, unknown>;
  const managedCluster = models.managedClusterDeserializer;
  if (typeof managedCluster !== 'function') {
    throw new Error('@azure/arm-containerservice no longer has managedClusterDeserializer in models/models.js');
  }
  return { managedCluster: managedCluster as Deserializer };
}

/** An input that answers every read with another recording input, and remembers the path that was read. */
function recording(path: string[]): unknown {
  return new Proxy(
    {},
    {
      get(_target, key) {
        if (key === WIRE_PATH) return path;
        // Arrays: the deserializers map over them; one element stands for all (none past the depth limit).
        if (key === 'map')
          return (fn: (item: unknown, index: number) => unknown) =>
            path.length >= MAX_DEPTH ? [] : [fn(recording([...path, '*']), 0)];
        if (typeof key === 'symbol' || path.length >= MAX_DEPTH) return undefined;
        // Dates: `new Date(value)` needs a primitive; such fields are left unmapped (kept as the CLI printed them).
        if (key === 'valueOf' || key === 'toString') return () => Number.NaN;
        return recording([...path, key]);
      },
      // Dictionaries: one key stands for all.
      ownKeys: () => (path.length >= MAX_DEPTH ? [] : ['*']),
      getOwnPropertyDescriptor: () => ({ configurable: true, enumerable: true, writable: true }),
    },
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The model tree of a deserializer: which wire path every model field (path) was read from. */
function modelTree(deserialize: Deserializer): FieldNode {
  const leaves: { model: string[]; wire: string[] }[] = [];
  const walk = (value: unknown, model: string[]): void => {
    if (typeof value === 'object' && value !== null) {
      const wire = (value as { [WIRE_PATH]?: string[] })[WIRE_PATH];
      if (Array.isArray(wire)) {
        leaves.push({ model, wire });
        return;
      }
    }
    if (Array.isArray(value)) value.forEach((item) => walk(item, [...model, '*']));
    else if (isObject(value) && !(value instanceof Date))
      for (const [key, item] of Object.entries(value)) walk(item, [...model, key]);
  };
  walk(deserialize(recording([])), []);

  const root: FieldNode = { wire: [], children: new Map() };
  for (const { model, wire } of leaves) {
    let node = root;
    let consumed = 0;
    model.forEach((segment, depth) => {
      // Only the resource level is flattened (`properties`): below a field, model and wire segments pair one to one.
      const below = model.length - depth - 1;
      const end = wire.length - below;
      const key = segment.toLowerCase();
      let child = node.children.get(key);
      if (!child) {
        child = { wire: wire.slice(consumed, end), children: new Map() };
        node.children.set(key, child);
      }
      consumed = end;
      node = child;
    });
  }
  return root;
}

let managedClusterTree: FieldNode | undefined;

function clusterTree(): FieldNode {
  managedClusterTree ??= modelTree(sdkDeserializers().managedCluster);
  return managedClusterTree;
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const segment of path.slice(0, -1)) {
    if (!isObject(node[segment])) node[segment] = {};
    node = node[segment] as Record<string, unknown>;
  }
  const last = path[path.length - 1];
  // A lifted field and an ARM-form `properties` object in one row: the explicit wire value wins.
  if (isObject(node[last]) && isObject(value)) node[last] = { ...value, ...(node[last] as object) };
  else if (!(last in node)) node[last] = value;
}

function convertValue(value: unknown, node: FieldNode): unknown {
  const each = node.children.get('*');
  if (Array.isArray(value)) return each ? value.map((item) => convertValue(item, each)) : value;
  if (!isObject(value)) return value;
  if (each && node.children.size === 1) {
    // A dictionary: keys are data (tag names, identity IDs), kept verbatim.
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, convertValue(v, each)]));
  }
  return node.children.size > 0 ? convertObject(value, node) : value;
}

function convertObject(value: Record<string, unknown>, node: FieldNode): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    // The CLI prints every field of the model, null when Azure did not send it: null is "absent" on the wire.
    if (item === null) continue;
    const field = node.children.get(key.toLowerCase());
    if (field && field.wire.length > 0) setPath(out, field.wire, convertValue(item, field));
    else setPath(out, [key], item);
  }
  return out;
}

/**
 * True for a managed cluster row in the CLI's flattened form: no `properties` object, and fields that the wire form
 * keeps inside `properties` at the top level.
 */
export function isAzCliClusterRow(row: unknown): row is Record<string, unknown> {
  if (!isObject(row) || isObject(row.properties)) return false;
  return ['kubernetesVersion', 'currentKubernetesVersion', 'agentPoolProfiles', 'provisioningState', 'enableRbac'].some(
    (key) => key in row,
  );
}

/** A `az aks list` / `az aks show` row in the ARM wire form (`properties` restored, wire names). */
export function azCliClusterToWire(row: Record<string, unknown>): Record<string, unknown> {
  return convertObject(row, clusterTree());
}
