/**
 * From the file as it is and what the user asked for to the file as it will be: pure, so that
 * --dry-run, the golden cases and the real run share every decision.
 */
import { isMap, isNode, isScalar, type Scalar } from 'yaml';
import {
  DEFAULT_BASE_LAYER,
  DEFAULT_UV_VERSION,
  type GlxJobsSpec,
  PUBLISH_JOB,
  publishJob,
  renderPublish,
  renderStarter,
  renderTemplate,
  TEMPLATE_JOB,
  templateJob,
  type UserPart,
  type UvPins,
} from './build.js';
import { type CiFile, findPairs, jobValue, parseCiFile, visibleJobs } from './document.js';
import { type BlockAction, mergeGlxPart } from './merge.js';
import { DEFAULT_PYTHON } from './python-version.js';

export type PinName = 'UV_VERSION' | 'PYTHON_VERSION' | 'BASE_LAYER';

export interface PinChoice {
  value: string;
  /** `--python`, `.gitlab-ci.yml` (kept), `.python-version`, `requires-python`, `default`. */
  source: string;
}

export interface CiPlanOptions {
  /** How the file is named in messages. */
  file: string;
  indexNames: string[];
  projectDir: string;
  locked: boolean;
  /** true: write the publish job; false: remove it; undefined: keep it if the file has it. */
  publish?: boolean;
  uvVersion?: string;
  python?: string;
  baseLayer?: string;
  /** From .python-version or requires-python, when the project says. */
  detectedPython?: PinChoice;
}

export interface CiPlan {
  before: string;
  after: string;
  created: boolean;
  changed: boolean;
  template: BlockAction;
  publish?: BlockAction;
  starter?: BlockAction;
  publishStage?: string;
  pins: Record<PinName, PinChoice>;
  /** What changed in each glx block that was there before, in words ("added variables X"). */
  changes: Record<string, string[]>;
}

/** `before` undefined: the file does not exist yet. */
export function planCiSetup(before: string | undefined, options: CiPlanOptions): CiPlan {
  const text = before ?? '';
  const ci = parseCiFile(text, options.file);
  const pins = choosePins(ci, options);
  const hasPublish = findPairs(ci, PUBLISH_JOB).length > 0;
  const wantPublish = options.publish ?? hasPublish;
  const spec: GlxJobsSpec = {
    pins: {
      uvVersion: pins.UV_VERSION.value,
      pythonVersion: pins.PYTHON_VERSION.value,
      baseLayer: pins.BASE_LAYER.value,
    } satisfies UvPins,
    indexNames: options.indexNames,
    projectDir: options.projectDir,
    publishStage: publishStage(ci),
    locked: options.locked,
  };
  // Jobs from include: may run uv already; only a file with nothing to run gets a first job.
  const others = visibleJobs(ci).filter((job) => job !== PUBLISH_JOB);
  const needsStarter = others.length === 0 && findPairs(ci, 'include').length === 0;
  const templateUser = userPart(ci, TEMPLATE_JOB, templateJob(spec), /^UV_INDEX_[A-Z0-9_]+_(USERNAME|PASSWORD)$/);
  const publishUser = userPart(ci, PUBLISH_JOB, publishJob(spec));
  const template = renderTemplate(spec, ci.eol, templateUser);
  const publish = wantPublish ? renderPublish(spec, ci.eol, publishUser) : undefined;
  const changes: Record<string, string[]> = {};
  for (const [key, job] of [
    [TEMPLATE_JOB, template],
    [PUBLISH_JOB, publish],
  ] as const) {
    const old = jobValue(ci, key);
    if (job && isRecord(old))
      changes[key] = [
        ...describeChanges(old, job.value, key === TEMPLATE_JOB ? templateUser : publishUser),
        ...droppedComments(ci, key, job.text),
      ];
  }
  const merged = mergeGlxPart(ci, {
    template,
    publish: publish ?? (hasPublish ? 'remove' : undefined),
    starter: needsStarter ? renderStarter(spec, ci.eol) : undefined,
  });
  return {
    before: text,
    after: merged.text,
    created: before === undefined,
    changed: before === undefined || merged.text !== text,
    template: merged.template,
    ...(merged.publish ? { publish: merged.publish } : {}),
    ...(merged.starter ? { starter: merged.starter } : {}),
    ...(wantPublish ? { publishStage: spec.publishStage } : {}),
    pins,
    changes,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The part of a glx block in the file that glx does not own: top-level keys its job does not
 * have, variables it does not write (the `UV_INDEX_*` credentials are glx's even for an index
 * that is gone), and the scalar style of every variable.
 */
function userPart(ci: CiFile, key: string, ours: Record<string, unknown>, alsoOurs?: RegExp): UserPart | undefined {
  const old = jobValue(ci, key);
  if (!isRecord(old)) return undefined;
  const ourVariables = (ours.variables ?? {}) as Record<string, unknown>;
  const keys = Object.fromEntries(Object.entries(old).filter(([name]) => !(name in ours)));
  const oldVariables = isRecord(old.variables) ? old.variables : {};
  const variables = Object.fromEntries(
    Object.entries(oldVariables).filter(([name]) => !(name in ourVariables) && !alsoOurs?.test(name)),
  );
  const styles = new Map<string, { value: unknown; type: Scalar.Type }>();
  const pair = findPairs(ci, key)[0];
  const node = isMap(pair?.value) ? pair.value.get('variables', true) : undefined;
  if (isMap(node)) {
    for (const item of node.items) {
      const name = isScalar(item.key) ? String(item.key.value) : undefined;
      if (name !== undefined && isScalar(item.value) && item.value.type)
        styles.set(name, { value: item.value.value, type: item.value.type });
    }
  }
  return { keys, variables, styles };
}

/** Comment lines inside the block in the file that the rewritten block does not have: named, not kept. */
function droppedComments(ci: CiFile, key: string, text: string): string[] {
  const pair = findPairs(ci, key)[0];
  const start = isNode(pair?.key) ? pair.key.range?.[0] : undefined;
  const end = isNode(pair?.value) ? pair.value.range?.[2] : undefined;
  if (start === undefined || end === undefined) return [];
  const comments = (block: string) =>
    block
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line.startsWith('#'));
  const kept = new Set(comments(text));
  const dropped = comments(ci.text.slice(start, end)).filter((line) => !kept.has(line));
  return dropped.length > 0
    ? [
        `dropped comment lines ${dropped.map((line) => JSON.stringify(line)).join(', ')} (glx rewrites this block; keep notes outside it)`,
      ]
    : [];
}

/** "added variables A, B", "removed variables C", "changed image", "kept yours: variables D, key tags". */
function describeChanges(
  old: Record<string, unknown>,
  now: Record<string, unknown>,
  user: UserPart | undefined,
): string[] {
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  const oldVars = isRecord(old.variables) ? old.variables : {};
  const newVars = isRecord(now.variables) ? now.variables : {};
  const out: string[] = [];
  const list = (verb: string, what: string, names: string[]) => {
    if (names.length > 0) out.push(`${verb} ${what} ${names.join(', ')}`);
  };
  list(
    'added',
    'variables',
    Object.keys(newVars).filter((name) => !(name in oldVars)),
  );
  list(
    'removed',
    'variables',
    Object.keys(oldVars).filter((name) => !(name in newVars)),
  );
  list(
    'changed',
    'variables',
    Object.keys(newVars).filter((name) => name in oldVars && !same(oldVars[name], newVars[name])),
  );
  const keys = (record: Record<string, unknown>) => Object.keys(record).filter((name) => name !== 'variables');
  list(
    'added',
    'keys',
    keys(now).filter((name) => !(name in old)),
  );
  list(
    'removed',
    'keys',
    keys(old).filter((name) => !(name in now)),
  );
  list(
    'changed',
    'keys',
    keys(now).filter((name) => name in old && !same(old[name], now[name])),
  );
  const kept = [
    ...Object.keys(user?.variables ?? {}).map((name) => `variables ${name}`),
    ...Object.keys(user?.keys ?? {}).map((name) => `key ${name}`),
  ];
  if (kept.length > 0) out.push(`kept yours: ${kept.join(', ')}`);
  return out;
}

/** A flag wins; then what the file already pins (users tune it there); then the project; then glx's default. */
function choosePins(ci: CiFile, options: CiPlanOptions): Record<PinName, PinChoice> {
  const kept = keptPins(ci);
  const pick = (name: PinName, flag: string | undefined, flagName: string, fallback: PinChoice): PinChoice => {
    if (flag !== undefined) return { value: flag, source: flagName };
    const existing = kept[name];
    if (existing !== undefined) return { value: existing, source: options.file };
    return fallback;
  };
  return {
    UV_VERSION: pick('UV_VERSION', options.uvVersion, '--uv-version', { value: DEFAULT_UV_VERSION, source: 'default' }),
    PYTHON_VERSION: pick(
      'PYTHON_VERSION',
      options.python,
      '--python',
      options.detectedPython ?? { value: DEFAULT_PYTHON, source: 'default' },
    ),
    BASE_LAYER: pick('BASE_LAYER', options.baseLayer, '--base-layer', { value: DEFAULT_BASE_LAYER, source: 'default' }),
  };
}

/** UV_VERSION, PYTHON_VERSION and BASE_LAYER as the template job in the file has them, as written. */
export function keptPins(ci: CiFile): Partial<Record<PinName, string>> {
  const pair = findPairs(ci, TEMPLATE_JOB)[0];
  const variables = isMap(pair?.value) ? pair.value.get('variables', true) : undefined;
  const out: Partial<Record<PinName, string>> = {};
  if (!isMap(variables)) return out;
  for (const name of ['UV_VERSION', 'PYTHON_VERSION', 'BASE_LAYER'] as const) {
    const node = variables.get(name, true);
    if (!isScalar(node) || node.value === null) continue;
    // A number keeps its written form (`3.10`, not 3.1), which is what the image tag needs.
    const value =
      typeof node.value === 'string'
        ? node.value
        : node.range
          ? ci.text.slice(node.range[0], node.range[1])
          : String(node.value);
    if (/^[\w.${}-]+$/.test(value)) out[name] = value;
  }
  return out;
}

/** GitLab's default `deploy`, or the file's own stage for releases, or its last stage. */
export function publishStage(ci: CiFile): string {
  const stages = jobValue(ci, 'stages');
  if (!Array.isArray(stages)) return 'deploy';
  const names = stages.flat().filter((stage): stage is string => typeof stage === 'string');
  for (const preferred of ['deploy', 'release', 'publish']) if (names.includes(preferred)) return preferred;
  return names.filter((stage) => stage !== '.pre' && stage !== '.post').at(-1) ?? 'deploy';
}
