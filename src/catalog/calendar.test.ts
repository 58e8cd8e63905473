import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { endOfSupportDate, loadSupportCalendar, parseCalendarDate, SupportCalendarError } from './calendar';

const dir = mkdtempSync(join(tmpdir(), 'calendar-test-'));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('support calendar', () => {
  it('loads the shipped calendar with its source and date', () => {
    const calendar = loadSupportCalendar();
    expect(calendar.source).toContain('learn.microsoft.com');
    expect(calendar.retrieved).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(calendar.minors['1.31'].endOfSupport).toBe('2025-11');
  });

  it('reads YYYY-MM as the last day of the month (UTC) and YYYY-MM-DD as that day', () => {
    expect(parseCalendarDate('2026-02')?.toISOString()).toBe('2026-02-28T00:00:00.000Z');
    expect(parseCalendarDate('2028-02')?.toISOString()).toBe('2028-02-29T00:00:00.000Z');
    expect(parseCalendarDate('2026-12')?.toISOString()).toBe('2026-12-31T00:00:00.000Z');
    expect(parseCalendarDate('2026-06-15')?.toISOString()).toBe('2026-06-15T00:00:00.000Z');
    expect(parseCalendarDate('2026-13')).toBeUndefined();
    expect(parseCalendarDate('2026-02-30')).toBeUndefined();
  });

  it('gives the LTS date only when asked for LTS and the minor has one', () => {
    const calendar = loadSupportCalendar();
    expect(endOfSupportDate(calendar, '1.33', false)?.toISOString()).toBe('2026-06-30T00:00:00.000Z');
    expect(endOfSupportDate(calendar, '1.33', true)?.toISOString()).toBe('2027-06-30T00:00:00.000Z');
    expect(endOfSupportDate(calendar, { major: 1, minor: 9 }, false)).toBeUndefined();
  });

  it('loads a user file and compares keys as numbers', () => {
    const path = file('ok.json', JSON.stringify({ minors: { '1.09': { endOfSupport: '2020-01-31' } } }));
    const calendar = loadSupportCalendar(path);
    expect(calendar.source).toBe(path);
    expect(endOfSupportDate(calendar, '1.9.6', false)?.toISOString()).toBe('2020-01-31T00:00:00.000Z');
  });

  it.each([
    ['missing.json', undefined, /missing\.json: cannot be read \(ENOENT\)/],
    ['bad.json', '{not json', /bad\.json: is not valid JSON/],
    ['array.json', '[]', /array\.json: is not a JSON object/],
    ['nominors.json', '{"source":"x"}', /nominors\.json: "minors" is missing/],
    ['key.json', '{"minors":{"latest":{"endOfSupport":"2026-01"}}}', /key\.json: minors key "latest"/],
    [
      'date.json',
      '{"minors":{"1.30":{"endOfSupport":"July 2026"}}}',
      /date\.json: minors\["1\.30"\]\.endOfSupport "July 2026"/,
    ],
    [
      'lts.json',
      '{"minors":{"1.30":{"endOfSupport":"2026-07","ltsEndOfSupport":7}}}',
      /ltsEndOfSupport 7 is not a date/,
    ],
  ])('rejects %s with an error naming the file and the problem', (name, text, message) => {
    const path = text === undefined ? join(dir, name) : file(name, text);
    expect(() => loadSupportCalendar(path)).toThrow(SupportCalendarError);
    expect(() => loadSupportCalendar(path)).toThrow(message);
  });
});
