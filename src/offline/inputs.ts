// The `evaluate` command's input files: read, parsed and validated. Every error names the file and what is wrong.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { validateExemption } from '../exemptions/exemptions';
import { toClusterRecord } from '../inventory/clusters';
import { azCliClusterToWire, isAzCliClusterRow } from './azCliForm';
import { isUpgradeProfile, upgradeProfileCatalogs } from './upgradeProfile';
import {
  normaliseId,
  normaliseLocation,
  type ClusterRecord,
  type Exemption,
  type KubernetesVersionWire,
  type RegionCatalog,
} from '../model';

/** A bad input file: the message is `<file>: <what is wrong>`, printed as the CLI's one error line. */
export class InputError extends Error {
  override name = 'InputError';
  constructor(
    readonly file: string,
    what: string,
  ) {
    super(`${file}: ${what}`);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** Text of a file in any encoding `az` or a shell redirection produces (UTF-8 with or without BOM, UTF-16 LE/BE). */
function decode(buffer: Buffer): string {
  if (buffer[0] === 0xff && buffer[1] === 0xfe) return buffer.subarray(2).toString('utf16le');
  if (buffer[0] === 0xfe && buffer[1] === 0xff) {
    const swapped = Buffer.from(buffer.subarray(2));
    swapped.swap16();
    return swapped.toString('utf16le');
  }
  const text = buffer.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function lineAndColumn(text: string, position: number): string {
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  const column = position - before.lastIndexOf('\n');
  return `line ${line} column ${column}`;
}

/**
 * Offset of the first JSON syntax error (V8 leaves it out of some messages, e.g. "Unexpected token"). Only called
 * after JSON.parse failed, so it need not build values.
 */
export function jsonErrorOffset(text: string): number {
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++;
  };
  const fail = (): never => {
    throw i;
  };
  const literal = (word: string) => {
    if (text.startsWith(word, i)) i += word.length;
    else fail();
  };
  const string = () => {
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text.charCodeAt(i) < 0x20) fail();
      if (text[i] === '\\') {
        i++;
        if (text[i] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail();
          i += 4;
        } else if (!'"\\/bfnrt'.includes(text[i] ?? '')) fail();
      }
      i++;
    }
    if (i >= text.length) fail();
    i++;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      i++;
      ws();
      if (text[i] === close) {
        i++;
        return;
      }
      for (;;) {
        if (c === '{') {
          ws();
          if (text[i] !== '"') fail();
          string();
          ws();
          if (text[i] !== ':') fail();
          i++;
        }
        value();
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === close) {
          i++;
          return;
        }
        fail();
      }
    }
    if (c === '"') return string();
    if (c === 't') return literal('true');
    if (c === 'f') return literal('false');
    if (c === 'n') return literal('null');
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m) fail();
    i += m![0].length;
  };
  try {
    value();
    ws();
    return i < text.length ? i : -1;
  } catch (at) {
    return typeof at === 'number' ? at : -1;
  }
}

/** Parses JSON text; a syntax error names the line and column. */
export function parseJsonText(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const message = (err as Error).message;
    if (text.trim().length === 0) throw new InputError(file, 'is empty, expected JSON');
    const stated = /at position (\d+)/.exec(message);
    const offset = stated ? Number(stated[1]) : jsonErrorOffset(text);
    const where =
      /end of JSON input/i.test(message) || offset >= text.length
        ? 'end of file'
        : offset >= 0
          ? lineAndColumn(text, offset)
          : undefined;
    // Node's message may quote part of the file: keep only its first clause, on one line.
    const reason = message
      .split(/, "|\s+in JSON at position|\s*\(line \d+/)[0]
      .replace(/\s+/g, ' ')
      .trim();
    throw new InputError(file, `is not valid JSON${where ? ` at ${where}` : ''}: ${reason.slice(0, 200)}`);
  }
}

/** Reads and parses a JSON file (relative paths against `cwd`). */
export function readJsonFile(path: string, cwd?: string): unknown {
  let buffer: Buffer;
  try {
    buffer = readFileSync(cwd ? resolve(cwd, path) : path);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why =
      e.code === 'ENOENT'
        ? 'file not found'
        : e.code === 'EISDIR'
          ? 'is a directory, not a file'
          : e.code === 'EACCES'
            ? 'permission denied'
            : (e.code ?? e.message);
    throw new InputError(path, `cannot be read (${why})`);
  }
  return parseJsonText(decode(buffer), path);
}

// ---------------------------------------------------------------------------------------------------------------
// --clusters

const CLUSTERS_SHAPE =
  'expected `az graph query -o json` output (an object with "data"), an ARM list ({"value": [...]}), `az aks list` or `az aks show -o json` output, or an array of clusters';

/** Rows of the `resultFormat: table` form (`{columns: [{name}], rows: [[...]]}`) turned into objects. */
function tableRows(data: Record<string, unknown>, file: string): unknown[] {
  const { columns, rows } = data;
  if (!Array.isArray(columns) || !Array.isArray(rows))
    throw new InputError(file, `"data" has the wrong shape: ${CLUSTERS_SHAPE}`);
  const names = columns.map((c, i) => {
    if (!isObject(c) || typeof c.name !== 'string')
      throw new InputError(file, `data.columns[${i}] has no string "name"`);
    return c.name;
  });
  return rows.map((row, i) => {
    if (!Array.isArray(row)) throw new InputError(file, `data.rows[${i}] is not an array`);
    return Object.fromEntries(names.map((n, j) => [n, row[j]]));
  });
}

function clusterRows(json: unknown, file: string): { rows: unknown[]; path: string } {
  if (Array.isArray(json)) return { rows: json, path: '' };
  if (isObject(json)) {
    if (Array.isArray(json.data)) return { rows: json.data, path: 'data' };
    if (isObject(json.data)) return { rows: tableRows(json.data, file), path: 'data.rows' };
    if (Array.isArray(json.value)) return { rows: json.value, path: 'value' };
    // One cluster: `az aks show -o json`, or an ARM GET response.
    if (typeof json.id === 'string' && (isObject(json.properties) || isAzCliClusterRow(json)))
      return { rows: [json], path: '' };
  }
  throw new InputError(file, `is ${describeType(json)} of the wrong shape: ${CLUSTERS_SHAPE}`);
}

/** The clusters of a `--clusters` file, in file order. A bad row names its index. */
export function parseClustersInput(json: unknown, file: string): ClusterRecord[] {
  const { rows, path } = clusterRows(json, file);
  const clusters: ClusterRecord[] = [];
  const seen = new Map<string, number>();
  rows.forEach((row, index) => {
    const where = path ? `${path}[${index}]` : `row ${index}`;
    // `az aks list` / `az aks show` print the SDK's flattened model: back to the wire form the rules read.
    const cliForm = isAzCliClusterRow(row);
    const result = toClusterRecord(cliForm ? azCliClusterToWire(row) : row);
    if ('error' in result) {
      throw new InputError(file, `${where}: ${result.error}${cliForm ? ' (read as `az aks list` output)' : ''}`);
    }
    const key = normaliseId(result.record.id);
    const first = seen.get(key);
    if (first !== undefined)
      throw new InputError(file, `${where}: repeats the cluster of row ${first} (${result.record.id})`);
    seen.set(key, index);
    clusters.push(result.record);
  });
  return clusters;
}

export function readClustersFile(path: string, cwd?: string): ClusterRecord[] {
  return parseClustersInput(readJsonFile(path, cwd), path);
}

// ---------------------------------------------------------------------------------------------------------------
// --versions

const VERSIONS_SHAPE =
  'expected a listKubernetesVersions response ({"values": [...]}, as `az aks get-versions -o json` prints it), an object mapping each location to one, or one cluster\'s `az aks get-upgrades -o json`';

function versionEntries(response: unknown, file: string, where: string): KubernetesVersionWire[] {
  if (!isObject(response) || !Array.isArray(response.values)) {
    throw new InputError(file, `${where || 'the file'} is not a listKubernetesVersions response: ${VERSIONS_SHAPE}`);
  }
  const prefix = where ? `${where}.` : '';
  return response.values.map((entry, i) => {
    const at = `${prefix}values[${i}]`;
    if (!isObject(entry)) throw new InputError(file, `${at} is ${describeType(entry)}, expected an object`);
    if (typeof entry.version !== 'string' || !/^\d+\.\d+$/.test(entry.version.trim())) {
      throw new InputError(file, `${at}.version must be a minor version such as "1.33"`);
    }
    if (entry.patchVersions !== undefined && entry.patchVersions !== null && !isObject(entry.patchVersions)) {
      throw new InputError(file, `${at}.patchVersions must be an object keyed by patch version`);
    }
    if (entry.capabilities !== undefined && entry.capabilities !== null) {
      const plans = isObject(entry.capabilities) ? entry.capabilities.supportPlan : undefined;
      if (
        !isObject(entry.capabilities) ||
        (plans !== undefined && !(Array.isArray(plans) && plans.every((p) => typeof p === 'string')))
      ) {
        throw new InputError(file, `${at}.capabilities.supportPlan must be an array of strings`);
      }
    }
    return entry as unknown as KubernetesVersionWire;
  });
}

/**
 * Region catalogs for the clusters' locations: one response applies to every location; a mapping gives each location
 * its own, and a cluster location missing from the mapping gets an unreadable catalog that says so.
 */
export function parseVersionsInput(json: unknown, file: string, clusters: ClusterRecord[]): Map<string, RegionCatalog> {
  const locations = [...new Set(clusters.map((c) => normaliseLocation(c.location)))];
  const catalogs = new Map<string, RegionCatalog>();
  if (isObject(json) && Array.isArray(json.orchestrators)) {
    throw new InputError(file, `is the retired "orchestrators" version list: ${VERSIONS_SHAPE}`);
  }
  // `az aks get-upgrades -o json`: one cluster's current version and the versions it can move to.
  if (isUpgradeProfile(json)) return upgradeProfileCatalogs(json, file, clusters);
  if (isObject(json) && 'values' in json) {
    const values = versionEntries(json, file, '');
    for (const location of locations) catalogs.set(location, { readable: true, location, values });
    return catalogs;
  }
  if (!isObject(json) || Object.keys(json).length === 0) {
    throw new InputError(
      file,
      `is ${describeType(json)}${isObject(json) ? ' with no locations' : ''}: ${VERSIONS_SHAPE}`,
    );
  }
  const byLocation = new Map<string, KubernetesVersionWire[]>();
  for (const [key, response] of Object.entries(json)) {
    byLocation.set(normaliseLocation(key), versionEntries(response, file, JSON.stringify(key)));
  }
  for (const location of locations) {
    const values = byLocation.get(location);
    catalogs.set(
      location,
      values
        ? { readable: true, location, values }
        : { readable: false, location, reason: `the versions file ${file} has no entry for location "${location}"` },
    );
  }
  return catalogs;
}

export function readVersionsFile(path: string, clusters: ClusterRecord[], cwd?: string): Map<string, RegionCatalog> {
  return parseVersionsInput(readJsonFile(path, cwd), path, clusters);
}

// ---------------------------------------------------------------------------------------------------------------
// --exemptions

const ISO_DATE_PREFIX = /^\d{4}-\d{2}-\d{2}/;

function parseDate(value: unknown): Date | undefined {
  if (typeof value !== 'string' || !ISO_DATE_PREFIX.test(value.trim())) return undefined;
  const t = Date.parse(value.trim().length === 10 ? `${value.trim()}T00:00:00Z` : value.trim());
  return Number.isFinite(t) ? new Date(t) : undefined;
}

/**
 * Exemption records (the same fields as the HTTP API). A record is validated as of its creation (`createdAt`, else the
 * as-of date), so an export that contains exemptions which have since expired is accepted: they simply do not apply.
 */
export function parseExemptionsInput(json: unknown, file: string, asOf: Date): Exemption[] {
  const records = Array.isArray(json) ? json : isObject(json) && Array.isArray(json.value) ? json.value : undefined;
  if (!records) throw new InputError(file, `is ${describeType(json)}: expected an array of exemption records`);
  return records.map((record, index) => {
    let now = asOf;
    if (isObject(record)) {
      const created = parseDate(record.createdAt);
      const expires = parseDate(record.expiresOn);
      if (created) now = created;
      else if (expires && expires.getTime() <= asOf.getTime()) now = new Date(expires.getTime() - 1);
    }
    try {
      return validateExemption(record, now);
    } catch (err) {
      throw new InputError(file, `exemption [${index}]: ${(err as Error).message}`);
    }
  });
}

export function readExemptionsFile(path: string, asOf: Date, cwd?: string): Exemption[] {
  return parseExemptionsInput(readJsonFile(path, cwd), path, asOf);
}
