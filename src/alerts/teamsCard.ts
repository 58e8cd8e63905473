// The Teams message: one Adaptive Card 1.4 in the Workflows webhook envelope, always under 20 KB serialised.
import type { Alert, AlertBatch, AlertTransition } from './alerts';

/** Teams documents 28 KB per message; staying under 20 KB leaves room for the envelope Teams adds. */
export const TEAMS_CARD_MAX_BYTES = 20_000;

/**
 * TextBlocks render a Markdown subset: backslash-escape every ASCII punctuation mark Markdown or HTML gives a
 * meaning to (CommonMark treats `\` + punctuation as the literal mark; `.`, `:` and `@` too, so no autolink
 * forms), and flatten line breaks so nothing starts a block (lists, headings, quotes). A cluster named
 * `[x](http://evil)` or `<script>` then shows as typed.
 */
export function escapeCardText(value: string): string {
  return (
    value
      // eslint-disable-next-line no-control-regex -- stripping control characters is the point
      .replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ')
      .replace(/[\\`*_{}[\]()#+.!|<>~&$:@]/g, '\\$&')
      // A leading dash would start a list; elsewhere dashes stay readable (`--resource-group`).
      .replace(/^(\s*)-/, '$1\\-')
  );
}

const LABEL: Record<AlertTransition, string> = {
  new_fail: 'new fail',
  severity_raised: 'severity raised',
  resolved: 'resolved',
  exemption_expired: 'exemption expired',
  unreadable: 'unreadable',
  partial_run: 'partial run',
};

const COLOR: Record<string, string> = { critical: 'Attention', high: 'Attention', medium: 'Warning', low: 'Default' };

function clip(value: string, max: number): string {
  return value.length <= max ? value : `${value.slice(0, max - 1)}…`;
}

type CardElement = Record<string, unknown>;

function alertElement(alert: Alert): CardElement {
  const where =
    alert.transition === 'partial_run'
      ? 'whole run'
      : `${clip(alert.clusterName, 80)} (${clip(alert.resourceGroup, 60)}) · ${clip(alert.ruleId, 64)}`;
  const items: CardElement[] = [
    {
      type: 'TextBlock',
      text: escapeCardText(`${alert.severity.toUpperCase()} · ${LABEL[alert.transition]} · ${where}`),
      weight: 'Bolder',
      color: alert.transition === 'resolved' ? 'Good' : COLOR[alert.severity],
      wrap: true,
    },
    { type: 'TextBlock', text: escapeCardText(clip(alert.message, 240)), wrap: true, spacing: 'None', isSubtle: true },
  ];
  if (alert.remediation) {
    items.push({
      type: 'TextBlock',
      text: escapeCardText(clip(alert.remediation, 240)),
      fontType: 'Monospace',
      wrap: true,
      spacing: 'None',
    });
  }
  return { type: 'Container', separator: true, items };
}

function envelope(body: CardElement[], actions: CardElement[]): Record<string, unknown> {
  const content: Record<string, unknown> = {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: '1.4',
    body,
  };
  if (actions.length > 0) content.actions = actions;
  return {
    type: 'message',
    attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content }],
  };
}

export interface TeamsMessage {
  message: Record<string, unknown>;
  bytes: number;
  shown: number;
  omitted: number;
}

const bytesOf = (value: unknown) => Buffer.byteLength(JSON.stringify(value), 'utf8');

/** Builds the card for `alerts` (the batch's alerts by default), showing as many as fit under the size limit. */
export function buildTeamsMessage(batch: AlertBatch, alerts: Alert[] = batch.alerts): TeamsMessage {
  const s = batch.summary;
  const part = batch.part && batch.part.count > 1 ? ` (part ${batch.part.index} of ${batch.part.count})` : '';
  const head: CardElement[] = [
    {
      type: 'TextBlock',
      text: escapeCardText(`AKS compliance: ${alerts.length} change${alerts.length === 1 ? '' : 's'}${part}`),
      size: 'Medium',
      weight: 'Bolder',
      wrap: true,
    },
    {
      type: 'TextBlock',
      text: escapeCardText(`Run ${clip(batch.runId, 100)}, ${batch.generatedAt}${s.complete ? '' : ' (partial run)'}`),
      isSubtle: true,
      wrap: true,
      spacing: 'None',
    },
    {
      type: 'FactSet',
      // FactSet text is Markdown too.
      facts: [
        { title: 'Clusters', value: String(s.clusters) },
        {
          title: 'Fails',
          value: escapeCardText(
            `${s.status.fail} (critical ${s.failBySeverity.critical}, high ${s.failBySeverity.high}, medium ${s.failBySeverity.medium}, low ${s.failBySeverity.low})`,
          ),
        },
        { title: 'Unknown', value: String(s.status.unknown) },
        { title: 'Exempt', value: String(s.status.exempt) },
        { title: 'Passing', value: String(s.status.pass) },
      ],
    },
  ];
  const actions: CardElement[] = batch.reportUrl
    ? [{ type: 'Action.OpenUrl', title: 'Open the report', url: batch.reportUrl }]
    : [];
  const moreLine = (n: number): CardElement => ({
    type: 'TextBlock',
    text: escapeCardText(
      `${n} more change${n === 1 ? '' : 's'} not shown: ${batch.reportUrl ? 'open the report' : 'see the report'} for all of them.`,
    ),
    wrap: true,
    weight: 'Bolder',
    separator: true,
  });

  // Sizes add up element by element (plus a comma each); the reserve covers the "more" line's worst case.
  const base = bytesOf(envelope([...head, moreLine(999999)], actions));
  const items: CardElement[] = [];
  let size = base;
  for (const alert of alerts) {
    const element = alertElement(alert);
    const extra = bytesOf(element) + 1;
    if (size + extra > TEAMS_CARD_MAX_BYTES) break;
    items.push(element);
    size += extra;
  }
  let omitted = alerts.length - items.length;
  let message = envelope([...head, ...items, ...(omitted > 0 ? [moreLine(omitted)] : [])], actions);
  // The estimate is exact for JSON.stringify, but check the real bytes and give back items if ever needed.
  while (bytesOf(message) > TEAMS_CARD_MAX_BYTES && items.length > 0) {
    items.pop();
    omitted += 1;
    message = envelope([...head, ...items, moreLine(omitted)], actions);
  }
  return { message, bytes: bytesOf(message), shown: items.length, omitted };
}
