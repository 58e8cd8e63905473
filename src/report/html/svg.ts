// The charts' drawing primitives: an SVG opened with its title and description, labels, a count axis, and the
// table of numbers each chart carries (its text equivalent). Every value is escaped.
import escapeHtml from 'escape-html';

export const e = (value: unknown): string => escapeHtml(String(value));
const fmt = new Intl.NumberFormat('en-US');
export const n = (value: number): string => fmt.format(value);

export function dataTable(caption: string, head: string[], rows: (string | number)[][]): string {
  return (
    `<details class="data"><summary>Show the numbers</summary><table class="small"><caption>${e(caption)}</caption>` +
    '<thead><tr>' +
    head.map((h, i) => `<th scope="col"${i > 0 ? ' class="num"' : ''}>${e(h)}</th>`).join('') +
    '</tr></thead><tbody>' +
    rows
      .map(
        (r) =>
          '<tr>' +
          r
            .map((c, i) =>
              i === 0 ? `<th scope="row">${e(c)}</th>` : `<td class="num">${typeof c === 'number' ? n(c) : e(c)}</td>`,
            )
            .join('') +
          '</tr>',
      )
      .join('') +
    '</tbody></table></details>'
  );
}

export function svgOpen(id: string, width: number, height: number, title: string, desc: string): string {
  return (
    `<svg class="chart" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="${id}-t ${id}-d" ` +
    `xmlns="http://www.w3.org/2000/svg"><title id="${id}-t">${e(title)}</title><desc id="${id}-d">${e(desc)}</desc>`
  );
}

export function text(x: number, y: number, value: string, attrs = ''): string {
  const size = /font-size=/.test(attrs) ? '' : ' font-size="11"';
  return `<text x="${r(x)}" y="${r(y)}"${size}${attrs ? ' ' + attrs : ''}>${e(value)}</text>`;
}

export function r(v: number): string {
  return String(Math.round(v * 10) / 10);
}

/** An axis for counts: whole-number ticks at a 1/2/5 x 10^k step, at most five intervals, covering `max`. */
export function axis(max: number): { max: number; ticks: number[] } {
  const target = Math.max(1, max) / 4;
  const p = 10 ** Math.floor(Math.log10(target));
  const step = Math.max(1, [1, 2, 5, 10].map((m) => m * p).find((v) => v >= target) ?? 10 * p);
  const top = Math.max(step, Math.ceil(Math.max(1, max) / step) * step);
  const ticks: number[] = [];
  for (let v = 0; v <= top + 1e-9; v += step) ticks.push(Math.round(v));
  return { max: top, ticks };
}
