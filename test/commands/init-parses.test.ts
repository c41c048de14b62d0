/**
 * How often `glx init` parses pyproject.toml, with the plain-TOML reader or smol-toml (a text the
 * reader reads counts once; one it declines goes on to smol-toml): once for the original (the indexes,
 * the legacy settings and the edit all read that document), and once per edit step for the
 * verification of the edited text. On a 5,000-line file each full parse is a large share of the
 * command's start-up time. And the CST parser (toml-eslint-parser, positions for the splices)
 * only when there is something to edit, or TOML 1.1 syntax to note.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { glx, tempDir } from '../support/test-deps.js';

const parsed = vi.hoisted(() => ({ texts: [] as string[], cst: 0 }));
vi.mock('smol-toml', async (importOriginal) => {
  const original = await importOriginal<typeof import('smol-toml')>();
  return {
    ...original,
    parse: (text: string, ...rest: unknown[]) => {
      parsed.texts.push(text);
      return (original.parse as (...args: unknown[]) => unknown)(text, ...rest);
    },
  };
});

vi.mock('../../src/pyproject/plain-toml.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/pyproject/plain-toml.js')>();
  return {
    ...original,
    plainToml: (text: string) => {
      const doc = original.plainToml(text);
      if (doc !== undefined) parsed.texts.push(text);
      return doc;
    },
  };
});

vi.mock('toml-eslint-parser', async (importOriginal) => {
  const original = await importOriginal<typeof import('toml-eslint-parser')>();
  return {
    ...original,
    parseTOML: (...args: Parameters<typeof original.parseTOML>) => {
      parsed.cst++;
      return original.parseTOML(...args);
    },
  };
});

const PYPROJECT = '[project]\nname = "demo"\nversion = "0.1.0"\n\n[tool.uv]\npackage = true\n';

let dir: string;
let cleanup: () => void;

beforeEach(() => {
  ({ dir, cleanup } = tempDir());
  writeFileSync(path.join(dir, 'pyproject.toml'), PYPROJECT);
  parsed.texts.length = 0;
  parsed.cst = 0;
});

afterEach(() => cleanup());

function run(args: string[]) {
  return glx(['--cwd', dir, '--host', 'https://gitlab.example.com', 'init', '--group', '42', ...args], {
    homeDir: dir,
  });
}

describe('glx init parses pyproject.toml', () => {
  /** The parses of the whole text: those with the [project] table, which no edit touches. */
  const whole = () => parsed.texts.filter((text) => text.includes('[project]'));

  it('once, and verifies the edit on the sections that can reach tool.uv', async () => {
    const result = await run(['--dry-run']);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain('+[[tool.uv.index]]');
    expect(whole()).toEqual([PYPROJECT]);
    expect(parsed.texts).toEqual([
      PYPROJECT,
      '[tool.uv]\npackage = true\n',
      expect.stringContaining('[[tool.uv.index]]'),
    ]);
  });

  it('once, with each pin verified the same way', async () => {
    const result = await run(['--package', 'acme-utils', '--package', 'acme-cli']);

    expect(result.code).toBe(0);
    const written = readFileSync(path.join(dir, 'pyproject.toml'), 'utf8');
    expect(whole()).toEqual([PYPROJECT]);
    expect(parsed.texts.at(-1)).toBe(written.slice(written.indexOf('[tool.uv]')));
  });

  it('once more, whole, when the edit reaches into a section that cannot hold tool.uv', async () => {
    // No [tool.uv]: the index goes at the end of the file, inside the [project] section.
    const text = '[project]\nname = "demo"\n';
    writeFileSync(path.join(dir, 'pyproject.toml'), text);

    const result = await run([]);

    expect(result.code).toBe(0);
    expect(whole()).toEqual([text, readFileSync(path.join(dir, 'pyproject.toml'), 'utf8')]);
  });

  it('once when there is nothing to change, and without the CST parser', async () => {
    await run([]);
    expect(parsed.cst).toBeGreaterThan(0);
    parsed.texts.length = 0;
    parsed.cst = 0;

    const result = await run(['--dry-run']);

    expect(result.code).toBe(0);
    expect(result.stderr).toContain('nothing to change');
    expect(parsed.texts).toHaveLength(1);
    expect(parsed.cst).toBe(0);
  });

  it('with the CST parser when nothing changes but TOML 1.1 syntax is there to note', async () => {
    writeFileSync(path.join(dir, 'pyproject.toml'), `${PYPROJECT}authors = [{ name = "a", }]\n`);
    await run([]);
    parsed.cst = 0;

    const result = await run(['--dry-run']);

    expect(result.stderr).toContain('nothing to change');
    expect(result.stderr).toContain('this file uses TOML 1.1 syntax');
    expect(parsed.cst).toBeGreaterThan(0);
  });
});
