/**
 * TLS and proxies: the GitLab stand-in behind a TLS front with a self-signed CA made
 * here with openssl, and a CONNECT proxy on loopback. HTTPS works when the CA is given through
 * NODE_EXTRA_CA_CERTS (read by Node at start, so only the built bin can show it) or SSL_CERT_FILE
 * (what uv reads; glx adds it itself) and fails with a hint naming both when not. HTTPS_PROXY is
 * used for a host not in NO_PROXY, and not for one that is. Everything stays on 127.0.0.1.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createFakeGitLab, type FakeGitLab, type StandardWorld } from '../support/fake-gitlab/index.js';
import { assertCleanAfterEach } from '../support/fake-project.js';
import { hasPeer } from '../support/peers.js';
import { glx, tempDir } from '../support/test-deps.js';
import { cleanError, runBin } from './helpers.js';

const hasOpenssl = hasPeer('openssl', 'HTTPS and proxy tests (openssl makes their CA)');

let fake: FakeGitLab;
let world: StandardWorld;
let dir: string;
let cleanup: () => void;
let ca: string;
let tlsServer: https.Server;
let tlsUrl: string;
let proxy: http.Server;
let proxyUrl: string;
/** `host:port` of every CONNECT the proxy saw. */
const tunnels: string[] = [];

function openssl(args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

/** A CA, and a certificate for 127.0.0.1 and localhost signed by it. */
function makeCertificates(): void {
  writeFileSync(
    path.join(dir, 'san.cnf'),
    'subjectAltName = IP:127.0.0.1, DNS:localhost\nbasicConstraints = CA:FALSE\n',
  );
  openssl([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=glx test CA',
  ]);
  openssl([
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'server.key',
    '-out',
    'server.csr',
    '-subj',
    '/CN=127.0.0.1',
  ]);
  openssl([
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'server.pem',
    '-days',
    '2',
    '-extfile',
    'san.cnf',
  ]);
}

beforeAll(async () => {
  ({ dir, cleanup } = tempDir('glx-tls-'));
  if (!hasOpenssl) return;
  makeCertificates();
  ca = path.join(dir, 'ca.pem');
  fake = await createFakeGitLab({ now: () => new Date('2025-06-01T12:00:00Z') });
  world = fake.seed.standard();

  // The TLS front: terminates HTTPS and hands each request to the stand-in as it came.
  tlsServer = https.createServer(
    { key: readFileSync(path.join(dir, 'server.key')), cert: readFileSync(path.join(dir, 'server.pem')) },
    (req, res) => {
      const upstream = http.request(
        { host: '127.0.0.1', port: fake.port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
    },
  );
  tlsServer.on('tlsClientError', () => {});
  await new Promise<void>((resolve) => tlsServer.listen(0, '127.0.0.1', resolve));
  tlsUrl = `https://127.0.0.1:${(tlsServer.address() as AddressInfo).port}`;

  // The proxy: CONNECT only, and only to loopback.
  proxy = http.createServer((_req, res) => {
    res.writeHead(405).end();
  });
  proxy.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    tunnels.push(req.url ?? '');
    const [host, port] = (req.url ?? '').split(':');
    if (!host?.startsWith('127.') && host !== 'localhost') {
      client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    const upstream = net.connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});

afterAll(async () => {
  if (hasOpenssl) {
    tlsServer.closeAllConnections();
    proxy.closeAllConnections();
    await Promise.all([
      new Promise((resolve) => tlsServer.close(resolve)),
      new Promise((resolve) => proxy.close(resolve)),
      fake.close(),
    ]);
  }
  cleanup();
});

assertCleanAfterEach(() => fake);

beforeEach(() => {
  tunnels.length = 0;
  writeFileSync(path.join(dir, 'netrc'), '', { mode: 0o600 });
  writeFileSync(path.join(dir, 'pyproject.toml'), '[project]\nname = "tls"\n');
});

function netrcText(): string {
  return readFileSync(path.join(dir, 'netrc'), 'utf8');
}

/** `auth --netrc` in a project without an index checks the token and names its user, nothing more. */
const AUTH_ROUTES = ['GET /personal_access_tokens/self', 'GET /user'];

const stored = () => `machine 127.0.0.1 login __token__ password ${world.tokens.alicePat}\n`;

/** `glx auth --netrc` against the TLS front, as the built bin, with only these variables. */
function authBin(env: Record<string, string>) {
  return runBin(['auth', '--netrc', '--host', tlsUrl], {
    cwd: dir,
    env: { HOME: dir, NETRC: path.join(dir, 'netrc'), GITLAB_TOKEN: world.tokens.alicePat, ...env },
  });
}

describe.skipIf(!hasOpenssl)('HTTPS with a private CA', () => {
  it('works when the CA comes from NODE_EXTRA_CA_CERTS', async () => {
    fake.expect(AUTH_ROUTES);
    const result = await authBin({ NODE_EXTRA_CA_CERTS: ca });

    expect(result.code, result.stderr).toBe(0);
    expect(netrcText()).toBe(stored());
  });

  it('works when the CA comes from SSL_CERT_FILE, as for uv', async () => {
    fake.expect(AUTH_ROUTES);
    const result = await authBin({ SSL_CERT_FILE: ca });

    expect(result.code, result.stderr).toBe(0);
    expect(netrcText()).toBe(stored());
  });

  it('fails without the CA, with a hint that names both variables, and stores nothing', async () => {
    const result = await authBin({});

    expect(result.code).toBe(1);
    const { error, hint } = cleanError(result.stderr);
    expect(error).toMatch(
      new RegExp(
        `^cannot reach ${tlsUrl.replace(/\./g, '\\.')}: (SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|DEPTH_ZERO_SELF_SIGNED_CERT|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)$`,
      ),
    );
    expect(hint).toContain('NODE_EXTRA_CA_CERTS');
    expect(hint).toContain('SSL_CERT_FILE');
    expect(netrcText()).toBe('');
  });

  it('fails with a one-line usage error when SSL_CERT_FILE does not exist', async () => {
    const result = await authBin({ SSL_CERT_FILE: path.join(dir, 'missing.pem') });

    expect(result.code).toBe(2);
    expect(cleanError(result.stderr).error).toBe(`cannot read SSL_CERT_FILE ${path.join(dir, 'missing.pem')}: ENOENT`);
    expect(netrcText()).toBe('');
  });
});

describe.skipIf(!hasOpenssl)('HTTPS_PROXY and NO_PROXY', () => {
  it('tunnels through HTTPS_PROXY to a host not in NO_PROXY', async () => {
    fake.expect(AUTH_ROUTES);
    const result = await glx(['--cwd', dir, 'auth', '--netrc', '--host', tlsUrl], {
      env: {
        GITLAB_TOKEN: world.tokens.alicePat,
        NETRC: path.join(dir, 'netrc'),
        SSL_CERT_FILE: ca,
        HTTPS_PROXY: proxyUrl,
        NO_PROXY: 'gitlab.internal.example',
      },
      homeDir: dir,
    });

    expect(result.code, result.stderr).toBe(0);
    expect(tunnels.length).toBeGreaterThan(0);
    expect(new Set(tunnels)).toEqual(new Set([tlsUrl.slice('https://'.length)]));
    expect(netrcText()).toBe(stored());
  });

  it('goes direct to a host in NO_PROXY', async () => {
    fake.expect(AUTH_ROUTES);
    const result = await glx(['--cwd', dir, 'auth', '--netrc', '--host', tlsUrl], {
      env: {
        GITLAB_TOKEN: world.tokens.alicePat,
        NETRC: path.join(dir, 'netrc'),
        SSL_CERT_FILE: ca,
        HTTPS_PROXY: proxyUrl,
        NO_PROXY: 'localhost,127.0.0.1',
      },
      homeDir: dir,
    });

    expect(result.code, result.stderr).toBe(0);
    expect(tunnels).toEqual([]);
    expect(netrcText()).toBe(stored());
  });

  it('honours them in the built bin too (read from the process environment)', async () => {
    fake.expect(AUTH_ROUTES);
    const through = await authBin({ NODE_EXTRA_CA_CERTS: ca, HTTPS_PROXY: proxyUrl });
    const seen = tunnels.length;
    const direct = await authBin({ NODE_EXTRA_CA_CERTS: ca, HTTPS_PROXY: proxyUrl, NO_PROXY: '127.0.0.1' });

    expect([through.code, direct.code], `${through.stderr}${direct.stderr}`).toEqual([0, 0]);
    expect(seen).toBeGreaterThan(0);
    expect(tunnels.length).toBe(seen);
  });

  it('fails with a hint naming the proxy settings when the proxy is down', async () => {
    const result = await glx(['--cwd', dir, 'auth', '--netrc', '--host', tlsUrl], {
      env: {
        GITLAB_TOKEN: world.tokens.alicePat,
        NETRC: path.join(dir, 'netrc'),
        SSL_CERT_FILE: ca,
        HTTPS_PROXY: 'http://127.0.0.1:9',
      },
      homeDir: dir,
    });

    expect(result.code).toBe(1);
    expect(cleanError(result.stderr).hint).toContain('HTTPS_PROXY');
    expect(netrcText()).toBe('');
  });
});
