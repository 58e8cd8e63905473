// The Exemptions table: one partition (`exemption`), one entity per exemption keyed by its ID.
import type { Exemption } from '../model';
import { EXEMPTIONS_PK, runKey } from './keys';
import type { StoreTables } from './tables';

export function exemptionFromEntity(row: Record<string, unknown>): Exemption {
  return {
    id: String(row.id),
    ruleId: String(row.ruleId),
    scope: String(row.scope),
    justification: String(row.justification),
    expiresOn: String(row.expiresOn),
    author: String(row.author),
    createdAt: String(row.createdAt),
  };
}

export class ExemptionTable {
  constructor(private readonly tables: StoreTables) {}

  async list(): Promise<Exemption[]> {
    const rows = await this.tables.partition('exemptions', EXEMPTIONS_PK);
    return rows.map(exemptionFromEntity);
  }

  async get(id: string): Promise<Exemption | undefined> {
    const row = await this.tables.get('exemptions', EXEMPTIONS_PK, runKey(id));
    return row ? exemptionFromEntity(row) : undefined;
  }

  /** Stores a validated exemption (validate with validateExemption first). */
  async put(exemption: Exemption): Promise<void> {
    await this.tables.upsert('exemptions', { partitionKey: EXEMPTIONS_PK, rowKey: runKey(exemption.id), ...exemption });
  }

  /** Deletes an exemption; false when there was none with that ID. */
  delete(id: string): Promise<boolean> {
    return this.tables.delete('exemptions', EXEMPTIONS_PK, runKey(id));
  }
}
