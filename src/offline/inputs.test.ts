import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  InputError,
  jsonErrorOffset,
  parseClustersInput,
  parseExemptionsInput,
  parseVersionsInput,
  readJsonFile,
} from './inputs';

const ID =
  '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/';
const row = (name: string, location = 'westeurope') => ({ id: ID + name, name, location, properties: {} });

let dir: string;
beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'aks-compliance-inputs-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('readJsonFile', () => {
  test.each([
    ['UTF-8 with BOM', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a":1}')])],
    [
      'UTF-16 LE (Windows PowerShell redirection)',
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('{"a":1}', 'utf16le')]),
    ],
    ['UTF-16 BE', Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from('{"a":1}', 'utf16le').swap16()])],
  ])('reads %s', (_name, bytes) => {
    const file = join(dir, 'enc.json');
    writeFileSync(file, bytes);
    expect(readJsonFile(file)).toEqual({ a: 1 });
  });

  test('an empty file and a syntax error name the file and where', () => {
    const empty = join(dir, 'empty.json');
    writeFileSync(empty, '  \n');
    expect(() => readJsonFile(empty)).toThrow(`${empty}: is empty, expected JSON`);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '[1,\n 2,,]');
    expect(() => readJsonFile(bad)).toThrow(/bad\.json: is not valid JSON at line 2 column 4: /);
  });
});

test.each([
  ['[1,\n 2,,]', 7],
  ['{"a" 1}', 5],
  ['{"a": tru}', 6],
  ['{"a": "x\ny"}', 8],
  ['[1] x', 4],
  ['{"a": [1, 2]}', -1],
])('jsonErrorOffset(%j) = %d', (text, offset) => {
  expect(jsonErrorOffset(text)).toBe(offset);
});

describe('parseClustersInput', () => {
  test('accepts the three shapes, keeps order', () => {
    expect(parseClustersInput([row('a'), row('b')], 'f').map((c) => c.name)).toEqual(['a', 'b']);
    expect(parseClustersInput({ value: [row('a')] }, 'f')[0].resourceGroup).toBe('rg');
    expect(parseClustersInput({ data: [row('a')], count: 1 }, 'f')).toHaveLength(1);
    expect(parseClustersInput({ value: [] }, 'f')).toEqual([]);
  });

  test('rejects repeats, bad rows and wrong shapes, naming file and row', () => {
    expect(() => parseClustersInput([row('a'), row('A')], 'f.json')).toThrow(
      /f\.json: row 1: repeats the cluster of row 0/,
    );
    expect(() => parseClustersInput({ value: [row('a'), { ...row('b'), properties: 'x' }] }, 'f.json')).toThrow(
      /f\.json: value\[1\]: .*"properties"/,
    );
    expect(() => parseClustersInput('clusters', 'f.json')).toThrow(InputError);
    // The CLI's flattened form (`az aks list`) is read back into the wire form (see azCliForm.test.ts).
    expect(
      parseClustersInput([{ id: ID + 'a', name: 'a', kubernetesVersion: '1.33.1' }], 'f.json')[0].properties,
    ).toEqual({
      kubernetesVersion: '1.33.1',
    });
    expect(() => parseClustersInput({ data: { columns: [], rows: 'x' } }, 'f.json')).toThrow(
      /"data" has the wrong shape/,
    );
  });
});

describe('parseVersionsInput', () => {
  const response = { values: [{ version: '1.33', patchVersions: { '1.33.2': { upgrades: [] } } }] };

  test('one response applies to every cluster location', () => {
    const catalogs = parseVersionsInput(response, 'v', [
      { ...parseClustersInput([row('a', 'West Europe')], 'f')[0] },
      { ...parseClustersInput([row('b', 'eastus')], 'f')[0] },
    ]);
    expect([...catalogs.keys()].sort()).toEqual(['eastus', 'westeurope']);
    expect(catalogs.get('eastus')).toMatchObject({ readable: true, values: response.values });
  });

  test('a mapping by location; unknown locations are unreadable with a reason', () => {
    const clusters = parseClustersInput([row('a', 'westeurope'), row('b', 'eastus')], 'f');
    const catalogs = parseVersionsInput({ 'West Europe': response }, 'v.json', clusters);
    expect(catalogs.get('westeurope')?.readable).toBe(true);
    expect(catalogs.get('eastus')).toEqual({
      readable: false,
      location: 'eastus',
      reason: 'the versions file v.json has no entry for location "eastus"',
    });
  });

  test('bad entries name their path', () => {
    expect(() => parseVersionsInput({ values: [{ version: 'latest' }] }, 'v.json', [])).toThrow(
      'v.json: values[0].version must be a minor version such as "1.33"',
    );
    expect(() =>
      parseVersionsInput(
        { eastus: { values: [{ version: '1.33', capabilities: { supportPlan: 'x' } }] } },
        'v.json',
        [],
      ),
    ).toThrow('v.json: "eastus".values[0].capabilities.supportPlan must be an array of strings');
    expect(() => parseVersionsInput({ orchestrators: [] }, 'v.json', [])).toThrow(/retired "orchestrators"/);
    expect(() => parseVersionsInput({}, 'v.json', [])).toThrow(/v\.json: is an object with no locations/);
    expect(() => parseVersionsInput([], 'v.json', [])).toThrow(/v\.json: is an array/);
  });
});

describe('parseExemptionsInput', () => {
  const base = {
    ruleId: 'aks_local_accounts_disabled',
    scope: '/subscriptions/00000000-0000-0000-0000-000000000001',
    justification: 'j',
    author: 'a@example.com',
  };

  test('expired records are accepted (they simply do not apply); createdAt anchors the one-year limit', () => {
    const asOf = new Date('2026-11-27T00:00:00Z');
    const out = parseExemptionsInput(
      [
        { ...base, expiresOn: '2026-01-01' },
        { ...base, expiresOn: '2027-10-01', createdAt: '2026-11-01T00:00:00Z' },
      ],
      'e.json',
      asOf,
    );
    expect(out.map((e) => e.expiresOn)).toEqual(['2026-01-01T00:00:00.000Z', '2027-10-01T00:00:00.000Z']);
    expect(() =>
      parseExemptionsInput([{ ...base, expiresOn: '2028-06-01', createdAt: '2026-11-01T00:00:00Z' }], 'e.json', asOf),
    ).toThrow(/e\.json: exemption \[0\]: expiresOn/);
    expect(() => parseExemptionsInput({ exemptions: [] }, 'e.json', asOf)).toThrow(
      'e.json: is an object: expected an array of exemption records',
    );
  });
});
