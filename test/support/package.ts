/**
 * The npm package as a user gets it: `npm pack` of this checkout (already built: `npm test`
 * builds first, and packing must not rebuild dist/ under the other e2e tests), installed from the
 * tarball into an empty directory with `--offline` and an empty cache, so any runtime dependency
 * the bundle lacks makes the install fail.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { execReal } from './test-deps.js';

export interface Installed {
  /** The installed bin script (node_modules/glx/bin/glx.js). */
  bin: string;
  /** Paths in the tarball. */
  files: string[];
  /** The installed package's package.json. */
  manifest: { dependencies?: Record<string, string>; license?: string };
}

const npm = (args: string[], cwd: string) =>
  execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

export function packAndInstall(dir: string): Installed {
  const packed = JSON.parse(npm(['pack', '--ignore-scripts', '--json', '--pack-destination', dir], process.cwd())) as {
    filename: string;
    files: { path: string }[];
  }[];
  const tarball = path.join(dir, packed[0]!.filename);
  const app = path.join(dir, 'app');
  mkdirSync(app);
  npm(
    [
      'install',
      '--offline',
      '--no-audit',
      '--no-fund',
      '--cache',
      path.join(dir, 'npm-cache'),
      '--prefix',
      app,
      tarball,
    ],
    app,
  );
  const root = path.join(app, 'node_modules', 'glx');
  return {
    bin: path.join(root, 'bin', 'glx.js'),
    files: packed[0]!.files.map((file) => file.path),
    manifest: JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')),
  };
}

/** `npm run demo`'s flow (scripts/demo.mjs) with `node` running both the demo and the given glx. */
export function demo(node: string, bin: string) {
  return execReal(node, ['scripts/demo.mjs'], { env: { NO_COLOR: '1', GLX_DEMO_BIN: bin } });
}
