/**
 * A pypi.org stand-in on 127.0.0.1 for the real-uv tier and doctor's --check-pypi: the PEP 503
 * simple API (`/simple/`, `/simple/<name>/` with `#sha256=` fragments and `data-requires-python`)
 * and file downloads (`/files/<sha256>/<file>`). It records every request and, like the GitLab
 * stand-in, is strict by default: a test declares the projects it expects pypi.org to be asked about
 * (`expect`); a request about another project, for the whole project list, for another path or
 * method, or with an Authorization header is unexpected, and a declared project nobody asked about
 * fails `assertClean()` too. The GitLab stand-in's `pypiUrl` points its forwarding 302 here.
 */
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakePypiFile {
  fileName: string;
  content: Buffer | string;
}

export interface FakePypiPackage {
  name: string;
  version: string;
  requiresPython?: string;
  files: FakePypiFile[];
}

export interface FakePypiRequest {
  method: string;
  url: string;
  status: number;
  /** The normalised project name the request was about, when it was one. */
  project?: string;
  /** Whether an Authorization header came along (pypi.org must never see a GitLab token). */
  authorization: boolean;
}

export interface FakePypi {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** `${url}/simple/`: what UV_DEFAULT_INDEX, GLX_PYPI_URL and the GitLab stand-in's pypiUrl take. */
  readonly simpleUrl: string;
  readonly requests: FakePypiRequest[];
  readonly unexpected: string[];
  addPackage(pkg: FakePypiPackage): void;
  /** Declares projects this test expects pypi.org to be asked about (pages or files); declarations add up. */
  expect(projects: string[]): void;
  /** Requests about `project` (normalised). */
  requestsFor(project: string): FakePypiRequest[];
  /** Throws listing the unexpected requests and the declared projects nobody asked about, if any. */
  assertClean(): void;
  /** Forgets requests, unexpected requests and declarations; keeps the packages. */
  resetLog(): void;
  close(): Promise<void>;
}

interface StoredFile {
  fileName: string;
  sha256: string;
  bytes: Buffer;
  requiresPython?: string;
}

/** PEP 503 normalisation. */
export function normalizeName(name: string): string {
  return name.replace(/[-_.]+/g, '-').toLowerCase();
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function page(title: string, links: string[]): string {
  return `<!DOCTYPE html>\n<html>\n  <head><meta name="pypi:repository-version" content="1.0"><title>${escapeHtml(title)}</title></head>\n  <body>\n    <h1>${escapeHtml(title)}</h1>\n${links.map((l) => `    ${l}<br/>`).join('\n')}\n  </body>\n</html>\n`;
}

export async function createFakePypi(): Promise<FakePypi> {
  const projects = new Map<string, StoredFile[]>();
  const requests: FakePypiRequest[] = [];
  const unexpected: string[] = [];
  const declared = new Set<string>();

  const server = createServer((req, res) => {
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const path = url.split('?')[0] ?? '/';
    const record: FakePypiRequest = { method, url, status: 0, authorization: req.headers.authorization !== undefined };
    requests.push(record);
    const answer = (status: number, body: string | Buffer, type = 'text/plain'): void => {
      record.status = status;
      res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
      res.end(method === 'HEAD' ? undefined : body);
    };
    if (record.authorization) unexpected.push(`${method} ${url}: pypi.org was sent an Authorization header`);
    if (method !== 'GET' && method !== 'HEAD') {
      unexpected.push(`${method} ${url}: the pypi.org stand-in only serves GET`);
      return answer(405, 'Method Not Allowed');
    }
    if (path === '/simple/' || path === '/simple') {
      unexpected.push(`GET ${url}: the whole project list was asked for`);
      const links = [...projects.keys()].sort().map((name) => `<a href="/simple/${name}/">${name}</a>`);
      return answer(200, page('Simple index', links), 'text/html');
    }
    const simple = /^\/simple\/([^/]+)\/?$/.exec(path);
    if (simple) {
      const project = normalizeName(decodeURIComponent(simple[1] ?? ''));
      record.project = project;
      if (!declared.has(project))
        unexpected.push(`GET ${url}: a request about ${project}, which this test does not expect on pypi.org`);
      // pypi.org redirects a non-normalised name to the normalised URL (PEP 503).
      if (simple[1] !== project || !path.endsWith('/')) {
        record.status = 301;
        res.writeHead(301, { location: `/simple/${project}/` }).end();
        return;
      }
      const files = projects.get(project);
      if (!files) return answer(404, 'Not Found');
      const links = files.map(
        (f) =>
          `<a href="/files/${f.sha256}/${encodeURIComponent(f.fileName)}#sha256=${f.sha256}"${f.requiresPython ? ` data-requires-python="${escapeHtml(f.requiresPython)}"` : ''}>${escapeHtml(f.fileName)}</a>`,
      );
      return answer(200, page(`Links for ${project}`, links), 'text/html');
    }
    const file = /^\/files\/([0-9a-f]{64})\/([^/]+)$/.exec(path);
    if (file) {
      const name = decodeURIComponent(file[2] ?? '');
      for (const [project, files] of projects) {
        const found = files.find((f) => f.sha256 === file[1] && f.fileName === name);
        if (!found) continue;
        record.project = project;
        if (!declared.has(project))
          unexpected.push(`GET ${url}: a download of ${project}, which this test does not expect from pypi.org`);
        return answer(200, found.bytes, 'application/octet-stream');
      }
      unexpected.push(`GET ${url}: no such file`);
      return answer(404, 'Not Found');
    }
    unexpected.push(`${method} ${url}: not a route of the pypi.org stand-in`);
    return answer(404, 'Not Found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    simpleUrl: `${url}/simple/`,
    requests,
    unexpected,
    addPackage(pkg) {
      const project = normalizeName(pkg.name);
      const files = projects.get(project) ?? [];
      for (const f of pkg.files) {
        const bytes = Buffer.isBuffer(f.content) ? f.content : Buffer.from(f.content);
        files.push({
          fileName: f.fileName,
          bytes,
          sha256: createHash('sha256').update(bytes).digest('hex'),
          ...(pkg.requiresPython ? { requiresPython: pkg.requiresPython } : {}),
        });
      }
      projects.set(project, files);
    },
    expect(names) {
      for (const name of names) declared.add(normalizeName(name));
    },
    requestsFor(project) {
      return requests.filter((r) => r.project === normalizeName(project));
    },
    assertClean() {
      const asked = new Set(requests.map((r) => r.project));
      const unused = [...declared].filter((project) => !asked.has(project));
      if (unexpected.length === 0 && unused.length === 0) return;
      throw new Error(
        [
          ...(unexpected.length > 0 ? ['pypi.org stand-in: unexpected requests:', ...unexpected] : []),
          ...(unused.length > 0 ? ['pypi.org stand-in: projects expected but never asked about:', ...unused] : []),
        ].join('\n'),
      );
    },
    resetLog() {
      requests.length = 0;
      unexpected.length = 0;
      declared.clear();
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
