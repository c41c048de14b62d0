// `glx publish` against the GitLab stand-in on 127.0.0.1, with files written here:
//  - 8 wheels of 64 MB and 200 wheels of 100 KB: glx wall time next to curl (multipart -F, the
//    floor; 4 at a time like glx), `uv publish` and twine (both upload one file at a time and have
//    no concurrency setting);
//  - peak RSS of glx for one 1 GB wheel against one 10 MB wheel (RSS=0 skips it).
// Run by hand (`npm run bench publish`, which builds first); numbers go in the notes, never in tests.
// GLX_BIN and GLX_FAKE point at other builds of the CLI and of the stand-in; RUNS sets the repeats;
// UV and TWINE name the binaries (default: uv on PATH, and twine from .ci/run's venv, else PATH).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { median } from './lib.mjs';

const GLX = process.env.GLX_BIN ?? path.resolve('bin/glx.js');
const FAKE = process.env.GLX_FAKE ?? path.resolve('.build/fake-gitlab.mjs');
const RUNS = Number(process.env.RUNS ?? 3);
const CONCURRENCY = 4;
const MB = 1024 * 1024;
const KB = 1024;
const UV = process.env.UV ?? 'uv';
const venvTwine = path.join(
  process.env.XDG_CACHE_HOME ?? path.join(homedir(), '.cache'),
  'glx-ci',
  'venv',
  'bin',
  'twine',
);
const TWINE = process.env.TWINE ?? (existsSync(venvTwine) ? venvTwine : 'twine');

for (const file of [GLX, FAKE]) {
  if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` first`);
}

/** Wheels with one stored member of random bytes, written by Python's zipfile in 1 MB writes. */
function writeWheels(dir, specs) {
  const script = `
import json, os, sys, zipfile
for spec in json.load(sys.stdin):
    name, size = spec['name'], spec['size']
    norm = name.replace('-', '_')
    path = os.path.join(spec['dir'], '%s-1.0-py3-none-any.whl' % norm)
    with zipfile.ZipFile(path, 'w', zipfile.ZIP_STORED) as z:
        with z.open(norm + '/data.bin', 'w', force_zip64=True) as f:
            left = size
            while left > 0:
                n = min(left, 1 << 20)
                f.write(os.urandom(n))
                left -= n
        z.writestr(norm + '-1.0.dist-info/METADATA', 'Metadata-Version: 2.1\\nName: %s\\nVersion: 1.0\\nSummary: bench\\n' % name)
        z.writestr(norm + '-1.0.dist-info/WHEEL', 'Wheel-Version: 1.0\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n')
        z.writestr(norm + '-1.0.dist-info/RECORD', '')
    print(path)
`;
  mkdirSync(dir, { recursive: true });
  return new Promise((resolve, reject) => {
    const child = spawn('python3', ['-c', script], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('close', (code) =>
      code === 0 ? resolve(out.trim().split('\n')) : reject(new Error(`python3 exited ${code}`)),
    );
    child.stdin.end(JSON.stringify(specs.map((spec) => ({ ...spec, dir }))));
  });
}

/** A fresh stand-in per run, in its own process, so every run uploads to an empty registry. */
async function startFake() {
  // No digest checks: the stand-in's BigInt BLAKE2b takes longer per small file than any client does.
  const child = spawn(process.execPath, [FAKE, '--no-verify-digests'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`fake GitLab exited ${code}`)));
  });
  const info = JSON.parse(line);
  return {
    url: info.url,
    apiUrl: info.apiUrl,
    token: info.tokens.alicePat,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', resolve);
        child.stdin.end();
      }),
  };
}

function run(cmd, args, env = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(stderr) : reject(new Error(`${cmd} exited ${code}: ${stderr.slice(-2000)}`)),
    );
  });
}

async function timed(fn) {
  const fake = await startFake();
  try {
    const started = process.hrtime.bigint();
    await fn(fake);
    return Number(process.hrtime.bigint() - started) / 1e6;
  } finally {
    await fake.stop();
  }
}

function glxArgs(fake, files) {
  return [GLX, 'publish', ...files, '--project', '7', '--host', fake.url, '--concurrency', String(CONCURRENCY)];
}

const tools = {
  glx: (fake, files) => run(process.execPath, glxArgs(fake, files), { GITLAB_TOKEN: fake.token }),
  curl: async (fake, files) => {
    const queue = [...files];
    const worker = async () => {
      for (let file = queue.shift(); file; file = queue.shift()) {
        const name = path.basename(file).split('-')[0].replace(/_/g, '-');
        await run('curl', [
          '-sS',
          '-f',
          '-o',
          '/dev/null',
          '-u',
          `__token__:${fake.token}`,
          '-F',
          `name=${name}`,
          '-F',
          'version=1.0',
          '-F',
          `content=@${file}`,
          `${fake.apiUrl}/projects/7/packages/pypi`,
        ]);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  },
  uv: (fake, files) =>
    run(
      UV,
      [
        'publish',
        '--no-progress',
        '--trusted-publishing',
        'never',
        '--publish-url',
        `${fake.apiUrl}/projects/7/packages/pypi`,
        ...files,
      ],
      {
        UV_PUBLISH_USERNAME: '__token__',
        UV_PUBLISH_PASSWORD: fake.token,
      },
    ),
  twine: (fake, files) =>
    run(
      TWINE,
      [
        'upload',
        '--non-interactive',
        '--disable-progress-bar',
        '--repository-url',
        `${fake.apiUrl}/projects/7/packages/pypi`,
        ...files,
      ],
      {
        TWINE_USERNAME: '__token__',
        TWINE_PASSWORD: fake.token,
      },
    ),
};

/** Peak resident set size of one glx run, in MB: GNU time when present, else VmHWM from /proc. */
async function peakRss(file) {
  const fake = await startFake();
  try {
    const env = { GITLAB_TOKEN: fake.token };
    if (existsSync('/usr/bin/time')) {
      const stderr = await run(
        '/usr/bin/time',
        ['-f', 'peak-rss-kb %M', process.execPath, ...glxArgs(fake, [file])],
        env,
      );
      return Number(/peak-rss-kb (\d+)/.exec(stderr)?.[1]) / 1024;
    }
    const child = spawn(process.execPath, glxArgs(fake, [file]), { stdio: 'ignore', env: { ...process.env, ...env } });
    let peak = 0;
    const timer = setInterval(() => {
      try {
        peak = Math.max(
          peak,
          Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0),
        );
      } catch {}
    }, 20);
    await new Promise((resolve) => child.on('close', resolve));
    clearInterval(timer);
    return peak / 1024;
  } finally {
    await fake.stop();
  }
}

/** Every tool on `files`, RUNS times in turn (a fresh stand-in each time); prints medians and ratios. */
async function compare(title, files) {
  const times = { glx: [], curl: [], uv: [], twine: [] };
  for (let i = 0; i < RUNS; i++) {
    for (const name of Object.keys(times)) times[name].push(await timed((fake) => tools[name](fake, files)));
  }
  const m = Object.fromEntries(Object.entries(times).map(([name, list]) => [name, median(list)]));
  console.log(
    `${title}, median of ${RUNS} (glx and curl ${CONCURRENCY} at a time; uv publish and twine one at a time):`,
  );
  for (const [name, list] of Object.entries(times))
    console.log(`  (${name} runs: ${list.map((ms) => (ms / 1000).toFixed(2)).join(', ')} s)`);
  console.log(`  curl -F (floor)   ${(m.curl / 1000).toFixed(2)} s`);
  console.log(`  glx publish       ${(m.glx / 1000).toFixed(2)} s   ${(m.glx / m.curl).toFixed(2)}× curl`);
  console.log(`  uv publish        ${(m.uv / 1000).toFixed(2)} s   glx is ${(m.uv / m.glx).toFixed(2)}× faster`);
  console.log(`  twine upload      ${(m.twine / 1000).toFixed(2)} s   glx is ${(m.twine / m.glx).toFixed(2)}× faster`);
}

const dir = mkdtempSync(path.join(tmpdir(), 'glx-bench-publish-'));
try {
  console.log(`uv: ${UV}; twine: ${TWINE}`);
  const large = await writeWheels(
    path.join(dir, 'large'),
    Array.from({ length: 8 }, (_, i) => ({ name: `bench-pkg${i}`, size: 64 * MB })),
  );
  await compare('8 × 64 MB wheels (target: glx ≤ 1.1× curl)', large);
  rmSync(path.join(dir, 'large'), { recursive: true, force: true });
  const small = await writeWheels(
    path.join(dir, 'small'),
    Array.from({ length: 200 }, (_, i) => ({ name: `bench-small${i}`, size: 100 * KB })),
  );
  await compare('200 × 100 KB wheels (target: glx faster than uv publish and twine)', small);
  rmSync(path.join(dir, 'small'), { recursive: true, force: true });

  if (process.env.RSS !== '0') {
    const [ten] = await writeWheels(path.join(dir, 'rss-small'), [{ name: 'bench-rss-small', size: 10 * MB }]);
    const [gig] = await writeWheels(path.join(dir, 'rss-large'), [{ name: 'bench-rss-large', size: 1024 * MB }]);
    const rssSmall = await peakRss(ten);
    const rssLarge = await peakRss(gig);
    console.log('Peak RSS of glx publish, one file:');
    console.log(`  10 MB wheel   ${rssSmall.toFixed(1)} MB`);
    console.log(`  1 GB wheel    ${rssLarge.toFixed(1)} MB   ${(rssLarge / rssSmall).toFixed(2)}× (target ≤ 1.2×)`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
