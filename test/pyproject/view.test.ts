/**
 * The parts of pyproject.toml the editor parses (src/pyproject/view.ts) hide nothing it reads:
 * on every input, the CST parseCst returns and the CST of the whole text hold the same
 * definitions under tool.uv (kind, path, range, lines and columns), the same tokens inside
 * them, and the same TOML 1.1 verdict and position. Inputs: the golden inputs, the ../shared corpus, tricky hand-written cases, and
 * documents assembled at random (seeded) from sections that try to fool the scanner.
 */
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { type AST, parseTOML } from 'toml-eslint-parser';
import { describe, expect, test } from 'vitest';
import { upsertIndex } from '../../src/pyproject/edit.js';
import { definitions, parseCst } from '../../src/pyproject/locate.js';
import { parsePyproject } from '../../src/pyproject/read.js';
import { editSegments, headerPath, headerStarts, sections, sectionsAfterEdit } from '../../src/pyproject/view.js';
import { sharedPath } from '../support/peers.js';
import { withSeed } from '../support/seed.js';

const underToolUv = (path: readonly (string | number)[]) =>
  path.slice(0, 2).every((key, i) => key === ['tool', 'uv'][i]);

/** What the editor can see of a CST: the tool.uv definitions with their ranges, and their tokens. */
function seen(program: AST.TOMLProgram) {
  const defs = definitions(program).filter((def) => underToolUv(def.path));
  const ranges = defs.map((def) => def.node.range);
  const tokens = program.tokens.filter((token) =>
    ranges.some(([start, end]) => token.range[0] >= start && token.range[1] <= end),
  );
  const where = (item: { range: [number, number]; loc: AST.SourceLocation }) =>
    `${item.range} ${item.loc.start.line}:${item.loc.start.column}-${item.loc.end.line}:${item.loc.end.column}`;
  return {
    defs: defs.map((def) => `${def.kind} ${JSON.stringify(def.path)} ${where(def.node)}`),
    tokens: tokens.map((token) => `${token.value}@${where(token)}`),
  };
}

function whole(text: string) {
  try {
    return { program: parseTOML(text, { tomlVersion: '1.0.0' }), toml11: undefined };
  } catch (error) {
    const { lineNumber, column } = error as { lineNumber: number; column: number };
    return { program: parseTOML(text, { tomlVersion: '1.1.0' }), toml11: { line: lineNumber, column: column + 1 } };
  }
}

/** The view shows the editor what the whole text shows it, on any text smol-toml accepts. */
function expectSameSight(text: string): void {
  const reference = whole(text);
  const viewed = parseCst(text, 'pyproject.toml');
  expect(seen(viewed.program)).toEqual(seen(reference.program));
  expect(viewed.toml11 && { line: viewed.toml11.line, column: viewed.toml11.column }).toEqual(reference.toml11);
}

const TRICKY = [
  // A header-looking line inside multi-line strings, arrays and comments.
  '[tool.ruff]\ndoc = """\n[tool.uv]\nx = 1\n"""\n\n[tool.uv]\npackage = true\n',
  "[tool.x]\ns = '''\n[[tool.uv.index]]\n'''\n[[tool.uv.index]]\nname = 'a'\nurl = 'https://a/simple'\n",
  '[tool.x]\nq = """quote""""\ny = "\\"[tool.uv]"\n[tool.uv]\nmanaged = true\n',
  '[project]\ndependencies = [\n["nested"],\n  "b", # ] [tool.uv]\n]\n[tool.uv]\npackage = true\n',
  '[tool.y]\nlit = \'C:\\path\\\'\n[tool.uv.sources]\nfoo = { index = "a" }\n',
  // Quoted and spaced headers, dotted keys reaching tool.uv from above.
  '["tool" . \'uv\']\npackage = true\n[ tool . uv . sources ]\nbar = { index = "b" }\n',
  '["tool.uv"]\nnot-uv = 1\n[tool.uv]\nmanaged = false\n',
  'tool.uv.managed = true\n[project]\nname = "x"\n',
  '[tool]\nuv.index = [{ name = "a", url = "https://a/simple" }]\n[tool.other]\nz = 1\n',
  '[tool]\nuv.managed = true\n[tool.other]\nz = 1\n',
  // Quotes in comments open no string.
  '[tool.x]\n# a """ quote\n[tool.uv]\npackage = true\n',
  "[tool.x] # it's\n[tool.uv]\npackage = true\n",
  // Brackets in comments and strings open nothing.
  '[tool.x]\na = 1 # [ unbalanced\n[tool.uv]\npackage = true\n',
  '[tool.x]\nlit = \'[\'\nbasic = "["\n[tool.uv]\npackage = true\n',
  // An escaped quote does not end a basic string; a backslash ends nothing in a literal one.
  '[tool.x]\ny = "\\"["\n[tool.uv]\nmanaged = true\n',
  '[tool.x]\nm = """\n\\"""\n[tool.uv]\n"""\n[tool.uv]\nmanaged = true\n',
  '[tool."u\\u0076"]\npackage = true\n',
  // TOML 1.1-only syntax in a section the editor does not otherwise need.
  '[tool.clock]\nat = 07:32\n[tool.uv]\npackage = true\n',
  '[tool.inline]\nt = { a = 1, }\n[tool.uv]\npackage = true\n',
  '[tool.esc]\ne = "\\e[0m"\n[tool.uv]\npackage = true\n',
  // CRLF, tabs, no final newline, a BOM-less file with only unrelated sections.
  '[project]\r\nname = "x"\r\n\r\n[tool.uv]\r\n\tpackage = true',
  '[project]\nname = "x"\n[tool.black]\nline-length = 88\n',
];

describe('the scanner', () => {
  test('finds headers only at the top level', () => {
    const text = TRICKY[0]!;
    expect(headerStarts(text).map((start) => text.slice(start, text.indexOf('\n', start)))).toEqual([
      '[tool.ruff]',
      '[tool.uv]',
    ]);
    const escaped = TRICKY.find((text) => text.includes('y = "\\"["'))!;
    expect(headerStarts(escaped)).toEqual([0, escaped.indexOf('[tool.uv]')]);
    const arrays = TRICKY[3]!;
    expect(headerStarts(arrays).map((start) => arrays.slice(start, arrays.indexOf('\n', start)))).toEqual([
      '[project]',
      '[tool.uv]',
    ]);
  });

  test('reads header keys, or gives up on what it cannot read for certain', () => {
    expect(headerPath('[ tool . "uv" . \'index\' ]')).toEqual(['tool', 'uv', 'index']);
    expect(headerPath('[[tool.uv.index]]\nname = "a"')).toEqual(['tool', 'uv', 'index']);
    expect(headerPath('["tool.uv"]')).toEqual(['tool.uv']);
    expect(headerPath('[tool."u\\u0076"]')).toBeUndefined();
    expect(headerPath('["a]b"]')).toBeUndefined();
  });

  test('leaves out what cannot reach tool.uv, saying where the rest starts', () => {
    const text =
      'top = 1\n[project]\nname = "x"\n\n[tool.black]\nline-length = 88\n\n  [tool.uv]\npackage = true\n[tool.uv.sources]\nx = 1\n';

    expect(editSegments(text)).toEqual([
      { start: 0, line: 1, text: 'top = 1\n' },
      { start: text.indexOf('  [tool.uv]'), line: 8, text: '  [tool.uv]\npackage = true\n[tool.uv.sources]\nx = 1\n' },
    ]);
    expect(editSegments('[tool.uv]\npackage = true\n')).toBeUndefined();
  });
});

describe('the view shows the editor what the whole text does', () => {
  test.each(TRICKY.map((text, i) => [i, text]))('tricky case %i', (_, text) => {
    parsePyproject(text, 'pyproject.toml');
    expectSameSight(text);
  });

  test('the golden inputs', () => {
    const root = new URL('../golden/pyproject/', import.meta.url);
    const inputs = readdirSync(root, { withFileTypes: true }).filter((entry) => entry.isDirectory());
    for (const entry of inputs) {
      const text = readFileSync(new URL(`${entry.name}/input.toml`, root), 'utf8').replace(/^\uFEFF/, '');
      try {
        parsePyproject(text, 'pyproject.toml');
        whole(text);
      } catch {
        continue; // the refusals of unreadable input are edit.test.ts's business
      }
      expectSameSight(text);
    }
  });

  const corpus = sharedPath('corpus/pyproject', 'the view on the pyproject corpus');
  test.runIf(corpus !== undefined)('the pyproject corpus', () => {
    let leftOut = 0;
    for (const name of readdirSync(corpus!).filter((file) => file.endsWith('.toml'))) {
      const text = readFileSync(`${corpus}/${name}`, 'utf8').replace(/^\uFEFF/, '');
      try {
        parsePyproject(text, name);
        whole(text);
      } catch {
        continue;
      }
      expectSameSight(text);
      if (editSegments(text)) leftOut++;
    }
    expect(leftOut).toBeGreaterThan(100);
  });

  test('documents assembled at random from sections that try to fool the scanner', () => {
    const sections = fc.constantFrom(
      ...TRICKY,
      '[tool.uv]\npackage = true\n',
      '[[tool.uv.index]]\nname = "b"\nurl = "https://b/simple"\n',
      '[tool.uv.sources]\nlib = { index = "b" }\n',
      '[project]\nname = "demo"\nversion = "1.0"\n',
      '[tool.pytest.ini_options]\naddopts = "-q [x]"\nmarkers = [\n  "slow: [ ] }",\n]\n',
      "[tool.notes]\ntext = '''\n]]\n[[\n'''\n",
      '# [tool.uv]\n[tool.mypy]\nstrict = true\n',
      '[tool.cfg]\ntable = { a = [1, [2, 3]], b = { c = "}" } }\n',
    );
    const property = fc.property(fc.array(sections, { minLength: 1, maxLength: 6 }), fc.boolean(), (parts, crlf) => {
      const text = crlf ? parts.join('\n').replace(/\r?\n/g, '\r\n') : parts.join('\n');
      try {
        parsePyproject(text, 'pyproject.toml');
        whole(text);
      } catch {
        return; // duplicate tables and the like: not a file the editor is given
      }
      expectSameSight(text);
    });
    fc.assert(property, withSeed({ numRuns: 400 }));
  });
});

describe('on a large file', () => {
  test('with no tool.uv part, the editor parses nothing of it and appends the index', () => {
    const text = `[project]\nname = "big"\ndependencies = [\n${Array.from({ length: 3000 }, (_, i) => `  "p${i}",\n`).join('')}]\n`;
    const spec = { name: 'gitlab', url: 'https://gitlab.example.com/api/v4/groups/42/-/packages/pypi/simple' } as const;

    expect(editSegments(text)).toEqual([]);
    expect(parseCst(text, 'pyproject.toml').program.tokens).toEqual([]);
    expect(upsertIndex(text, spec, 'pyproject.toml').text).toBe(
      `${text}\n[[tool.uv.index]]\nname = "gitlab"\nurl = "${spec.url}"\n`,
    );
  });

  test('the editor parses a few lines of it, and the edit is the one the whole text gives', () => {
    const lines = ['[project]', 'name = "big"', 'dependencies = ['];
    for (let i = 0; i < 2400; i++) lines.push(`  "package-${i}>=1.${i}",`);
    lines.push(']', '');
    for (let i = 0; i < 500; i++) lines.push(`[tool.bench.section${i}]`, `key = "value ${i}"`, '');
    lines.push('[tool.uv]', 'package = true', '');
    const text = lines.join('\n');
    const spec = {
      name: 'gitlab',
      url: 'https://gitlab.example.com/api/v4/groups/42/-/packages/pypi/simple',
      authenticate: 'always',
    } as const;

    const segments = editSegments(text);
    const edited = upsertIndex(text, spec, 'pyproject.toml');

    expect(segments?.map((segment) => segment.text)).toEqual(['[tool.uv]\npackage = true\n']);
    expectSameSight(text);
    expect(edited.text).toBe(
      `${text}\n[[tool.uv.index]]\nname = "gitlab"\nurl = "${spec.url}"\nauthenticate = "always"\n`,
    );
  });
});

describe('the sections of an edited text', () => {
  const PARTS = [
    '[project]\nname = "demo"\ndependencies = [\n  "a",\n  "b [x]",\n]\n',
    '[tool.uv]\npackage = true\n',
    '[[tool.uv.index]]\nname = "b"\nurl = "https://b/simple"\n',
    '[tool.uv.sources]\nlib = { index = "b" }\n',
    '[tool.ruff]\ndoc = """\n[tool.uv]\n"""\n',
    "[tool.notes]\ntext = '''\n]]\n[[\n'''\n",
    '# [tool.uv]\n[tool.mypy]\nstrict = true\n',
    '[tool.clock]\nat = 07:32\n',
    '  [ tool.uv.sources ]\nx = { index = "b" }\n',
  ];
  // What an edit may put inside a section: the editor's own lines, and text that would fool a scanner
  // that trusted the old layout (an open string or array, a new header, a removed line break).
  const INSERTS = [
    '\n[[tool.uv.index]]\nname = "gitlab"\nurl = "https://g/simple"\n',
    'explicit = true\n',
    '"""',
    "'''",
    'x = [\n',
    ']\n',
    '{',
    '# ',
    '"',
    '\n[tool.other]\n',
    '',
  ];

  test('are the ones a scan of the whole edited text finds', () => {
    const property = fc.property(
      fc.array(fc.constantFrom(...PARTS), { minLength: 1, maxLength: 6 }),
      fc.nat(),
      fc.nat(),
      fc.array(fc.tuple(fc.constantFrom(...INSERTS), fc.nat(), fc.nat({ max: 12 })), { minLength: 1, maxLength: 3 }),
      (parts, pickFirst, pickLast, edits) => {
        const text = parts.join('\n');
        const before = sections(text);
        const uv = before.flatMap((section, i) =>
          section.path && section.path[0] === 'tool' && section.path[1] === 'uv' ? [i] : [],
        );
        if (uv.length === 0) return;
        const first = uv[pickFirst % uv.length]!;
        const last = Math.max(first, uv[pickLast % uv.length]!);
        // Splices inside sections first..last, after the first one's line start, in text order.
        const span = { start: before[first]!.start + 1, end: before[last]!.end };
        const splices = edits
          .map(([insert, at, cut]) => {
            const start = span.start + (at % Math.max(1, span.end - span.start));
            return { start, end: Math.min(span.end, start + cut), text: insert };
          })
          .sort((a, b) => a.start - b.start)
          .filter((splice, i, all) => i === 0 || splice.start >= all[i - 1]!.end);
        let edited = text;
        for (const splice of [...splices].reverse())
          edited = edited.slice(0, splice.start) + splice.text + edited.slice(splice.end);

        const quick = sectionsAfterEdit(before, edited, first, last, edited.length - text.length);
        if (quick) expect(quick).toEqual(sections(edited));
      },
    );
    fc.assert(property, withSeed({ numRuns: 2000 }));
  });
});
