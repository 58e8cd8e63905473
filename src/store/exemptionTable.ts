// The Exemptions table: one partition (`exemption`) holding, per exemption, its current row (keyed by its ID; a
// removed exemption stays as a tombstone), its versions (`}h|<key>|<version>`, the audit trail) and, until the next
// alert digest takes them, its unreported changes (`}d|<time>|<key>|<version>`). A change writes the three rows in one
// entity-group transaction, the current row conditional on its ETag, so a stale writer changes nothing.
import { odata, type TransactionAction } from '@azure/data-tables';
import { classifyChange, fieldChanges, type ExemptionVersion } from '../exemptions/changes';
import type { Exemption } from '../model';
import { EXEMPTIONS_PK, runKey } from './keys';
import { isConflict, type Row, type StoreTables } from './tables';

/** History and digest rows sort after every current row's key (`|` and `}` never occur in a key). */
const HISTORY = '}h|';
const DIGEST = '}d|';

/** The ETag given no longer matches the stored exemption (someone changed it since it was read). */
export class StaleExemptionError extends Error {
  override name = 'StaleExemptionError';
}

/** An exemption as stored: the current state, its ETag, and whether it was removed (a tombstone). */
export interface ExemptionRecord {
  exemption: Exemption;
  etag: string;
  removed?: { at: string; by: string; byOid: string };
}

export interface Actor {
  oid: string;
  name: string;
}

export function exemptionFromEntity(row: Record<string, unknown>): Exemption {
  const exemption: Exemption = {
    id: String(row.id),
    ruleId: String(row.ruleId),
    scope: String(row.scope),
    justification: String(row.justification),
    expiresOn: String(row.expiresOn),
    author: String(row.author),
    createdAt: String(row.createdAt),
  };
  if (typeof row.authorOid === 'string') exemption.authorOid = row.authorOid;
  if (typeof row.version === 'number') exemption.version = row.version;
  if (typeof row.updatedAt === 'string') exemption.updatedAt = row.updatedAt;
  if (typeof row.updatedBy === 'string') exemption.updatedBy = row.updatedBy;
  if (typeof row.updatedByOid === 'string') exemption.updatedByOid = row.updatedByOid;
  return exemption;
}

function recordOf(row: Row): ExemptionRecord {
  return {
    exemption: exemptionFromEntity(row),
    etag: row.etag,
    ...(row.removed === true
      ? { removed: { at: String(row.removedAt), by: String(row.removedBy), byOid: String(row.removedByOid) } }
      : {}),
  };
}

function versionKey(id: string, version: number): string {
  return `${HISTORY}${runKey(id)}|${String(version).padStart(10, '0')}`;
}

function versionFromRow(row: Record<string, unknown>): ExemptionVersion {
  return JSON.parse(String(row.entry)) as ExemptionVersion;
}

export class ExemptionTable {
  constructor(private readonly tables: StoreTables) {}

  /** The exemptions in force or expired, never the removed ones. */
  async list(): Promise<Exemption[]> {
    const rows = await this.tables.query(
      'exemptions',
      odata`PartitionKey eq ${EXEMPTIONS_PK} and (RowKey lt ${'}'} or RowKey ge ${'~'})`,
    );
    return rows.filter((r) => r.removed !== true).map(exemptionFromEntity);
  }

  async get(id: string): Promise<Exemption | undefined> {
    const record = await this.record(id);
    return record && !record.removed ? record.exemption : undefined;
  }

  /** The current row with its ETag, tombstones included. */
  async record(id: string): Promise<ExemptionRecord | undefined> {
    const row = await this.tables.get('exemptions', EXEMPTIONS_PK, runKey(id));
    return row ? recordOf(row) : undefined;
  }

  /** Stores an exemption as it is, without a version (an import of records that were validated elsewhere). */
  async put(exemption: Exemption): Promise<void> {
    await this.tables.upsert('exemptions', { partitionKey: EXEMPTIONS_PK, rowKey: runKey(exemption.id), ...exemption });
  }

  /**
   * Creates an exemption or a new version of one: `current` is the record read before (undefined: none), `etag` the
   * ETag the caller holds (required to change an existing row). Throws StaleExemptionError when the row changed.
   */
  async save(
    next: Exemption,
    current: ExemptionRecord | undefined,
    etag: string | undefined,
    actor: Actor,
    at: Date,
  ): Promise<{ exemption: Exemption; entry: ExemptionVersion; etag: string }> {
    const before = current && !current.removed ? current.exemption : undefined;
    const version = (await this.lastVersion(current)) + 1;
    const when = at.toISOString();
    const stored: Exemption = before
      ? {
          ...next,
          author: before.author,
          createdAt: before.createdAt,
          ...(before.authorOid ? { authorOid: before.authorOid } : {}),
          version,
          updatedAt: when,
          updatedBy: actor.name,
          updatedByOid: actor.oid,
        }
      : {
          ...next,
          author: actor.name,
          authorOid: actor.oid,
          createdAt: when,
          version,
          updatedAt: when,
          updatedBy: actor.name,
          updatedByOid: actor.oid,
        };
    const entry: ExemptionVersion = {
      id: next.id,
      version,
      action: classifyChange(before, stored),
      at: when,
      by: { oid: actor.oid, name: actor.name },
      changes: fieldChanges(before, stored),
      exemption: stored,
    };
    const row = { partitionKey: EXEMPTIONS_PK, rowKey: runKey(next.id), ...stored };
    const write: TransactionAction = current
      ? ['update', row, 'Replace', { etag: etag ?? current.etag }]
      : ['create', row];
    await this.commit(write, entry);
    const saved = await this.record(next.id);
    return { exemption: stored, entry, etag: saved?.etag ?? '' };
  }

  /** Removes an exemption, leaving a tombstone and a version. Throws StaleExemptionError when the row changed. */
  async remove(current: ExemptionRecord, etag: string, actor: Actor, at: Date): Promise<ExemptionVersion> {
    const when = at.toISOString();
    const version = (await this.lastVersion(current)) + 1;
    const entry: ExemptionVersion = {
      id: current.exemption.id,
      version,
      action: 'removed',
      at: when,
      by: { oid: actor.oid, name: actor.name },
      changes: fieldChanges(current.exemption, undefined),
      exemption: current.exemption,
    };
    const tombstone = {
      partitionKey: EXEMPTIONS_PK,
      rowKey: runKey(current.exemption.id),
      ...current.exemption,
      version,
      removed: true,
      removedAt: when,
      removedBy: actor.name,
      removedByOid: actor.oid,
    };
    await this.commit(['update', tombstone, 'Replace', { etag }], entry);
    return entry;
  }

  /** The stored row's version; a row imported without one continues after its recorded versions, if any. */
  private async lastVersion(current: ExemptionRecord | undefined): Promise<number> {
    if (!current) return 0;
    if (current.exemption.version !== undefined) return current.exemption.version;
    const versions = await this.history(current.exemption.id);
    return versions.length === 0 ? 0 : versions[versions.length - 1].version;
  }

  private async commit(write: TransactionAction, entry: ExemptionVersion): Promise<void> {
    const json = JSON.stringify(entry);
    const key = runKey(entry.id);
    try {
      await this.tables.transact('exemptions', [
        write,
        ['create', { partitionKey: EXEMPTIONS_PK, rowKey: versionKey(entry.id, entry.version), entry: json }],
        [
          'create',
          {
            partitionKey: EXEMPTIONS_PK,
            rowKey: `${DIGEST}${entry.at}|${key}|${String(entry.version).padStart(10, '0')}`,
            entry: json,
          },
        ],
      ]);
    } catch (error) {
      if (isConflict(error)) {
        throw new StaleExemptionError(`exemption ${entry.id} was changed by someone else; read it again`);
      }
      throw error;
    }
  }

  /** Every version of an exemption, oldest first. */
  async history(id: string): Promise<ExemptionVersion[]> {
    const prefix = `${HISTORY}${runKey(id)}|`;
    const rows = await this.tables.query(
      'exemptions',
      odata`PartitionKey eq ${EXEMPTIONS_PK} and RowKey gt ${prefix} and RowKey lt ${`${prefix}~`}`,
    );
    return rows.map(versionFromRow).sort((a, b) => a.version - b.version);
  }

  /** Changes not yet reported in an alert digest, oldest first, with the keys to clear them by. */
  async unreported(): Promise<{ entries: ExemptionVersion[]; keys: string[] }> {
    const rows = await this.tables.query(
      'exemptions',
      odata`PartitionKey eq ${EXEMPTIONS_PK} and RowKey gt ${DIGEST} and RowKey lt ${`${DIGEST}~`}`,
    );
    rows.sort((a, b) => (a.rowKey < b.rowKey ? -1 : a.rowKey > b.rowKey ? 1 : 0));
    return { entries: rows.map(versionFromRow), keys: rows.map((r) => r.rowKey) };
  }

  /** Marks changes as reported (their digest rows go; the versions stay). */
  async markReported(keys: string[]): Promise<void> {
    await this.tables.write(
      'exemptions',
      keys.map((rk) => ({ kind: 'delete' as const, pk: EXEMPTIONS_PK, rk })),
    );
  }
}
