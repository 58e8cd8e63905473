// The entity codec: how a finding, a cluster's metadata or a long value becomes Table Storage properties and back.
// Values are split over string properties of at most CHUNK characters; a state entry (one finding or one cluster's
// metadata) is held compact where only its status, severity or hash is needed.
import type { Finding, Severity, Status } from '../model';
import { ruleIdOfKey, shortHash } from './keys';

/** Characters per string property (Table Storage strings are at most 64 KiB in UTF-16). */
export const CHUNK = 30_000;
/** Chunks per value: 480,000 UTF-16 characters keep an entity under 1 MiB. */
export const MAX_CHUNKS = 16;

export function putChunks(entity: Record<string, unknown>, prefix: string, text: string | undefined): void {
  if (text === undefined) {
    entity[`${prefix}n`] = 0;
    return;
  }
  const count = Math.max(1, Math.ceil(text.length / CHUNK));
  entity[`${prefix}n`] = count;
  for (let i = 0; i < count; i++) entity[`${prefix}${i}`] = text.slice(i * CHUNK, (i + 1) * CHUNK);
}

export function getChunks(entity: Record<string, unknown>, prefix: string): string | undefined {
  const count = Number(entity[`${prefix}n`] ?? 0);
  if (!count) return undefined;
  let text = '';
  for (let i = 0; i < count; i++) text += String(entity[`${prefix}${i}`] ?? '');
  return text;
}

/** A finding's JSON within the entity budget: oversized details are replaced by a marker (status kept). */
export function findingJson(finding: Finding, pos: number): string {
  const text = JSON.stringify({ ...finding, pos });
  if (text.length <= CHUNK * MAX_CHUNKS) return text;
  const truncated: Finding = {
    ...finding,
    message: finding.message.length > 8000 ? `${finding.message.slice(0, 8000)} [truncated]` : finding.message,
    details: { truncated: true, note: `details of ${text.length} characters exceeded the storage limit` },
  };
  return JSON.stringify({ ...truncated, pos });
}

export function boundedJson(value: unknown, limit = CHUNK * MAX_CHUNKS): string {
  const text = JSON.stringify(value);
  return text.length <= limit ? text : JSON.stringify({ truncated: true, size: text.length });
}

/**
 * One key of the state: a finding of a cluster, or the cluster's metadata. Read for change detection, an entry is
 * compact (status, severity and, for metadata, a hash of its JSON); its JSON is read only where it is written again
 * (a before-image). An entry of the report being recorded builds its JSON only when it is written.
 */
export interface Entry {
  status?: Status;
  severity?: Severity;
  json?: string;
  /** shortHash of the JSON (metadata entries: what a metadata change is detected by). */
  hash?: string;
  build?: () => string;
}

/** The entry's JSON; built ones are not kept (they are written once and dropped). */
export function jsonOf(entry: Entry): string {
  if (entry.json !== undefined) return entry.json;
  if (!entry.build) throw new Error('state entry read without its value');
  return entry.build();
}

export function hashOf(entry: Entry): string {
  entry.hash ??= shortHash(jsonOf(entry));
  return entry.hash;
}

/** The entry's JSON is not in memory (read compact from Latest). */
export function isCompact(entry: Entry | undefined): boolean {
  return entry !== undefined && entry.json === undefined && entry.build === undefined;
}

/** What change detection keeps of a Latest entry. */
export function compactOf(entry: Entry, isMeta: boolean): Entry {
  if (isMeta) return { hash: hashOf(entry) };
  return {
    ...(entry.status ? { status: entry.status } : {}),
    ...(entry.severity ? { severity: entry.severity } : {}),
  };
}

/**
 * What the alert baseline keeps of a state entry: a finding's rule, status and severity (and its title where the
 * alerts can name it: fail and exempt); a cluster's metadata whole (it is small).
 */
export function thinOf(entry: Entry, isMeta: boolean, rk: string): Entry {
  if (isMeta) return entry;
  const json = jsonOf(entry);
  // Most findings pass: their rule is in the key, status and severity in columns and the position ends the JSON
  // (findingJson writes it last), so only fails and exemptions are parsed for their titles.
  if (entry.status && entry.severity && entry.status !== 'fail' && entry.status !== 'exempt') {
    const at = json.lastIndexOf('"pos":');
    const pos = at > 0 ? /^"pos":(\d+)\}$/.exec(json.slice(at)) : null;
    if (pos) {
      const thin = {
        ruleId: ruleIdOfKey(rk.slice(rk.indexOf('.') + 1)),
        status: entry.status,
        severity: entry.severity,
        title: '',
        message: '',
        remediation: '',
        details: {},
        pos: Number(pos[1]),
      };
      return { status: entry.status, severity: entry.severity, json: JSON.stringify(thin) };
    }
  }
  const f = JSON.parse(json) as Finding & { pos: number };
  const keepTitle = f.status === 'fail' || f.status === 'exempt';
  const thin = {
    ruleId: f.ruleId,
    status: f.status,
    severity: f.severity,
    title: keepTitle ? f.title : '',
    message: '',
    remediation: '',
    details: {},
    pos: f.pos,
  };
  return { ...compactOf(entry, false), json: JSON.stringify(thin) };
}

/**
 * What a fleet-scale HTML report keeps of a state entry: a pass thinned as thinOf does (its rule, status, severity
 * and position: passes are counted, not listed), everything else whole.
 */
export function passThinnedOf(entry: Entry, isMeta: boolean, rk: string): Entry {
  return !isMeta && entry.status === 'pass' ? thinOf(entry, isMeta, rk) : entry;
}

export function sameEntry(a: Entry | undefined, b: Entry | undefined, isMeta: boolean): boolean {
  if (!a || !b) return a === b;
  if (isMeta) return a.json !== undefined && b.json !== undefined ? a.json === b.json : hashOf(a) === hashOf(b);
  return a.status === b.status && a.severity === b.severity;
}

/** The entry held in an entity's properties named `prefix*` (undefined: the entity holds none, an absence). */
export function entryFromEntity(entity: Record<string, unknown>, prefix: string): Entry | undefined {
  const json = getChunks(entity, prefix);
  if (json === undefined) return undefined;
  const status = entity[`${prefix}status`];
  const severity = entity[`${prefix}severity`];
  return {
    json,
    ...(typeof status === 'string' ? { status: status as Status } : {}),
    ...(typeof severity === 'string' ? { severity: severity as Severity } : {}),
  };
}

/** An entry as properties named `prefix*` (undefined: an absence, `prefix` + `n` = 0). */
export function entryProps(entry: Entry | undefined, prefix: string): Record<string, unknown> {
  const props: Record<string, unknown> = {};
  putChunks(props, prefix, entry && jsonOf(entry));
  if (entry?.status) props[`${prefix}status`] = entry.status;
  if (entry?.severity) props[`${prefix}severity`] = entry.severity;
  return props;
}

/** An entity's size as the transaction budget counts it (UTF-16 strings, a fixed allowance per other value). */
export function entitySize(entity: Record<string, unknown>): number {
  let size = 200;
  for (const [k, v] of Object.entries(entity)) size += k.length * 2 + (typeof v === 'string' ? v.length * 2 : 16);
  return size;
}
