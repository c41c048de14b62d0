/**
 * Runs a fake GitLab seeded with the standard world, for the demo and for poking at it by hand.
 *
 *   node fake-gitlab.mjs [--port N] [--latency MS] [--log]
 *
 * Prints one JSON line on stdout: {"url", "apiUrl", "tokens", "deployUsernames", "users", "groups",
 * "projects"}. Runs until SIGTERM/SIGINT or, when stdin is a pipe, until stdin closes. On exit it
 * lists unexpected requests on stderr and exits 1 if there were any.
 */
import { fstatSync } from 'node:fs';
import { createFakeGitLab } from './index.js';

interface Args {
  port: number;
  latencyMs: number;
  log: boolean;
  verifyDigests: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { port: 0, latencyMs: 0, log: false, verifyDigests: true };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const next = argv[++i];
      if (next === undefined || !/^\d+$/.test(next)) throw new Error(`${arg} needs a number`);
      return Number(next);
    };
    if (arg === '--port') args.port = value();
    else if (arg === '--latency') args.latencyMs = value();
    else if (arg === '--log') args.log = true;
    // Benchmarks: the BigInt BLAKE2b check would make the stand-in, not the client, the bottleneck.
    else if (arg === '--no-verify-digests') args.verifyDigests = false;
    else throw new Error(`unknown argument ${arg}; usage: [--port N] [--latency MS] [--log] [--no-verify-digests]`);
  }
  return args;
}

function stdinIsPipe(): boolean {
  try {
    const stat = fstatSync(0);
    return stat.isFIFO() || stat.isSocket();
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  // The demo's client is a person trying commands, so no route list is declared (README "Strictness").
  const fake = await createFakeGitLab({
    routes: 'any',
    port: args.port,
    latencyMs: args.latencyMs,
    verifyDigests: args.verifyDigests,
    onRequest: args.log
      ? (r) =>
          process.stderr.write(`fake-gitlab: ${r.method} ${r.rawUrl} → ${r.status ?? 'reset'} (${r.auth.summary})\n`)
      : undefined,
  });
  const world = fake.seed.standard();
  process.stdout.write(
    `${JSON.stringify({
      url: fake.url,
      apiUrl: fake.apiUrl,
      tokens: world.tokens,
      deployUsernames: world.deployUsernames,
      users: world.users,
      groups: world.groups,
      projects: world.projects,
    })}\n`,
  );

  let stopping = false;
  async function stop(): Promise<void> {
    if (stopping) return;
    stopping = true;
    await fake.close();
    for (const u of fake.unexpected) {
      process.stderr.write(`fake-gitlab: unexpected ${u.request.method} ${u.request.rawUrl}: ${u.reason}\n`);
    }
    process.exitCode = fake.unexpected.length > 0 ? 1 : 0;
    process.stdin.destroy();
  }
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  if (stdinIsPipe()) {
    process.stdin.on('end', () => void stop());
    process.stdin.on('close', () => void stop());
    process.stdin.resume();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`fake-gitlab: ${(error as Error).message}\n`);
  process.exitCode = 2;
});
