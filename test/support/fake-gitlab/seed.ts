/**
 * A standard world most tests can start from:
 *
 * ```
 * acme (group 42, private)              alice Developer, dave Maintainer, frank (blocked) Developer,
 * │                                     group bot (Developer), group deploy token (read)
 * ├── tools (project 7, private)        bob Reporter, carol Guest, project bot (Maintainer),
 * │     acme-utils 1.0.0 (sdist+wheel), 1.1.0 (wheel); deploy tokens (read, write); release v1.0.0
 * └── libs (group 43, private)
 *     └── core (project 11, private)    acme-core 0.1.0
 * beta (group 50, private)              alice Developer, dave Developer
 * └── app (project 9, private)          CI jobs run here; not on acme/tools' allowlist
 * oss (group 60, public)
 * └── pub (project 8, public)           oss-pub 2.0.0
 * erin: signed in, member of nothing.
 * ```
 */
import { addGroup, addMember, addPackage, addProject, addRelease, addToken, addUser, type FakeState } from './state.js';

export interface StandardWorld {
  tokens: {
    /** alice, `api`. */
    alicePat: string;
    /** alice, `read_api`: can install, cannot publish. */
    aliceReadApi: string;
    /** alice, `read_user` only. */
    aliceReadUser: string;
    /** alice, expired 2020-01-01. */
    aliceExpired: string;
    /** alice, revoked. */
    aliceRevoked: string;
    /** alice, expired and revoked: GitLab reports "expired". */
    aliceExpiredRevoked: string;
    /** bob (Reporter on acme/tools only), `api`. */
    bobPat: string;
    /** carol (Guest on acme/tools), `api`. */
    carolPat: string;
    /** dave (Maintainer on acme), `api`. */
    davePat: string;
    /** erin (no memberships), `api`. */
    erinPat: string;
    /** frank (blocked), `api`. */
    blockedPat: string;
    /** project access token of acme/tools (bot Maintainer), `api`. */
    projectBot: string;
    /** group access token of acme (bot Developer), `api`. */
    groupBot: string;
    /** deploy token of acme/tools, `read_package_registry`. */
    deployRead: string;
    /** deploy token of acme/tools, `read_package_registry` + `write_package_registry`. */
    deployWrite: string;
    /** deploy token of group acme, `read_package_registry`. */
    groupDeploy: string;
    /** running job in beta/app (project 9), user alice. */
    jobOther: string;
    /** running job in acme/tools (project 7), user alice. */
    jobSelf: string;
    /** finished job in acme/tools, user alice. */
    jobFinished: string;
  };
  /** Usernames of the deploy tokens (Basic auth needs them). */
  deployUsernames: { deployRead: string; deployWrite: string; groupDeploy: string };
  users: { alice: number; bob: number; carol: number; dave: number; erin: number; frank: number };
  groups: { acme: number; libs: number; beta: number; oss: number };
  projects: { tools: number; core: number; app: number; pub: number };
}

export function seedStandard(state: FakeState): StandardWorld {
  const acme = addGroup(state, { id: 42, path: 'acme', name: 'Acme' });
  const libs = addGroup(state, { id: 43, path: 'libs', name: 'Libs', parent: acme.id });
  const beta = addGroup(state, { id: 50, path: 'beta', name: 'Beta' });
  const oss = addGroup(state, { id: 60, path: 'oss', name: 'OSS', visibility: 'public' });

  const tools = addProject(state, { id: 7, namespace: acme.id, path: 'tools', tags: ['v1.0.0'] });
  const core = addProject(state, { id: 11, namespace: libs.id, path: 'core' });
  const app = addProject(state, { id: 9, namespace: beta.id, path: 'app' });
  const pub = addProject(state, { id: 8, namespace: oss.id, path: 'pub', visibility: 'public' });

  const alice = addUser(state, { id: 10, username: 'alice', name: 'Alice Liddell' });
  const bob = addUser(state, { id: 11, username: 'bob', name: 'Bob Reporter' });
  const carol = addUser(state, { id: 12, username: 'carol', name: 'Carol Guest' });
  const dave = addUser(state, { id: 13, username: 'dave', name: 'Dave Maintainer' });
  const erin = addUser(state, { id: 14, username: 'erin', name: 'Erin Outsider' });
  const frank = addUser(state, { id: 15, username: 'frank', name: 'Frank Blocked', state: 'blocked' });

  addMember(state, { group: acme.id, user: alice.id, role: 'developer' });
  addMember(state, { group: acme.id, user: dave.id, role: 'maintainer' });
  addMember(state, { group: acme.id, user: frank.id, role: 'developer' });
  addMember(state, { group: beta.id, user: alice.id, role: 'developer' });
  addMember(state, { group: beta.id, user: dave.id, role: 'developer' });
  addMember(state, { project: tools.id, user: bob.id, role: 'reporter' });
  addMember(state, { project: tools.id, user: carol.id, role: 'guest' });

  addPackage(state, tools.id, {
    name: 'acme-utils',
    version: '1.0.0',
    requiresPython: '>=3.9',
    files: [
      { fileName: 'acme_utils-1.0.0.tar.gz', content: 'fake sdist of acme-utils 1.0.0\n' },
      { fileName: 'acme_utils-1.0.0-py3-none-any.whl', content: 'fake wheel of acme-utils 1.0.0\n' },
    ],
  });
  addPackage(state, tools.id, {
    name: 'acme-utils',
    version: '1.1.0',
    requiresPython: '>=3.9',
    files: [{ fileName: 'acme_utils-1.1.0-py3-none-any.whl', content: 'fake wheel of acme-utils 1.1.0\n' }],
  });
  addPackage(state, core.id, {
    name: 'acme-core',
    version: '0.1.0',
    files: [{ fileName: 'acme_core-0.1.0-py3-none-any.whl', content: 'fake wheel of acme-core 0.1.0\n' }],
  });
  addPackage(state, pub.id, {
    name: 'oss-pub',
    version: '2.0.0',
    requiresPython: '>=3.8',
    files: [{ fileName: 'oss_pub-2.0.0-py3-none-any.whl', content: 'fake wheel of oss-pub 2.0.0\n' }],
  });
  addRelease(state, tools.id, { tagName: 'v1.0.0', name: 'v1.0.0', description: 'First release' });

  const pat = (name: string, user: number, scopes: string[], extra: { expiresAt?: string; revoked?: boolean } = {}) =>
    addToken(state, { kind: 'personal', user, scopes, name, ...extra });
  const tokens: StandardWorld['tokens'] = {
    alicePat: pat('alice-api', alice.id, ['api']),
    aliceReadApi: pat('alice-read-api', alice.id, ['read_api']),
    aliceReadUser: pat('alice-read-user', alice.id, ['read_user']),
    aliceExpired: pat('alice-expired', alice.id, ['api'], { expiresAt: '2020-01-01' }),
    aliceRevoked: pat('alice-revoked', alice.id, ['api'], { revoked: true }),
    aliceExpiredRevoked: pat('alice-expired-revoked', alice.id, ['api'], { expiresAt: '2020-01-01', revoked: true }),
    bobPat: pat('bob-api', bob.id, ['api']),
    carolPat: pat('carol-api', carol.id, ['api']),
    davePat: pat('dave-api', dave.id, ['api']),
    erinPat: pat('erin-api', erin.id, ['api']),
    blockedPat: pat('frank-api', frank.id, ['api']),
    projectBot: addToken(state, { kind: 'project', project: tools.id, name: 'tools-bot', role: 'maintainer' }),
    groupBot: addToken(state, { kind: 'group', group: acme.id, name: 'acme-bot', role: 'developer' }),
    deployRead: addToken(state, {
      kind: 'deploy',
      project: tools.id,
      name: 'tools-read',
      scopes: ['read_package_registry'],
    }),
    deployWrite: addToken(state, {
      kind: 'deploy',
      project: tools.id,
      name: 'tools-write',
      scopes: ['read_package_registry', 'write_package_registry'],
    }),
    groupDeploy: addToken(state, {
      kind: 'deploy',
      group: acme.id,
      name: 'acme-read',
      scopes: ['read_package_registry'],
    }),
    jobOther: addToken(state, { kind: 'job', project: app.id, user: alice.id, name: 'beta-app-job' }),
    jobSelf: addToken(state, { kind: 'job', project: tools.id, user: alice.id, name: 'acme-tools-job' }),
    jobFinished: addToken(state, {
      kind: 'job',
      project: tools.id,
      user: alice.id,
      name: 'acme-tools-finished-job',
      running: false,
    }),
  };
  const usernameOf = (token: string) => state.tokens.find((t) => t.token === token)?.username ?? '';
  return {
    tokens,
    deployUsernames: {
      deployRead: usernameOf(tokens.deployRead),
      deployWrite: usernameOf(tokens.deployWrite),
      groupDeploy: usernameOf(tokens.groupDeploy),
    },
    users: { alice: alice.id, bob: bob.id, carol: carol.id, dave: dave.id, erin: erin.id, frank: frank.id },
    groups: { acme: acme.id, libs: libs.id, beta: beta.id, oss: oss.id },
    projects: { tools: tools.id, core: core.id, app: app.id, pub: pub.id },
  };
}
