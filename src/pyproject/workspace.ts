/**
 * The uv workspace a directory belongs to, found the way uv finds it
 * (`ProjectWorkspace::from_project`, `find_workspace`, `is_included_in_workspace` and
 * `is_excluded_from_workspace` in crates/uv-workspace/src/workspace.rs):
 *
 * - the nearest pyproject.toml at or above the directory is the project;
 * - when it has `[tool.uv.workspace]`, it is the workspace root itself;
 * - otherwise uv looks at the next pyproject.toml above it, and only that one: when it has
 *   `[tool.uv.workspace]` whose `members` globs match the project's directory and whose `exclude`
 *   globs do not, that is the root; anything else (no workspace table, a project that is not a
 *   member, an excluded one) leaves the project as its own root.
 *
 * uv reads `[[tool.uv.index]]` (and every other `[tool.uv]` setting) from the root only. Light on
 * purpose: `glx env` calls this at shell start-up (the TOML readers and node:fs only).
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { readTextIfExists } from '../util/fs-atomic.js';
import { bracketClass } from '../util/glob.js';
import { findPyproject } from './find.js';
import { isTable, parsePyproject, type TomlTable } from './read.js';

export interface WorkspaceDefinition {
  members: string[];
  exclude: string[];
}

export interface UvProject {
  /** The pyproject.toml uv takes its settings from: the workspace root's, or the project's own. */
  root: string;
  /** The nearest pyproject.toml when it is a workspace member other than the root. */
  member?: string;
  /** `[tool.uv.workspace]` of the root, when the root declares one. */
  workspace?: WorkspaceDefinition;
  /** The root's text and parsed document, so that callers do not read it twice. */
  text: string;
  doc: TomlTable;
}

/** Where uv reads settings for `startDir`; undefined when there is no pyproject.toml at or above it. */
export async function findUvProject(
  startDir: string,
  display: (file: string) => string = (file) => file,
): Promise<UvProject | undefined> {
  const nearest = await findPyproject(startDir);
  if (!nearest) return undefined;
  const own = await readDoc(nearest, display);
  const ownWorkspace = workspaceOf(own.doc);
  if (ownWorkspace) return { root: nearest, workspace: ownWorkspace, ...own };
  const projectDir = path.dirname(nearest);
  const parentDir = path.dirname(projectDir);
  if (parentDir === projectDir) return { root: nearest, ...own };
  // uv stops at the first pyproject.toml above the project, whatever it holds.
  const above = await findPyproject(parentDir);
  if (!above) return { root: nearest, ...own };
  const outerDoc = await readDoc(above, display);
  const outer = workspaceOf(outerDoc.doc);
  if (!outer || !isWorkspaceMember(projectDir, path.dirname(above), outer)) return { root: nearest, ...own };
  return { root: above, member: nearest, workspace: outer, ...outerDoc };
}

/** A member directory matches a `members` glob and no `exclude` glob, both relative to the root. */
export function isWorkspaceMember(projectDir: string, rootDir: string, workspace: WorkspaceDefinition): boolean {
  const matches = (glob: string) => workspaceGlob(path.join(rootDir, glob)).test(path.resolve(projectDir));
  return workspace.members.some(matches) && !workspace.exclude.some(matches);
}

/**
 * uv matches with the glob crate's `Pattern::matches_path` and default options: `*` and `?` also
 * match `/` (require_literal_separator is off), `**` any depth, `[...]`/`[!...]` a class.
 */
export function workspaceGlob(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '*') {
      if (pattern[i + 1] === '*') {
        i++;
        if (pattern[i + 1] === '/') {
          i++;
          source += '(?:.*/)?';
        } else source += '.*';
      } else source += '.*';
    } else if (ch === '?') source += '.';
    else if (ch === '[') {
      const found = bracketClass(pattern, i, ['!']);
      source += found.source;
      i = found.end;
    } else source += ch.replace(/[.+^${}()|\\/]/g, (c) => `\\${c}`);
  }
  return new RegExp(`^${source}/?$`);
}

/**
 * The member directories of a workspace (each with a pyproject.toml), root excluded: every
 * directory below the root that `isWorkspaceMember` accepts, found by listing only the directories
 * a `members` glob can reach (its literal prefix).
 */
export function listWorkspaceMembers(rootDir: string, workspace: WorkspaceDefinition): string[] {
  const found = new Set<string>();
  for (const glob of workspace.members) {
    const literal = glob.split('/').findIndex((segment) => /[*?[]/.test(segment));
    const segments = glob.split('/');
    const prefix = literal < 0 ? segments : segments.slice(0, literal);
    const start = path.join(rootDir, ...prefix);
    const depth =
      literal < 0
        ? 0
        : segments.includes('**') || segments.some((s) => s.includes('**'))
          ? 8
          : segments.length - literal;
    walk(start, depth, (dir) => {
      if (path.resolve(dir) === path.resolve(rootDir)) return;
      if (isFile(path.join(dir, 'pyproject.toml')) && isWorkspaceMember(dir, rootDir, workspace)) found.add(dir);
    });
  }
  return [...found].sort();
}

function walk(dir: string, depth: number, visit: (dir: string) => void): void {
  visit(dir);
  if (depth <= 0) return;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const child = path.join(dir, name);
    if (isDirectory(child)) walk(child, depth - 1, visit);
  }
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

function isDirectory(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

async function readDoc(file: string, display: (file: string) => string): Promise<{ text: string; doc: TomlTable }> {
  const text = (await readTextIfExists(file)) ?? '';
  return { text, doc: parsePyproject(text, display(file)) };
}

/** `[tool.uv.workspace]` as globs; undefined when the table is absent. */
export function workspaceOf(doc: TomlTable): WorkspaceDefinition | undefined {
  const tool = doc.tool;
  const uv = isTable(tool) ? tool.uv : undefined;
  const workspace = isTable(uv) ? uv.workspace : undefined;
  if (!isTable(workspace)) return undefined;
  const strings = (value: unknown) =>
    Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
  return { members: strings(workspace.members), exclude: strings(workspace.exclude) };
}
