// The end-of-support calendar: the shipped data file, or a user's own (AKS_COMPLIANCE_SUPPORT_CALENDAR).
// No Azure API publishes end-of-life dates, so they travel as data with their source and retrieval date.
import { readFileSync } from 'node:fs';
import type { SupportCalendar } from '../model';
import shipped from './support-calendar.json';
import { parseVersion, type MinorVersion } from './support';

/** A calendar file that cannot be used; the message names the file and what is wrong. */
export class SupportCalendarError extends Error {
  override name = 'SupportCalendarError';
}

const MONTH = /^(\d{4})-(\d{2})$/;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** `YYYY-MM` is the last day of that month; `YYYY-MM-DD` that day; both at 00:00 UTC. Undefined when invalid. */
export function parseCalendarDate(text: unknown): Date | undefined {
  if (typeof text !== 'string') return undefined;
  const month = MONTH.exec(text);
  if (month) {
    const y = Number(month[1]);
    const m = Number(month[2]);
    if (m < 1 || m > 12) return undefined;
    // Day 0 of the next month is the last day of this one.
    return new Date(Date.UTC(y, m, 0));
  }
  const day = DAY.exec(text);
  if (day) {
    const y = Number(day[1]);
    const m = Number(day[2]);
    const d = Number(day[3]);
    const date = new Date(Date.UTC(y, m - 1, d));
    if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return undefined;
    return date;
  }
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Validates a calendar document; `where` names it in errors (a file path, or "the shipped calendar"). */
export function parseSupportCalendar(json: unknown, where: string): SupportCalendar {
  const fail = (problem: string): never => {
    throw new SupportCalendarError(`support calendar ${where}: ${problem}`);
  };
  if (!isRecord(json)) return fail('is not a JSON object');
  if (json.source !== undefined && typeof json.source !== 'string') fail('"source" is not a string');
  if (json.retrieved !== undefined && typeof json.retrieved !== 'string') fail('"retrieved" is not a string');
  if (!isRecord(json.minors))
    return fail('"minors" is missing or not an object of "1.31": {"endOfSupport": "YYYY-MM"}');
  const minors: SupportCalendar['minors'] = {};
  for (const [key, value] of Object.entries(json.minors)) {
    const v = parseVersion(key);
    if (!v || v.patch !== undefined) fail(`minors key "${key}" is not a Kubernetes minor such as "1.31"`);
    const at = `minors["${key}"]`;
    if (!isRecord(value)) return fail(`${at} is not an object`);
    if (parseCalendarDate(value.endOfSupport) === undefined) {
      fail(`${at}.endOfSupport ${JSON.stringify(value.endOfSupport)} is not a date in the form YYYY-MM or YYYY-MM-DD`);
    }
    if (value.ltsEndOfSupport !== undefined && parseCalendarDate(value.ltsEndOfSupport) === undefined) {
      fail(
        `${at}.ltsEndOfSupport ${JSON.stringify(value.ltsEndOfSupport)} is not a date in the form YYYY-MM or YYYY-MM-DD`,
      );
    }
    if (value.estimated !== undefined && typeof value.estimated !== 'boolean') fail(`${at}.estimated is not a boolean`);
    const canonical = `${v!.major}.${v!.minor}`;
    if (minors[canonical]) fail(`minor ${canonical} is listed twice`);
    minors[canonical] = {
      endOfSupport: value.endOfSupport as string,
      ...(value.ltsEndOfSupport !== undefined ? { ltsEndOfSupport: value.ltsEndOfSupport as string } : {}),
      ...(value.estimated !== undefined ? { estimated: value.estimated as boolean } : {}),
    };
  }
  return {
    source: typeof json.source === 'string' ? json.source : where,
    retrieved: typeof json.retrieved === 'string' ? json.retrieved : '',
    minors,
  };
}

/**
 * The shipped calendar when no path is given (bundled with the code, so it works from dist/ and in a function
 * package), otherwise the user's file. Throws SupportCalendarError naming the file and the problem.
 */
export function loadSupportCalendar(path?: string): SupportCalendar {
  if (path === undefined) return parseSupportCalendar(shipped, 'shipped with aks-compliance');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new SupportCalendarError(`support calendar ${path}: cannot be read (${code ?? (err as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new SupportCalendarError(`support calendar ${path}: is not valid JSON (${(err as Error).message})`);
  }
  return parseSupportCalendar(json, path);
}

export interface EndOfSupport {
  date: Date;
  /** The LTS date was used. */
  lts: boolean;
  estimated: boolean;
  /** The calendar's text (`2026-03`). */
  text: string;
}

/** The calendar entry's end of support, with what it was based on; undefined when the minor is not listed. */
export function endOfSupport(
  calendar: SupportCalendar,
  minor: MinorVersion | string,
  lts: boolean,
): EndOfSupport | undefined {
  const v = typeof minor === 'string' ? parseVersion(minor) : minor;
  if (!v) return undefined;
  const key = `${v.major}.${v.minor}`;
  let entry = Object.prototype.hasOwnProperty.call(calendar.minors, key) ? calendar.minors[key] : undefined;
  if (!entry) {
    // A calendar built by hand may spell keys differently (`1.09`): compare as numbers.
    for (const [k, e] of Object.entries(calendar.minors)) {
      const p = parseVersion(k);
      if (p && p.major === v.major && p.minor === v.minor) entry = e;
    }
  }
  if (!entry) return undefined;
  const useLts = lts && entry.ltsEndOfSupport !== undefined;
  const text = useLts ? entry.ltsEndOfSupport! : entry.endOfSupport;
  const date = parseCalendarDate(text);
  if (!date) return undefined;
  return { date, lts: useLts, estimated: entry.estimated === true, text };
}

/** End of support of a minor (`1.31` or parsed), the LTS date when `lts` and the calendar has one. */
export function endOfSupportDate(
  calendar: SupportCalendar,
  minor: MinorVersion | string,
  lts: boolean,
): Date | undefined {
  return endOfSupport(calendar, minor, lts)?.date;
}
