import { parseQuotaResetsAfter, parseRetryAfter } from './resourceGraphAnswers';

describe('parseQuotaResetsAfter', () => {
  it.each([
    ['00:00:05', 5000],
    ['00:01:02', 62_000],
    ['01:00:00', 3_600_000],
    ['00:00:03.250', 3250],
  ])('%s -> %i ms', (text, ms) => {
    expect(parseQuotaResetsAfter(text)).toBe(ms);
  });

  it.each([undefined, '', '5', 'soon', '00:05'])('%p is not a duration', (text) => {
    expect(parseQuotaResetsAfter(text)).toBeUndefined();
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds, fractional seconds and HTTP dates', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter('2.128')).toBe(2128);
    const now = Date.parse('2026-11-27T02:00:00Z');
    expect(parseRetryAfter('Fri, 27 Nov 2026 02:00:10 GMT', now)).toBe(10_000);
  });

  it('ignores what it cannot read', () => {
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter('later')).toBeUndefined();
  });
});
