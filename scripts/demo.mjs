// `npm run demo`: the whole glx flow against the local GitLab stand-in, with the real built CLI.
// Starts the stand-in, makes a uv project in a temp dir, runs each command and shows its output,
// then cleans up. Nothing outside the temp dir is touched (HOME and NETRC point into it).
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { crc32 } from 'node:zlib';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
// GLX_DEMO_BIN runs another copy of glx, e.g. one installed from the package (test/e2e/package.test.ts).
const BIN = process.env.GLX_DEMO_BIN ? path.resolve(process.env.GLX_DEMO_BIN) : path.join(root, 'bin', 'glx.js');
const tty = process.stdout.isTTY && !process.env.NO_COLOR;
const bold = (s) => (tty ? `\u001b[1m${s}\u001b[22m` : s);
const dim = (s) => (tty ? `\u001b[2m${s}\u001b[22m` : s);

/** A minimal, valid wheel (stored zip) so that the demo needs no Python build tools. */
function writeWheel(dir, name, version) {
  const dist = `${name.replace(/-/g, '_')}-${version}`;
  const files = [
    [`${name.replace(/-/g, '_')}/__init__.py`, `__version__ = "${version}"\n`],
    [
      `${dist}.dist-info/METADATA`,
      `Metadata-Version: 2.3\nName: ${name}\nVersion: ${version}\nRequires-Python: >=3.11\nSummary: glx demo package\n`,
    ],
    [`${dist}.dist-info/WHEEL`, 'Wheel-Version: 1.0\nGenerator: glx-demo\nRoot-Is-Purelib: true\nTag: py3-none-any\n'],
  ];
  files.push([`${dist}.dist-info/RECORD`, `${files.map(([f]) => `${f},,`).join('\n')}\n${dist}.dist-info/RECORD,,\n`]);
  const locals = [];
  const centrals = [];
  let offset = 0;
  for (const [file, text] of files) {
    const data = Buffer.from(text);
    const nameBytes = Buffer.from(file);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, data);
    centrals.push(central, nameBytes);
    offset += 30 + nameBytes.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  const out = path.join(dir, `${dist}-py3-none-any.whl`);
  writeFileSync(out, Buffer.concat([...locals, directory, end]));
  return out;
}

async function startStandIn() {
  const child = spawn(process.execPath, [path.join(root, '.build', 'fake-gitlab.mjs')], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const line = await new Promise((resolve, reject) => {
    const rl = createInterface({ input: child.stdout });
    rl.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the GitLab stand-in exited with ${code}`)));
  });
  return { child, info: JSON.parse(line) };
}

function run(title, args, { env, stdin, cwd, mask = [] }) {
  return new Promise((resolve) => {
    const shown = args.map((a) => (/\s/.test(a) ? `'${a}'` : a)).join(' ');
    process.stdout.write(
      `\n${bold(`## ${title}`)}\n${dim('$')} ${stdin !== undefined ? `echo "$GITLAB_TOKEN" | ` : ''}glx ${shown}\n`,
    );
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.stdin.end(stdin ?? '');
    child.on('close', (code) => {
      let text = out;
      // The demo prints env output, which carries the token by design; show it masked here.
      for (const secret of mask) text = text.split(secret).join(`${secret.slice(0, 6)}…`);
      process.stdout.write(text.replace(/^/gm, '  '));
      process.stdout.write(dim(`  (exit ${code})\n`));
      resolve(code);
    });
  });
}

if (process.env.GLX_DEMO_BIN) process.stdout.write(`glx: ${BIN} (node ${process.version})\n`);
const { child: standIn, info } = await startStandIn();
const dir = mkdtempSync(path.join(tmpdir(), 'glx-demo-'));
const failures = [];
try {
  const token = info.tokens.alicePat;
  writeFileSync(
    path.join(dir, 'pyproject.toml'),
    '[project]\nname = "demo-app"\nversion = "1.0.0"\nrequires-python = ">=3.11"\ndependencies = ["acme-utils>=1.0"]\n\n# uv settings\n[tool.uv]\npackage = true\n',
  );
  // GLX_PYPI_URL: doctor compares pinned names with pypi.org; the demo stays offline (a closed port).
  const env = {
    PATH: process.env.PATH,
    HOME: dir,
    NETRC: path.join(dir, '.netrc'),
    GITLAB_HOST: info.url,
    SHELL: '/bin/bash',
    NO_COLOR: '1',
    GLX_PYPI_URL: 'http://127.0.0.1:9/simple',
  };
  mkdirSync(path.join(dir, 'dist'));
  const wheel = path.relative(dir, writeWheel(path.join(dir, 'dist'), 'demo-app', '1.0.0'));
  const steps = [
    [
      'Point pyproject.toml at the acme group registry (path resolved to its id)',
      ['init', '--group', 'acme', '--name', 'acme'],
      { env: { ...env, GITLAB_TOKEN: token } },
    ],
    [
      'Pin acme-utils to the acme/tools project registry, which we also publish to',
      ['init', '--project', 'acme/tools', '--name', 'tools', '--package', 'acme-utils', '--publish'],
      { env: { ...env, GITLAB_TOKEN: token } },
    ],
    [
      'Check the token against GitLab and store it in the netrc uv reads',
      ['auth', '--netrc', '--token-stdin'],
      { env, stdin: `${token}\n` },
    ],
    ['What uv will send to each GitLab index, and does it work', ['auth', 'status'], { env }],
    ['Per-shell credentials instead of a netrc (eval "$(glx env)")', ['env'], { env, mask: [token] }],
    [
      'A token that cannot publish is refused before anything is stored',
      ['auth', '--publish', '--no-color', '--token-stdin', '--dry-run', '--netrc'],
      { env, stdin: `${info.tokens.aliceReadApi}\n`, expect: 4 },
    ],
    [
      'A GitLab pipeline: uv image, cache, job-token credentials, a tag-only publish job',
      ['ci-setup', '--publish'],
      { env },
    ],
    [
      'Publish the wheel and link it to the v1.0.0 release of acme/tools',
      ['publish', wheel, '--release', 'v1.0.0'],
      { env },
    ],
    ['Publishing again uploads nothing: the registry already holds the same file', ['publish', wheel], { env }],
    ['Every check at once', ['doctor'], { env }],
  ];
  for (const [title, args, options] of steps) {
    const code = await run(title, args, { cwd: dir, ...options });
    if (code !== (options.expect ?? 0)) failures.push(`${args.join(' ')} exited ${code}`);
  }
  process.stdout.write(
    `\n${bold('## The resulting pyproject.toml')}\n${readFileSync(path.join(dir, 'pyproject.toml'), 'utf8').replace(/^/gm, '  ')}`,
  );
  const ci = readFileSync(path.join(dir, '.gitlab-ci.yml'), 'utf8').split('\n');
  process.stdout.write(
    `\n${bold('## The first lines of .gitlab-ci.yml')}\n${ci.slice(0, 24).join('\n').replace(/^/gm, '  ')}\n  ${dim(`… (${ci.length} lines)`)}\n`,
  );
} finally {
  standIn.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
if (failures.length > 0) {
  process.stderr.write(`\ndemo failed:\n  ${failures.join('\n  ')}\n`);
  process.exit(1);
}
process.stdout.write(
  `\n${bold('Demo complete:')} every step ran against the local GitLab stand-in; the temp project was removed.\n`,
);
