/** Releases and release links (gitlab.md §9). Job tokens are accepted (JOB-TOKEN header). */
import { roleOn } from '../access.js';
import type { RouteContext, RouteDefinition } from '../context.js';
import { errorReply, forbidden, jsonReply, messageReply, paginate, type Reply, recordNotFound } from '../reply.js';
import { AccessLevel, nextLinkId, type Project, type Release, type ReleaseLink } from '../state.js';
import {
  basicUserEntity,
  fakeSha,
  findProjectOrReply,
  isReply,
  missingParams,
  requireAuthenticated,
  stringParam,
} from './common.js';

const LINK_TYPES = ['other', 'runbook', 'image', 'package'];
/** `Releases::Link::FILEPATH_REGEX` (gitlab.md §9): starts with `/`, word characters, dots and dashes. */
const FILEPATH = /^\/(?:[-.\w]+\/)*[-.\w]+$/;

function linkEntity(ctx: RouteContext, project: Project, release: Release, link: ReleaseLink): Record<string, unknown> {
  const direct = link.directAssetPath
    ? `${ctx.baseUrl}/${project.pathWithNamespace}/-/releases/${encodeURIComponent(release.tagName)}/downloads${link.directAssetPath}`
    : link.url;
  return { id: link.id, name: link.name, url: link.url, direct_asset_url: direct, link_type: link.linkType };
}

function releaseEntity(ctx: RouteContext, project: Project, release: Release): Record<string, unknown> {
  const author = ctx.state.users.find((u) => u.id === release.authorId);
  const sha = fakeSha(`${project.id}:${release.tagName}`);
  const web = `${ctx.baseUrl}/${project.pathWithNamespace}`;
  const tag = encodeURIComponent(release.tagName);
  const sources = ['zip', 'tar.gz', 'tar.bz2', 'tar'].map((format) => ({
    format,
    url: `${web}/-/archive/${tag}/${project.path}-${tag}.${format}`,
  }));
  return {
    name: release.name,
    tag_name: release.tagName,
    description: release.description,
    created_at: release.createdAt,
    released_at: release.releasedAt,
    upcoming_release: false,
    author: author ? basicUserEntity(ctx, author) : null,
    commit: { id: sha, short_id: sha.slice(0, 8), title: `Release ${release.tagName}` },
    commit_path: `/${project.pathWithNamespace}/-/commit/${sha}`,
    tag_path: `/${project.pathWithNamespace}/-/tags/${tag}`,
    milestones: [],
    assets: {
      count: sources.length + release.links.length,
      sources,
      links: release.links.map((l) => linkEntity(ctx, project, release, l)),
    },
    evidences: [],
    _links: { self: `${web}/-/releases/${tag}` },
  };
}

function projectOrReply(ctx: RouteContext): Project | Reply {
  return findProjectOrReply(ctx, ctx.params.id ?? '');
}

function findRelease(project: Project, tagName: string): Release | undefined {
  return project.releases.find((r) => r.tagName === tagName);
}

/** Developer+ (`create_release`, gitlab.md §9). */
function canWriteReleases(ctx: RouteContext, project: Project): boolean {
  return roleOn(ctx.state, project, ctx.principal) >= AccessLevel.developer;
}

function getRelease(ctx: RouteContext): Reply {
  const project = projectOrReply(ctx);
  if (isReply(project)) return project;
  const release = findRelease(project, ctx.params.tag_name ?? '');
  if (!release) return messageReply(404, '404 Not Found');
  return jsonReply(200, releaseEntity(ctx, project, release));
}

interface LinkInput {
  name?: string;
  url?: string;
  link_type?: string;
  direct_asset_path?: string;
  filepath?: string;
}

/** Model validations of `Releases::Link`: full messages in an array (gitlab.md §9). */
function linkProblems(release: Release, input: LinkInput, others: ReleaseLink[] = release.links): string[] {
  const problems: string[] = [];
  if (others.some((l) => l.name === input.name)) problems.push('Name has already been taken');
  if (others.some((l) => l.url === input.url)) problems.push('Url has already been taken');
  // Not in gitlab.md: `addressable_url: { schemes: %w[http https ftp] }` on Releases::Link#url.
  if (input.url !== undefined && !/^(https?|ftp):\/\/[^\s]+$/i.test(input.url)) {
    problems.push('Url is blocked: Only allowed schemes are http, https, ftp');
  }
  const path = input.direct_asset_path ?? input.filepath;
  if (path !== undefined && path !== '' && !FILEPATH.test(path)) problems.push('Filepath is in an invalid format');
  return problems;
}

function buildLink(ctx: RouteContext, input: LinkInput): ReleaseLink {
  const link: ReleaseLink = {
    id: nextLinkId(ctx.state),
    name: input.name ?? '',
    url: input.url ?? '',
    linkType: input.link_type ?? 'other',
  };
  const path = input.direct_asset_path ?? input.filepath;
  if (path) link.directAssetPath = path;
  return link;
}

function readLinkInputs(value: unknown): LinkInput[] | undefined {
  if (value === undefined) return [];
  if (!Array.isArray(value)) return undefined;
  const links: LinkInput[] = [];
  for (const item of value) {
    if (typeof item !== 'object' || item === null) return undefined;
    const record = item as Record<string, unknown>;
    const link: LinkInput = {};
    for (const key of ['name', 'url', 'link_type', 'direct_asset_path', 'filepath'] as const) {
      const text = stringParam(record, key);
      if (text !== undefined) link[key] = text;
    }
    links.push(link);
  }
  return links;
}

function createRelease(ctx: RouteContext): Reply {
  const denied = requireAuthenticated(ctx);
  if (denied) return denied;
  const missing = missingParams(ctx.input, ['tag_name']);
  if (missing) return missing;
  const assets = ctx.input.assets;
  const linkInputs = readLinkInputs(
    typeof assets === 'object' && assets !== null ? (assets as Record<string, unknown>).links : undefined,
  );
  if (!linkInputs) return errorReply(400, 'assets[links] is invalid');
  if (linkInputs.some((l) => l.link_type !== undefined && !LINK_TYPES.includes(l.link_type))) {
    return errorReply(400, 'assets[links][link_type] does not have a valid value');
  }
  const project = projectOrReply(ctx);
  if (isReply(project)) return project;
  if (!canWriteReleases(ctx, project)) return forbidden();
  const tagName = stringParam(ctx.input, 'tag_name') ?? '';
  if (findRelease(project, tagName)) return messageReply(409, 'Release already exists');
  const ref = stringParam(ctx.input, 'ref');
  // app/services/releases/create_service.rb: 422 "Ref is not specified" when the tag is missing and no ref was
  // given; a CI/CD Catalog project's release is validated too and refused with 422 and the validation messages.
  if (!project.tags.includes(tagName) && !ref) return messageReply(422, 'Ref is not specified');
  if (project.catalogResource && !project.description) {
    return messageReply(422, 'Project must have a description, Project must contain a README file');
  }
  if (!project.tags.includes(tagName)) project.tags.push(tagName);
  const now = ctx.now().toISOString();
  const release: Release = {
    tagName,
    name: stringParam(ctx.input, 'name') ?? tagName,
    description: stringParam(ctx.input, 'description') ?? '',
    createdAt: now,
    releasedAt: stringParam(ctx.input, 'released_at') ?? now,
    links: [],
  };
  const author = ctx.principal.kind === 'user' || ctx.principal.kind === 'job' ? ctx.principal.user : undefined;
  if (author) release.authorId = author.id;
  for (const input of linkInputs) {
    const problems = [
      ...(input.name === undefined ? ["Links name can't be blank"] : []),
      ...(input.url === undefined ? ["Links url can't be blank"] : []),
      ...linkProblems(release, input).map((p) => `Links ${p.charAt(0).toLowerCase()}${p.slice(1)}`),
    ];
    if (problems.length > 0) return messageReply(400, `Validation failed: ${problems.join(', ')}`);
    release.links.push(buildLink(ctx, input));
  }
  project.releases.push(release);
  return jsonReply(201, releaseEntity(ctx, project, release));
}

function releaseOrReply(ctx: RouteContext): { project: Project; release: Release } | Reply {
  const project = projectOrReply(ctx);
  if (isReply(project)) return project;
  const release = findRelease(project, ctx.params.tag_name ?? '');
  // `find_by_tag!` → RecordNotFound (gitlab.md §9).
  if (!release) return recordNotFound();
  return { project, release };
}

function listLinks(ctx: RouteContext): Reply {
  const found = releaseOrReply(ctx);
  if (isReply(found)) return found;
  const page = paginate(found.release.links, ctx.url);
  return jsonReply(
    200,
    page.items.map((l) => linkEntity(ctx, found.project, found.release, l)),
    page.headers,
  );
}

function createLink(ctx: RouteContext): Reply {
  const denied = requireAuthenticated(ctx);
  if (denied) return denied;
  const missing = missingParams(ctx.input, ['name', 'url']);
  if (missing) return missing;
  const linkType = stringParam(ctx.input, 'link_type');
  if (linkType !== undefined && !LINK_TYPES.includes(linkType)) {
    return errorReply(400, 'link_type does not have a valid value');
  }
  const found = releaseOrReply(ctx);
  if (isReply(found)) return found;
  if (!canWriteReleases(ctx, found.project)) return forbidden();
  const input: LinkInput = {};
  for (const key of ['name', 'url', 'link_type', 'direct_asset_path', 'filepath'] as const) {
    const text = stringParam(ctx.input, key);
    if (text !== undefined) input[key] = text;
  }
  const problems = linkProblems(found.release, input);
  if (problems.length > 0) return messageReply(400, problems);
  const link = buildLink(ctx, input);
  found.release.links.push(link);
  return jsonReply(201, linkEntity(ctx, found.project, found.release, link));
}

export const releaseRoutes: RouteDefinition[] = [
  { method: 'GET', path: '/projects/:id/releases/:tag_name', auth: 'job', handler: getRelease },
  { method: 'POST', path: '/projects/:id/releases', auth: 'job', handler: createRelease },
  { method: 'GET', path: '/projects/:id/releases/:tag_name/assets/links', auth: 'job', handler: listLinks },
  { method: 'POST', path: '/projects/:id/releases/:tag_name/assets/links', auth: 'job', handler: createLink },
];
