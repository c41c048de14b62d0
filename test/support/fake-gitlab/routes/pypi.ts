/** The PyPI package registry API (gitlab.md §5, §6). */
import { createHash } from 'node:crypto';
import {
  forwardingEnabled,
  groupAbilities,
  groupIndexProjects,
  jobTokenPolicyDenial,
  type ProjectAbilities,
  projectAbilities,
  protectingRule,
} from '../access.js';
import { blake2bHex } from '../blake2b.js';
import type { RouteContext, RouteDefinition, UploadRecord } from '../context.js';
import { createMultipartParser, multipartBoundary } from '../multipart.js';
import {
  badRequest,
  created,
  errorReply,
  escapeHtml,
  forbidden,
  htmlReply,
  jsonReply,
  messageReply,
  notFound,
  packagesUnauthorized,
  type Reply,
  recordNotFound,
  textReply,
} from '../reply.js';
import type { Group, Package, PackageFile, Project } from '../state.js';
import { isReply, lookupGroup, lookupProject } from './common.js';

/** PEP 503 normalisation, as `normalized_pypi_name` (gitlab.md §6). */
export function normalizePypiName(name: string): string {
  return name.replace(/[-_.]+/g, '-').toLowerCase();
}

/**
 * gitlab.md §6 `with_normalized_pypi_name`: the stored name is normalised, the requested one only
 * lower-cased, so clients must ask for the normalised name (`my.pkg` does not find `my-pkg`).
 */
function matchesRequestedName(stored: string, requested: string): boolean {
  return normalizePypiName(stored) === requested.toLowerCase();
}

/** PEP 440 public + local versions (the regex GitLab documents as pypi_version_regex, written out here). */
const PEP440 =
  /^v?(?:[0-9]+!)?[0-9]+(?:\.[0-9]+)*(?:[-_.]?(?:a|b|c|rc|alpha|beta|pre|preview)[-_.]?[0-9]*)?(?:-[0-9]+|[-_.]?(?:post|rev|r)[-_.]?[0-9]*)?(?:[-_.]?dev[-_.]?[0-9]*)?(?:\+[a-z0-9]+(?:[-_.][a-z0-9]+)*)?$/i;
/** PEP 508 project names. Stricter than GitLab's package_name_regex; glx sends names from metadata. */
const PEP508_NAME = /^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$/i;
const SHA256_HEX = /^[0-9a-f]{64}$/i;
/** The BigInt BLAKE2b runs at a few MB/s; larger files are not checked. */
const BLAKE2B_CHECK_LIMIT = 256 * 1024;

interface ProjectAccess {
  project: Project;
  abilities: ProjectAbilities;
}

/**
 * lib/api/helpers/packages/basic_auth_helpers.rb `authorized_project_find!`, as lib/api/pypi_packages.rb calls it:
 * reads check read_package first (a registry open to everyone needs no read_project), then 403 when the caller
 * can read the project, else 401 (anonymous, with the Basic challenge) or 404. Uploads check read_project, then
 * create_package (401/403). Then `authorize_job_token_policies!` (fine-grained job-token permissions).
 */
function projectAccessOrReply(ctx: RouteContext, action: 'read' | 'create'): ProjectAccess | Reply {
  const project = lookupProject(ctx.state, ctx.params.id ?? '');
  if (!project) return notFound();
  const anonymous = ctx.principal.kind === 'anonymous';
  const abilities = projectAbilities(ctx.state, project, ctx.principal, ctx.settings);
  if (action === 'read' && !abilities.readPackage) {
    if (abilities.readProject) return forbidden();
    return anonymous ? packagesUnauthorized() : notFound();
  }
  if (!abilities.readProject && !(action === 'read' && abilities.readPackage)) {
    return anonymous ? packagesUnauthorized() : notFound();
  }
  if (action === 'create' && !abilities.createPackage) return anonymous ? packagesUnauthorized() : forbidden();
  const policy = jobTokenPolicyDenial(project, ctx.principal, action === 'read' ? 'read_packages' : 'admin_packages');
  if (policy) return forbidden(policy);
  return { project, abilities };
}

/** gitlab.md §5 group flow: unknown → 404; no read_group → 401/404; no read_package → 401/403. */
function groupAccessOrReply(ctx: RouteContext): Group | Reply {
  const group = lookupGroup(ctx.state, ctx.params.id ?? '');
  if (!group) return notFound();
  const anonymous = ctx.principal.kind === 'anonymous';
  const abilities = groupAbilities(ctx.state, group, ctx.principal, ctx.settings);
  if (!abilities.readGroup) return anonymous ? packagesUnauthorized() : notFound();
  if (!abilities.readPackage) return anonymous ? packagesUnauthorized() : forbidden();
  return group;
}

/** The presenter's `<<-HTML.lstrip` heredoc, indentation included (gitlab.md §6 "Simple index HTML"). */
export function simplePage(title: string, links: string): string {
  const pad = (n: number) => ' '.repeat(n);
  return [
    '<!DOCTYPE html>',
    `${pad(8)}<html>`,
    `${pad(10)}<head>`,
    `${pad(12)}<title>Links for ${escapeHtml(title)}</title>`,
    `${pad(10)}</head>`,
    `${pad(10)}<body>`,
    `${pad(12)}<h1>Links for ${escapeHtml(title)}</h1>`,
    `${pad(12)}${links}`,
    `${pad(10)}</body>`,
    `${pad(8)}</html>`,
    '',
  ].join('\n');
}

function packageLink(url: string, requiresPython: string | undefined, text: string): string {
  return `<a href="${url}" data-requires-python="${escapeHtml(requiresPython ?? '')}">${text}</a>`;
}

type Owner = { kind: 'project'; id: number } | { kind: 'group'; id: number };

function ownerBase(ctx: RouteContext, owner: Owner): string {
  // The numeric id is used even when the request named a path (gitlab.md §6).
  return owner.kind === 'project'
    ? `${ctx.baseUrl}/api/v4/projects/${owner.id}/packages/pypi`
    : `${ctx.baseUrl}/api/v4/groups/${owner.id}/-/packages/pypi`;
}

/** One link per package record, i.e. per (name, version); no separators. */
function indexReply(ctx: RouteContext, title: string, packages: Package[], owner: Owner): Reply {
  const links = packages
    .map((p) => packageLink(`${ownerBase(ctx, owner)}/simple/${normalizePypiName(p.name)}`, p.requiresPython, p.name))
    .join('');
  return htmlReply(200, simplePage(title, links));
}

function versionsReply(ctx: RouteContext, packages: Package[], owner: Owner): Reply {
  const links = packages
    .flatMap((p) =>
      p.files.map((f) =>
        packageLink(
          `${ownerBase(ctx, owner)}/files/${f.sha256}/${f.fileName}#sha256=${f.sha256}`,
          p.requiresPython,
          f.fileName,
        ),
      ),
    )
    .join('');
  return htmlReply(200, simplePage(packages[0]?.name ?? '', links));
}

/**
 * gitlab.md §6: no package → 302 to pypi.org when forwarding is on, else 404 Package Not Found.
 * The target is `"#{base_url}#{package_name}/"` with the name as requested
 * (lib/api/helpers/packages/dependency_proxy_helpers.rb `registry_url`); `settings.pypiUrl` is the base.
 */
function missingPackageReply(ctx: RouteContext, groupId: number): Reply {
  if (forwardingEnabled(ctx.state, groupId, ctx.settings)) {
    const base = ctx.settings.pypiUrl.endsWith('/') ? ctx.settings.pypiUrl : `${ctx.settings.pypiUrl}/`;
    const location = `${base}${ctx.params.package_name ?? ''}/`;
    // Grape's `redirect` (lib/grape/dsl/inside_route.rb) sets text/plain and a one-line body.
    return {
      status: 302,
      headers: { location, 'content-type': 'text/plain' },
      body: `This resource has been moved temporarily to ${location}.`,
    };
  }
  return notFound('Package');
}

function fileReply(ctx: RouteContext, file: PackageFile): Reply {
  if (!file.bytes) {
    ctx.markUnexpected(
      `download of ${file.fileName}: the fake kept no bytes for it (seeded without content, or larger than keepBytesLimit)`,
    );
    return messageReply(500, `fake GitLab: no bytes kept for ${file.fileName}`);
  }
  const encoded = encodeURIComponent(file.fileName);
  return {
    status: 200,
    headers: {
      'content-type': 'application/octet-stream',
      'content-disposition': `attachment; filename="${file.fileName}"; filename*=UTF-8''${encoded}`,
    },
    body: file.bytes,
  };
}

function findFile(packages: Package[], sha256: string, fileName: string): PackageFile | undefined {
  for (const pkg of packages) {
    const file = pkg.files.find((f) => f.fileName === fileName && f.sha256 === sha256);
    if (file) return file;
  }
  return undefined;
}

function projectIndex(ctx: RouteContext): Reply {
  const access = projectAccessOrReply(ctx, 'read');
  if (isReply(access)) return access;
  return indexReply(ctx, access.project.name, access.project.packages, { kind: 'project', id: access.project.id });
}

function projectVersions(ctx: RouteContext): Reply {
  const access = projectAccessOrReply(ctx, 'read');
  if (isReply(access)) return access;
  const requested = ctx.params.package_name ?? '';
  const packages = access.project.packages.filter((p) => matchesRequestedName(p.name, requested));
  // The forwarding check comes after read authorisation (gitlab.md §6).
  if (packages.length === 0) return missingPackageReply(ctx, access.project.namespaceId);
  return versionsReply(ctx, packages, { kind: 'project', id: access.project.id });
}

function projectFile(ctx: RouteContext): Reply {
  const access = projectAccessOrReply(ctx, 'read');
  if (isReply(access)) return access;
  const file = findFile(access.project.packages, ctx.params.sha256 ?? '', ctx.params.file_identifier ?? '');
  return file ? fileReply(ctx, file) : notFound('Package');
}

function visibleGroupPackages(ctx: RouteContext, group: Group): Package[] {
  return groupIndexProjects(ctx.state, group, ctx.principal, ctx.settings).flatMap((p) => p.packages);
}

function groupIndex(ctx: RouteContext): Reply {
  const group = groupAccessOrReply(ctx);
  if (isReply(group)) return group;
  return indexReply(ctx, group.name, visibleGroupPackages(ctx, group), { kind: 'group', id: group.id });
}

function groupVersions(ctx: RouteContext): Reply {
  const group = groupAccessOrReply(ctx);
  if (isReply(group)) return group;
  const requested = ctx.params.package_name ?? '';
  const packages = visibleGroupPackages(ctx, group).filter((p) => matchesRequestedName(p.name, requested));
  if (packages.length === 0) return missingPackageReply(ctx, group.id);
  return versionsReply(ctx, packages, { kind: 'group', id: group.id });
}

function groupFile(ctx: RouteContext): Reply {
  const group = groupAccessOrReply(ctx);
  if (isReply(group)) return group;
  const file = findFile(visibleGroupPackages(ctx, group), ctx.params.sha256 ?? '', ctx.params.file_identifier ?? '');
  // gitlab.md §6: the group download answers RecordNotFound's body.
  return file ? fileReply(ctx, file) : recordNotFound();
}

interface ParsedUpload {
  fields: Record<string, string>;
  file?: {
    fileName: string;
    contentType?: string;
    size: number;
    sha256: string;
    md5: string;
    bytes?: Buffer;
  };
  bodySize: number;
  error?: string;
}

const MAX_TEXT_FIELD_BYTES = 8 * 1024 * 1024;

/** Streams the request body through the multipart parser; only small parts stay in memory. */
async function readUpload(ctx: RouteContext): Promise<ParsedUpload> {
  const result: ParsedUpload = { fields: {}, bodySize: 0 };
  const boundary = multipartBoundary(ctx.req.headers['content-type']);
  if (!boundary) return { ...result, error: 'the upload is not multipart/form-data with a boundary' };
  const keepLimit = ctx.settings.keepBytesLimit;
  let textBytes = 0;
  const parser = createMultipartParser(boundary, (part) => {
    if (part.filename !== undefined && part.name === 'content') {
      const sha = createHash('sha256');
      const md5 = createHash('md5');
      let size = 0;
      let kept: Buffer[] | undefined = [];
      return {
        data(chunk) {
          sha.update(chunk);
          md5.update(chunk);
          size += chunk.length;
          if (kept && size <= keepLimit) kept.push(chunk);
          else kept = undefined;
        },
        end() {
          const file: NonNullable<ParsedUpload['file']> = {
            fileName: part.filename ?? '',
            size,
            sha256: sha.digest('hex'),
            md5: md5.digest('hex'),
          };
          if (part.contentType !== undefined) file.contentType = part.contentType;
          if (kept) file.bytes = Buffer.concat(kept);
          result.file = file;
        },
      };
    }
    const chunks: Buffer[] = [];
    return {
      data(chunk) {
        textBytes += chunk.length;
        if (textBytes > MAX_TEXT_FIELD_BYTES) throw new Error('text fields larger than 8 MiB');
        // Other file parts (not `content`) are not declared params; GitLab ignores them.
        if (part.filename === undefined) chunks.push(chunk);
      },
      end() {
        if (part.filename === undefined) result.fields[part.name] = Buffer.concat(chunks).toString('utf8');
      },
    };
  });
  try {
    for await (const chunk of ctx.req) {
      const buffer = chunk as Buffer;
      result.bodySize += buffer.length;
      parser.write(buffer);
    }
    parser.end();
  } catch (error) {
    result.error = `malformed multipart body: ${(error as Error).message}`;
  }
  return result;
}

/** Grape validation of the upload params, all problems in one message (gitlab.md §6 "Upload"). */
function uploadParamErrors(parsed: ParsedUpload): string | undefined {
  const problems: string[] = [];
  if (!parsed.file) problems.push(parsed.fields.content === undefined ? 'content is missing' : 'content is invalid');
  if (parsed.fields.name === undefined) problems.push('name is missing');
  if (parsed.fields.version === undefined) problems.push('version is missing');
  const sha = parsed.fields.sha256_digest;
  if (sha !== undefined && !SHA256_HEX.test(sha)) problems.push('sha256_digest is invalid');
  return problems.length > 0 ? problems.join(', ') : undefined;
}

async function upload(ctx: RouteContext): Promise<Reply> {
  // Workhorse asks /authorize before it streams the body, so auth failures come first (gitlab.md §5 "Upload flow").
  const access = projectAccessOrReply(ctx, 'create');
  if (isReply(access)) return access;
  const project = access.project;
  const parsed = await readUpload(ctx);
  ctx.record.body = { size: parsed.bodySize };
  const fields = parsed.fields;
  const record: UploadRecord = {
    projectId: project.id,
    status: 0,
    accepted: false,
    fields,
    size: parsed.file?.size ?? 0,
    auth: ctx.auth,
  };
  if (parsed.file) {
    record.fileName = parsed.file.fileName;
    if (parsed.file.contentType !== undefined) record.contentType = parsed.file.contentType;
    record.sha256 = parsed.file.sha256;
    record.md5 = parsed.file.md5;
    if (parsed.file.bytes) record.bytes = parsed.file.bytes;
    if (ctx.settings.verifyDigests && parsed.file.bytes && parsed.file.size <= BLAKE2B_CHECK_LIMIT)
      record.blake2b256 = blake2bHex(parsed.file.bytes);
  }
  if (fields.sha256_digest !== undefined) record.clientSha256 = fields.sha256_digest;
  if (fields.md5_digest !== undefined) record.clientMd5 = fields.md5_digest;
  if (fields.blake2_256_digest !== undefined) record.clientBlake2b256 = fields.blake2_256_digest;

  const reply = decideUpload(ctx, project, parsed, record.blake2b256);
  record.status = reply.status;
  record.accepted = reply.status === 201;
  const message = reply.body === undefined ? undefined : reply.body.toString();
  if (!record.accepted && message !== undefined) record.error = message;
  ctx.record.upload = record;
  ctx.recordUpload(record);
  return reply;
}

function decideUpload(
  ctx: RouteContext,
  project: Project,
  parsed: ParsedUpload,
  blake2b256: string | undefined,
): Reply {
  if (parsed.error) {
    ctx.markUnexpected(parsed.error);
    return errorReply(400, 'content is missing, name is missing, version is missing');
  }
  const paramErrors = uploadParamErrors(parsed);
  if (paramErrors) return errorReply(400, paramErrors);
  const file = parsed.file;
  const name = parsed.fields.name ?? '';
  const version = parsed.fields.version ?? '';
  if (!file) return errorReply(400, 'content is missing');
  // Workhorse enforces the limit /authorize gives it (`maximum_size: pypi_max_file_size`, 3 GiB by default) and
  // answers 413 itself, before Rails sees the request: destination.ErrEntityTooLarge ("entity is too large",
  // workhorse/internal/upload/destination/destination.go) written by handleMultipartError (.../upload/uploads.go).
  if (file.size > ctx.settings.maxFileSize) return textReply(413, 'entity is too large\n');
  if (!PEP508_NAME.test(name)) return badRequest('Validation failed: Name is invalid');
  if (!PEP440.test(version)) return badRequest('Validation failed: Version is invalid');
  const clientSha = parsed.fields.sha256_digest;
  if (ctx.settings.verifyDigests && clientSha !== undefined && clientSha.toLowerCase() !== file.sha256) {
    // A deviation from GitLab, which stores whatever digest it is given (gitlab.md §6); loud on purpose.
    ctx.markUnexpected(`sha256_digest ${clientSha} does not match the uploaded bytes (${file.sha256})`);
    return badRequest(`fake GitLab: sha256_digest does not match the uploaded content (computed ${file.sha256})`);
  }
  const clientBlake2b = parsed.fields.blake2_256_digest;
  if (
    ctx.settings.verifyDigests &&
    clientBlake2b !== undefined &&
    blake2b256 !== undefined &&
    clientBlake2b.toLowerCase() !== blake2b256
  ) {
    // GitLab ignores this field (gitlab.md §6); the fake checks it so that a wrong digest cannot go unnoticed.
    ctx.markUnexpected(`blake2_256_digest ${clientBlake2b} does not match the uploaded bytes (${blake2b256})`);
    return badRequest(`fake GitLab: blake2_256_digest does not match the uploaded content (computed ${blake2b256})`);
  }
  // app/services/packages/pypi/create_package_service.rb: protection is checked before anything is stored.
  if (protectingRule(ctx.state, project, ctx.principal, name)) return forbidden('Package protected.');
  let pkg = project.packages.find((p) => p.name === name && p.version === version);
  // gitlab.md §6: duplicates are by file name within (name, version).
  if (pkg?.files.some((f) => f.fileName === file.fileName)) {
    return badRequest('Validation failed: File name has already been taken');
  }
  if (!pkg) {
    pkg = { name, version, files: [] };
    project.packages.push(pkg);
  }
  // create_package_service.rb upserts the metadatum with `required_python: params[:requires_python] || ''`:
  // every upload overwrites it, an upload without it empties it.
  pkg.requiresPython = parsed.fields.requires_python ?? '';
  const entry: PackageFile = {
    fileName: file.fileName,
    // `file_sha256: params[:sha256_digest]`: the client's digest as given, nothing when it sent none.
    sha256: clientSha?.toLowerCase() ?? '',
    md5: parsed.fields.md5_digest ?? file.md5,
    size: file.size,
    createdAt: ctx.now().toISOString(),
  };
  if (file.bytes) entry.bytes = file.bytes;
  pkg.files.push(entry);
  return created();
}

/** `/authorize` is Workhorse-only; a direct call lacks the Workhorse JWT (gitlab.md §6). */
function authorizeUpload(ctx: RouteContext): Reply {
  ctx.markUnexpected('POST .../packages/pypi/authorize is internal to GitLab Workhorse; clients never call it');
  return jsonReply(403, { message: '403 Forbidden' });
}

export const pypiRoutes: RouteDefinition[] = [
  { method: 'GET', path: '/projects/:id/packages/pypi/simple', auth: 'packages', handler: projectIndex },
  {
    method: 'GET',
    path: '/projects/:id/packages/pypi/simple/:package_name',
    auth: 'packages',
    handler: projectVersions,
  },
  {
    method: 'GET',
    path: '/projects/:id/packages/pypi/files/:sha256/*file_identifier',
    auth: 'packages',
    handler: projectFile,
  },
  { method: 'POST', path: '/projects/:id/packages/pypi', auth: 'packages', streaming: true, handler: upload },
  { method: 'POST', path: '/projects/:id/packages/pypi/authorize', auth: 'packages', handler: authorizeUpload },
  { method: 'GET', path: '/groups/:id/-/packages/pypi/simple', auth: 'packages', handler: groupIndex },
  { method: 'GET', path: '/groups/:id/-/packages/pypi/simple/:package_name', auth: 'packages', handler: groupVersions },
  {
    method: 'GET',
    path: '/groups/:id/-/packages/pypi/files/:sha256/*file_identifier',
    auth: 'packages',
    handler: groupFile,
  },
];
