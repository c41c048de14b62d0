/**
 * The truth table for `glx auth status` and `glx doctor`: for each credential set-up,
 * the source glx names and the outcome it predicts equal what the real uv does — its exit code,
 * its "Missing credentials" / "Incomplete credentials" errors, and the password it sent to the
 * GitLab stand-in — on every uv binary the suite has.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeGitLab, StandardWorld } from '../support/fake-gitlab/index.js';
import { assertCleanAfterEach } from '../support/fake-project.js';
import { checkRoutes, installRoutes } from '../support/routes.js';
import { glx } from '../support/test-deps.js';
import { runUv, standInWithPackage, type UvBinary, uvBinaries, uvSandbox } from '../support/uv.js';

const binaries = uvBinaries();

type Tokens = StandardWorld['tokens'];
type Source = 'env' | 'url' | 'host-cache' | 'netrc' | 'uv-store' | 'none';

interface Setup {
  /** pyproject indexes in order; `target` (the one acme-thing is pinned to) must be among them. */
  indexes: Array<{ name: string; url: string; authenticate?: 'auto' | 'always' }>;
  env?: Record<string, string>;
  /** ~/.netrc */
  netrc?: string;
  /** NETRC: a file under the sandbox, with its content (undefined content: the file does not exist). */
  netrcVar?: { content?: string };
  /** credentials.toml, written as uv writes it. */
  store?: string;
  /** `uv auth login` calls made with the uv under test before anything else. */
  logins?: Array<{ service: string; username: string; password: string }>;
}

interface Row {
  name: string;
  setup: (t: Tokens, urls: Urls, users: StandardWorld['deployUsernames']) => Setup;
  /** What glx must say (and uv must do). */
  source: Source;
  outcome: 'works' | '401' | 'missing-credentials' | 'incomplete-credentials';
  /** The password uv sends for the index page, when it sends one. */
  sends?: (t: Tokens) => string;
  /** The password uv sends for the file download, when it differs from the page's. */
  downloadSends?: (t: Tokens) => string;
  /** The GitLab routes that glx auth status, glx doctor and uv lock request between them. */
  routes: string[];
}

interface Urls {
  group: string;
  project: string;
  /** The project registry with userinfo. */
  projectWith(userinfo: string): string;
  /** The service uv auth login stores for the project registry. */
  projectService: string;
}

const always = 'always' as const;

const [PAGE, FILE] = installRoutes();
const INDEX = 'GET /projects/:id/packages/pypi/simple';
/** glx finds a __token__ password, checks it and the role, probes the index; uv installs. */
const CHECKED = [...checkRoutes(), PAGE, FILE];
/** glx finds a __token__ password GitLab rejects; uv's page request is refused too. */
const REJECTED = ['GET /personal_access_tokens/self', PAGE];
/** glx finds no credentials, so it asks nothing; uv asks the page and stops. */
const UV_ONLY = [PAGE];
/** glx finds a password under another username (not a token it can look up), so it probes the index; uv installs. */
const PROBED = [INDEX, PAGE, FILE];

const rows: Row[] = [
  {
    name: 'env only',
    routes: CHECKED,
    setup: (t, u) => ({
      indexes: [{ name: 'gitlab', url: u.project, authenticate: always }],
      env: { UV_INDEX_GITLAB_USERNAME: '__token__', UV_INDEX_GITLAB_PASSWORD: t.alicePat },
    }),
    source: 'env',
    outcome: 'works',
    sends: (t) => t.alicePat,
  },
  {
    name: 'netrc only',
    routes: CHECKED,
    setup: (t, u) => ({
      indexes: [{ name: 'gitlab', url: u.project, authenticate: always }],
      netrc: `machine 127.0.0.1 login __token__ password ${t.alicePat}\n`,
    }),
    source: 'netrc',
    outcome: 'works',
    sends: (t) => t.alicePat,
  },
  {
    name: 'store only (uv auth login)',
    routes: CHECKED,
    setup: (t, u) => ({
      indexes: [{ name: 'gitlab', url: u.project, authenticate: always }],
      logins: [{ service: u.project, username: '__token__', password: t.alicePat }],
    }),
    source: 'uv-store',
    outcome: 'works',
    sends: (t) => t.alicePat,
  },
  {
    name: 'env + netrc disagreeing (env revoked, netrc valid)',
    routes: REJECTED,
    setup: (t, u) => ({
      indexes: [{ name: 'gitlab', url: u.project, authenticate: always }],
      env: { UV_INDEX_GITLAB_USERNAME: '__token__', UV_INDEX_GITLAB_PASSWORD: t.aliceRevoked },
      netrc: `machine 127.0.0.1 login __token__ password ${t.alicePat}\n`,
    }),
    source: 'env',
    outcome: '401',
    sends: (t) => t.aliceRevoked,
  },
  {
    name: 'URL userinfo only',
    routes: CHECKED,
    setup: (t, u) => ({
      indexes: [{ name: 'gitlab', url: u.projectWith(`__token__:${t.alicePat}`), authenticate: always }],
    }),
    source: 'url',
    outcome: 'works',
    sends: (t) => t.alicePat,
  },
  {
    // The page gets the URL's credentials; the wheel (under the index root, no userinfo) gets the env ones.
    name: 'URL userinfo + env (revoked)',
    routes: CHECKED,
    setup: (t, u) => ({
      indexes: [{ name: 'gitlab', url: u.projectWith(`__token__:${t.alicePat}`), authenticate: always }],
      env: { UV_INDEX_GITLAB_USERNAME: '__token__', UV_INDEX_GITLAB_PASSWORD: t.aliceRevoked },
    }),
    source: 'url',
    outcome: '401',
    sends: (t) => t.alicePat,
    downloadSends: (t) => t.aliceRevoked,
  },
  {
    name: 'URL username only, nothing else',
    routes: UV_ONLY,
    setup: (_t, u) => ({ indexes: [{ name: 'gitlab', url: u.projectWith('__token__'), authenticate: always }] }),
    source: 'none',
    outcome: 'incomplete-credentials',
  },
  {
    name: 'URL username only + netrc with that login',
    routes: CHECKED,
    setup: (t, u) => ({
      indexes: [{ name: 'gitlab', url: u.projectWith('__token__'), authenticate: always }],
      netrc: `machine 127.0.0.1 login __token__ password ${t.alicePat}\n`,
    }),
    source: 'netrc',
    outcome: 'works',
    sends: (t) => t.alicePat,
  },
  {
    name: 'username-only env + netrc with another login',
    routes: UV_ONLY,
    setup: (t, u, users) => ({
      indexes: [{ name: 'gitlab', url: u.project, authenticate: always }],
      env: { UV_INDEX_GITLAB_USERNAME: '__token__' },
      netrc: `machine 127.0.0.1 login ${users.deployRead} password ${t.deployRead}\n`,
    }),
    source: 'none',
    outcome: 'missing-credentials',
  },
  {
    name: 'username-only env + netrc with that login',
    routes: PROBED,
    setup: (t, u, users) => ({
      indexes: [{ name: 'gitlab', url: u.project, authenticate: always }],
      env: { UV_INDEX_GITLAB_USERNAME: users.deployRead },
      netrc: `machine 127.0.0.1 login ${users.deployRead} password ${t.deployRead}\n`,
    }),
    source: 'netrc',
    outcome: 'works',
    sends: (t) => t.deployRead,
  },
  {
    name: 'two indexes on one host, only the other has env credentials',
    routes: [...checkRoutes('group'), ...checkRoutes(), installRoutes('group')[0], PAGE, FILE],
    setup: (t, u) => ({
      indexes: [
        { name: 'other', url: u.group, authenticate: always },
        { name: 'gitlab', url: u.project, authenticate: always },
      ],
      env: { UV_INDEX_OTHER_USERNAME: '__token__', UV_INDEX_OTHER_PASSWORD: t.alicePat },
      netrc: `machine 127.0.0.1 login __token__ password ${t.aliceRevoked}\n`,
    }),
    source: 'host-cache',
    outcome: 'works',
    sends: (t) => t.alicePat,
  },
  {
    name: 'two store entries for one URL, different usernames',
    routes: UV_ONLY,
    setup: (t, u, users) => ({
      indexes: [{ name: 'gitlab', url: u.project, authenticate: always }],
      logins: [
        { service: u.project, username: users.deployRead, password: t.deployRead },
        { service: u.project, username: '__token__', password: t.alicePat },
      ],
    }),
    source: 'none',
    outcome: 'missing-credentials',
  },
  {
    name: 'two store entries, env username picks one',
    routes: PROBED,
    setup: (t, u, users) => ({
      indexes: [{ name: 'gitlab', url: u.project, authenticate: always }],
      env: { UV_INDEX_GITLAB_USERNAME: users.deployRead },
      logins: [
        { service: u.project, username: users.deployRead, password: t.deployRead },
        { service: u.project, username: '__token__', password: t.alicePat },
      ],
    }),
    source: 'uv-store',
    outcome: 'works',
    sends: (t) => t.deployRead,
  },
  {
    name: 'netrc with a port keyword (uv ignores the file)',
    routes: UV_ONLY,
    setup: (t, u) => ({
      indexes: [{ name: 'gitlab', url: u.project, authenticate: always }],
      netrc: `machine 127.0.0.1 port 80 login __token__ password ${t.alicePat}\n`,
    }),
    source: 'none',
    outcome: 'missing-credentials',
  },
  {
    name: '$NETRC names a missing file (uv falls back to ~/.netrc)',
    routes: CHECKED,
    setup: (t, u) => ({
      indexes: [{ name: 'gitlab', url: u.project, authenticate: always }],
      netrcVar: {},
      netrc: `machine 127.0.0.1 login __token__ password ${t.alicePat}\n`,
    }),
    source: 'netrc',
    outcome: 'works',
    sends: (t) => t.alicePat,
  },
  {
    name: '$NETRC names an existing empty file (~/.netrc unread)',
    routes: UV_ONLY,
    setup: (t, u) => ({
      indexes: [{ name: 'gitlab', url: u.project, authenticate: always }],
      netrcVar: { content: '' },
      netrc: `machine 127.0.0.1 login __token__ password ${t.alicePat}\n`,
    }),
    source: 'none',
    outcome: 'missing-credentials',
  },
  {
    name: 'authenticate = "auto", netrc',
    routes: CHECKED,
    setup: (t, u) => ({
      indexes: [{ name: 'gitlab', url: u.project, authenticate: 'auto' }],
      netrc: `machine 127.0.0.1 login __token__ password ${t.alicePat}\n`,
    }),
    source: 'netrc',
    outcome: 'works',
    sends: (t) => t.alicePat,
  },
  {
    name: 'authenticate = "auto", no credentials',
    routes: [INDEX, PAGE],
    setup: (_t, u) => ({ indexes: [{ name: 'gitlab', url: u.project, authenticate: 'auto' }] }),
    source: 'none',
    outcome: '401',
  },
  {
    name: 'authenticate = "always", no credentials',
    routes: UV_ONLY,
    setup: (_t, u) => ({ indexes: [{ name: 'gitlab', url: u.project, authenticate: always }] }),
    source: 'none',
    outcome: 'missing-credentials',
  },
  {
    name: 'expired token in netrc',
    routes: REJECTED,
    setup: (t, u) => ({
      indexes: [{ name: 'gitlab', url: u.project, authenticate: always }],
      netrc: `machine 127.0.0.1 login __token__ password ${t.aliceExpired}\n`,
    }),
    source: 'netrc',
    outcome: '401',
    sends: (t) => t.aliceExpired,
  },
  {
    name: 'store service without a scheme (uv ignores the store)',
    routes: UV_ONLY,
    setup: (t, u) => ({
      indexes: [{ name: 'gitlab', url: u.project, authenticate: always }],
      store: `[[credential]]\nservice = "${u.projectService}"\nusername = "__token__"\nscheme = "basic"\npassword = "${t.alicePat}"\n\n[[credential]]\nservice = "gitlab.example.com"\nusername = "__token__"\nscheme = "basic"\npassword = "x"\n`,
    }),
    source: 'none',
    outcome: 'missing-credentials',
  },
];

interface Observed {
  row: string;
  glx: string;
  uv: Record<string, string>;
}

/** Basic credentials' password from an Authorization header. */
function sentPassword(header: string | undefined): string | undefined {
  if (!header?.startsWith('Basic ')) return undefined;
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  return decoded.slice(decoded.indexOf(':') + 1);
}

function uvOutcome(code: number, stderr: string, lastStatus: number | undefined): string {
  if (code === 0) return 'works';
  if (/Missing credentials/.test(stderr)) return 'missing-credentials';
  // uv before 0.11.0 said "Missing password" for the same thing (astral-sh/uv#18646).
  if (/Incomplete credentials|Missing password/.test(stderr)) return 'incomplete-credentials';
  return lastStatus !== undefined ? `${lastStatus}` : `exit ${code}`;
}

describe.skipIf(binaries.length === 0)('truth table: glx auth status and doctor against the real uv', () => {
  let fake: FakeGitLab;
  let world: StandardWorld;
  let dir: string;
  let cleanup: () => Promise<void>;
  let urls: Urls;
  const table: Observed[] = [];

  beforeAll(async () => {
    ({ fake, world, dir, cleanup } = await standInWithPackage('glx-truth-'));
    const project = `${fake.url}/api/v4/projects/${world.projects.tools}/packages/pypi/simple`;
    urls = {
      group: `${fake.url}/api/v4/groups/${world.groups.acme}/-/packages/pypi/simple`,
      project,
      projectWith: (userinfo) => project.replace('http://', `http://${userinfo}@`),
      projectService: project.replace(/^http:\/\//, '').replace(/\/simple$/, ''),
    };
  });

  assertCleanAfterEach(() => fake);

  afterAll(async () => {
    await cleanup();
    const versions = binaries.map((b) => b.version);
    const lines = [
      `| set-up | glx says | ${versions.map((v) => `uv ${v}`).join(' | ')} |`,
      `|---|---|${versions.map(() => '---|').join('')}`,
    ];
    for (const row of rows) {
      const seen = table.filter((o) => o.row === row.name);
      if (seen.length === 0) continue;
      lines.push(
        `| ${row.name} | ${seen[0]!.glx} | ${versions.map((v) => seen.find((o) => o.uv[v])?.uv[v] ?? '-').join(' | ')} |`,
      );
    }
    if (process.env.GLX_TRUTH_TABLE) writeFileSync(process.env.GLX_TRUTH_TABLE, `${lines.join('\n')}\n`);
  });

  function tokenName(token: string | undefined): string {
    return Object.entries(world.tokens).find(([, v]) => v === token)?.[0] ?? 'other';
  }

  async function runRow(row: Row, uv: UvBinary): Promise<void> {
    fake.expect(row.routes);
    const work = path.join(dir, `${rows.indexOf(row)}-${uv.version}`);
    const project = path.join(work, 'project');
    mkdirSync(project, { recursive: true });
    const sandbox = uvSandbox(work, `${fake.url}/no-default-index/`);
    const setup = row.setup(world.tokens, urls, world.deployUsernames);
    // glx finds the same uv (for `uv auth dir`) that the row runs.
    const env: Record<string, string> = {
      ...sandbox.env,
      PATH: `${path.dirname(uv.path)}${path.delimiter}${sandbox.env.PATH}`,
      ...setup.env,
    };
    const target = setup.indexes.find((i) => i.name === 'gitlab')!;
    const indexes = setup.indexes
      .map(
        (i) =>
          `[[tool.uv.index]]\nname = "${i.name}"\nurl = "${i.url}"\n${i.authenticate ? `authenticate = "${i.authenticate}"\n` : ''}`,
      )
      .join('\n');
    writeFileSync(
      path.join(project, 'pyproject.toml'),
      `[project]\nname = "demo"\nversion = "0.1.0"\nrequires-python = ">=3.8"\ndependencies = ["acme-thing"]\n\n[tool.uv]\npackage = false\n\n${indexes}\n[tool.uv.sources]\nacme-thing = { index = "gitlab" }\n`,
    );
    if (setup.netrc !== undefined) writeFileSync(path.join(sandbox.home, '.netrc'), setup.netrc, { mode: 0o600 });
    if (setup.netrcVar) {
      env.NETRC = path.join(work, 'netrc-from-var');
      if (setup.netrcVar.content !== undefined) writeFileSync(env.NETRC, setup.netrcVar.content, { mode: 0o600 });
    }
    if (setup.store !== undefined) {
      mkdirSync(path.join(work, 'xdg-data', 'uv', 'credentials'), { recursive: true });
      writeFileSync(path.join(work, 'xdg-data', 'uv', 'credentials', 'credentials.toml'), setup.store);
    }
    for (const login of setup.logins ?? []) {
      const result = await runUv(
        uv,
        ['auth', 'login', login.service, '--username', login.username, '--password', '-'],
        { cwd: project, env, input: `${login.password}\n` },
      );
      expect(result.code, result.stderr).toBe(0);
    }

    const status = await glx(['--cwd', project, '--json', 'auth', 'status'], {
      env,
      homeDir: sandbox.home,
      cwd: project,
    });
    const doctor = await glx(['--cwd', project, '--json', 'doctor'], { env, homeDir: sandbox.home, cwd: project });
    const seq = fake.requests.length;
    const lock = await runUv(uv, ['lock'], { cwd: project, env: { ...env, RUST_LOG: 'uv_auth=debug' } });

    const said = JSON.parse(status.stdout).indexes.find((i: { name: string }) => i.name === 'gitlab');
    const root = new URL(target.url.replace(/\/\/[^@/]*@/, '//')).pathname.replace(/\/simple$/, '');
    const seen = fake.requests.slice(seq);
    const page = seen.filter((r) => r.path.startsWith(`${root}/simple/`)).at(-1);
    const download = seen.filter((r) => r.path.startsWith(`${root}/files/`)).at(-1);
    const observed = uvOutcome(lock.code, lock.stderr, (download ?? page)?.status);
    const sent = sentPassword(page?.headers.authorization);
    const sentDownload = sentPassword(download?.headers.authorization);
    const checks = JSON.parse(doctor.stdout).checks as Array<{ id: string; status: string; message: string }>;
    const credentialCheck = checks.find((c) => c.id === 'index.gitlab.credentials')!;
    const failing = checks.filter(
      (c) => /^index\.gitlab\.(credentials|token|access|downloads)$/.test(c.id) && c.status === 'fail',
    );
    table.push({
      row: row.name,
      glx: `${said.source} → ${said.outcome}`,
      uv: {
        [uv.version]: `${observed}${sent !== undefined ? ` (sent ${tokenName(sent)}${sentDownload !== sent && sentDownload ? `, files ${tokenName(sentDownload)}` : ''})` : ''}`,
      },
    });

    // glx's claims are the row's ...
    expect({ source: said.source, outcome: said.outcome }).toEqual({ source: row.source, outcome: row.outcome });
    // ... and the real uv does exactly that.
    expect(observed, lock.stderr).toBe(row.outcome);
    expect(sent).toBe(row.sends?.(world.tokens));
    if (download) expect(sentDownload).toBe((row.downloadSends ?? row.sends)?.(world.tokens));
    if (row.downloadSends) expect(said.downloads).toMatchObject({ source: 'env', outcome: row.outcome });
    // uv's words for a username without a password depend on its version; glx names the right ones.
    if (row.outcome === 'incomplete-credentials')
      expect(said.problems[0].message).toContain(/Missing password|Incomplete credentials/.exec(lock.stderr)![0]);
    // The debug log names the source uv took them from.
    if (row.source === 'netrc') expect(lock.stderr).toMatch(/Found credentials in netrc file/);
    if (row.source === 'uv-store') expect(lock.stderr).toMatch(/Found credentials in plaintext store/);
    // doctor agrees: the credentials check names the same source, and something fails exactly when uv fails.
    if (row.source === 'none') expect(credentialCheck.status).toBe('fail');
    else expect(credentialCheck.message).toContain(`from ${row.source}`);
    expect(failing.length > 0, JSON.stringify(checks.filter((c) => c.id.startsWith('index.gitlab')))).toBe(
      row.outcome !== 'works',
    );
    expect(status.code).toBe(row.outcome === 'works' ? 0 : 4);
  }

  for (const row of rows) {
    for (const uv of binaries) {
      it(
        `${row.name}: glx says ${row.source} → ${row.outcome}; uv ${uv.version} agrees`,
        () => runRow(row, uv),
        60_000,
      );
    }
  }
});
