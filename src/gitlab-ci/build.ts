/**
 * glx's part of .gitlab-ci.yml, as data and as rendered text. It follows uv's GitLab CI guide
 * (https://docs.astral.sh/uv/guides/integration/gitlab/): the uv image pinned by UV_VERSION / PYTHON_VERSION /
 * BASE_LAYER, UV_LINK_MODE=copy, a cache keyed on uv.lock pruned with `uv cache prune --ci`; and
 * adds what the guide leaves out: job-token credentials for every GitLab index and a tag job that
 * publishes and links the files to the release (https://docs.gitlab.com/api/releases/links/, https://docs.gitlab.com/ci/variables/predefined_variables/; https://github.com/astral-sh/uv/blob/main/crates/uv-publish/src/lib.rs).
 */
import { Document, isMap, isScalar, isSeq, type Node, type Scalar } from 'yaml';
import { indexEnvVars } from '../pyproject/index-name.js';
import { releaseLinksStep } from './release-links.js';

/** The hidden template job users extend; glx rewrites it on every run. */
export const TEMPLATE_JOB = '.glx-uv';
/** The tag-only build/publish/release job (`--publish`); glx rewrites it on every run. */
export const PUBLISH_JOB = 'glx-publish';
/** A first visible job for a file that has none; written once, then it is the user's. */
export const STARTER_JOB = 'uv-sync';
/** Comment lines that open each block glx rewrites; merge.ts recognises them by this prefix. */
export const MARKER = '# glx:';

export { DEFAULT_BASE_LAYER, DEFAULT_UV_VERSION } from './uv-image.js';

/** This project's PyPI upload URL, from GitLab's predefined variables (https://docs.gitlab.com/ci/variables/predefined_variables/). */
// biome-ignore lint/suspicious/noTemplateCurlyInString: GitLab's variable syntax, expanded in the job
const PROJECT_REGISTRY = '${CI_API_V4_URL}/projects/${CI_PROJECT_ID}/packages/pypi';

export interface UvPins {
  uvVersion: string;
  pythonVersion: string;
  baseLayer: string;
}

export interface GlxJobsSpec {
  pins: UvPins;
  /** Names of the GitLab indexes in pyproject.toml that get job-token credentials. */
  indexNames: string[];
  /** Directory of pyproject.toml relative to .gitlab-ci.yml, POSIX style; '' when they sit together. */
  projectDir: string;
  /** Stage of the publish job (one the file defines, or GitLab's default `deploy`). */
  publishStage: string;
  /** uv.lock exists: the starter job syncs with --locked. */
  locked: boolean;
}

export interface RenderedJob {
  key: string;
  /** The job as plain data (what GitLab sees). */
  value: Record<string, unknown>;
  /** The block as text: marker comment lines, the key, the body; ends with a line ending. */
  text: string;
}

type Comments = Array<{ path: Array<string | number>; text: string }>;

/**
 * What the user added to a glx block, kept when glx rewrites it: keys and variables glx does not
 * own, and the quoting of each variable whose value stays the same (no churn on re-runs).
 */
export interface UserPart {
  keys: Record<string, unknown>;
  variables: Record<string, unknown>;
  /** Variable name → its scalar style in the file (`QUOTE_SINGLE`, `QUOTE_DOUBLE`, `PLAIN`). */
  styles: Map<string, { value: unknown; type: Scalar.Type }>;
}

/** glx's value with the user's keys and variables after glx's own. */
function withUserPart(value: Record<string, unknown>, user: UserPart | undefined): Record<string, unknown> {
  if (!user) return value;
  const variables = { ...(value.variables as Record<string, unknown>), ...user.variables };
  return { ...value, variables, ...user.keys };
}

export function templateJob(spec: GlxJobsSpec): Record<string, unknown> {
  const variables: Record<string, string> = {
    UV_VERSION: spec.pins.uvVersion,
    PYTHON_VERSION: spec.pins.pythonVersion,
    BASE_LAYER: spec.pins.baseLayer,
    UV_LINK_MODE: 'copy',
    UV_CACHE_DIR: '.uv-cache',
  };
  if (spec.projectDir !== '') variables.UV_PROJECT = spec.projectDir;
  for (const name of spec.indexNames) {
    const vars = indexEnvVars(name);
    variables[vars.username] = 'gitlab-ci-token';
    variables[vars.password] = '$CI_JOB_TOKEN';
  }
  return {
    image: 'ghcr.io/astral-sh/uv:$UV_VERSION-python$PYTHON_VERSION-$BASE_LAYER',
    variables,
    cache: [{ key: { files: [lockfilePath(spec)] }, paths: ['$UV_CACHE_DIR'] }],
    after_script: ['uv cache prune --ci'],
  };
}

export function publishJob(spec: GlxJobsSpec): Record<string, unknown> {
  return {
    extends: TEMPLATE_JOB,
    stage: spec.publishStage,
    rules: [{ if: '$CI_COMMIT_TAG' }],
    variables: {
      UV_PUBLISH_URL: PROJECT_REGISTRY,
      UV_PUBLISH_USERNAME: 'gitlab-ci-token',
      UV_PUBLISH_PASSWORD: '$CI_JOB_TOKEN',
      UV_PUBLISH_CHECK_URL: `${PROJECT_REGISTRY}/simple`,
    },
    // With the project in a subdirectory, dist/ stays at the top where the next steps look.
    script: [
      spec.projectDir === '' ? 'uv build' : 'uv build --out-dir dist',
      'uv publish --trusted-publishing never',
      releaseLinksStep(),
    ],
  };
}

export function starterJob(spec: GlxJobsSpec): Record<string, unknown> {
  return { extends: TEMPLATE_JOB, script: [spec.locked ? 'uv sync --locked' : 'uv sync'] };
}

function lockfilePath(spec: GlxJobsSpec): string {
  return spec.projectDir === '' ? 'uv.lock' : `${spec.projectDir}/uv.lock`;
}

export function renderTemplate(spec: GlxJobsSpec, eol: string, user?: UserPart): RenderedJob {
  const value = withUserPart(templateJob(spec), user);
  const comments: Comments = [
    {
      path: ['variables', 'UV_LINK_MODE'],
      text: ' GitLab mounts the build directory separately: uv copies instead of hard-linking.',
    },
    {
      path: ['after_script'],
      text: ' Drop what uv can rebuild, so that the cache stays small (uv docs, "Caching in CI").',
    },
  ];
  const firstIndex = spec.indexNames[0];
  if (firstIndex !== undefined) {
    comments.push({
      path: ['variables', indexEnvVars(firstIndex).username],
      text:
        " The job token reads the GitLab indexes of pyproject.toml. Another project's registry must\n" +
        ' list this project in its job-token allowlist: `glx ci-setup --allowlist`.',
    });
  }
  const marker = [
    `${MARKER} uv for GitLab CI, written by \`glx ci-setup\`, which rewrites this job when it runs again.`,
    `${MARKER} Jobs that run uv extend it (extends: ${TEMPLATE_JOB}); change UV_VERSION, PYTHON_VERSION`,
    `${MARKER} and BASE_LAYER here or with --uv-version, --python, --base-layer: glx keeps them.`,
  ];
  return { key: TEMPLATE_JOB, value, text: render(TEMPLATE_JOB, value, marker, comments, eol, user) };
}

export function renderPublish(spec: GlxJobsSpec, eol: string, user?: UserPart): RenderedJob {
  const value = withUserPart(publishJob(spec), user);
  const comments: Comments = [
    {
      path: ['variables', 'UV_PUBLISH_CHECK_URL'],
      text:
        ' uv skips files the registry already holds (a re-run). It reads the registry with the\n' +
        ' credentials of an index in pyproject.toml that points at it (glx init --publish).',
    },
    {
      path: ['script', 1],
      text: ' GitLab is not a trusted publisher for its own registry: the job token is the credential.',
    },
    {
      path: ['script', 2],
      text: ' Link the files to the release of the tag: Python from the image, no glab or curl needed.',
    },
  ];
  const marker = [
    `${MARKER} on a tag, build and publish to this project's package registry and link the files to`,
    `${MARKER} the tag's release; written by \`glx ci-setup --publish\`, rewritten when it runs again.`,
  ];
  return { key: PUBLISH_JOB, value, text: render(PUBLISH_JOB, value, marker, comments, eol, user) };
}

export function renderStarter(spec: GlxJobsSpec, eol: string): RenderedJob {
  const value = starterJob(spec);
  const intro = `# A first job from \`glx ci-setup\`, yours to change: glx does not touch it again.`;
  return { key: STARTER_JOB, value, text: render(STARTER_JOB, value, [intro], [], eol) };
}

/** One top-level entry as block YAML through the Document API, comments attached to their nodes. */
function render(
  key: string,
  value: Record<string, unknown>,
  header: string[],
  comments: Comments,
  eol: string,
  user?: UserPart,
): string {
  const doc = new Document({ [key]: value });
  for (const comment of comments) {
    const target = nodeAt(doc, [key, ...comment.path]);
    if (target) target.commentBefore = comment.text;
  }
  // The user's quotes stay on a value that does not change; the library still quotes a plain
  // scalar that would read back as another type.
  for (const [name, style] of user?.styles ?? []) {
    const node = doc.getIn([key, 'variables', name], true);
    if (isScalar(node) && node.value === style.value) node.type = style.type;
  }
  // lineWidth 0: never fold a long line (a folded URL or command reads worse and diffs worse).
  const body = doc.toString({ lineWidth: 0 });
  return [...header, ...body.replace(/\n$/, '').split('\n')].join(eol) + eol;
}

/** The node a comment belongs above: a map entry's key, or a sequence item. */
function nodeAt(doc: Document, path: Array<string | number>): Node | undefined {
  const parent = doc.getIn(path.slice(0, -1), true);
  const last = path[path.length - 1];
  if (isMap(parent)) {
    const pair = parent.items.find((item) => (item.key as { value?: unknown }).value === last);
    return pair?.key as Node | undefined;
  }
  if (isSeq(parent) && typeof last === 'number') return parent.items[last] as Node | undefined;
  return undefined;
}
