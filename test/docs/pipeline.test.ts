/**
 * glx's own pipeline (.gitlab-ci.yml) and .ci/run agree: the test job runs .ci/run on each
 * supported Node line's image, and .ci/run tests the lines package.json claims.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { schemaAvailable, schemaErrors } from '../gitlab-ci/schema.js';
import { required } from '../support/peers.js';

const pipeline = readFileSync('.gitlab-ci.yml', 'utf8');
const ci = readFileSync('.ci/run', 'utf8');
const engines = JSON.parse(readFileSync('package.json', 'utf8')).engines.node as string;

describe('the Node lines', () => {
  it('are the same in package.json, .ci/run and .gitlab-ci.yml', () => {
    const job = parse(pipeline).test;
    const lines = job.parallel.matrix.flatMap((entry: { NODE_LINE: string[] }) => entry.NODE_LINE);
    const fetched = [...ci.matchAll(/^NODE_\w+=(\d+)\.(\d+)\.\d+$/gm)].map((m) => [m[1], m[2]]);

    expect(job.script).toEqual(['.ci/run']);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitLab CI variable, not a template
    expect(job.image).toBe('node:${NODE_LINE}-bookworm');
    expect(lines).toEqual(['20', '22', '24']);
    expect(fetched.map(([major]) => major)).toEqual(['20', '22', '24']);
    expect(engines).toBe(`>=${fetched[0]!.join('.')}`);
    expect(ci).toMatch(/^export GLX_TEST_NODES$/m);
  });

  it.runIf(
    required(
      schemaAvailable,
      'the schema check of .gitlab-ci.yml',
      '../shared/reference/gitlab-ci.schema.json is absent',
    ),
  )('the pipeline is valid for GitLab', () => {
    expect(schemaErrors(pipeline)).toBe('');
  });
});
