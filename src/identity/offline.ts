// Offline access data for `evaluate`: role assignment and directory exports read from files.
import type { AccessView, DirectoryObject, RoleAssignmentRecord } from '../model';
import { accessRoleOf, AssignmentCoverage, toRoleAssignmentRecord } from './roleAssignments';
import { PrincipalDirectory, toDirectoryObject } from './directory';
import { FleetAccessView, type AssignmentSource } from './accessView';

/** A role assignment or directory export that cannot be used; the message names the file and the item. */
export class AccessExportError extends Error {
  override name = 'AccessExportError';
  constructor(
    message: string,
    readonly file: string,
  ) {
    super(message);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The item list of an export: a bare array, `{data: [...]}` (az graph query) or `{value: [...]}` (ARM / Graph). */
function itemsOf(json: unknown, file: string, what: string, keys: string[]): unknown[] {
  if (Array.isArray(json)) return json;
  if (isObject(json)) {
    for (const key of keys) if (Array.isArray(json[key])) return json[key] as unknown[];
  }
  const accepted = keys.map((k) => `{"${k}": [...]}`).join(', ');
  throw new AccessExportError(`${file}: not ${what}: expected an array, ${accepted}`, file);
}

/**
 * Role assignments from Resource Graph `authorizationresources` rows (with `properties`, as `az graph query -o json`
 * prints them under `data`) or from `az role assignment list --all -o json` (flat objects). Assignments of roles
 * other than the AKS-access roles are dropped: no rule reads them.
 */
export function parseRoleAssignmentsExport(json: unknown, file: string): RoleAssignmentRecord[] {
  const items = itemsOf(json, file, 'a role assignment export', ['data', 'value']);
  const records: RoleAssignmentRecord[] = [];
  items.forEach((item, index) => {
    const parsed = toRoleAssignmentRecord(item);
    if ('error' in parsed) {
      throw new AccessExportError(`${file}: item ${index}: ${parsed.error}`, file);
    }
    if (accessRoleOf(parsed.record.roleDefinitionId)) records.push(parsed.record);
  });
  return records;
}

/** Directory objects from a Graph `directoryObjects/getByIds` answer (`{value: [...]}` with `@odata.type`). */
export function parseDirectoryExport(json: unknown, file: string): DirectoryObject[] {
  const items = itemsOf(json, file, 'a Microsoft Graph directory export', ['value']);
  return items.map((item, index) => {
    const object = toDirectoryObject(item);
    if (!object) throw new AccessExportError(`${file}: item ${index}: has no string "id"`, file);
    if (object.kind === 'other' && isObject(item) && typeof item['@odata.type'] !== 'string') {
      throw new AccessExportError(
        `${file}: item ${index} (${object.id}): has no "@odata.type" (export with Graph getByIds, which includes it)`,
        file,
      );
    }
    return object;
  });
}

export const OFFLINE_MEMBER_COUNT_REASON =
  'a directory file carries no member counts, so the empty-group condition is not checked offline';

/**
 * An AccessView over exports. Without `assignments` the role assignment rules are unknown; without `directory` the
 * principal lookups are. Principals missing from the directory file are treated as deleted, as Graph's getByIds
 * leaves out deleted IDs. Without `chains`, management-group-scope assignments cannot be matched and are ignored.
 */
export function buildOfflineAccessView(
  assignments: RoleAssignmentRecord[] | undefined,
  directory: DirectoryObject[] | undefined,
  chains?: ReadonlyMap<string, readonly string[]>,
): AccessView {
  const source: AssignmentSource = assignments
    ? { readable: true, coverage: new AssignmentCoverage(assignments, { chains, unknownChain: 'ignore' }) }
    : { readable: false, reason: 'no role assignment export was given (--role-assignments)' };
  const principals = directory
    ? PrincipalDirectory.fromObjects(directory, OFFLINE_MEMBER_COUNT_REASON)
    : new PrincipalDirectory(new Map(), new Map(), {
        principal: { state: 'unreadable', reason: 'no directory export was given (--directory)' },
        memberCount: { state: 'not_checked', reason: OFFLINE_MEMBER_COUNT_REASON },
      });
  return new FleetAccessView(source, principals);
}
