// Alert emails: escaped HTML digests for Graph sendMail.
import escapeHtml from 'escape-html';
import { exemptionNoteLine, type Alert, type AlertBatch, type AlertTransition } from './alerts';
import type { DeadLetter } from './deadLetters';
import { DEAD_LETTERS_SHOWN, deadLetterLine } from './teamsCard';

/** Rows per email; the rest is counted and left to the report. */
export const MAIL_MAX_ROWS = 500;
/** Graph sendMail takes up to 4 MB of JSON: the rows stop well before that. */
export const MAIL_MAX_ROW_BYTES = 1_500_000;

const LABEL: Record<AlertTransition, string> = {
  new_fail: 'new fail',
  severity_raised: 'severity raised',
  resolved: 'resolved',
  exemption_expired: 'exemption expired',
  unreadable: 'unreadable',
  partial_run: 'partial run',
};

// One address, no display name, no list: what an owner tag may hold. Rejects anything with spaces, angle brackets,
// commas or quotes, so a tag value can never add recipients or headers.
const EMAIL =
  /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

export function isValidEmail(value: string): boolean {
  return value.length <= 254 && EMAIL.test(value) && !value.includes('..');
}

export interface MailContent {
  subject: string;
  html: string;
}

function subjectLine(value: string): string {
  // eslint-disable-next-line no-control-regex -- stripping control characters is the point
  return value.replace(/[\u0000-\u001f\u007f]+/g, ' ').slice(0, 200);
}

export interface MailOptions {
  /** The report link (from the notifier's settings only). */
  reportUrl?: string;
  /** Dead deliveries to report (digest mails only). */
  deadLetters?: DeadLetter[];
}

export function buildMail(
  batch: AlertBatch,
  alerts: Alert[],
  audience?: { clusterOwner: string },
  options: MailOptions = {},
): MailContent {
  const s = batch.summary;
  const worst = alerts.some((a) => a.severity === 'critical') ? 'critical' : (alerts[0]?.severity ?? 'info');
  const subject = subjectLine(
    audience
      ? `AKS compliance: ${alerts.length} change(s) on your clusters (${worst})`
      : `AKS compliance: ${alerts.length} change(s) in run ${batch.runId} (${worst})`,
  );
  const rendered: string[] = [];
  let bytes = 0;
  for (const a of alerts.slice(0, MAIL_MAX_ROWS)) {
    const row =
      `<tr><td>${escapeHtml(a.severity)}</td><td>${escapeHtml(LABEL[a.transition])}</td>` +
      `<td>${escapeHtml(a.clusterName || '(whole run)')}<br><small>${escapeHtml(a.subscriptionId)} / ${escapeHtml(a.resourceGroup)}</small></td>` +
      `<td>${escapeHtml(a.ruleId)}<br><small>${escapeHtml(a.title)}</small></td>` +
      `<td>${escapeHtml(a.message)}</td><td><code>${escapeHtml(a.remediation)}</code></td></tr>`;
    bytes += Buffer.byteLength(row);
    if (bytes > MAIL_MAX_ROW_BYTES) break;
    rendered.push(row);
  }
  const rows = rendered.join('\n');
  const more = alerts.length - rendered.length;
  const link = options.reportUrl ? `<p><a href="${escapeHtml(options.reportUrl)}">Open the full report</a></p>` : '';
  const dead = options.deadLetters ?? [];
  const deadHtml =
    dead.length === 0
      ? ''
      : `<h3>Deliveries given up since the last digest: ${dead.length}</h3>\n<ul>\n${dead
          .slice(0, DEAD_LETTERS_SHOWN)
          .map((d) => `<li>${escapeHtml(deadLetterLine(d))}</li>`)
          .join('\n')}\n</ul>\n${
          dead.length > DEAD_LETTERS_SHOWN
            ? `<p>${dead.length - DEAD_LETTERS_SHOWN} more given up: see the notifier log.</p>\n`
            : ''
        }`;
  // Exemption changes go to the digest only (an owner's mail is about their clusters).
  const notes = audience ? [] : (batch.exemptionChanges ?? []);
  const exemptionHtml =
    notes.length === 0
      ? ''
      : `<h3>Exemption changes since the last digest: ${notes.length}</h3>\n<ul>\n${notes
          .map((n) => `<li>${escapeHtml(exemptionNoteLine(n))}</li>`)
          .join('\n')}\n</ul>\n`;
  const intro = audience
    ? `<p>You receive this because the tag on these clusters names ${escapeHtml(audience.clusterOwner)} as owner.</p>`
    : '';
  const html = `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>
<body style="font-family:Segoe UI,Arial,sans-serif">
<h2>AKS compliance: ${alerts.length} change(s)</h2>
${intro}<p>Run ${escapeHtml(batch.runId)} at ${escapeHtml(batch.generatedAt)}${s.complete ? '' : ' (partial run: nothing was resolved)'}.
Fleet: ${s.clusters} clusters, ${s.status.fail} fails (critical ${s.failBySeverity.critical}, high ${s.failBySeverity.high},
medium ${s.failBySeverity.medium}, low ${s.failBySeverity.low}), ${s.status.unknown} unknown, ${s.status.exempt} exempt.</p>
${link}
<table border="1" cellpadding="4" cellspacing="0" style="border-collapse:collapse">
<thead><tr><th scope="col">Severity</th><th scope="col">Change</th><th scope="col">Cluster</th><th scope="col">Rule</th><th scope="col">Details</th><th scope="col">Remediation</th></tr></thead>
<tbody>
${rows}
</tbody></table>
${more > 0 ? `<p>${more} more change(s) not listed: see the report.</p>` : ''}
${exemptionHtml}${deadHtml}</body></html>`;
  return { subject, html };
}
