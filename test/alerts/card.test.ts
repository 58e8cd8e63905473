import { computeAlertBatch, type Alert, type AlertBatch } from '../../src/alerts/alerts';
import { buildMail, isValidEmail } from '../../src/alerts/mail';
import { teamsMessagePreviewHtml } from '../../src/alerts/preview';
import type { DeadLetter } from '../../src/alerts/deadLetters';
import { buildTeamsMessage, TEAMS_CARD_MAX_BYTES } from '../../src/alerts/teamsCard';
import { HOSTILE_NAME } from '../../sim/fleet/sample';
import { adaptiveCardProblems, cardTexts, hasBackslashEscape, markdownTexts, textRuns } from './cardValidation';
import { cluster, finding, report } from './reports';

const HOSTILE = [
  '<script>alert(1)</script>',
  '[x](http://evil.example)',
  '"},{"type":"Action.OpenUrl","url":"http://evil"}',
  '**bold** _it_ `code` # h1\n- item\n> quote',
  '![img](http://evil/x.png)',
  '&lt;b&gt; ${secret} {{template}} =cmd|',
];

function batchOf(n: number, name = (i: number) => `cluster-${i}`): AlertBatch {
  const clusters = Array.from({ length: n }, (_, i) =>
    cluster(name(i), [
      finding('aks_version_supported', 'fail', 'critical', {
        message: `Kubernetes 1.2${i % 10} is out of support in westeurope; the oldest supported minor is 1.31`,
        remediation: `az aks upgrade --resource-group rg-${name(i)} --name ${name(i)} --kubernetes-version 1.33.2`,
      }),
    ]),
  );
  return computeAlertBatch(undefined, report('run-300', clusters), { minSeverity: 'high' });
}

const REPORT_URL = 'https://reports.example.com/api/reports/run-300?format=html';

const content = (message: Record<string, unknown>) =>
  (message.attachments as Array<{ content: Record<string, unknown> }>)[0].content;

describe('Teams card', () => {
  it('wraps an Adaptive Card 1.4 in the Workflows envelope, valid for the adaptivecards parser', () => {
    const batch = batchOf(3);
    const { message, bytes, shown, omitted } = buildTeamsMessage(batch, batch.alerts, { reportUrl: REPORT_URL });
    expect(message.type).toBe('message');
    const attachment = (message.attachments as Array<Record<string, unknown>>)[0];
    expect(attachment.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(attachment.contentUrl).toBeNull();
    expect(content(message)).toMatchObject({ type: 'AdaptiveCard', version: '1.4' });
    expect(adaptiveCardProblems(content(message)).problems).toEqual([]);
    expect([shown, omitted]).toEqual([3, 0]);
    expect(bytes).toBe(Buffer.byteLength(JSON.stringify(message)));
    expect(content(message).actions).toEqual([{ type: 'Action.OpenUrl', title: 'Open the report', url: REPORT_URL }]);
    // The command is shown as typed, monospaced, in a TextRun.
    expect(textRuns(content(message))).toContain(
      'az aks upgrade --resource-group rg-cluster-0 --name cluster-0 --kubernetes-version 1.33.2',
    );
    expect(JSON.stringify(content(message))).toContain('"fontType":"Monospace"');
    expect(cardTexts(content(message)).filter(hasBackslashEscape)).toEqual([]);
    expect(markdownTexts(content(message))[0]).toBe('AKS compliance: 3 changes');
  });

  it('the parser check itself rejects a bad card', () => {
    const bad = {
      type: 'AdaptiveCard',
      version: '1.4',
      body: [{ type: 'Bogus' }, { type: 'TextBlock', text: 'x', color: 'Purple' }],
    };
    expect(adaptiveCardProblems(bad).problems.length).toBe(2);
  });

  it('300 changes fit in one valid card under 20 KB with an "N more changes" line', () => {
    const batch = batchOf(300);
    expect(batch.alerts).toHaveLength(300);
    const { message, bytes, shown, omitted } = buildTeamsMessage(batch, batch.alerts, { reportUrl: REPORT_URL });
    expect(bytes).toBeLessThanOrEqual(TEAMS_CARD_MAX_BYTES);
    expect(Buffer.byteLength(JSON.stringify(message))).toBeLessThanOrEqual(20_000);
    expect(shown).toBeGreaterThan(5);
    expect(shown + omitted).toBe(300);
    expect(cardTexts(content(message)).join('\n')).toContain(`${omitted} more changes not shown`);
    expect(adaptiveCardProblems(content(message)).problems).toEqual([]);
  });

  it('stays under 20 KB with maximal field sizes and multi-byte text', () => {
    const alerts: Alert[] = Array.from({ length: 50 }, (_, i) => ({
      key: `k${i}`,
      transition: 'new_fail',
      severity: 'critical',
      clusterId: `/x/${i}`,
      clusterName: '名'.repeat(256),
      subscriptionId: 's',
      resourceGroup: '<'.repeat(256),
      ruleId: 'r'.repeat(128),
      title: 't'.repeat(512),
      message: '😀'.repeat(2000),
      remediation: '&'.repeat(2000),
    }));
    const batch = { ...batchOf(1), runId: 'ü'.repeat(1024), alerts };
    const { bytes, shown } = buildTeamsMessage(batch);
    expect(bytes).toBeLessThanOrEqual(TEAMS_CARD_MAX_BYTES);
    expect(shown).toBeGreaterThan(0);
  });

  it('untrusted text is only in TextRuns, shown as typed: no backslash escapes, no Markdown element carries it', () => {
    const names = [...HOSTILE, HOSTILE_NAME];
    const batch = batchOf(names.length, (i) => names[i]);
    const dead: DeadLetter[] = [
      {
        id: 'x',
        runId: 'run-1',
        channel: 'mail',
        recipient: 'a_b*c@contoso.com',
        alerts: 2,
        attempts: 50,
        firstAttemptAt: '2026-11-20T02:00:00.000Z',
        deadAt: '2026-11-27T02:00:00.000Z',
        reason: 'HTTP 503 [x](http://evil)',
      },
    ];
    const { message } = buildTeamsMessage(batch, batch.alerts, { reportUrl: REPORT_URL, deadLetters: dead });
    const card = content(message);
    expect(adaptiveCardProblems(card).problems).toEqual([]);
    // No injected element or action: the structure is what we built.
    expect((card.actions as unknown[]).length).toBe(1);
    expect((card.body as Array<{ type: string }>).map((e) => e.type)).toEqual([
      'TextBlock',
      'RichTextBlock',
      'FactSet',
      ...names.map(() => 'Container'),
      'TextBlock',
      'RichTextBlock',
    ]);
    for (const text of cardTexts(card)) expect([text, hasBackslashEscape(text)]).toEqual([text, false]);
    // Every cluster name is one TextRun holding exactly the name (line breaks as spaces): plain text.
    const runs = textRuns(card);
    expect(runs).toContain(HOSTILE_NAME);
    expect(runs).toContain('[x](http://evil.example)');
    expect(runs).toContain('**bold** _it_ `code` # h1 - item > quote');
    // Markdown-processing elements hold only the product's own words and numbers.
    const markdown = markdownTexts(card).join('\n');
    for (const name of names) expect(markdown).not.toContain(name.slice(0, 12));
    expect(markdown).not.toContain('evil');
    expect(runs.join('\n')).toContain('mail to a_b*c@contoso.com, run run-1: 2 alert(s) given up after 50 attempt(s)');
    expect(cardTexts(card).join('\n')).toContain('Deliveries given up since the last digest: 1');
  });

  it('card text has no backslash escapes at all (AKS compliance: N changes reads as typed)', () => {
    const batch = batchOf(2);
    const { message } = buildTeamsMessage(batch);
    const texts = cardTexts(content(message));
    expect(texts).toContain('AKS compliance: 2 changes');
    expect(texts.join('\n')).not.toContain('\\');
  });
});

describe('alert mail', () => {
  it('escapes HTML in every field', () => {
    const batch = batchOf(HOSTILE.length, (i) => HOSTILE[i]);
    const { subject, html } = buildMail(batch, batch.alerts, undefined, { reportUrl: REPORT_URL });
    expect(html).toContain(`<a href="${REPORT_URL}">`);
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<a href="http://evil');
    expect(subject).not.toMatch(/[\r\n]/);
  });

  it('validates owner addresses', () => {
    expect(isValidEmail('team-a@example.com')).toBe(true);
    expect(isValidEmail('first.last+aks@sub.example.co.uk')).toBe(true);
    for (const bad of [
      'not-an-email',
      'a@b',
      'a b@example.com',
      'x@example.com, y@example.com',
      '<a@example.com>',
      'a@@example.com',
      'a..b@example.com',
      '"q"@example.com',
    ]) {
      expect(isValidEmail(bad)).toBe(false);
    }
  });
});

describe('alert mail size', () => {
  it('lists at most 500 rows and counts the rest', () => {
    const batch = batchOf(600);
    const { html } = buildMail(batch, batch.alerts);
    expect(html.match(/<tr><td>/g)).toHaveLength(500);
    expect(html).toContain('100 more change(s) not listed');
  });
});

describe('card preview', () => {
  it('renders what a reader sees, escaped, with the report link', () => {
    const batch = batchOf(HOSTILE.length, (i) => HOSTILE[i]);
    const html = teamsMessagePreviewHtml(buildTeamsMessage(batch, batch.alerts, { reportUrl: REPORT_URL }).message);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('[x](http://evil.example)');
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain(`<a href="${REPORT_URL}">Open the report</a>`);
    expect(html).toContain('az aks upgrade --resource-group');
  });
});
