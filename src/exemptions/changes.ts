// What a change to an exemption did, for its audit trail and the alert digest. Pure: no I/O.
import type { Exemption } from '../model';
import { parseExemptionScope, type ExemptionScope } from './exemptions';

/** `widened`: the scope now covers more, or the exemption lasts longer; `changed`: any other edit. */
export type ExemptionAction = 'created' | 'changed' | 'widened' | 'removed';

/** The fields a person sets; the rest (author, times, version) the server sets. */
export const EDITABLE_FIELDS = ['ruleId', 'scope', 'justification', 'expiresOn'] as const;

export interface FieldChange {
  field: (typeof EDITABLE_FIELDS)[number];
  before: string | null;
  after: string | null;
}

/** One version of an exemption's history: who did what, when, and the exemption as it was afterwards. */
export interface ExemptionVersion {
  id: string;
  version: number;
  action: ExemptionAction;
  at: string;
  by: { oid: string; name: string };
  changes: FieldChange[];
  /** The exemption after this change (before it, for `removed`). */
  exemption: Exemption;
}

/** Whether scope `wide` covers every cluster scope `narrow` covers, and more (tags are not comparable). */
export function scopeWidens(narrow: ExemptionScope, wide: ExemptionScope): boolean {
  if (narrow.kind === 'tag' || wide.kind === 'tag') return false;
  return narrow.id !== wide.id && narrow.id.startsWith(`${wide.id}/`);
}

/** The field-by-field difference between two versions (`before` undefined: a creation). */
export function fieldChanges(before: Exemption | undefined, after: Exemption | undefined): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const field of EDITABLE_FIELDS) {
    const b = before ? before[field] : null;
    const a = after ? after[field] : null;
    if (b !== a) changes.push({ field, before: b, after: a });
  }
  return changes;
}

/**
 * Classifies a change: `created` (no active exemption before), `removed` (none after), `widened` when the new scope
 * covers more clusters than the old one (a subscription instead of a resource group or cluster in it, or a rule
 * made broader by changing nothing else) or the expiry moves later, `changed` otherwise. A changed rule or a tag
 * scope is a `changed` (neither covers a superset of the other).
 */
export function classifyChange(before: Exemption | undefined, after: Exemption | undefined): ExemptionAction {
  if (!before) return 'created';
  if (!after) return 'removed';
  if (before.ruleId !== after.ruleId) return 'changed';
  const oldScope = parseExemptionScope(before.scope);
  const newScope = parseExemptionScope(after.scope);
  const wider = !!oldScope && !!newScope && scopeWidens(oldScope, newScope);
  const longer = Date.parse(after.expiresOn) > Date.parse(before.expiresOn);
  return wider || longer ? 'widened' : 'changed';
}
