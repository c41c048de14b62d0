/**
 * Reads a PEP 503 versions page (`.../simple/<name>`). GitLab renders one link per file,
 * `<a href="{base}/.../files/{sha256}/{file}#sha256={sha256}" data-requires-python="...">{file}</a>`
 * (https://docs.gitlab.com/api/packages/pypi/); files are told apart by href, not by link text.
 */

export interface SimpleFile {
  fileName: string;
  url: string;
  sha256?: string;
  requiresPython?: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export function unescapeHtml(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, entity: string) => {
    if (entity[0] === '#') {
      const code =
        entity[1] === 'x' || entity[1] === 'X'
          ? Number.parseInt(entity.slice(2), 16)
          : Number.parseInt(entity.slice(1), 10);
      return Number.isFinite(code) && code >= 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[entity.toLowerCase()] ?? whole;
  });
}

function attribute(tag: string, name: string): string | undefined {
  const match = new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(tag);
  if (!match) return undefined;
  return unescapeHtml(match[1] ?? match[2] ?? match[3] ?? '');
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

export function parseSimplePage(html: string, pageUrl: string): SimpleFile[] {
  const files: SimpleFile[] = [];
  for (const match of html.matchAll(/<a(\s[^>]*)>([\s\S]*?)<\/a\s*>/gi)) {
    const tag = match[1] ?? '';
    const href = attribute(tag, 'href');
    if (!href) continue;
    let url: URL;
    try {
      url = new URL(href, pageUrl);
    } catch {
      continue;
    }
    const fragment = /(?:^|&)sha256=([0-9a-f]{64})(?:&|$)/i.exec(url.hash.slice(1));
    const fileName =
      safeDecode(url.pathname.slice(url.pathname.lastIndexOf('/') + 1)) || unescapeHtml((match[2] ?? '').trim());
    if (!fileName) continue;
    url.hash = '';
    const requiresPython = attribute(tag, 'data-requires-python');
    files.push({
      fileName,
      url: url.toString(),
      ...(fragment?.[1] ? { sha256: fragment[1].toLowerCase() } : {}),
      ...(requiresPython ? { requiresPython } : {}),
    });
  }
  return files;
}
