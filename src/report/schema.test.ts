import { readFileSync } from 'node:fs';
import { join } from 'node:path';

test('src/report/report.schema.json is identical to the published docs/report.schema.json', () => {
  const published = readFileSync(join(__dirname, '..', '..', 'docs', 'report.schema.json'), 'utf8');
  const shipped = readFileSync(join(__dirname, 'report.schema.json'), 'utf8');
  expect(shipped).toBe(published);
});
