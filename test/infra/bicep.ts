// The pinned Bicep compiler that .ci/bicep/check restores from NuGet, for the tests that compile the templates.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const root = path.resolve(__dirname, '../..');
export const checkScript = path.join(root, '.ci', 'bicep', 'check');
const project = path.join(root, '.ci', 'bicep', 'bicep.csproj');

export type Compiler = { bicep: string; version: string } | { missing: string };

/** True when `dotnet` runs on this machine (then the compiler must be restorable). */
export function hasDotnet(): boolean {
  return spawnSync('dotnet', ['--version'], { encoding: 'utf8' }).status === 0;
}

/** The compiler's path, restoring the pinned package first when needed; without dotnet, why there is none. */
export function locateBicep(): Compiler {
  const version = /Azure\.Bicep\.CommandLine\.linux-x64" Version="\[([0-9.]+)\]"/.exec(
    readFileSync(project, 'utf8'),
  )?.[1];
  if (!version) throw new Error(`${project} pins no Azure.Bicep.CommandLine.linux-x64 version`);
  if (!hasDotnet()) return { missing: 'dotnet is not on this machine' };
  const packages = path.join(root, '.tools', 'nuget');
  const bicep = path.join(packages, 'azure.bicep.commandline.linux-x64', version, 'tools', 'bicep');
  if (!existsSync(bicep)) {
    const restore = spawnSync('dotnet', ['restore', project, '--packages', packages, '--verbosity', 'quiet'], {
      encoding: 'utf8',
    });
    if (restore.status !== 0) throw new Error(`dotnet restore ${project} failed: ${restore.stdout}${restore.stderr}`);
  }
  chmodSync(bicep, 0o755);
  return { bicep, version };
}

/** `bicep build FILE --stdout`, parsed; throws with the compiler's diagnostics when it fails. */
export function compile(bicep: string, file: string): ArmTemplate {
  const run = spawnSync(bicep, ['build', file, '--stdout'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`bicep build ${file} failed:\n${run.stderr}`);
  return JSON.parse(run.stdout) as ArmTemplate;
}

export interface ArmResource {
  type: string;
  apiVersion?: string;
  name: string;
  properties?: Record<string, unknown> & { template?: ArmTemplate };
  [key: string]: unknown;
}

export interface ArmTemplate {
  parameters?: Record<string, { type: string; defaultValue?: unknown }>;
  variables?: Record<string, unknown>;
  resources: ArmResource[] | Record<string, ArmResource>;
  outputs?: Record<string, { type: string; value: unknown }>;
}

/** Every resource of a template and of its nested deployments, each with the template that declares it. */
export function allResources(template: ArmTemplate): { resource: ArmResource; template: ArmTemplate }[] {
  const list = Array.isArray(template.resources) ? template.resources : Object.values(template.resources);
  return list.flatMap((resource) => [
    { resource, template },
    ...(resource.type === 'Microsoft.Resources/deployments' && resource.properties?.template
      ? allResources(resource.properties.template)
      : []),
  ]);
}
