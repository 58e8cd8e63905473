import fs from 'node:fs';
import path from 'node:path';
import {
  FIXTURES_DIR,
  agentPoolUpgradeProfileExample,
  exampleResponseBody,
  graphExamples,
  kubernetesVersionsExample,
  listExampleFiles,
  managedClusterExamples,
  managedClusterUpgradeProfileExample,
  managedClustersListExample,
  readExample,
  resourceGraphExamples,
  roleAssignmentExample,
  roleDefinitionExample,
  teamsCardExample,
} from './fixtures';

const raw = (rel: string): unknown => JSON.parse(fs.readFileSync(path.join(FIXTURES_DIR, rel), 'utf8'));

describe('Azure API example loaders', () => {
  test('the examples folder is found by walking up from sim/fleet', () => {
    expect(FIXTURES_DIR.endsWith(path.join('sim', 'fixtures', 'azure-api-examples'))).toBe(true);
    expect(fs.existsSync(path.join(FIXTURES_DIR, 'README.md'))).toBe(true);
  });

  test('every example file is listed and loads verbatim', () => {
    const onDisk = fs
      .readdirSync(FIXTURES_DIR, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .flatMap((d) => fs.readdirSync(path.join(FIXTURES_DIR, d.name)).map((f) => `${d.name}/${f}`))
      .filter((f) => f.endsWith('.json'))
      .sort();
    expect(onDisk.length).toBeGreaterThanOrEqual(20);
    expect(listExampleFiles()).toEqual(onDisk);
    for (const file of onDisk) expect(readExample(file)).toEqual(raw(file));
  });

  test('cluster bodies are the 200 bodies of ManagedClustersGet and every ManagedClustersCreate_* example', () => {
    const examples = managedClusterExamples();
    const expected = listExampleFiles().filter((f) =>
      /^aks\/ManagedClusters(Get|Create_.*)\.2025-10-01\.json$/.test(f),
    );
    expect(examples.map((e) => e.file)).toEqual(expected);
    expect(examples.length).toBe(7);
    for (const { file, body } of examples) {
      expect(body).toEqual((raw(file) as { responses: Record<string, { body: unknown }> }).responses['200'].body);
      expect(String(body.id)).toMatch(/\/managedClusters\/clustername1$/);
      expect(Array.isArray((body.properties as Record<string, unknown>).agentPoolProfiles)).toBe(true);
    }
  });

  test('the other loaders return the documented bodies unchanged', () => {
    const versions = kubernetesVersionsExample();
    expect(versions.values.map((v) => v.version)).toEqual(['1.23', '1.24', '1.25', '1.26']);
    expect(versions.values[3].isPreview).toBe(true);
    expect(managedClustersListExample().value[0].name).toBe('clustername1');
    expect(managedClusterUpgradeProfileExample()).toEqual(
      exampleResponseBody('aks/ManagedClustersGetUpgradeProfile.2025-10-01.json'),
    );
    expect((agentPoolUpgradeProfileExample().properties as Record<string, unknown>).latestNodeImageVersion).toBe(
      'AKSUbuntu:1604:2020.03.11',
    );
    expect(roleAssignmentExample().properties.principalType).toBe('User');
    expect(roleDefinitionExample().type).toBe('Microsoft.Authorization/roleDefinitions');
    const graph = graphExamples();
    expect(graph.getByIdsResponse.value[0]['@odata.type']).toBe('#microsoft.graph.user');
    expect(graph.batchResponse.responses).toHaveLength(5);
    expect(graph.throttled429.error.code).toBe('TooManyRequests');
    expect(graph.getByIdsRequest.ids).toHaveLength(2);
    expect(graph.sendMailRequest).toHaveProperty('message.subject');
    expect(graph.transitiveMembersResponse['@odata.count']).toBe(7);
    const arg = resourceGraphExamples();
    expect(arg.firstPage.responses['200'].body).toHaveProperty('$skipToken');
    expect(arg.rateLimiting429).toHaveProperty('error.code', 'RateLimiting');
    expect(arg.basic.responses['200'].body).toHaveProperty('resultTruncated', 'false');
    expect(arg.nextPage.parameters).toBeDefined();
    expect(teamsCardExample()).toHaveProperty('type', 'message');
  });

  test('callers get copies: changing a loaded body does not change the next load', () => {
    const first = managedClusterExamples()[0].body;
    (first.properties as Record<string, unknown>).kubernetesVersion = 'changed';
    expect((managedClusterExamples()[0].body.properties as Record<string, unknown>).kubernetesVersion).toBe('1.9.6');
  });

  test('a missing example names the file', () => {
    expect(() => readExample('aks/NoSuchExample.json')).toThrow(/NoSuchExample\.json/);
    expect(() => exampleResponseBody('graph/sendMail.request.json')).toThrow(/no "responses"/);
  });
});
