/** `npm pack` → an offline install into an empty directory → the installed glx runs the demo flow. */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demo, type Installed, packAndInstall } from '../support/package.js';
import { execReal, tempDir } from '../support/test-deps.js';

const { dir, cleanup } = tempDir('glx-package-');
let installed: Installed;

beforeAll(() => {
  installed = packAndInstall(dir);
}, 120_000);

afterAll(cleanup);

describe('the npm package', () => {
  it('installs offline because it needs nothing at run time', () => {
    expect(installed.manifest.dependencies ?? {}).toEqual({});
    expect(installed.manifest.license).toBe('MIT');
  });

  it('ships the built CLI, the licences, and no sources or tests', () => {
    expect(installed.files).toEqual(
      expect.arrayContaining([
        'bin/glx.js',
        'bin/package.json',
        'dist/glx.js',
        'dist/glx-env.cjs',
        'dist/glx-init.cjs',
        // The fast paths' V8 code caches for the node that built the package (bin/load.cjs).
        `dist/cache/node-${process.version}-${process.platform}-${process.arch}/glx-env.cjs`,
        'bin/load.cjs',
        'dist/help.json',
        'dist/THIRD-PARTY-NOTICES',
        'LICENSE',
        'README.md',
        'package.json',
      ]),
    );
    expect(installed.files.filter((file) => /^(src|test|scripts|bench|\.ci)\//.test(file))).toEqual([]);
    const license = readFileSync('LICENSE', 'utf8');
    expect(license).toMatch(/^MIT License\n/);
  });

  it('names every bundled package in the notices, with its licence text', () => {
    const notices = readFileSync('dist/THIRD-PARTY-NOTICES', 'utf8');
    const bundled = ['commander', 'smol-toml', 'toml-eslint-parser', 'undici', 'yaml', 'zod'];
    for (const name of bundled) {
      const { version, license } = JSON.parse(readFileSync(`node_modules/${name}/package.json`, 'utf8'));
      expect(notices).toContain(`${name} ${version} (${license})`);
    }
    expect(notices).toContain('Permission is hereby granted');
    // Code a package took from elsewhere, with its own licence beside it.
    expect(notices).toContain(
      `lib/web/fetch/LICENSE:\n\n${readFileSync('node_modules/undici/lib/web/fetch/LICENSE', 'utf8').trim()}`,
    );
  });

  it('runs from the installed bin: --version, help, and the whole demo flow', async () => {
    const version = await execReal(process.execPath, [installed.bin, '--version'], {
      env: { PATH: process.env.PATH ?? '' },
    });
    const help = await execReal(process.execPath, [installed.bin, 'init', '--help'], {
      env: { PATH: process.env.PATH ?? '' },
    });
    const flow = await demo(process.execPath, installed.bin);

    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync('package.json', 'utf8')).version);
    expect(help.stdout).toContain('Usage: glx init');
    expect(flow.code, flow.stderr + flow.stdout).toBe(0);
    expect(flow.stdout).toContain(`glx: ${installed.bin} (node ${process.version})`);
    expect(flow.stdout).toContain('Demo complete');
    expect(flow.stdout).toMatch(/✓ project 7: Developer, registry answered 200/);
  });
});
