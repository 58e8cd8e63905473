// The Teams message: one Adaptive Card 1.4 in the Workflows webhook envelope, always under 20 KB serialised.
//
// Text that comes from clusters, tags, messages or the store (cluster and resource group names, rule messages,
// remediation commands, recipients) goes only into `TextRun`s of `RichTextBlock`s, which Teams renders as typed:
// "Markdown is not supported" in TextRun (Adaptive Cards schema explorer). Nothing is backslash-escaped (Teams mobile
// shows escapes literally: Adaptive Cards issues 5590 and 7474). `TextBlock` and `FactSet` (which process Markdown)
// carry only the product's own fixed wording and numbers.
import { exemptionNoteLine, type Alert, type AlertBatch, type AlertTransition, type ExemptionNote } from './alerts';
import type { DeadLetter } from './deadLetters';

/** Teams documents 28 KB per message; staying under 20 KB leaves room for the envelope Teams adds. */
export const TEAMS_CARD_MAX_BYTES = 20_000;

/** Dead deliveries listed in a digest; the rest are counted. */
export const DEAD_LETTERS_SHOWN = 10;
/** Exemption changes listed in a card (the mail lists more). */
export const EXEMPTION_CHANGES_SHOWN = 10;

/** Control and line-separator characters become spaces; nothing else is changed (TextRuns show text as typed). */
export function plainText(value: string): string {
  // eslint-disable-next-line no-control-regex -- replacing control characters is the point
  return value.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ');
}

export const LABEL: Record<AlertTransition, string> = {
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

/** A TextRun of untrusted (or any non-fixed) text. */
function run(text: string, style: Record<string, unknown> = {}): CardElement {
  return { type: 'TextRun', text: plainText(text), ...style };
}

function rich(inlines: CardElement[], style: Record<string, unknown> = {}): CardElement {
  return { type: 'RichTextBlock', inlines, ...style };
}

/** Fixed product wording (no untrusted text ever goes here). */
function fixed(text: string, style: Record<string, unknown> = {}): CardElement {
  return { type: 'TextBlock', text, wrap: true, ...style };
}

/** One change; `compact` leaves out the remediation command (the mail and the report carry it). */
function alertElement(alert: Alert, compact = false): CardElement {
  const color = alert.transition === 'resolved' ? 'Good' : COLOR[alert.severity];
  const head: CardElement[] = [
    run(`${alert.severity.toUpperCase()} · ${LABEL[alert.transition]} · `, { weight: 'Bolder', color }),
  ];
  if (alert.transition === 'partial_run') head.push(run('whole run', { weight: 'Bolder' }));
  else {
    head.push(
      run(clip(alert.clusterName, 80), { weight: 'Bolder' }),
      run(` (${clip(alert.resourceGroup, 60)}) · ${clip(alert.ruleId, 64)}`),
    );
  }
  const items: CardElement[] = [
    rich(head),
    rich([run(clip(alert.message, 240), { isSubtle: true })], { spacing: 'None' }),
  ];
  if (alert.remediation && !compact) {
    items.push(rich([run(clip(alert.remediation, 240), { fontType: 'Monospace' })], { spacing: 'None' }));
  }
  return { type: 'Container', separator: true, items };
}

export function deadLetterLine(d: DeadLetter): string {
  const to = d.channel === 'teams' ? 'Teams' : `mail to ${d.recipient}`;
  return (
    `${to}, run ${d.runId}: ${d.alerts} alert(s) given up after ${d.attempts} attempt(s) ` +
    `(first ${d.firstAttemptAt}, given up ${d.deadAt}): ${d.reason}`
  );
}

/** Exemption changes since the last digest: who created, changed, widened or removed which (text in TextRuns). */
function exemptionElements(notes: ExemptionNote[]): CardElement[] {
  if (notes.length === 0) return [];
  const more = notes.length - EXEMPTION_CHANGES_SHOWN;
  return [
    fixed(`Exemption changes since the last digest: ${notes.length}`, { weight: 'Bolder', separator: true }),
    ...notes
      .slice(0, EXEMPTION_CHANGES_SHOWN)
      .map((n) => rich([run(clip(exemptionNoteLine(n), 400))], { spacing: 'None' })),
    ...(more > 0 ? [fixed(`${more} more: see each exemption's history.`, { spacing: 'None' })] : []),
  ];
}

function deadLetterElements(dead: DeadLetter[]): CardElement[] {
  if (dead.length === 0) return [];
  const more = dead.length - DEAD_LETTERS_SHOWN;
  return [
    fixed(`Deliveries given up since the last digest: ${dead.length}`, {
      weight: 'Bolder',
      color: 'Attention',
      separator: true,
    }),
    ...dead.slice(0, DEAD_LETTERS_SHOWN).map((d) => rich([run(clip(deadLetterLine(d), 400))], { spacing: 'None' })),
    ...(more > 0 ? [fixed(`${more} more given up: see the notifier log.`, { spacing: 'None' })] : []),
  ];
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

export interface TeamsMessageOptions {
  /** The report link (from the notifier's settings only). */
  reportUrl?: string;
  /** Dead deliveries to report in this digest. */
  deadLetters?: DeadLetter[];
}

const bytesOf = (value: unknown) => Buffer.byteLength(JSON.stringify(value), 'utf8');

/**
 * Builds the card for `alerts` (the batch's alerts by default), showing as many as fit under the size limit; when
 * not all fit with their remediation commands, the commands are left out so that more changes are listed.
 */
export function buildTeamsMessage(
  batch: AlertBatch,
  alerts: Alert[] = batch.alerts,
  options: TeamsMessageOptions = {},
): TeamsMessage {
  const full = buildCard(batch, alerts, options, false);
  if (full.omitted === 0) return full;
  const compact = buildCard(batch, alerts, options, true);
  return compact.shown > full.shown ? compact : full;
}

function buildCard(batch: AlertBatch, alerts: Alert[], options: TeamsMessageOptions, compact: boolean): TeamsMessage {
  const s = batch.summary;
  const head: CardElement[] = [
    fixed(`AKS compliance: ${alerts.length} change${alerts.length === 1 ? '' : 's'}`, {
      size: 'Medium',
      weight: 'Bolder',
    }),
    rich(
      [
        run(`Run ${clip(batch.runId, 100)}, ${batch.generatedAt}`),
        ...(s.complete ? [] : [run(' (partial run: nothing was resolved)', { weight: 'Bolder' })]),
      ],
      { spacing: 'None' },
    ),
    {
      type: 'FactSet',
      // Numbers and fixed words only: FactSet text is Markdown.
      facts: [
        { title: 'Clusters', value: String(s.clusters) },
        {
          title: 'Fails',
          value: `${s.status.fail} (critical ${s.failBySeverity.critical}, high ${s.failBySeverity.high}, medium ${s.failBySeverity.medium}, low ${s.failBySeverity.low})`,
        },
        { title: 'Unknown', value: String(s.status.unknown) },
        { title: 'Exempt', value: String(s.status.exempt) },
        { title: 'Passing', value: String(s.status.pass) },
      ],
    },
  ];
  const tail = [...exemptionElements(batch.exemptionChanges ?? []), ...deadLetterElements(options.deadLetters ?? [])];
  const actions: CardElement[] = options.reportUrl
    ? [{ type: 'Action.OpenUrl', title: 'Open the report', url: options.reportUrl }]
    : [];
  const moreLine = (n: number): CardElement =>
    fixed(
      `${n} more change${n === 1 ? '' : 's'} not shown: ${options.reportUrl ? 'open the report' : 'see the report'} for all of them.`,
      { weight: 'Bolder', separator: true },
    );

  // Sizes add up element by element (plus a comma each); the reserve covers the "more" line's worst case.
  const base = bytesOf(envelope([...head, moreLine(999999), ...tail], actions));
  const items: CardElement[] = [];
  let size = base;
  for (const alert of alerts) {
    const element = alertElement(alert, compact);
    const extra = bytesOf(element) + 1;
    if (size + extra > TEAMS_CARD_MAX_BYTES) break;
    items.push(element);
    size += extra;
  }
  let omitted = alerts.length - items.length;
  const compose = () => envelope([...head, ...items, ...(omitted > 0 ? [moreLine(omitted)] : []), ...tail], actions);
  let message = compose();
  // The estimate is exact for JSON.stringify, but check the real bytes and give back items if ever needed.
  while (bytesOf(message) > TEAMS_CARD_MAX_BYTES && items.length > 0) {
    items.pop();
    omitted += 1;
    message = compose();
  }
  return { message, bytes: bytesOf(message), shown: items.length, omitted };
}
