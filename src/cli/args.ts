// Flag parsing shared by the commands: node:util parseArgs with one-line errors, repeated-flag detection, and the
// validation of the values every command shares (format, severity, date, output file).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { isSeverity, SEVERITIES, type ScanReport, type Severity } from '../model';
import { isReportFormat, REPORT_FORMATS, type ReportFormat } from '../report/render';
import { UsageError, type CliIO } from './io';

type Options = NonNullable<ParseArgsConfig['options']>;

function firstLine(text: string): string {
  return text.split('\n')[0].trim();
}

/**
 * Parses `args` for `command`: unknown flags, missing values, stray arguments and single-valued flags given twice
 * all throw UsageError (parseArgs itself silently keeps the last of a repeated flag).
 */
export function parseFlags<T extends Options>(command: string, args: string[], options: T) {
  let parsed;
  try {
    parsed = parseArgs({ args, options, strict: true, allowPositionals: false, tokens: true });
  } catch (err) {
    const e = err as Error & { code?: string };
    const flag = /'(-{1,2}[^' =<]+)/.exec(e.message)?.[1];
    const hint = `(see aks-compliance ${command} --help)`;
    switch (e.code) {
      case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
        throw new UsageError(`${command}: unknown option ${flag ?? firstLine(e.message)} ${hint}`);
      case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
        if (/does not take an argument/.test(e.message)) throw new UsageError(`${command}: ${flag} takes no value`);
        throw new UsageError(`${command}: ${flag ?? 'an option'} needs a value ${hint}`);
      case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL': {
        const arg = /argument '([^']*)'/.exec(e.message)?.[1];
        throw new UsageError(`${command}: unexpected argument ${JSON.stringify(arg ?? '')} ${hint}`);
      }
      default:
        throw new UsageError(`${command}: ${firstLine(e.message)}`);
    }
  }
  const counts = new Map<string, number>();
  for (const token of parsed.tokens ?? []) {
    if (token.kind !== 'option') continue;
    const n = (counts.get(token.name) ?? 0) + 1;
    counts.set(token.name, n);
    if (n > 1 && !options[token.name]?.multiple) {
      throw new UsageError(`${command}: --${token.name} is given more than once`);
    }
  }
  return parsed.values;
}

/** The format named by `--output`'s extension (report.json -> json), else table. */
export function formatForOutput(output: string | undefined): ReportFormat {
  const ext = /\.([a-z]+)$/i.exec(output ?? '')?.[1]?.toLowerCase();
  if (ext === 'htm') return 'html';
  if (ext === 'markdown') return 'md';
  return isReportFormat(ext) ? ext : 'table';
}

export function parseFormat(command: string, value: string | undefined, output?: string): ReportFormat {
  if (value === undefined) return formatForOutput(output);
  const lower = value.toLowerCase();
  if (!isReportFormat(lower)) {
    throw new UsageError(`${command}: --format ${JSON.stringify(value)} is not one of ${REPORT_FORMATS.join(', ')}`);
  }
  return lower;
}

export function parseSeverity(command: string, flag: string, value: string | undefined): Severity | undefined {
  if (value === undefined) return undefined;
  const lower = value.toLowerCase();
  if (!isSeverity(lower)) {
    throw new UsageError(`${command}: --${flag} ${JSON.stringify(value)} is not one of ${SEVERITIES.join(', ')}`);
  }
  return lower;
}

/** A real calendar date `YYYY-MM-DD`, as midnight UTC (2026-02-30 is refused, not rolled over). */
export function parseDateFlag(command: string, flag: string, value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value.trim());
  const date = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : undefined;
  if (
    !m ||
    !date ||
    date.getUTCFullYear() !== Number(m[1]) ||
    date.getUTCMonth() + 1 !== Number(m[2]) ||
    date.getUTCDate() !== Number(m[3])
  ) {
    throw new UsageError(`${command}: --${flag} ${JSON.stringify(value)} is not a calendar date (YYYY-MM-DD)`);
  }
  return date;
}

/** True when the report holds a live fail at or above the threshold (exempt findings never count). */
export function failsAtOrAbove(report: ScanReport, threshold: Severity | undefined): boolean {
  if (!threshold) return false;
  const order = [...SEVERITIES];
  const limit = order.indexOf(threshold);
  return order.slice(0, limit + 1).some((sev) => report.summary.failBySeverity[sev] > 0);
}

export function summaryLine(report: ScanReport): string {
  const s = report.summary;
  const fails = SEVERITIES.map((sev) => `${sev} ${s.failBySeverity[sev]}`).join(', ');
  return (
    `${s.clusters} ${s.clusters === 1 ? 'cluster' : 'clusters'}: ${s.status.fail} fail (${fails}), ${s.status.unknown} unknown, ` +
    `${s.status.exempt} exempt, ${s.status.pass} pass, ${s.status.not_applicable} not applicable` +
    (report.complete ? '' : '; INCOMPLETE: part of the inventory could not be read')
  );
}

/** Prints the rendered report, or writes it to `--output` (parent folders created) and prints a one-line summary. */
export function emitReport(
  command: string,
  io: CliIO,
  report: ScanReport,
  rendered: string,
  format: ReportFormat,
  output: string | undefined,
): void {
  if (output === undefined) {
    io.stdout(rendered);
    return;
  }
  const path = resolve(io.cwd, output);
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, rendered, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(`${command}: --output ${output}: cannot be written (${code ?? (err as Error).message})`);
  }
  io.stdout(`Wrote ${output} (${format}): ${summaryLine(report)}\n`);
}
