// The repository carries byte-for-byte copies of the published Azure API examples (sim/fixtures), so a fresh clone
// runs the demo and the tests on its own. Where the shared originals are beside the repository, the copies must
// still equal them.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { FIXTURES_DIR } from '../../sim/fleet/fixtures';

function files(dir: string, base = dir): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const full = path.join(dir, entry);
    return statSync(full).isDirectory() ? files(full, base) : [path.relative(base, full)];
  });
}

const vendored = files(FIXTURES_DIR).sort();
const sharedDir = path.resolve(__dirname, '../../../shared/fixtures/azure-api-examples');

describe('vendored Azure API examples', () => {
  it('lists every copied example in its README with the source it came from', () => {
    const readme = readFileSync(path.join(FIXTURES_DIR, 'README.md'), 'utf8');
    const examples = vendored.filter((f) => f.endsWith('.json'));
    expect(examples.length).toBeGreaterThanOrEqual(20);
    for (const file of examples) {
      const name = path.basename(file);
      const listed =
        readme.includes(file.split(path.sep).join('/')) ||
        readme.includes(name.replace(/\.(request|response)\.json$/, ''));
      expect({ file, listed }).toEqual({ file, listed: true });
    }
  });

  const originals = existsSync(sharedDir) ? files(sharedDir).sort() : undefined;
  it(`equals the shared originals byte for byte (${originals ? 'originals present' : 'originals not beside this clone: copies checked against their README only'})`, () => {
    if (!originals) {
      expect(existsSync(sharedDir)).toBe(false);
      return;
    }
    expect(vendored).toEqual(originals);
    for (const file of originals) {
      expect({
        file,
        same: readFileSync(path.join(FIXTURES_DIR, file)).equals(readFileSync(path.join(sharedDir, file))),
      }).toEqual({ file, same: true });
    }
  });
});
