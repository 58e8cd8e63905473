import { loadSupportCalendar } from '../catalog/calendar';
import { buildRuleContext, DEFAULT_EOL_WARNING_DAYS, DEFAULT_NODE_IMAGE_MAX_AGE_DAYS } from './context';

const calendar = loadSupportCalendar();
const asOf = new Date('2026-11-27T00:00:00Z');

describe('buildRuleContext', () => {
  it('context: defaults the thresholds to 30 and 60 days', () => {
    const ctx = buildRuleContext({ asOf, catalogs: new Map(), calendar });
    expect(ctx.nodeImageMaxAgeDays).toBe(DEFAULT_NODE_IMAGE_MAX_AGE_DAYS);
    expect(ctx.nodeImageMaxAgeDays).toBe(30);
    expect(ctx.eolWarningDays).toBe(DEFAULT_EOL_WARNING_DAYS);
    expect(ctx.eolWarningDays).toBe(60);
    expect(ctx.access).toBeUndefined();
  });

  it('context: keeps given thresholds and normalises catalog locations', () => {
    const catalog = { readable: false as const, location: 'West Europe', reason: 'x' };
    const ctx = buildRuleContext({
      asOf,
      catalogs: new Map([['West Europe', catalog]]),
      calendar,
      nodeImageMaxAgeDays: 14,
      eolWarningDays: 0,
    });
    expect(ctx.nodeImageMaxAgeDays).toBe(14);
    expect(ctx.eolWarningDays).toBe(0);
    expect(ctx.catalogs.get('westeurope')).toBe(catalog);
  });

  it.each([
    [{ nodeImageMaxAgeDays: -1 }, /nodeImageMaxAgeDays/],
    [{ eolWarningDays: 1.5 }, /eolWarningDays/],
    [{ eolWarningDays: Number.NaN }, /eolWarningDays/],
    [{ asOf: new Date('garbage') }, /asOf/],
  ])('context: rejects %p', (override, message) => {
    expect(() => buildRuleContext({ asOf, catalogs: new Map(), calendar, ...override })).toThrow(message);
  });
});
