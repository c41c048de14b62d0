/**
 * The flags of `glx init`, as data: program.ts declares them with commander, and the start-up
 * fast path (main-init.ts) reads the same table without commander (fast-path.ts).
 */
import type { FlagSpec } from './env-options.js';

export const INIT_FLAGS: FlagSpec[] = [
  { flags: '--group <id|path>', description: 'a group registry (numeric id or full path)', conflicts: 'project' },
  { flags: '--project <id|path>', description: 'a project registry (default: the project of git remote origin)' },
  { flags: '--name <name>', description: 'index name in pyproject.toml', default: 'gitlab' },
  {
    flags: '--package <name>',
    description: 'pin this package to the index in [tool.uv.sources] (repeatable; implies --explicit)',
    repeatable: true,
  },
  { flags: '--explicit', description: 'use the index only for pinned packages (explicit = true)' },
  { flags: '--default', description: 'replace PyPI as the default index (default = true)' },
  {
    flags: '--ignore-error-codes <codes>',
    description: 'comma-separated HTTP statuses uv may skip past, e.g. 401,403',
  },
  { flags: '--publish', description: 'also set publish-url (project registries only)' },
  { flags: '--replace', description: 'point an existing index of that --name at this registry instead' },
  { flags: '--migrate', description: 'turn [tool.uv] index-url / extra-index-url for the registry into this index' },
  { flags: '--file <path>', description: 'the pyproject.toml to edit (default: nearest one upward from --cwd)' },
  { flags: '--dry-run', description: 'print the change as a unified diff and write nothing' },
];
