/**
 * The layers of src/ point one way: a command file does not reach into
 * another command, doctor/ does not reach into commands/, the domain folders know nothing of the
 * CLI, and the import graph has no circle. Type-only imports count: they tie the layers together
 * as much as value imports do.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = 'src';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(file);
    return entry.name.endsWith('.ts') ? [file] : [];
  });
}

/** `import ... from '...'`, `export ... from '...'`, `import '...'` and `import('...')`. */
const IMPORT = /(?:\b(?:import|export)\b[^'";]*?\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"]([^'"]+)['"]/g;

/** Relative imports of each file under src/, as paths relative to src/ (`commands/env.ts`). */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(SRC)) {
    const targets = [...readFileSync(file, 'utf8').matchAll(IMPORT)]
      .map((match) => match[1]!)
      .filter((specifier) => specifier.startsWith('.'))
      .map((specifier) => path.relative(SRC, path.resolve(path.dirname(file), specifier.replace(/\.js$/, '.ts'))));
    graph.set(path.relative(SRC, file), [...new Set(targets)]);
  }
  return graph;
}

const folder = (file: string) => (file.includes('/') ? file.slice(0, file.indexOf('/')) : '');

/**
 * A command's thin action wrapper may import its own command: `commands/env-action.ts` imports
 * `commands/env.ts`, and `commands/env-verify.ts`, the half of env it loads only for --verify.
 */
function isOwnActionWrapper(from: string, to: string): boolean {
  const base = path.basename(from, '.ts');
  if (!base.endsWith('-action')) return false;
  const command = base.slice(0, -'-action'.length);
  const target = path.basename(to, '.ts');
  return target === command || (target.startsWith(`${command}-`) && target !== base);
}

/** The CLI layer: the program, its context, and one file per command. */
const CLI_LAYER = ['cli', 'commands'];
/** Everything else under src/: each folder knows nothing of the CLI layer. */
const DOMAINS = [
  'credentials',
  'resolve',
  'doctor',
  'pyproject',
  'netrc',
  'gitlab',
  'gitlab-ci',
  'dist',
  'git',
  'util',
];

/** Every arrow that breaks a layering rule, as `from -> to (rule)`. */
function layerViolations(graph: Map<string, string[]>): string[] {
  const found: string[] = [];
  for (const [from, targets] of graph) {
    for (const to of targets) {
      const [a, b] = [folder(from), folder(to)];
      if (a === 'commands' && b === 'commands' && !isOwnActionWrapper(from, to))
        found.push(`${from} -> ${to} (a command imports another command)`);
      else if (a === 'doctor' && b === 'commands') found.push(`${from} -> ${to} (doctor imports a command)`);
      else if (DOMAINS.includes(a) && CLI_LAYER.includes(b))
        found.push(`${from} -> ${to} (a domain module imports the CLI layer)`);
    }
  }
  return found;
}

/** Every import circle, each as the files on it (first file repeated at the end). */
function importCycles(graph: Map<string, string[]>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string) => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of [...graph.keys()].sort()) if (!state.has(file)) visit(file);
  return cycles;
}

describe('the import graph of src/', () => {
  const graph = importGraph();

  it('is read from every source file, following value, type and dynamic imports', () => {
    expect(graph.get('main.ts')).toContain('cli/run-cli.ts');
    expect(graph.get('cli/program.ts')).toContain('commands/init.ts');
    expect(graph.get('cli/context.ts')).toContain('deps.ts');
    for (const targets of graph.values()) for (const to of targets) expect(graph.has(to), `${to} exists`).toBe(true);
  });

  it('puts every folder of src/ in a layer, so a new folder is checked too', () => {
    const folders = readdirSync(SRC, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
    expect(folders.filter((name) => !CLI_LAYER.includes(name) && !DOMAINS.includes(name))).toEqual([]);
  });

  it('has no command importing another command, no doctor check importing a command, no domain module importing the CLI', () => {
    expect(layerViolations(graph)).toEqual([]);
  });

  it('has no import circle', () => {
    expect(importCycles(graph).map((cycle) => cycle.join(' -> '))).toEqual([]);
  });
});

describe('the layer checks', () => {
  it('catch each kind of wrong arrow and allow an action wrapper to import its own command', () => {
    const graph = new Map([
      ['commands/env-action.ts', ['commands/env.ts', 'commands/env-verify.ts']],
      ['commands/env.ts', ['pyproject/read.ts']],
      ['commands/env-verify.ts', ['commands/env.ts']],
      ['commands/auth.ts', ['commands/env.ts']],
      ['doctor/check.ts', ['commands/auth.ts']],
      ['resolve/host.ts', ['cli/context.ts']],
      ['git/repo.ts', ['commands/auth.ts']],
      ['cli/context.ts', []],
      ['pyproject/read.ts', []],
    ]);

    expect(layerViolations(graph)).toEqual([
      'commands/env-verify.ts -> commands/env.ts (a command imports another command)',
      'commands/auth.ts -> commands/env.ts (a command imports another command)',
      'doctor/check.ts -> commands/auth.ts (doctor imports a command)',
      'resolve/host.ts -> cli/context.ts (a domain module imports the CLI layer)',
      'git/repo.ts -> commands/auth.ts (a domain module imports the CLI layer)',
    ]);
  });

  it('find a circle of any length, and none in a graph that only shares a target', () => {
    expect(
      importCycles(
        new Map([
          ['a.ts', ['b.ts']],
          ['b.ts', ['c.ts']],
          ['c.ts', ['a.ts']],
        ]),
      ),
    ).toEqual([['a.ts', 'b.ts', 'c.ts', 'a.ts']]);
    expect(
      importCycles(
        new Map([
          ['a.ts', ['b.ts', 'c.ts']],
          ['b.ts', ['c.ts']],
          ['c.ts', []],
        ]),
      ),
    ).toEqual([]);
  });
});
