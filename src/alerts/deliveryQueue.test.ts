import { backoffSeconds, DEFAULT_RETRY_POLICY, encodeMessage, givenUp, parseQueueMessage } from './deliveryQueue';

describe('delivery queue policy', () => {
  it('doubles the visibility timeout from 1 minute up to 4 hours', () => {
    const p = DEFAULT_RETRY_POLICY;
    expect([1, 2, 3, 8, 9, 20, 49].map((n) => backoffSeconds(p, n))).toEqual([60, 120, 240, 7680, 14400, 14400, 14400]);
    // The schedule spans the week: the age limit, not the attempt count, gives a week-long outage up.
    const total = Array.from({ length: p.maxAttempts - 1 }, (_, i) => backoffSeconds(p, i + 1)).reduce((a, b) => a + b);
    expect(total * 1000).toBeGreaterThan(p.maxAgeMs);
  });

  it('gives up after maxAttempts or at 7 days', () => {
    const p = DEFAULT_RETRY_POLICY;
    const first = '2026-12-01T00:00:00.000Z';
    expect(givenUp(p, 3, first, new Date('2026-12-04T00:00:00Z'))).toBe(false);
    expect(givenUp(p, 3, first, new Date('2026-12-08T00:00:00Z'))).toBe(true);
    expect(givenUp(p, 50, first, new Date('2026-12-01T01:00:00Z'))).toBe(true);
  });

  it('reads messages as the queue trigger hands them over (object, JSON or base64) and refuses others', () => {
    const m = {
      v: 1,
      kind: 'delivery',
      runId: 'r-1',
      channel: 'mail',
      recipient: 'a@contoso.com',
      audience: 'owner',
      attempts: 2,
      firstAttemptAt: '2026-12-01T00:00:00.000Z',
    } as const;
    expect(parseQueueMessage(m)).toEqual(m);
    expect(parseQueueMessage(JSON.stringify(m))).toEqual(m);
    expect(parseQueueMessage(encodeMessage(m))).toEqual(m);
    expect(parseQueueMessage({ ...m, channel: 'sms' })).toEqual({ error: 'channel must be teams or mail' });
    expect(parseQueueMessage({ ...m, runId: 'a/b' })).toEqual({ error: 'runId is missing or invalid' });
    expect(parseQueueMessage('garbage!')).toEqual({ error: 'not JSON' });
  });
});
