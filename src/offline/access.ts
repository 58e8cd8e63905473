// Role assignment and directory exports for `evaluate`, turned into the AccessView the RBAC-subject rules read.
import {
  AccessExportError,
  buildOfflineAccessView,
  parseDirectoryExport,
  parseRoleAssignmentsExport,
} from '../identity/offline';
import type { AccessView } from '../model';
import { InputError, readJsonFile } from './inputs';

function parse<T>(path: string, cwd: string | undefined, parser: (json: unknown, file: string) => T): T {
  const json = readJsonFile(path, cwd);
  try {
    return parser(json, path);
  } catch (err) {
    if (err instanceof AccessExportError) {
      // Its message already starts with the file name.
      const what = err.message.startsWith(`${path}: `) ? err.message.slice(path.length + 2) : err.message;
      throw new InputError(path, what);
    }
    throw err;
  }
}

/**
 * The offline AccessView, or undefined when neither file was given (then the RBAC-subject rules are unknown: nothing
 * about access was gathered). With only one of the two files, the view says which one is missing.
 */
export function readAccessInputs(
  paths: { roleAssignments?: string; directory?: string },
  cwd?: string,
): AccessView | undefined {
  if (paths.roleAssignments === undefined && paths.directory === undefined) return undefined;
  const assignments =
    paths.roleAssignments === undefined ? undefined : parse(paths.roleAssignments, cwd, parseRoleAssignmentsExport);
  const directory = paths.directory === undefined ? undefined : parse(paths.directory, cwd, parseDirectoryExport);
  return buildOfflineAccessView(assignments, directory);
}
