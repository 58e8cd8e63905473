// sim/BEHAVIOUR.md: every row of its table names a source and at least one test file that exists.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const text = readFileSync(join(root, 'sim', 'BEHAVIOUR.md'), 'utf8');

/** The table rows (after the header and its separator), split into cells. */
function rows(): string[][] {
  const lines = text.split('\n').filter((l) => l.startsWith('|'));
  return lines.slice(2).map((l) =>
    l
      .slice(1, -1)
      .split(/(?<!\\)\|/)
      .map((c) => c.trim()),
  );
}

describe('sim/BEHAVIOUR.md', () => {
  it('has a table of endpoint | behaviour | source | test', () => {
    const header = text.split('\n').find((l) => l.startsWith('|'));
    expect(header).toBe('| endpoint | behaviour | source | test |');
    expect(rows().length).toBeGreaterThan(20);
  });

  it.each(rows().map((cells) => [cells[1]?.slice(0, 80) ?? '', cells] as const))(
    'row "%s" has four cells, a source and an existing test file',
    (_, cells) => {
      expect(cells).toHaveLength(4);
      const [, behaviour, source, tests] = cells;
      expect(behaviour.length).toBeGreaterThan(10);
      expect(source.length).toBeGreaterThan(5);
      const files = [...tests.matchAll(/`((?:test|sim|src|bench)\/[^`]+\.test\.ts)`/g)].map((m) => m[1]);
      expect(files.length).toBeGreaterThan(0);
      for (const file of files)
        expect(`${file} ${existsSync(join(root, file)) ? 'exists' : 'is missing'}`).toBe(`${file} exists`);
    },
  );
});
