import type { RegionCatalog } from '../model';
import { exampleVersions, readableCatalog, shiftedVersions, withSupportPlans } from '../rules/testing';
import {
  catalogFacts,
  compareMinor,
  compareVersion,
  findMinor,
  formatVersion,
  isPlatformSupportMinor,
  minorKey,
  newestPatch,
  oldestSupportedTarget,
  parseVersion,
  patchesBehind,
  upgradeTarget,
} from './support';

function facts(values = exampleVersions()) {
  return catalogFacts(readableCatalog(values) as Extract<RegionCatalog, { readable: true }>);
}

describe('parseVersion', () => {
  it.each([
    ['1.33.2', { major: 1, minor: 33, patch: 2 }],
    ['1.9', { major: 1, minor: 9 }],
    [' v1.30.0 ', { major: 1, minor: 30, patch: 0 }],
  ])('parses %p as numbers', (text, expected) => {
    expect(parseVersion(text)).toEqual(expected);
  });

  it.each([['1'], ['1.x.3'], ['latest'], [''], [1.33], [null], [undefined], ['1.33.2-preview'], ['1.33.2.1']])(
    'rejects %p',
    (text) => {
      expect(parseVersion(text)).toBeUndefined();
    },
  );

  it('compares minors as numbers: 1.9 is older than 1.34', () => {
    expect(compareMinor(parseVersion('1.9')!, parseVersion('1.34')!)).toBeLessThan(0);
    expect(compareVersion(parseVersion('1.34.10')!, parseVersion('1.34.9')!)).toBeGreaterThan(0);
  });
});

describe('catalogFacts on the verbatim KubernetesVersions_List example', () => {
  it('finds the support window, platform support and patches', () => {
    const f = facts();
    expect(f.minors.map((m) => m.key)).toEqual(['1.23', '1.24', '1.25', '1.26']);
    expect(minorKey(f.oldestOfficialGaMinor!)).toBe('1.23');
    expect(minorKey(f.newestOfficialGaMinor!)).toBe('1.25');
    expect(minorKey(f.platformSupportMinor!)).toBe('1.22');
    expect(isPlatformSupportMinor(f, parseVersion('1.22.4')!)).toBe(true);
    expect(findMinor(f, parseVersion('1.26')!)?.preview).toBe(true);
    expect(findMinor(f, parseVersion('1.26')!)?.official).toBe(false);
    expect(formatVersion(newestPatch(f, parseVersion('1.23')!)!)).toBe('1.23.15');
    expect(formatVersion(newestPatch(f, parseVersion('1.26')!)!)).toBe('1.26.0');
    expect(patchesBehind(f, { major: 1, minor: 24, patch: 6 })).toBe(1);
    expect(patchesBehind(f, { major: 1, minor: 24, patch: 9 })).toBe(0);
    expect(patchesBehind(f, { major: 1, minor: 24, patch: 1 })).toBe(2);
    expect(formatVersion(oldestSupportedTarget(f)!)).toBe('1.23.15');
    expect(formatVersion(upgradeTarget(f, parseVersion('1.23.12')!)!)).toBe('1.24.9');
    expect(upgradeTarget(f, parseVersion('1.25.4')!)).toBeUndefined();
  });

  it('sorts patches numerically (1.31.9 before 1.31.10)', () => {
    const values = exampleVersions();
    values[0].patchVersions = { '1.23.10': { upgrades: [] }, '1.23.9': { upgrades: [] } };
    expect(formatVersion(newestPatch(facts(values), parseVersion('1.23')!)!)).toBe('1.23.10');
  });

  it('treats a GA entry without capabilities as official and an LTS-only entry as not official', () => {
    const values = shiftedVersions(8);
    delete values[1].capabilities;
    const lts = withSupportPlans(values, '1.31', ['AKSLongTermSupport']);
    const f = facts(lts);
    expect(findMinor(f, parseVersion('1.32')!)?.official).toBe(true);
    expect(findMinor(f, parseVersion('1.31')!)?.official).toBe(false);
    expect(findMinor(f, parseVersion('1.31')!)?.ltsCapable).toBe(true);
    expect(minorKey(f.oldestOfficialGaMinor!)).toBe('1.32');
    expect(minorKey(f.platformSupportMinor!)).toBe('1.31');
  });

  it('skips garbage entries and is memoised per catalog object', () => {
    const values = [...exampleVersions(), { version: 'garbage' }, null] as never[];
    const catalog = readableCatalog(values) as Extract<RegionCatalog, { readable: true }>;
    const f = catalogFacts(catalog);
    expect(f.ignoredEntries).toBe(2);
    expect(catalogFacts(catalog)).toBe(f);
  });
});
