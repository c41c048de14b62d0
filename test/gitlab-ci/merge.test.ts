/** Edge cases of the splice, beyond the golden cases. */
import { describe, expect, it } from 'vitest';
import { parseCiFile } from '../../src/gitlab-ci/document.js';
import { type CiPlanOptions, planCiSetup } from '../../src/gitlab-ci/plan.js';
import { errorOf } from '../support/errors.js';
import { ciData } from './schema.js';

const OPTIONS: CiPlanOptions = { file: '.gitlab-ci.yml', indexNames: ['gitlab'], projectDir: '', locked: true };

function plan(text: string | undefined, options: Partial<CiPlanOptions> = {}) {
  return planCiSetup(text, { ...OPTIONS, ...options });
}

describe('merging into .gitlab-ci.yml', () => {
  it("keeps the user's own formatting: odd spacing, flow style, quotes, long lines", () => {
    const input = 'test:   {script: [\'echo  "a"\'],   stage: test}\nlong:\n  script: "' + 'x'.repeat(200) + '"\n';

    const after = plan(input).after;

    expect(after.startsWith(`${input}\n`)).toBe(true);
  });

  it('keeps a comment of the user right above .glx-uv; only # glx: lines belong to the block', () => {
    const first = plan('# my note about uv\n.glx-uv:\n  image: old\n# glx: old marker\nafter:\n  script: x\n').after;

    expect(first.startsWith('# my note about uv\n# glx: ')).toBe(true);
    expect(first).toContain('# glx: old marker\nafter:');
    expect(plan(first).changed).toBe(false);
  });

  it('keeps comments and blank lines that follow the block, and jobs that reference into it', () => {
    const input = [
      '.glx-uv:',
      '  image: old',
      '  # an indented comment after the last entry',
      '',
      'test:',
      '  extends: .glx-uv',
      '  after_script:',
      '    - !reference [.glx-uv, after_script]',
      '',
    ].join('\n');

    const after = plan(input).after;
    const data = ciData(after) as Record<string, Record<string, unknown>>;

    expect(after).toContain('    - uv cache prune --ci\n  # an indented comment after the last entry\n\ntest:\n');
    expect(data.test?.after_script).toEqual([['.glx-uv', 'after_script']]);
    expect(plan(after).after).toBe(after);
  });

  it('replaces a .glx-uv whose value is a scalar or empty', () => {
    expect(plan('.glx-uv: broken\nx:\n  script: y\n').after).toMatch(
      /^# glx: [\s\S]*\n\.glx-uv:\n {2}image: [\s\S]*\nx:\n {2}script: y\n$/,
    );
    expect(plan('.glx-uv:\nx:\n  script: y\n').template).toBe('updated');
  });

  it('leaves duplicate keys of the user alone (GitLab keeps the last one)', () => {
    const input = 'variables:\n  A: "1"\nvariables:\n  B: "2"\njob:\n  script: x\n';

    expect(plan(input).after.startsWith(`${input}\n`)).toBe(true);
  });

  it('accepts an anchor inside .glx-uv that nothing else uses', () => {
    expect(plan('.glx-uv:\n  variables: &mine\n    A: "1"\njob:\n  script: x\n').template).toBe('updated');
  });

  it('writes an empty file as if it were absent, but reports it as existing', () => {
    const empty = plan('');
    const absent = plan(undefined);

    expect(empty.after).toBe(absent.after);
    expect([empty.created, absent.created]).toEqual([false, true]);
  });

  it('refuses a document end marker, an indented or a flow top level, each with its position', () => {
    expect(errorOf(() => plan('job:\n  script: x\n...\n')).message).toContain('"..."');
    expect(errorOf(() => plan('  job:\n    script: x\n')).message).toMatch(
      /^\.gitlab-ci\.yml:1:3: top-level keys are indented/,
    );
    expect(errorOf(() => plan('{job: {script: x}}\n')).message).toMatch(
      /^\.gitlab-ci\.yml:1:1: the top level is a flow mapping/,
    );
  });

  it('names the line and column of a YAML error and keeps the message on one line', () => {
    const error = errorOf(() => parseCiFile('a: 1\nb: [1, 2\nc: 3\n', 'ci.yml'));

    expect(error.code).toBe('GITLAB_CI_INVALID');
    expect(error.message).toMatch(/^ci\.yml:\d+:\d+: /);
    expect(error.message).not.toContain('\n');
    expect(error.exitCode).toBe(2);
  });
});
