/**
 * From the file as it is and what the user asked for to the file as it will be: pure, so that
 * --dry-run, the golden cases and the real run share every decision.
 */
import { isMap, isScalar } from 'yaml';
import { DEFAULT_BASE_LAYER, DEFAULT_UV_VERSION, type GlxJobsSpec, PUBLISH_JOB, renderPublish, renderStarter, renderTemplate, TEMPLATE_JOB, type UvPins } from './build.js';
import { type CiFile, findPairs, parseCiFile, jobValue, visibleJobs } from './document.js';
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
}

/** `before` undefined: the file does not exist yet. */
export function planCiSetup(before: string | undefined, options: CiPlanOptions): CiPlan {
  const text = before ?? '';
  const ci = parseCiFile(text, options.file);
  const pins = choosePins(ci, options);
  const hasPublish = findPairs(ci, PUBLISH_JOB).length > 0;
  const wantPublish = options.publish ?? hasPublish;
  const spec: GlxJobsSpec = {
    pins: { uvVersion: pins.UV_VERSION.value, pythonVersion: pins.PYTHON_VERSION.value, baseLayer: pins.BASE_LAYER.value } satisfies UvPins,
    indexNames: options.indexNames,
    projectDir: options.projectDir,
    publishStage: publishStage(ci),
    locked: options.locked,
  };
  // Jobs from include: may run uv already; only a file with nothing to run gets a first job.
  const others = visibleJobs(ci).filter((job) => job !== PUBLISH_JOB);
  const needsStarter = others.length === 0 && findPairs(ci, 'include').length === 0;
  const merged = mergeGlxPart(ci, {
    template: renderTemplate(spec, ci.eol),
    publish: wantPublish ? renderPublish(spec, ci.eol) : hasPublish ? 'remove' : undefined,
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
  };
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
    PYTHON_VERSION: pick('PYTHON_VERSION', options.python, '--python', options.detectedPython ?? { value: DEFAULT_PYTHON, source: 'default' }),
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
    const value = typeof node.value === 'string' ? node.value : node.range ? ci.text.slice(node.range[0], node.range[1]) : String(node.value);
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

