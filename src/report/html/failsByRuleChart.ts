// Chart 1: fails by rule and severity, one horizontal stacked bar per rule, longest first.
import { SEVERITIES, type ScanReport, type Severity } from '../../model';
import { SEVERITY_FILLS, legend } from './fills';
import { axis, dataTable, e, n, r, svgOpen, text } from './svg';

export function failsByRuleChart(report: ScanReport): string {
  const byRule = new Map<string, Record<Severity, number>>();
  for (const c of report.clusters) {
    for (const f of c.findings) {
      if (f.status !== 'fail') continue;
      const row = byRule.get(f.ruleId) ?? { critical: 0, high: 0, medium: 0, low: 0 };
      row[f.severity] += 1;
      byRule.set(f.ruleId, row);
    }
  }
  const total = (row: Record<Severity, number>) => SEVERITIES.reduce((s, sev) => s + row[sev], 0);
  const rows = [...byRule.entries()].sort((a, b) => total(b[1]) - total(a[1]) || a[0].localeCompare(b[0]));
  if (rows.length === 0) return '<p class="note">No fails in this run.</p>';
  const width = 640;
  const labelW = 232;
  const barH = 18;
  const gap = 9;
  const top = 26;
  const plotW = width - labelW - 40;
  const height = top + rows.length * (barH + gap) + 10;
  const ax = axis(Math.max(...rows.map(([, row]) => total(row))));
  const max = ax.max;
  const parts: string[] = [
    svgOpen(
      'chart-rules',
      width,
      height,
      'Fails by rule and severity',
      `${rows.length} rules with fails; the longest bar is ${rows[0][0]} with ${total(rows[0][1])} fails.`,
    ),
  ];
  for (const t of ax.ticks) {
    const x = labelW + (t / max) * plotW;
    parts.push(
      `<line x1="${r(x)}" y1="${top - 6}" x2="${r(x)}" y2="${height - 6}" stroke="#d6d6d6" stroke-width="1"/>`,
      text(x, top - 10, n(t), 'text-anchor="middle" fill="#575757"'),
    );
  }
  rows.forEach(([ruleId, row], i) => {
    const y = top + i * (barH + gap);
    parts.push(text(labelW - 8, y + barH - 4, ruleId, 'text-anchor="end"'));
    let x = labelW;
    for (const sev of SEVERITIES) {
      if (row[sev] === 0) continue;
      const w = (row[sev] / max) * plotW;
      parts.push(
        `<rect x="${r(x)}" y="${y}" width="${r(w)}" height="${barH}" fill="url(#${SEVERITY_FILLS[sev].id})" ` +
          `stroke="#fff" stroke-width="0.5"><title>${e(`${ruleId}: ${row[sev]} ${sev}`)}</title></rect>`,
      );
      x += w;
    }
    parts.push(text(x + 6, y + barH - 4, n(total(row)), 'font-weight="600"'));
  });
  parts.push('</svg>');
  return (
    '<figure>' +
    parts.join('') +
    legend(SEVERITIES.map((s) => SEVERITY_FILLS[s])) +
    dataTable(
      'Fails by rule and severity',
      ['rule', ...SEVERITIES, 'total'],
      rows.map(([ruleId, row]) => [ruleId, ...SEVERITIES.map((s) => row[s]), total(row)]),
    ) +
    '</figure>'
  );
}
