// The schedule setting: a sanity check of a 6-field NCRONTAB expression, so a typo stops the app at start-up
// rather than leaving the nightly timer never firing.
import { ConfigError, describeValue } from './values';

const CRON_FIELDS: { label: string; min: number; max: number; names?: string[] }[] = [
  { label: 'second', min: 0, max: 59 },
  { label: 'minute', min: 0, max: 59 },
  { label: 'hour', min: 0, max: 23 },
  { label: 'day of month', min: 1, max: 31 },
  {
    label: 'month',
    min: 1,
    max: 12,
    names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'],
  },
  { label: 'day of week', min: 0, max: 6, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
];

function cronValue(token: string, field: (typeof CRON_FIELDS)[number]): number | undefined {
  if (/^\d+$/.test(token)) return Number(token);
  const index = field.names?.indexOf(token.toLowerCase()) ?? -1;
  if (index < 0) return undefined;
  // Month names count from 1, day names from 0 (Sunday).
  return field.min + index;
}

/** Sanity check of a 6-field NCRONTAB expression (second minute hour day month day-of-week). */
export function checkNcrontab(expression: string, name = 'AKS_COMPLIANCE_SCHEDULE'): string {
  if (/^%[^%]+%$/.test(expression)) {
    throw new ConfigError(`${name} must be an NCRONTAB expression itself, not a reference to another setting`, name);
  }
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 6) {
    throw new ConfigError(
      `${name} must have 6 NCRONTAB fields (second minute hour day month day-of-week), got ${fields.length}: ${describeValue(expression)}`,
      name,
    );
  }
  fields.forEach((text, i) => {
    const field = CRON_FIELDS[i];
    const bad = (why: string): never => {
      throw new ConfigError(`${name}: ${field.label} field ${describeValue(text)} ${why}`, name);
    };
    for (const part of text.split(',')) {
      const [range, step, extra] = part.split('/');
      if (extra !== undefined) bad('has more than one "/"');
      if (step !== undefined && (!/^\d+$/.test(step) || Number(step) === 0)) bad('has an invalid step');
      if (range === '*') continue;
      const bounds = range.split('-');
      if (bounds.length > 2 || bounds.some((b) => b === '')) bad('is not a number, range, list or step');
      const values = bounds.map((b) => cronValue(b, field));
      for (const v of values) {
        if (v === undefined) bad('is not a number, range, list or step');
        // Day of week 7 is Sunday in NCRONTAB as in cron.
        else if (v < field.min || v > (i === 5 ? 7 : field.max)) bad(`is outside ${field.min}-${field.max}`);
      }
      if (values.length === 2 && (values[0] as number) > (values[1] as number)) bad('has a descending range');
    }
  });
  return fields.join(' ');
}
