// The report's charts as plain inline SVG (no library, no script): each chart is an image with a title and a
// description, a legend in text, and its numbers in a table; fills combine colour with a pattern so that colour is
// never the only signal (print in black and white stays readable).
// One file per chart beside this one; the fills and drawing primitives they share are in fills.ts and svg.ts.
export { failsByRuleChart } from './failsByRuleChart';
export { PATTERN_DEFS } from './fills';
export { nodeImageChart } from './nodeImageChart';
export { n } from './svg';
export { trendChart, type RunSummary } from './trendChart';
export { versionChart } from './versionChart';
