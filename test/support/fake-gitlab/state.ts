/**
 * The fake GitLab's world as plain data: users, tokens, groups, projects, packages, releases.
 * Tests may build it with the `add*` helpers below or edit the arrays directly.
 */
import { createHash } from 'node:crypto';

/** Role numbers from gitlab.md §5 (`gl:doc/api/members.md`). */
export const AccessLevel = {
  noAccess: 0,
  minimal: 5,
  guest: 10,
  planner: 15,
  reporter: 20,
  developer: 30,
  maintainer: 40,
  owner: 50,
} as const;

export type Role = Exclude<keyof typeof AccessLevel, 'noAccess'>;
export type Visibility = 'private' | 'internal' | 'public';
export type TokenKind = 'personal' | 'project' | 'group' | 'deploy' | 'job' | 'oauth';

export interface User {
  id: number;
  username: string;
  name: string;
  bot: boolean;
  state: 'active' | 'blocked';
  email?: string;
  createdAt: string;
}

export interface Member {
  userId: number;
  accessLevel: number;
}

/**
 * One credential. Which fields matter depends on `kind` (gitlab.md §1):
 * - personal: `userId`, `scopes`, `expiresAt`, `revoked`;
 * - project / group access token: the same, `userId` is the bot user, `projectId` / `groupId` its resource;
 * - deploy: `username`, `scopes` (`read_package_registry`, `write_package_registry`, ...), `projectId` or `groupId`;
 * - job: `jobId`, `projectId` (the job's project), `userId` (who runs the pipeline), `running`;
 * - oauth: an OAuth access token of `userId` (what `glab auth login` stores), sent only as Bearer.
 *
 * A rotated access token points at the one it replaced (`previousTokenId`): GitLab's token family.
 */
export interface Token {
  id: number;
  token: string;
  kind: TokenKind;
  name: string;
  scopes: string[];
  userId?: number;
  projectId?: number;
  groupId?: number;
  username?: string;
  expiresAt?: string | null;
  revoked?: boolean;
  createdAt: string;
  lastUsedAt?: string | null;
  jobId?: number;
  running?: boolean;
  jobName?: string;
  ref?: string;
  pipelineId?: number;
  description?: string | null;
  previousTokenId?: number;
}

export interface Group {
  id: number;
  path: string;
  fullPath: string;
  name: string;
  visibility: Visibility;
  parentId?: number | null;
  members: Member[];
  /** "Forward PyPI package requests" (gitlab.md §6); unset inherits from the parent, then `settings.forwardingDefault`. */
  forwarding?: boolean;
  description?: string;
}

export interface PackageFile {
  fileName: string;
  /**
   * What the index advertises and downloads are matched on: the client's `sha256_digest` as GitLab stores it
   * (`file_sha256: params[:sha256_digest]`, app/services/packages/pypi/create_package_service.rb); '' when the
   * upload sent none.
   */
  sha256: string;
  md5?: string;
  size?: number;
  /** Kept only for small files (`settings.keepBytesLimit`); downloads need them. */
  bytes?: Buffer;
  createdAt?: string;
}

export interface Package {
  name: string;
  version: string;
  requiresPython?: string;
  files: PackageFile[];
}

export interface ReleaseLink {
  id: number;
  name: string;
  url: string;
  linkType: string;
  directAssetPath?: string;
}

export interface Release {
  tagName: string;
  name: string;
  description: string;
  createdAt: string;
  releasedAt: string;
  authorId?: number;
  links: ReleaseLink[];
}

export interface JobTokenScope {
  inboundEnabled: boolean;
  allowlistProjectIds: number[];
  allowlistGroupIds: number[];
  /**
   * Fine-grained job-token permissions of an allowlist entry, by source project id (`read_packages`,
   * `admin_packages`, ...). An entry absent here has the default permissions (everything the user may do).
   */
  policies?: Record<number, string[]>;
}

/** `package_registry_access_level` (app/models/project_feature.rb): `enabled` = members, `public` = everyone. */
export type PackageRegistryAccess = 'disabled' | 'private' | 'enabled' | 'public';

/** A package protection rule (app/models/packages/protection/rule.rb): `*` in the pattern matches anything. */
export interface PackageProtectionRule {
  id: number;
  packageNamePattern: string;
  /** Pushing a matching name needs at least this role; deploy tokens never may (check_rule_existence_service.rb). */
  minimumAccessLevelForPush: 'maintainer' | 'owner' | 'admin';
}

export interface Project {
  id: number;
  path: string;
  pathWithNamespace: string;
  name: string;
  namespaceId: number;
  visibility: Visibility;
  members: Member[];
  packages: Package[];
  jobTokenScope: JobTokenScope;
  releases: Release[];
  /** Git tags that exist; creating a release for another tag needs `ref` (gitlab.md §9). */
  tags: string[];
  defaultBranch: string;
  description?: string;
  /** Default `enabled`; `disabled` refuses every package action, `public` lets anyone read (rules 1 and 5 in README.md). */
  packageRegistryAccess?: PackageRegistryAccess;
  /** Old full paths the project had (redirect routes): a REST GET by one of them answers 301 (lib/api/helpers.rb). */
  previousPaths?: string[];
  protectionRules?: PackageProtectionRule[];
  /** A CI/CD Catalog resource: creating a release validates the project first (Releases::CreateService). */
  catalogResource?: boolean;
}

export interface FakeState {
  users: User[];
  tokens: Token[];
  groups: Group[];
  projects: Project[];
}

export function createState(): FakeState {
  return { users: [], tokens: [], groups: [], projects: [] };
}

const FIXED_DATE = '2025-01-15T10:00:00.000Z';

/** A user by id or username. */
export type UserRef = number | string;
/** A group by id or full path. */
export type GroupRef = number | string;
/** A project by id or full path. */
export type ProjectRef = number | string;

export function findUser(state: FakeState, ref: UserRef): User | undefined {
  return typeof ref === 'number' ? state.users.find((u) => u.id === ref) : state.users.find((u) => u.username === ref);
}

export function findGroup(state: FakeState, ref: GroupRef): Group | undefined {
  if (typeof ref === 'number') return state.groups.find((g) => g.id === ref);
  // Full paths are matched case-insensitively, as GitLab's find_by_full_path does.
  const wanted = ref.toLowerCase();
  return state.groups.find((g) => g.fullPath.toLowerCase() === wanted);
}

export function findProject(state: FakeState, ref: ProjectRef): Project | undefined {
  if (typeof ref === 'number') return state.projects.find((p) => p.id === ref);
  const wanted = ref.toLowerCase();
  return state.projects.find((p) => p.pathWithNamespace.toLowerCase() === wanted);
}

export function findToken(state: FakeState, token: string): Token | undefined {
  return state.tokens.find((t) => t.token === token);
}

function mustUser(state: FakeState, ref: UserRef): User {
  const user = findUser(state, ref);
  if (!user) throw new Error(`fake GitLab: no user ${JSON.stringify(ref)}`);
  return user;
}

export function mustGroup(state: FakeState, ref: GroupRef): Group {
  const group = findGroup(state, ref);
  if (!group) throw new Error(`fake GitLab: no group ${JSON.stringify(ref)}`);
  return group;
}

export function mustProject(state: FakeState, ref: ProjectRef): Project {
  const project = findProject(state, ref);
  if (!project) throw new Error(`fake GitLab: no project ${JSON.stringify(ref)}`);
  return project;
}

function nextId(items: ReadonlyArray<{ id: number }>, start: number): number {
  return items.reduce((max, item) => Math.max(max, item.id), start - 1) + 1;
}

function toLevel(role: Role | number): number {
  return typeof role === 'number' ? role : AccessLevel[role];
}

export interface AddUserInput {
  username: string;
  id?: number;
  name?: string;
  bot?: boolean;
  state?: 'active' | 'blocked';
  email?: string;
}

export function addUser(state: FakeState, input: AddUserInput): User {
  if (findUser(state, input.username)) throw new Error(`fake GitLab: user ${input.username} exists`);
  const user: User = {
    id: input.id ?? nextId(state.users, 1),
    username: input.username,
    name: input.name ?? input.username.charAt(0).toUpperCase() + input.username.slice(1),
    bot: input.bot ?? false,
    state: input.state ?? 'active',
    createdAt: FIXED_DATE,
  };
  if (input.email !== undefined) user.email = input.email;
  state.users.push(user);
  return user;
}

export interface AddGroupInput {
  /** Last path segment; or give `fullPath`. */
  path?: string;
  fullPath?: string;
  id?: number;
  name?: string;
  visibility?: Visibility;
  parent?: GroupRef;
  forwarding?: boolean;
}

export function addGroup(state: FakeState, input: AddGroupInput): Group {
  const parent = input.parent === undefined ? undefined : mustGroup(state, input.parent);
  const path = input.path ?? input.fullPath?.split('/').pop();
  if (!path) throw new Error('fake GitLab: addGroup needs path or fullPath');
  const fullPath = input.fullPath ?? (parent ? `${parent.fullPath}/${path}` : path);
  if (findGroup(state, fullPath)) throw new Error(`fake GitLab: group ${fullPath} exists`);
  const group: Group = {
    id: input.id ?? nextId(state.groups, 100),
    path,
    fullPath,
    name: input.name ?? path,
    visibility: input.visibility ?? 'private',
    parentId: parent?.id ?? null,
    members: [],
  };
  if (input.forwarding !== undefined) group.forwarding = input.forwarding;
  state.groups.push(group);
  return group;
}

export interface AddProjectInput {
  /** Last path segment (with `namespace`), or the full `pathWithNamespace`. */
  path?: string;
  pathWithNamespace?: string;
  namespace?: GroupRef;
  id?: number;
  name?: string;
  visibility?: Visibility;
  tags?: string[];
  defaultBranch?: string;
  inboundEnabled?: boolean;
  packageRegistryAccess?: PackageRegistryAccess;
}

export function addProject(state: FakeState, input: AddProjectInput): Project {
  let namespace: Group;
  let path: string;
  if (input.pathWithNamespace !== undefined) {
    const cut = input.pathWithNamespace.lastIndexOf('/');
    if (cut < 0) throw new Error('fake GitLab: projects live in a group namespace (group/project)');
    namespace = mustGroup(state, input.namespace ?? input.pathWithNamespace.slice(0, cut));
    path = input.pathWithNamespace.slice(cut + 1);
  } else {
    if (input.namespace === undefined || input.path === undefined) {
      throw new Error('fake GitLab: addProject needs pathWithNamespace, or namespace and path');
    }
    namespace = mustGroup(state, input.namespace);
    path = input.path;
  }
  const pathWithNamespace = `${namespace.fullPath}/${path}`;
  if (findProject(state, pathWithNamespace)) throw new Error(`fake GitLab: project ${pathWithNamespace} exists`);
  const project: Project = {
    id: input.id ?? nextId(state.projects, 1000),
    path,
    pathWithNamespace,
    name: input.name ?? path,
    namespaceId: namespace.id,
    visibility: input.visibility ?? 'private',
    members: [],
    packages: [],
    // gitlab.md §8: inbound scope is on by default for new projects since 15.9.
    jobTokenScope: { inboundEnabled: input.inboundEnabled ?? true, allowlistProjectIds: [], allowlistGroupIds: [] },
    releases: [],
    tags: input.tags ?? [],
    defaultBranch: input.defaultBranch ?? 'main',
  };
  if (input.packageRegistryAccess !== undefined) project.packageRegistryAccess = input.packageRegistryAccess;
  state.projects.push(project);
  return project;
}

export interface AddMemberInput {
  user: UserRef;
  role: Role | number;
  project?: ProjectRef;
  group?: GroupRef;
}

/** Adds or updates a direct membership of a project or a group. */
export function addMember(state: FakeState, input: AddMemberInput): void {
  const user = mustUser(state, input.user);
  const target =
    input.project !== undefined
      ? mustProject(state, input.project)
      : input.group !== undefined
        ? mustGroup(state, input.group)
        : undefined;
  if (!target) throw new Error('fake GitLab: addMember needs project or group');
  const accessLevel = toLevel(input.role);
  const existing = target.members.find((m) => m.userId === user.id);
  if (existing) existing.accessLevel = accessLevel;
  else target.members.push({ userId: user.id, accessLevel });
}

interface TokenCommon {
  name?: string;
  /** Use this exact string (e.g. an unprefixed legacy token) instead of a generated one. */
  token?: string;
  id?: number;
  expiresAt?: string | null;
  revoked?: boolean;
}

export type AddTokenInput =
  | (TokenCommon & { kind: 'personal'; user: UserRef; scopes?: string[] })
  | (TokenCommon & { kind: 'project'; project: ProjectRef; role?: Role | number; scopes?: string[] })
  | (TokenCommon & { kind: 'group'; group: GroupRef; role?: Role | number; scopes?: string[] })
  | (TokenCommon & { kind: 'deploy'; project?: ProjectRef; group?: GroupRef; scopes?: string[]; username?: string })
  | (TokenCommon & { kind: 'job'; project: ProjectRef; user: UserRef; running?: boolean; jobId?: number; ref?: string })
  | (TokenCommon & { kind: 'oauth'; user: UserRef; scopes?: string[] });

const PREFIX: Record<TokenKind, string> = {
  // gitlab.md §1: PATs, project and group access tokens share `glpat-`.
  personal: 'glpat-',
  project: 'glpat-',
  group: 'glpat-',
  deploy: 'gldt-',
  job: 'glcbt-',
  // Doorkeeper access tokens carry no prefix (64 hex characters).
  oauth: '',
};

/** Deterministic, realistic-looking token text: same world, same tokens, run after run. */
function tokenText(kind: TokenKind, id: number, name: string): string {
  const body = createHash('sha256').update(`${kind}:${id}:${name}`).digest('base64url').slice(0, 20);
  // Legacy job tokens carry a partition prefix (`64_`); gitlab.md §1 says not to rely on the length.
  if (kind === 'oauth') return createHash('sha256').update(`${kind}:${id}:${name}`).digest('hex');
  return kind === 'job' ? `${PREFIX[kind]}64_${body}` : `${PREFIX[kind]}${body}`;
}

function botHex(id: number): string {
  return createHash('sha256').update(`bot:${id}`).digest('hex').slice(0, 32);
}

/** Adds a credential and returns its token string. Project and group tokens get their bot user and membership. */
export function addToken(state: FakeState, input: AddTokenInput): string {
  const id = input.id ?? nextId(state.tokens, 1);
  const base: Token = {
    id,
    token: '',
    kind: input.kind,
    name: input.name ?? `${input.kind}-token-${id}`,
    scopes: [],
    createdAt: FIXED_DATE,
    lastUsedAt: null,
  };
  if (input.expiresAt !== undefined) base.expiresAt = input.expiresAt;
  if (input.revoked !== undefined) base.revoked = input.revoked;
  switch (input.kind) {
    case 'personal':
    case 'oauth':
      base.userId = mustUser(state, input.user).id;
      base.scopes = input.scopes ?? ['api'];
      break;
    case 'project': {
      const project = mustProject(state, input.project);
      // gitlab.md §1: bot usernames are project_{id}_bot_{random}; the default role is Maintainer (§5).
      const bot = addUser(state, {
        username: `project_${project.id}_bot_${botHex(id)}`,
        name: `${project.name} bot`,
        bot: true,
      });
      addMember(state, { project: project.id, user: bot.id, role: input.role ?? 'maintainer' });
      base.userId = bot.id;
      base.projectId = project.id;
      base.scopes = input.scopes ?? ['api'];
      break;
    }
    case 'group': {
      const group = mustGroup(state, input.group);
      const bot = addUser(state, {
        username: `group_${group.id}_bot_${botHex(id)}`,
        name: `${group.name} bot`,
        bot: true,
      });
      addMember(state, { group: group.id, user: bot.id, role: input.role ?? 'maintainer' });
      base.userId = bot.id;
      base.groupId = group.id;
      base.scopes = input.scopes ?? ['api'];
      break;
    }
    case 'deploy':
      if (input.project !== undefined) base.projectId = mustProject(state, input.project).id;
      else if (input.group !== undefined) base.groupId = mustGroup(state, input.group).id;
      else throw new Error('fake GitLab: a deploy token belongs to a project or a group');
      base.scopes = input.scopes ?? ['read_package_registry'];
      // gitlab.md §4: the default username is gitlab+deploy-token-{n}.
      base.username = input.username ?? `gitlab+deploy-token-${id}`;
      break;
    case 'job':
      base.projectId = mustProject(state, input.project).id;
      base.userId = mustUser(state, input.user).id;
      base.running = input.running ?? true;
      base.jobId = input.jobId ?? 5000 + id;
      base.pipelineId = 900 + id;
      base.jobName = 'build';
      base.ref = input.ref ?? 'main';
      break;
  }
  base.token = input.token ?? tokenText(input.kind, id, base.name);
  if (findToken(state, base.token)) throw new Error(`fake GitLab: token text ${base.token} is taken`);
  state.tokens.push(base);
  return base.token;
}

export interface AddPackageFileInput {
  fileName: string;
  /** File content; its sha256 is computed. Without it, give `sha256` (downloads will then fail loudly). */
  content?: string | Uint8Array;
  sha256?: string;
}

export interface AddPackageInput {
  name: string;
  version: string;
  requiresPython?: string;
  files?: AddPackageFileInput[];
}

export function addPackage(state: FakeState, projectRef: ProjectRef, input: AddPackageInput): Package {
  const project = mustProject(state, projectRef);
  const pkg: Package = { name: input.name, version: input.version, files: [] };
  if (input.requiresPython !== undefined) pkg.requiresPython = input.requiresPython;
  for (const file of input.files ?? []) {
    const bytes = file.content === undefined ? undefined : Buffer.from(file.content);
    const sha256 = bytes ? createHash('sha256').update(bytes).digest('hex') : file.sha256;
    if (!sha256) throw new Error(`fake GitLab: package file ${file.fileName} needs content or sha256`);
    const entry: PackageFile = { fileName: file.fileName, sha256, createdAt: FIXED_DATE };
    if (bytes) {
      entry.bytes = bytes;
      entry.size = bytes.length;
      entry.md5 = createHash('md5').update(bytes).digest('hex');
    }
    pkg.files.push(entry);
  }
  project.packages.push(pkg);
  return pkg;
}

export interface AddReleaseInput {
  tagName: string;
  name?: string;
  description?: string;
  links?: Array<{ name: string; url: string; linkType?: string; directAssetPath?: string }>;
}

export function addRelease(state: FakeState, projectRef: ProjectRef, input: AddReleaseInput): Release {
  const project = mustProject(state, projectRef);
  if (!project.tags.includes(input.tagName)) project.tags.push(input.tagName);
  const release: Release = {
    tagName: input.tagName,
    name: input.name ?? input.tagName,
    description: input.description ?? '',
    createdAt: FIXED_DATE,
    releasedAt: FIXED_DATE,
    links: [],
  };
  for (const link of input.links ?? []) {
    const entry: ReleaseLink = {
      id: nextLinkId(state),
      name: link.name,
      url: link.url,
      linkType: link.linkType ?? 'other',
    };
    if (link.directAssetPath !== undefined) entry.directAssetPath = link.directAssetPath;
    release.links.push(entry);
  }
  project.releases.push(release);
  return release;
}

export function nextLinkId(state: FakeState): number {
  let max = 0;
  for (const project of state.projects) {
    for (const release of project.releases) for (const link of release.links) max = Math.max(max, link.id);
  }
  return max + 1;
}
