/** Legacy index-url / extra-index-url and $VARIABLE URLs: every command recognises them the same way. */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildDists } from '../support/dists.js';
import { useFakeProject } from '../support/fake-project.js';
import { checkRoutes } from '../support/routes.js';
import { glx } from '../support/test-deps.js';

const PROJECT = '[project]\nname = "demo"\nversion = "0.1.0"\n';

const t = useFakeProject();

function run(args: string[], env: Record<string, string> = {}) {
  return glx(['--cwd', t.dir, ...args], {
    env: { GITLAB_HOST: t.fake.url, NETRC: path.join(t.dir, 'netrc'), SHELL: '/bin/bash', ...env },
    homeDir: t.dir,
  });
}

function write(text: string, file = 'pyproject.toml'): void {
  writeFileSync(path.join(t.dir, file), text);
}

function read(): string {
  return readFileSync(path.join(t.dir, 'pyproject.toml'), 'utf8');
}

const group = () => `${t.fake.url}/api/v4/groups/42/-/packages/pypi/simple`;

describe('legacy [tool.uv] index-url pointing at GitLab', () => {
  const legacy = () => `${PROJECT}\n[tool.uv]\n# our registry\nindex-url = "${group()}"\npackage = true\n`;

  it('env, auth status and doctor name it with the migration; env exits 2 with the --migrate hint', async () => {
    write(legacy());

    const env = await run(['env'], { GITLAB_TOKEN: t.world.tokens.alicePat });
    const status = await run(['auth', 'status']);
    const doctor = await run(['--json', 'doctor', '--offline']);

    const line = `pyproject.toml [tool.uv] index-url points at GitLab group 42 on 127.0.0.1: uv gives an index without a name no UV_INDEX_<NAME>_* credentials`;
    expect(env.code).toBe(2);
    expect(env.stderr).toContain(`warning: ${line}`);
    expect(env.stderr).toContain('glx init --migrate');
    expect(status.stderr).toContain(`warning: ${line}`);
    const check = (
      JSON.parse(doctor.stdout) as { checks: Array<{ id: string; status: string; message: string; fix?: string }> }
    ).checks.find((c) => c.id === 'legacy.index-url');
    expect(check).toMatchObject({ status: 'warn', fix: expect.stringContaining('glx init --migrate') });
    expect(check?.message).toContain(line);
  });

  it('UV_INDEX_URL and UV_EXTRA_INDEX_URL pointing at GitLab are named too', async () => {
    write(
      `${PROJECT}\n[[tool.uv.index]]\nname = "gitlab"\nurl = "${t.fake.url}/api/v4/projects/7/packages/pypi/simple"\nauthenticate = "always"\n`,
    );

    const env = await run(['env'], {
      GITLAB_TOKEN: t.world.tokens.alicePat,
      UV_EXTRA_INDEX_URL: `https://pypi.example.com/simple ${group()}`,
    });

    expect(env.code).toBe(0);
    expect(env.stderr).toContain('warning: UV_EXTRA_INDEX_URL points at GitLab group 42 on 127.0.0.1');
    expect(env.stderr).toContain('unset UV_EXTRA_INDEX_URL');
  });

  it('init for the same registry refuses to add a duplicate and offers --migrate', async () => {
    write(legacy());

    const result = await run(['init', '--group', '42']);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('error: pyproject.toml [tool.uv] index-url already points at group 42');
    expect(result.stderr).toContain('hint: Move it into a named index instead: glx init --migrate');
    expect(read()).toBe(legacy());
  });

  it('init --migrate --dry-run shows the move as a diff; init --migrate makes it a default named index', async () => {
    write(legacy());

    const dry = await run(['init', '--migrate', '--dry-run']);
    const real = await run(['init', '--migrate']);
    const again = await run(['env'], { GITLAB_TOKEN: t.world.tokens.alicePat });

    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`-index-url = "${group()}"`);
    expect(dry.stdout).toContain('+[[tool.uv.index]]');
    expect(real.code).toBe(0);
    expect(read()).toBe(
      `${PROJECT}\n[tool.uv]\n# our registry\npackage = true\n\n[[tool.uv.index]]\nname = "gitlab"\nurl = "${group()}"\ndefault = true\nauthenticate = "always"\n`,
    );
    expect(again.stdout).toContain("export UV_INDEX_GITLAB_USERNAME='__token__'");
    expect(again.stderr).toBe('');
  });

  it('init --migrate takes one URL out of extra-index-url and keeps the others', async () => {
    write(`${PROJECT}\n[tool.uv]\nextra-index-url = ["https://pypi.example.com/simple", "${group()}"]\n`);

    const result = await run(['init', '--migrate', '--group', '42', '--name', 'acme']);

    expect(result.code).toBe(0);
    expect(read()).toBe(
      `${PROJECT}\n[tool.uv]\nextra-index-url = ["https://pypi.example.com/simple"]\n\n[[tool.uv.index]]\nname = "acme"\nurl = "${group()}"\nauthenticate = "always"\n`,
    );
  });
});

describe('a $VARIABLE in a GitLab index URL', () => {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the literal ${VAR} is what is tested
  const VAR_URL = '${GITLAB_URL}/api/v4/groups/42/-/packages/pypi/simple';
  const project = () =>
    `${PROJECT}\n[[tool.uv.index]]\nname = "templated"\nurl = "${VAR_URL}"\n\n[[tool.uv.index]]\nname = "tools"\nurl = "${t.fake.url}/api/v4/projects/7/packages/pypi/simple"\nauthenticate = "always"\n`;

  it('env, auth status and doctor all say uv does not expand it and skip it', async () => {
    t.fake.expect(checkRoutes());
    write(project());

    const env = await run(['env'], { GITLAB_TOKEN: t.world.tokens.alicePat });
    const status = await run(['auth', 'status'], {
      UV_INDEX_TOOLS_USERNAME: '__token__',
      UV_INDEX_TOOLS_PASSWORD: t.world.tokens.alicePat,
    });
    const doctor = await run(['--json', 'doctor', '--offline'], {
      UV_INDEX_TOOLS_USERNAME: '__token__',
      UV_INDEX_TOOLS_PASSWORD: t.world.tokens.alicePat,
    });

    const words = 'the URL contains a $VARIABLE, which uv does not expand';
    expect(env.code).toBe(0);
    expect(env.stdout).not.toContain('TEMPLATED');
    expect(env.stdout).toContain('UV_INDEX_TOOLS_PASSWORD');
    expect(env.stderr).toContain(`warning: index "templated" in pyproject.toml: ${words}`);
    expect(status.stderr).toContain(`warning: index "templated" in pyproject.toml: ${words}`);
    const check = (
      JSON.parse(doctor.stdout) as { checks: Array<{ id: string; status: string; message: string }> }
    ).checks.find((c) => c.id === 'index.templated.url');
    expect(check).toMatchObject({ status: 'fail', message: expect.stringContaining(words) });
  });
});

describe('the same $VARIABLE URL in init, publish and ci-setup', () => {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the literal ${VAR} is what is tested
  const VAR_URL = 'https://${GITLAB_HOST}/api/v4/projects/7/packages/pypi/simple';

  it('init takes no GitLab host from it, and publish and ci-setup warn in the same words', async () => {
    t.fake.expect(['GET /projects/:id/packages/pypi/simple/:package_name', ...checkRoutes()]);
    write(
      `${PROJECT}\n[[tool.uv.index]]\nname = "templated"\nurl = "${VAR_URL}"\npublish-url = "https://\${GITLAB_HOST}/api/v4/projects/7/packages/pypi"\n`,
    );

    mkdirSync(path.join(t.dir, 'dist'));
    await buildDists(path.join(t.dir, 'dist'), [{ kind: 'wheel', name: 'demo', version: '0.1.0' }]);

    const init = await glx(['--cwd', t.dir, 'init', '--group', '42', '--name', 'acme', '--dry-run'], {
      env: {},
      homeDir: t.dir,
    });
    const publish = await run(['publish', '--dry-run', '--project', '7'], { GITLAB_TOKEN: t.world.tokens.alicePat });
    const ci = await run(['ci-setup', '--dry-run']);

    expect(init.stdout).toContain('url = "https://gitlab.com/api/v4/groups/42/-/packages/pypi/simple"');
    const words =
      'warning: index "templated" in pyproject.toml: the URL contains a $VARIABLE, which uv does not expand';
    expect(publish.stderr).toContain(words);
    expect(ci.stderr).toContain(words);
  });
});
