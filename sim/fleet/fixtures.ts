// Loaders of the verbatim public Azure API examples in `sim/fixtures/azure-api-examples` (byte-for-byte copies of
// the published examples; sources in that folder's README), so that the simulator, the fleet generator and the tests
// build on payloads nobody on this project wrote. Every loader returns a fresh deep copy: callers may change them.
import fs from 'node:fs';
import path from 'node:path';

const RELATIVE_DIR = path.join('sim', 'fixtures', 'azure-api-examples');

/**
 * Walks up from this file until `sim/fixtures/azure-api-examples` exists: from `sim/fleet` in source that is the
 * repository root; compiled code lives deeper, in `dist/sim/fleet`, and finds the same folder.
 */
function findFixturesDir(start: string): string {
  let dir = start;
  for (;;) {
    const candidate = path.join(dir, RELATIVE_DIR);
    if (fs.existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new Error(`Azure API examples not found: no ${RELATIVE_DIR} in ${start} or any folder above it`);
    }
    dir = parent;
  }
}

/** Absolute path of the verbatim examples folder. */
export const FIXTURES_DIR: string = findFixturesDir(__dirname);

const cache = new Map<string, string>();

/** The parsed content of one example file, by its path relative to FIXTURES_DIR (e.g. `aks/ManagedClustersGet.2025-10-01.json`). */
export function readExample(relativePath: string): unknown {
  let text = cache.get(relativePath);
  if (text === undefined) {
    const file = path.join(FIXTURES_DIR, relativePath);
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      throw new Error(`cannot read Azure API example ${file}: ${(err as Error).message}`);
    }
    try {
      JSON.parse(text);
    } catch (err) {
      throw new Error(`Azure API example ${file} is not valid JSON: ${(err as Error).message}`);
    }
    cache.set(relativePath, text);
  }
  return JSON.parse(text) as unknown;
}

/** Every example file (relative paths, `/`-separated, sorted), README excluded. */
export function listExampleFiles(): string[] {
  const files: string[] = [];
  for (const folder of fs.readdirSync(FIXTURES_DIR, { withFileTypes: true })) {
    if (!folder.isDirectory()) continue;
    for (const entry of fs.readdirSync(path.join(FIXTURES_DIR, folder.name))) {
      if (entry.endsWith('.json')) files.push(`${folder.name}/${entry}`);
    }
  }
  return files.sort();
}

interface SpecExample {
  parameters?: Record<string, unknown>;
  responses: Record<string, { body?: unknown }>;
}

function specExample(relativePath: string): SpecExample {
  const json = readExample(relativePath) as SpecExample;
  if (typeof json !== 'object' || json === null || typeof json.responses !== 'object' || json.responses === null) {
    throw new Error(`${relativePath} is not an x-ms-examples file (no "responses")`);
  }
  return json;
}

/** `responses.200.body` of a spec example. */
export function exampleResponseBody(relativePath: string, code = '200'): unknown {
  const body = specExample(relativePath).responses[code]?.body;
  if (body === undefined) throw new Error(`${relativePath} has no responses.${code}.body`);
  return body;
}

/** The ManagedClusters example files that carry one cluster as their 200 body (Get and every Create_*). */
export function managedClusterExampleFiles(): string[] {
  return listExampleFiles().filter(
    (f) => /^aks\/ManagedClusters(Get|Create_[^/]*)\.[\d-]+\.json$/.test(f) && !/UpgradeProfile/.test(f),
  );
}

/** The cluster bodies (`responses.200.body`) of the ManagedClustersGet / ManagedClustersCreate_* examples, by file. */
export function managedClusterExamples(): { file: string; body: Record<string, unknown> }[] {
  return managedClusterExampleFiles().map((file) => ({
    file,
    body: exampleResponseBody(file) as Record<string, unknown>,
  }));
}

/** The ManagedClusters_List body (`{ value: [...] }`). */
export function managedClustersListExample(): { value: Record<string, unknown>[] } {
  return exampleResponseBody('aks/ManagedClustersList.2025-10-01.json') as { value: Record<string, unknown>[] };
}

/** The KubernetesVersions_List body (`{ values: [...] }`). */
export function kubernetesVersionsExample(): { values: Record<string, unknown>[] } {
  return exampleResponseBody('aks/KubernetesVersions_List.2025-10-01.json') as { values: Record<string, unknown>[] };
}

export function managedClusterUpgradeProfileExample(): Record<string, unknown> {
  return exampleResponseBody('aks/ManagedClustersGetUpgradeProfile.2025-10-01.json') as Record<string, unknown>;
}

export function agentPoolUpgradeProfileExample(): Record<string, unknown> {
  return exampleResponseBody('aks/AgentPoolsGetUpgradeProfile.2025-10-01.json') as Record<string, unknown>;
}

/** The RoleAssignments_Get body (one role assignment in ARM wire form). */
export function roleAssignmentExample(): {
  id: string;
  name: string;
  type: string;
  properties: { roleDefinitionId: string; principalId: string; principalType: string; scope: string };
} {
  return exampleResponseBody('authorization/RoleAssignments_Get.2022-04-01.json') as ReturnType<
    typeof roleAssignmentExample
  >;
}

export function roleDefinitionExample(): Record<string, unknown> {
  return exampleResponseBody('authorization/GetRoleDefinitionById.2022-04-01.json') as Record<string, unknown>;
}

/** The Microsoft Graph doc examples, as published. */
export function graphExamples(): {
  getByIdsRequest: { ids: string[]; types?: string[] };
  getByIdsResponse: { value: Record<string, unknown>[] };
  batchRequest: { requests: Record<string, unknown>[] };
  batchResponse: { responses: Record<string, unknown>[] };
  throttled429: { error: Record<string, unknown> };
  sendMailRequest: Record<string, unknown>;
  transitiveMembersResponse: Record<string, unknown>;
} {
  return {
    getByIdsRequest: readExample('graph/getByIds.request.json') as { ids: string[]; types?: string[] },
    getByIdsResponse: readExample('graph/getByIds.response.json') as { value: Record<string, unknown>[] },
    batchRequest: readExample('graph/batch.request.json') as { requests: Record<string, unknown>[] },
    batchResponse: readExample('graph/batch.response.json') as { responses: Record<string, unknown>[] },
    throttled429: readExample('graph/throttled-429.response.json') as { error: Record<string, unknown> },
    sendMailRequest: readExample('graph/sendMail.request.json') as Record<string, unknown>,
    transitiveMembersResponse: readExample('graph/transitiveMembers.castUser.search.response.json') as Record<
      string,
      unknown
    >,
  };
}

/** The Resource Graph examples: spec files (request + response) and the 429 body. */
export function resourceGraphExamples(): {
  basic: SpecExample;
  firstPage: SpecExample;
  nextPage: SpecExample;
  rateLimiting429: Record<string, unknown>;
} {
  return {
    basic: specExample('arg/ResourcesBasicQuery.2022-10-01.json'),
    firstPage: specExample('arg/ResourcesFirstPageQuery.2022-10-01.json'),
    nextPage: specExample('arg/ResourcesNextPageQuery.2022-10-01.json'),
    rateLimiting429: readExample('arg/RateLimiting-429.response.json') as Record<string, unknown>,
  };
}

/** The Teams incoming-webhook Adaptive Card request body. */
export function teamsCardExample(): Record<string, unknown> {
  return readExample('teams/adaptive-card-webhook.request.json') as Record<string, unknown>;
}
