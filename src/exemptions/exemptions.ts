// Exemptions: accepted risks for one rule within a scope, until they expire. Pure: no I/O, the clock comes in.
import { randomUUID } from 'node:crypto';
import type { ClusterReport, Exemption } from '../model';
import { normaliseId } from '../model';
import { RULES_BY_ID } from '../rules/index';
import { ExemptionIndex } from './exemptionIndex';
import { parseExemptionScope } from './scope';

export { isExemptionActive, parseExemptionScope, type ExemptionScope } from './scope';

/**
 * The rule IDs an exemption may name: the rule catalog's. (Every caller of validation also runs the rules, so the
 * catalog is loaded anyway: the HTTP functions through the scan route, the CLI through evaluate.)
 */
export const CONTRACT_RULE_IDS: readonly string[] = [...RULES_BY_ID.keys()];

export const MAX_JUSTIFICATION_LENGTH = 2000;
export const MAX_AUTHOR_LENGTH = 256;
export const MAX_ID_LENGTH = 128;
/** An exemption ID (also a Table Storage row key and a URL query value). */
export const EXEMPTION_ID = new RegExp(`^[A-Za-z0-9._-]{1,${MAX_ID_LENGTH}}$`);
export const EXEMPTION_ID_RULE = `must be 1..${MAX_ID_LENGTH} letters, digits, ".", "_" or "-"`;

/** An exemption that failed validation; `field` names the offending property. */
export class ExemptionError extends Error {
  override name = 'ExemptionError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;

/** Parses `YYYY-MM-DD` (midnight UTC) or an ISO date-time with a zone; undefined when invalid (e.g. 2026-02-30). */
export function parseIsoDate(value: string): Date | undefined {
  const m = ISO_DATE.exec(value.trim());
  if (!m) return undefined;
  const date = new Date(m[4] ? value.trim() : `${m[1]}-${m[2]}-${m[3]}T00:00:00Z`);
  if (Number.isNaN(date.getTime())) return undefined;
  // JS rolls 2026-02-30 over to March: check the calendar date survived (for date-only or UTC forms).
  if (!m[4] || m[7] === 'Z') {
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    if (date.getUTCFullYear() !== y || date.getUTCMonth() + 1 !== mo || date.getUTCDate() !== d) return undefined;
  }
  return date;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const KNOWN_FIELDS = new Set(['id', 'ruleId', 'scope', 'justification', 'expiresOn', 'author', 'createdAt']);

function requiredString(input: Record<string, unknown>, field: string): string {
  const value = input[field];
  if (value === undefined || value === null) throw new ExemptionError(field, 'is required');
  if (typeof value !== 'string') throw new ExemptionError(field, `must be a string, got ${typeof value}`);
  const trimmed = value.trim();
  if (trimmed.length === 0) throw new ExemptionError(field, 'must not be empty');
  return trimmed;
}

/**
 * Validates an exemption record (from the HTTP API, the store or an `--exemptions` file) and returns it normalised:
 * trimmed strings, `expiresOn`/`createdAt` as ISO date-times, an `id` generated when absent.
 * Throws ExemptionError naming the field.
 */
export function validateExemption(input: unknown, now: Date): Exemption {
  if (!isObject(input)) throw new ExemptionError('exemption', 'must be a JSON object');
  for (const key of Object.keys(input)) {
    if (!KNOWN_FIELDS.has(key)) {
      throw new ExemptionError(key.slice(0, 100), `is not a known field (expected ${[...KNOWN_FIELDS].join(', ')})`);
    }
  }

  let id: string;
  if (input.id === undefined || input.id === null) {
    id = randomUUID();
  } else {
    id = requiredString(input, 'id');
    if (!EXEMPTION_ID.test(id)) throw new ExemptionError('id', EXEMPTION_ID_RULE);
  }

  const ruleId = requiredString(input, 'ruleId');
  if (!RULES_BY_ID.has(ruleId)) {
    throw new ExemptionError('ruleId', `"${ruleId.slice(0, 100)}" is not a known rule ID`);
  }

  const scopeText = requiredString(input, 'scope');
  if (scopeText.length > 1024 || !parseExemptionScope(scopeText)) {
    throw new ExemptionError(
      'scope',
      'must be a cluster resource ID, /subscriptions/SUB/resourceGroups/RG, /subscriptions/SUB or tag:KEY=VALUE',
    );
  }
  const scope = scopeText.startsWith('/') ? scopeText.replace(/\/+$/, '') : scopeText;

  const justification = requiredString(input, 'justification');
  if (justification.length > MAX_JUSTIFICATION_LENGTH) {
    throw new ExemptionError('justification', `must be at most ${MAX_JUSTIFICATION_LENGTH} characters`);
  }

  const expiresText = requiredString(input, 'expiresOn');
  const expires = parseIsoDate(expiresText);
  if (!expires) throw new ExemptionError('expiresOn', 'must be an ISO date (YYYY-MM-DD or an ISO date-time)');
  if (expires.getTime() <= now.getTime()) throw new ExemptionError('expiresOn', 'must be in the future');
  const limit = new Date(now.getTime());
  limit.setUTCFullYear(limit.getUTCFullYear() + 1);
  if (expires.getTime() > limit.getTime()) {
    throw new ExemptionError('expiresOn', `must be at most one year ahead (${limit.toISOString()})`);
  }

  const author = requiredString(input, 'author');
  if (author.length > MAX_AUTHOR_LENGTH) {
    throw new ExemptionError('author', `must be at most ${MAX_AUTHOR_LENGTH} characters`);
  }

  let createdAt = now.toISOString();
  if (input.createdAt !== undefined && input.createdAt !== null) {
    const created = parseIsoDate(requiredString(input, 'createdAt'));
    if (!created) throw new ExemptionError('createdAt', 'must be an ISO date-time');
    createdAt = created.toISOString();
  }

  return { id, ruleId, scope, justification, expiresOn: expires.toISOString(), author, createdAt };
}

/** Whether the exemption's scope covers the cluster (IDs and tag keys/values compare case-insensitively). */
export function exemptionCoversCluster(exemption: Exemption, cluster: ClusterReport): boolean {
  const scope = parseExemptionScope(exemption.scope);
  if (!scope) return false;
  if (scope.kind === 'tag') {
    const key = scope.key.toLowerCase();
    const value = scope.value.toLowerCase();
    return Object.entries(cluster.tags ?? {}).some(
      ([k, v]) => k.toLowerCase() === key && typeof v === 'string' && v.toLowerCase() === value,
    );
  }
  const clusterId = normaliseId(cluster.id);
  return clusterId === scope.id || clusterId.startsWith(`${scope.id}/`);
}

/**
 * Turns each `fail` covered by an active exemption into `exempt` (details.exemption names it); every other finding
 * is returned as it is. Returns new objects; the input is not changed. Exemptions are indexed once (ExemptionIndex).
 */
export function applyExemptions(clusters: ClusterReport[], exemptions: Exemption[], asOf: Date): ClusterReport[] {
  const index = new ExemptionIndex(exemptions, asOf);
  if (index.size === 0) return clusters;
  return clusters.map((cluster) => index.apply(cluster));
}
