/**
 * The netrc test vectors of real parsers (/work/shared/corpus/netrc, see its README): CPython,
 * rust-netrc (vendored in uv as uv-netrc), curl, go-netrc, the Ruby gem and npm netrc-parser.
 * Where uv reads a vector differently from its upstream parser, the case is listed below with
 * the reason, and counted, never silently skipped.
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { lookup } from '../../src/netrc/lookup.js';
import { type NetrcDocument, parseNetrc } from '../../src/netrc/parse.js';
import { removeNetrc, upsertNetrc } from '../../src/netrc/upsert.js';
import { sharedPath } from '../support/peers.js';

const cases = sharedPath('corpus/netrc/CASES.tsv', 'the netrc corpus');
const present = cases !== undefined;
const dir = pathToFileURL(cases ?? '.');

interface Row {
  file: string;
  parser: string;
  test: string;
  kind: string;
  expected: Record<string, unknown>;
  notes: string;
}

function rows(): Row[] {
  const lines = readFileSync(new URL('CASES.tsv', dir), 'utf8').split('\n').slice(1).filter(Boolean);
  return lines.map((line) => {
    const [file = '', parser = '', , , , test = '', kind = '', expected = '{}', notes = ''] = line.split('\t');
    return { file, parser, test, kind, expected: JSON.parse(expected) as Record<string, unknown>, notes };
  });
}

/** Bytes as uv reads them (`String::from_utf8_lossy`). */
function text(file: string): string {
  return new TextDecoder().decode(readFileSync(new URL(file, dir)));
}

function tryParse(source: string, file: string): NetrcDocument | undefined {
  try {
    return parseNetrc(source, file);
  } catch {
    return undefined;
  }
}

/** Parse vectors where uv reads differently from the parser the vector comes from: none today. */
const PARSE_DIFFERS: Record<string, string> = {};
const MALFORMED_ACCEPTED_BY_UV: Record<string, string> = {
  'curl__test680.netrc': 'curl rejects an unterminated quote (error 26); uv and Python read it to EOF',
};

interface LookupProbe {
  host: string;
  user: string | null;
  expect: { login: string; password: string } | null;
}

/** curl reads netrc its own way (lib/netrc.c); these are the places where uv's reading differs. */
const LOOKUP_DIFFERS: Record<string, string> = {
  'curl__test130.netrc 127.0.0.1': 'curl takes the first matching machine; uv the last (a HashMap insert, uv.md §3.3)',
  'curl__test478.netrc github.com': 'curl turns \\r inside quotes into CR; uv and Python just drop the backslash',
  'curl__test480.netrc 127.0.0.1':
    'curl turns \\r\\n inside quotes into CR LF; uv and Python just drop the backslashes',
  'curl__test679.netrc 127.0.0.1':
    'curl turns \\n, \\r, \\t inside quotes into control characters; uv and Python just drop the backslash',
  'curl__test682.netrc 127.0.0.1':
    'curl searches for the entry whose login is the URL user; uv takes the last entry and gives nothing when its login differs',
  'curl__test685.netrc 127.0.0.1':
    'curl searches for the entry whose login is the URL user; uv takes the last entry and gives nothing when its login differs',
  'curl__test744.netrc foo.host':
    "corpus slip: the expected password has 90 characters, but curl's test744 verifies the file's 91, which is what uv reads",
  'curl__test792.netrc 127.0.0.1':
    'curl stops reading a line at a NUL byte; for uv "password\\0…" is an unknown word, so it ignores the whole file',
  'curl__test793.netrc 127.0.0.1':
    'curl stops reading a line at a NUL byte; for uv the word after it is unknown, so it ignores the whole file',
  'curl__test2039.netrc 127.0.0.1':
    'curl stops at a default entry that comes first; uv looks the host up by name and finds its machine entry',
};

const summary = {
  parseAgree: 0,
  parseDiffer: 0,
  malformedRejected: 0,
  malformedAccepted: 0,
  lookupAgree: 0,
  lookupDiffer: 0,
  edited: 0,
  unparseable: 0,
  quotedUpdateRefused: 0,
};

function fieldsOf(doc: NetrcDocument, name: string): Record<string, string> | undefined {
  const entry = doc.entries.filter((e) => (e.kind === 'default' ? 'default' : e.host) === name).at(-1);
  if (!entry) return undefined;
  // uv reads an absent keyword as "" (Authenticator::default), so null and "" compare equal.
  return { login: entry.login ?? '', account: entry.account ?? '', password: entry.password ?? '' };
}

function agreesWithParse(doc: NetrcDocument, expected: Record<string, unknown>): boolean {
  if ('hosts' in expected && 'macros' in expected) {
    const macros = expected.macros as Record<string, string[]>;
    return (
      doc.entries.length === Object.keys(expected.hosts as object).length &&
      Object.entries(macros).every(([name, body]) => {
        const macro = doc.macros.find((m) => m.name === name);
        return (
          macro !== undefined &&
          JSON.stringify(macro.lines.map((l) => l.trim())) === JSON.stringify(body.map((l) => l.trim()))
        );
      })
    );
  }
  return Object.entries(expected).every(([name, want]) => {
    const got = fieldsOf(doc, name);
    if (want === null) return got === undefined;
    if (!got) return false;
    return Object.entries(want as Record<string, string | null>).every(([key, value]) => got[key] === (value ?? ''));
  });
}

describe.skipIf(!present)('netrc corpus', () => {
  const all = present ? rows() : [];

  afterAll(() => {
    // The summary count is part of the report: how many vectors agree, differ, were refused.
    console.log(`netrc corpus: ${JSON.stringify(summary)}`);
  });

  describe('parse vectors', () => {
    it.each(all.filter((r) => r.kind === 'parse').map((r) => [r.file, r] as const))(
      '%s reads as uv reads it',
      (_name, row) => {
        const doc = tryParse(text(row.file), row.file);
        const agrees = doc !== undefined && agreesWithParse(doc, row.expected);
        const documented = PARSE_DIFFERS[row.file];

        if (agrees) summary.parseAgree++;
        else summary.parseDiffer++;

        expect(agrees, documented ?? `undocumented difference for ${row.file}`).toBe(documented === undefined);
      },
    );
  });

  describe('malformed vectors', () => {
    it.each(all.filter((r) => r.kind === 'malformed').map((r) => [r.file, r] as const))(
      '%s is rejected when uv rejects it',
      (_name, row) => {
        const rejected = tryParse(text(row.file), row.file) === undefined;
        const documented = MALFORMED_ACCEPTED_BY_UV[row.file];

        if (rejected) summary.malformedRejected++;
        else summary.malformedAccepted++;

        expect(rejected, documented ?? `undocumented: uv accepts ${row.file}`).toBe(documented === undefined);
      },
    );

    it('names the file, line and column of the first bad word', () => {
      expect(() => parseNetrc(text('rust-netrc__invalid_tokens_3.netrc'), 'f.netrc')).toThrow(/^f\.netrc:1:62: /);
    });
  });

  describe('curl lookup vectors', () => {
    const probes = all
      .filter((r) => r.kind === 'lookup')
      .flatMap((row) => {
        const lookups = (row.expected.lookups ?? []) as LookupProbe[];
        const parse = row.expected.parse as Record<string, { login: string; password: string }> | undefined;
        const fromParse = Object.entries(parse ?? {}).map(([host, want]) => ({ host, user: null, expect: want }));
        return [...lookups, ...fromParse]
          .filter((probe) => !probe.host.startsWith('('))
          .map((probe) => [`${row.file} ${probe.host}`, row.file, probe] as const);
      });

    it.each(probes)('%s: uv finds what curl finds, or the difference is documented', (key, file, probe) => {
      const doc = tryParse(text(file), file);
      const found = doc && lookup(doc, probe.host, probe.user ?? undefined);
      const same =
        probe.expect === null
          ? found === undefined
          : found?.login === probe.expect.login && found?.password === probe.expect.password;
      const documented = LOOKUP_DIFFERS[key];

      if (same) summary.lookupAgree++;
      else summary.lookupDiffer++;

      expect(same, documented ?? `undocumented difference for ${key}`).toBe(documented === undefined);
    });
  });

  describe('edits keep everything else', () => {
    const files = [...new Set(all.map((r) => r.file))];
    it.each(files)('%s: adding, updating and removing a host leaves other bytes and entries alone', (file) => {
      const source = text(file);
      const doc = tryParse(source, file);
      if (!doc) {
        summary.unparseable++;
        expect(() => upsertNetrc(source, { host: 'gitlab.example.com', login: 'u', password: 'p' })).toThrow();
        return;
      }
      summary.edited++;

      const added = upsertNetrc(source, { host: 'gitlab.example.com', login: '__token__', password: 'glpat-x y"z' });
      const addedDoc = parseNetrc(added.text, file);
      const removed = removeNetrc(added.text, 'gitlab.example.com');

      expect(added.action).toBe('added');
      expect(lookup(addedDoc, 'gitlab.example.com')?.password).toBe('glpat-x y"z');
      expect(others(addedDoc, 'gitlab.example.com')).toEqual(others(doc, 'gitlab.example.com'));
      expect(isInsertion(source, added.text)).toBe(true);
      expect(others(parseNetrc(removed.text, file), 'gitlab.example.com')).toEqual(others(doc, 'gitlab.example.com'));

      const target = doc.entries
        .filter((e) => e.kind === 'machine' && e.host && /^[\w.-]+$/.test(e.host) && e.host === e.host.toLowerCase())
        .at(-1);
      if (!target?.host) return;
      const lineEnd =
        source.indexOf('\n', target.span.end) === -1 ? source.length : source.indexOf('\n', target.span.end);
      for (const password of ['glpat-Updated_0123456789', 'new #pass']) {
        let updated: ReturnType<typeof upsertNetrc>;
        try {
          updated = upsertNetrc(source, { host: target.host, login: 'new-login', password });
        } catch (error) {
          // Only a value that needs quotes may be refused (a quoted value before a `# comment` line).
          expect(password).toBe('new #pass');
          expect((error as { code?: string }).code).toBe('NETRC_INVALID');
          summary.quotedUpdateRefused++;
          continue;
        }
        const updatedDoc = parseNetrc(updated.text, file);

        expect(lookup(updatedDoc, target.host)).toMatchObject({ login: 'new-login', password });
        expect(others(updatedDoc, target.host)).toEqual(others(doc, target.host));
        expect(updated.text.startsWith(source.slice(0, target.span.start))).toBe(true);
        expect(updated.text.endsWith(source.slice(lineEnd))).toBe(true);
      }
    });
  });
});

/** What uv reads for every name except `host`. */
function others(doc: NetrcDocument, host: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const entry of doc.entries) {
    const name = entry.kind === 'default' ? 'default' : (entry.host ?? '');
    if (name !== host) out[name] = [entry.login ?? '', entry.account ?? '', entry.password ?? ''];
  }
  out['#macros'] = doc.macros.map((m) => [m.name, m.lines]);
  return out;
}

/** `after` is `before` with text inserted at one place. */
function isInsertion(before: string, after: string): boolean {
  let i = 0;
  while (i < before.length && before[i] === after[i]) i++;
  return after.endsWith(before.slice(i)) && after.length > before.length;
}
