// Chart 4: fails per stored run by severity (the last 30 runs), this report's run framed, partial runs marked.
import { SEVERITIES, type ScanReport } from '../../model';
import { SEVERITY_FILLS, legend } from './fills';
import { axis, dataTable, e, n, r, svgOpen, text } from './svg';

/** A run's summary as stored with the run (for the trend chart). */
export interface RunSummary {
  runId: string;
  finishedAt: string;
  summary: ScanReport['summary'];
  complete?: boolean;
}

export function trendChart(report: ScanReport, history: RunSummary[] | undefined): string {
  if (!history || history.length === 0) {
    return '<p class="note">No run history was provided: the trend appears when the report is served from the store.</p>';
  }
  const byId = new Map<string, RunSummary>();
  for (const h of history) if (h && h.summary && typeof h.runId === 'string') byId.set(h.runId, h);
  if (!byId.has(report.runId)) {
    byId.set(report.runId, {
      runId: report.runId,
      finishedAt: report.finishedAt,
      summary: report.summary,
      complete: report.complete,
    });
  }
  const runs = [...byId.values()].sort((a, b) => String(a.finishedAt).localeCompare(String(b.finishedAt))).slice(-30);
  const width = 640;
  const height = 292;
  const left = 48;
  const top = 22;
  const bottom = 62;
  const plotH = height - top - bottom;
  const plotW = width - left - 16;
  const slot = plotW / Math.max(runs.length, 4);
  const barW = Math.min(56, slot * 0.6);
  const fails = (s: RunSummary) => SEVERITIES.reduce((sum, sev) => sum + (s.summary.failBySeverity?.[sev] ?? 0), 0);
  const ax = axis(Math.max(1, ...runs.map(fails)));
  const max = ax.max;
  const label = (iso: string) => String(iso).slice(0, 16).replace('T', ' ');
  const every = Math.ceil(runs.length / 8);
  const partialRuns = runs.filter((run) => run.complete === false).length;
  const parts: string[] = [
    svgOpen(
      'chart-trend',
      width,
      height,
      'Fails per run, by severity',
      `${runs.length} runs from ${label(runs[0].finishedAt)} to ${label(runs[runs.length - 1].finishedAt)}; ` +
        `fails went from ${fails(runs[0])} to ${fails(runs[runs.length - 1])}.`,
    ),
  ];
  for (const t of ax.ticks) {
    const y = top + plotH - (t / max) * plotH;
    parts.push(
      `<line x1="${left}" y1="${r(y)}" x2="${width - 16}" y2="${r(y)}" stroke="#d6d6d6" stroke-width="1"/>`,
      text(left - 6, y + 4, n(t), 'text-anchor="end" fill="#575757"'),
    );
  }
  runs.forEach((run, i) => {
    const x = left + i * slot + slot / 2;
    let y = top + plotH;
    for (const sev of SEVERITIES) {
      const count = run.summary.failBySeverity?.[sev] ?? 0;
      if (count === 0) continue;
      const h = (count / max) * plotH;
      y -= h;
      parts.push(
        `<rect x="${r(x - barW / 2)}" y="${r(y)}" width="${r(barW)}" height="${r(h)}" fill="url(#${SEVERITY_FILLS[sev].id})" ` +
          `stroke="#fff" stroke-width="0.5"><title>${e(`${run.runId}: ${count} ${sev}`)}</title></rect>`,
      );
    }
    const partial = run.complete === false ? '*' : '';
    if (runs.length <= 12 || i % every === 0 || i === runs.length - 1) {
      parts.push(text(x, y - 5, n(fails(run)) + partial, 'text-anchor="middle" font-weight="600"'));
      const when = label(run.finishedAt);
      parts.push(text(x, top + plotH + 16, when.slice(5, 10), 'text-anchor="middle"'));
      parts.push(text(x, top + plotH + 30, when.slice(11), 'text-anchor="middle" fill="#575757"'));
    }
    if (run.runId === report.runId) {
      parts.push(
        `<rect x="${r(x - slot / 2 + 1)}" y="${top - 4}" width="${r(slot - 2)}" height="${plotH + 42}" fill="none" ` +
          'stroke="#0b5cad" stroke-width="1.5" stroke-dasharray="4 3"/>',
      );
    }
  });
  parts.push(
    `<line x1="${left}" y1="${top + plotH}" x2="${width - 16}" y2="${top + plotH}" stroke="#555"/>`,
    text(
      left + plotW / 2,
      height - 4,
      `Run (finished, MM-DD hh:mm UTC); dashed frame: this report${partialRuns ? '; * partial run' : ''}`,
      'text-anchor="middle" fill="#575757"',
    ),
    '</svg>',
  );
  const few = runs.length === 1 ? '<p class="note">One run is stored so far; each scan adds a bar.</p>' : '';
  return (
    '<figure>' +
    parts.join('') +
    legend(SEVERITIES.map((s) => SEVERITY_FILLS[s])) +
    few +
    dataTable(
      'Findings per run',
      ['run', 'finished', 'clusters', 'fail', ...SEVERITIES, 'unknown', 'pass'],
      runs.map((run) => [
        run.runId,
        label(run.finishedAt),
        run.summary.clusters,
        fails(run),
        ...SEVERITIES.map((s) => run.summary.failBySeverity?.[s] ?? 0),
        run.summary.status?.unknown ?? 0,
        run.summary.status?.pass ?? 0,
      ]),
    ) +
    '</figure>'
  );
}
