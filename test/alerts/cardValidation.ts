// Adaptive Card checks with the `adaptivecards` library's own parser (its browser bundle parses fine in Node).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const AC = require('adaptivecards/dist/adaptivecards.js') as typeof import('adaptivecards');

/** Parse problems of an Adaptive Card 1.4 (empty when the library accepts every element and property). */
export function adaptiveCardProblems(content: unknown): { problems: string[]; roundTrip: unknown } {
  const card = new AC.AdaptiveCard();
  const context = new AC.SerializationContext(AC.Versions.v1_4);
  card.parse(content, context);
  const problems: string[] = [];
  for (let i = 0; i < context.eventCount; i += 1) problems.push(context.getEventAt(i).message);
  for (const issue of card.validateProperties().validationEvents) problems.push(issue.message);
  if (card.version?.toString() !== '1.4') problems.push(`version is ${String(card.version)}`);
  return { problems, roundTrip: card.toJSON() };
}

/** Every TextBlock/FactSet string of a card, for checks on what a reader would see. */
export function cardTexts(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => cardTexts(n, out));
  else if (node && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    if (typeof o.text === 'string') out.push(o.text);
    if (typeof o.title === 'string') out.push(o.title);
    if (typeof o.value === 'string') out.push(o.value);
    Object.values(o).forEach((v) => cardTexts(v, out));
  }
  return out;
}

/** A backslash before an ASCII punctuation mark: a Markdown escape, which Teams mobile shows literally. */
export function hasBackslashEscape(text: string): boolean {
  return /\\[!-/:-@[-`{-~]/.test(text);
}

/** The texts of the card's Markdown-processing elements (TextBlock text, FactSet titles and values). */
export function markdownTexts(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => markdownTexts(n, out));
  else if (node && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    if (o.type === 'TextBlock' && typeof o.text === 'string') out.push(o.text);
    if (o.type === 'FactSet') {
      for (const f of (o.facts as Array<{ title: string; value: string }>) ?? []) out.push(f.title, f.value);
    }
    if (o.type !== 'TextRun') Object.values(o).forEach((v) => markdownTexts(v, out));
  }
  return out;
}

/** The texts of the card's TextRuns (rendered as typed: no Markdown). */
export function textRuns(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => textRuns(n, out));
  else if (node && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    if (o.type === 'TextRun' && typeof o.text === 'string') out.push(o.text);
    Object.values(o).forEach((v) => textRuns(v, out));
  }
  return out;
}
