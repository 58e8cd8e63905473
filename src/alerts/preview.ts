// A browser preview of a Teams message as the notifier builds it (for the demo's output files): a plain HTML
// rendering of the card's TextBlocks, RichTextBlocks (TextRuns), FactSets, Containers and OpenUrl actions.
// Self-contained, escaped: text shows as typed.
import escapeHtml from 'escape-html';

type Node = Record<string, unknown>;

/** The text a reader sees, HTML-escaped. */
function shown(text: unknown): string {
  return escapeHtml(String(text ?? ''));
}

function styleOf(node: Node): string {
  return [
    node.weight === 'Bolder' ? 'font-weight:600' : '',
    node.fontType === 'Monospace' ? 'font-family:Consolas,monospace;background:#f3f2f1;padding:2px 4px' : '',
    node.isSubtle ? 'color:#605e5c' : '',
    node.size === 'Medium' ? 'font-size:1.2em' : '',
    node.color === 'Attention'
      ? 'color:#c4314b'
      : node.color === 'Warning'
        ? 'color:#8a6d00'
        : node.color === 'Good'
          ? 'color:#237b4b'
          : '',
  ]
    .filter(Boolean)
    .join(';');
}

function render(node: Node): string {
  switch (node.type) {
    case 'TextBlock':
      return `<div style="${styleOf(node)};margin:2px 0">${shown(node.text)}</div>`;
    case 'RichTextBlock':
      return `<div style="margin:2px 0">${((node.inlines as Node[]) ?? [])
        .map((run) => `<span style="${styleOf(run)}">${shown(run.text)}</span>`)
        .join('')}</div>`;
    case 'FactSet':
      return `<table>${((node.facts as Node[]) ?? [])
        .map(
          (f) =>
            `<tr><th scope="row" style="text-align:left;padding-right:12px">${shown(f.title)}</th><td>${shown(f.value)}</td></tr>`,
        )
        .join('')}</table>`;
    case 'Container':
      return `<div style="border-top:1px solid #e1dfdd;padding:6px 0">${((node.items as Node[]) ?? []).map(render).join('')}</div>`;
    default:
      return '';
  }
}

export function teamsMessagePreviewHtml(message: unknown, title = 'Teams alert card (preview)'): string {
  const attachments = ((message as Node)?.attachments as Node[]) ?? [];
  const cards = attachments.map((a) => {
    const content = (a.content ?? {}) as Node;
    const body = ((content.body as Node[]) ?? []).map(render).join('\n');
    const actions = ((content.actions as Node[]) ?? [])
      .filter((x) => x.type === 'Action.OpenUrl' && /^https?:\/\//i.test(String(x.url)))
      .map((x) => `<a href="${escapeHtml(String(x.url))}">${shown(x.title)}</a>`)
      .join(' ');
    return `<section style="max-width:640px;border:1px solid #c8c6c4;border-radius:6px;padding:12px;margin:12px 0">${body}${actions ? `<p>${actions}</p>` : ''}</section>`;
  });
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>
<body style="font-family:Segoe UI,Arial,sans-serif;background:#faf9f8">
<h1 style="font-size:1.1em">${escapeHtml(title)}</h1>
${cards.join('\n')}
</body></html>`;
}
