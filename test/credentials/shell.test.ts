import { createRequire } from 'node:module';
import { parseEnv } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  detectShell,
  type EnvVariable,
  parseShell,
  renderExports,
  SHELLS,
  type Shell,
} from '../../src/credentials/shell.js';
import { GlxError } from '../../src/errors.js';
import { required } from '../support/peers.js';

function caught(action: () => unknown): GlxError {
  try {
    action();
  } catch (error) {
    if (error instanceof GlxError) return error;
    throw error;
  }
  throw new Error('expected a GlxError, nothing was thrown');
}

const TOKEN = 'glpat-AbC123_xyz-789.01.1a2b3c4d5';

describe('detectShell', () => {
  it.each([
    ['/bin/bash', 'bash'],
    ['/usr/local/bin/bash-5.2', 'bash'],
    ['/usr/bin/zsh', 'zsh'],
    ['/opt/homebrew/bin/fish', 'fish'],
    ['/bin/dash', 'sh'],
    ['/bin/ash', 'sh'],
    ['/bin/ksh93', 'sh'],
    ['/bin/mksh', 'sh'],
    ['/bin/sh', 'sh'],
    ['/usr/bin/pwsh', 'powershell'],
    ['C:\\Program Files\\PowerShell\\7\\pwsh.exe', 'powershell'],
    ['powershell.exe', 'powershell'],
    ['zsh', 'zsh'],
  ] as const)('reads %s as %s', (path, shell) => {
    expect(detectShell({ SHELL: path })).toBe(shell);
  });

  it('falls back to sh when $SHELL is unset, empty or unknown', () => {
    expect(detectShell({})).toBe('sh');
    expect(detectShell({ SHELL: '' })).toBe('sh');
    expect(detectShell({ SHELL: '/usr/bin/tcsh' })).toBe('sh');
    expect(detectShell({ SHELL: '/usr/bin/nu' })).toBe('sh');
    expect(detectShell({ SHELL: '/x/constructor' })).toBe('sh');
  });

  it('accepts the whole environment object', () => {
    const env: Readonly<Record<string, string | undefined>> = { SHELL: '/bin/zsh', HOME: '/root' };

    expect(detectShell(env)).toBe('zsh');
  });
});

describe('parseShell', () => {
  it.each(SHELLS)('accepts %s', (shell) => {
    expect(parseShell(shell)).toBe(shell);
  });

  it('ignores case and surrounding spaces, and takes pwsh for powershell', () => {
    expect(parseShell(' Fish ')).toBe('fish');
    expect(parseShell('PWSH')).toBe('powershell');
  });

  it('refuses an unknown shell with a usage error that lists the valid ones', () => {
    const error = caught(() => parseShell('cmd'));

    expect(error.code).toBe('USAGE');
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain('cmd');
    for (const shell of SHELLS) expect(error.hint).toContain(shell);
  });
});

describe('renderExports', () => {
  const vars = [
    { name: 'UV_INDEX_GITLAB_USERNAME', value: '__token__' },
    { name: 'UV_INDEX_GITLAB_PASSWORD', value: TOKEN },
  ];

  it('writes POSIX exports in single quotes for bash, zsh and sh', () => {
    const expected = `export UV_INDEX_GITLAB_USERNAME='__token__'\nexport UV_INDEX_GITLAB_PASSWORD='${TOKEN}'\n`;

    for (const shell of ['bash', 'zsh', 'sh'] as const) expect(renderExports(vars, shell)).toBe(expected);
  });

  it('writes fish globals terminated by semicolons', () => {
    expect(renderExports(vars, 'fish')).toBe(
      `set -gx UV_INDEX_GITLAB_USERNAME '__token__';\nset -gx UV_INDEX_GITLAB_PASSWORD '${TOKEN}';\n`,
    );
  });

  it('writes PowerShell $env: assignments', () => {
    expect(renderExports(vars, 'powershell')).toBe(
      `$env:UV_INDEX_GITLAB_USERNAME = '__token__'\n$env:UV_INDEX_GITLAB_PASSWORD = '${TOKEN}'\n`,
    );
  });

  it('writes real tokens, usernames and URLs unquoted in dotenv, so docker --env-file reads them too', () => {
    const ci = [
      { name: 'UV_PUBLISH_URL', value: 'https://gitlab.example.com:8443/api/v4/projects/42/packages/pypi' },
      { name: 'UV_PUBLISH_USERNAME', value: 'gitlab+deploy-token-7' },
      { name: 'UV_PUBLISH_PASSWORD', value: 'gldt-abc~def^ghi%40=' },
      { name: 'EMPTY', value: '' },
    ];

    expect(renderExports(ci, 'dotenv')).toBe(
      'UV_PUBLISH_URL=https://gitlab.example.com:8443/api/v4/projects/42/packages/pypi\n' +
        'UV_PUBLISH_USERNAME=gitlab+deploy-token-7\n' +
        'UV_PUBLISH_PASSWORD=gldt-abc~def^ghi%40=\n' +
        'EMPTY=\n',
    );
  });

  it('renders nothing for no variables', () => {
    for (const shell of SHELLS) expect(renderExports([], shell)).toBe('');
  });

  it("escapes a single quote as '\\'' for POSIX shells", () => {
    expect(renderExports([{ name: 'A', value: "it's" }], 'sh')).toBe(`export A='it'\\''s'\n`);
  });

  it('keeps $, backticks, backslashes and newlines literal inside POSIX single quotes', () => {
    expect(renderExports([{ name: 'A', value: '$(x) `y` \\ \n!' }], 'bash')).toBe(`export A='$(x) \`y\` \\ \n!'\n`);
  });

  it('escapes backslashes and single quotes for fish, which reads both as escapes in single quotes', () => {
    expect(renderExports([{ name: 'A', value: "a\\b'c$d" }], 'fish')).toBe(`set -gx A 'a\\\\b\\'c$d';\n`);
  });

  it('writes line breaks for fish as bare escapes so that every assignment stays on one line', () => {
    expect(renderExports([{ name: 'A', value: 'x\ny\rz' }], 'fish')).toBe(`set -gx A 'x'\\n'y'\\r'z';\n`);
  });

  it('doubles single quotes for PowerShell, typographic ones included', () => {
    expect(renderExports([{ name: 'A', value: "a'b\u2018c\u2019d\u201Ae\u201Bf" }], 'powershell')).toBe(
      "$env:A = 'a''b\u2018\u2018c\u2019\u2019d\u201A\u201Ae\u201B\u201Bf'\n",
    );
  });

  it('keeps $ and backticks literal for PowerShell and concatenates line breaks in', () => {
    expect(renderExports([{ name: 'A', value: '$(x)`\nb\r\n' }], 'powershell')).toBe(
      '$env:A = \'$(x)`\' + "`n" + \'b\' + "`r" + "`n"\n',
    );
    expect(renderExports([{ name: 'A', value: '\n' }], 'powershell')).toBe(`$env:A = '' + "\`n"\n`);
  });

  it('quotes an empty value for every shell', () => {
    const empty = [{ name: 'A', value: '' }];

    expect(renderExports(empty, 'sh')).toBe("export A=''\n");
    expect(renderExports(empty, 'fish')).toBe("set -gx A '';\n");
    expect(renderExports(empty, 'powershell')).toBe("$env:A = ''\n");
    expect(renderExports(empty, 'dotenv')).toBe('A=\n');
  });

  it.each(['', '1A', 'A-B', 'A B', 'A=B', 'A;touch x', '$(id)', 'É', 'A\n', 'env:A'])(
    'refuses the variable name %j for every shell',
    (name) => {
      for (const shell of SHELLS) {
        const error = caught(() => renderExports([{ name, value: 'x' }], shell));

        expect(error.code).toBe('USAGE');
        expect(error.hint).toMatch(/letters, digits and underscores/);
      }
    },
  );

  it('renders nothing at all when one name is invalid', () => {
    const vars = [
      { name: 'GOOD', value: 'x' },
      { name: 'BAD NAME', value: 'y' },
    ];

    expect(() => renderExports(vars, 'bash')).toThrow(GlxError);
  });

  it('refuses a value holding NUL for every shell, without repeating the value', () => {
    for (const shell of SHELLS) {
      const error = caught(() => renderExports([{ name: 'UV_INDEX_X_PASSWORD', value: `${TOKEN}\0` }], shell));

      expect(error.code).toBe('USAGE');
      expect(error.message).toContain('UV_INDEX_X_PASSWORD');
      expect(error.message).toContain('NUL');
      expect(`${error.message} ${error.hint}`).not.toContain(TOKEN);
    }
  });

  it('refuses a value that is not valid Unicode, since it has no UTF-8 bytes', () => {
    for (const shell of SHELLS) {
      expect(caught(() => renderExports([{ name: 'A', value: 'a\uD800b' }], shell)).code).toBe('USAGE');
    }
  });

  it('accepts paired surrogates (characters outside the BMP)', () => {
    expect(renderExports([{ name: 'A', value: '🔑' }], 'sh')).toBe("export A='🔑'\n");
  });
});

/** Values with every character class that could break a line-oriented reader. */
const LINE_BREAKERS = ['\n', '\r', 'a\r\nb', 'x\n\n\ny', '\'\n"', '\u2028\u0085'];

describe('one line per variable', () => {
  it.each(['fish', 'powershell'] as const)(
    'keeps every %s assignment on one line whatever the value',
    (shell: Shell) => {
      const vars = LINE_BREAKERS.map((value, i) => ({ name: `V${i}`, value }));

      const lines = renderExports(vars, shell).split('\n');

      expect(lines).toHaveLength(vars.length + 1);
      expect(lines.at(-1)).toBe('');
      for (const line of lines) expect(line).not.toMatch(/\r/);
    },
  );
});

/**
 * pwsh is not installed where the tests run, so the PowerShell rendering is read back by a
 * small reader written from the language spec: a single-quoted string ends at a lone quote
 * character (' ‘ ’ ‚ ‛), a doubled one stands for itself; "`n" and "`r" are LF and CR.
 */
function readPowerShellAssignment(line: string): EnvVariable {
  const head = /^\$env:([A-Za-z_][A-Za-z0-9_]*) = /.exec(line);
  if (head === null) throw new Error(`not an assignment: ${line}`);
  const isQuote = (c: string | undefined) => c !== undefined && "'\u2018\u2019\u201A\u201B".includes(c);
  let value = '';
  let i = head[0].length;
  for (;;) {
    if (line.startsWith('"`n"', i)) {
      value += '\n';
      i += 4;
    } else if (line.startsWith('"`r"', i)) {
      value += '\r';
      i += 4;
    } else if (isQuote(line[i])) {
      i++;
      for (;;) {
        if (i >= line.length) throw new Error(`unterminated string: ${line}`);
        if (isQuote(line[i])) {
          if (!isQuote(line[i + 1])) break;
          i++;
        }
        value += line[i];
        i++;
      }
      i++;
    } else {
      throw new Error(`unexpected ${JSON.stringify(line.slice(i))}`);
    }
    if (i === line.length) return { name: head[1]!, value };
    if (!line.startsWith(' + ', i)) throw new Error(`expected + at ${JSON.stringify(line.slice(i))}`);
    i += 3;
  }
}

describe('PowerShell rendering read back by the tokenizer rules', () => {
  it('gives back every value exactly', () => {
    const values = [
      ...LINE_BREAKERS,
      "'",
      "''",
      '\u2019',
      "'\u2018\u2019\u201A\u201B'",
      '$env:HOME',
      '$(Remove-Item -Recurse ~)',
      '`n`"',
      '"; Write-Host pwned; "',
      '',
      'trailing quote\u2019',
    ];
    const vars = values.map((value, i) => ({ name: `V${i}`, value }));

    const lines = renderExports(vars, 'powershell').trimEnd().split('\n');

    expect(lines.map(readPowerShellAssignment)).toEqual(vars);
  });
});

describe('dotenv rendering', () => {
  it.each([
    ['spaces', 'a b', "'a b'"],
    ['a dollar', '$HOME', "'$HOME'"],
    ['a hash', 'a #b', "'a #b'"],
    ['a double quote', 'say "hi"', `'say "hi"'`],
    ['a lone backslash', 'a\\b', "'a\\b'"],
    ['a newline', 'a\nb', "'a\nb'"],
    ['unicode', 'héllo', "'héllo'"],
    ['a single quote', "it's", `"it's"`],
    ['a single quote and a newline', "it's\nme", `"it's\nme"`],
  ])('writes a value with %s as %s', (_what, value, rendered) => {
    expect(renderExports([{ name: 'A', value }], 'dotenv')).toBe(`A=${rendered}\n`);
  });

  it.each([
    ['both kinds of quote', `it's "x"`, /single quote together with/],
    ['a quote and a backslash', "it's\\", /single quote together with/],
    ['a quote and a dollar', "it's $5", /single quote together with/],
    ['a carriage return', 'a\rb', /carriage return/],
    // biome-ignore lint/suspicious/noTemplateCurlyInString: python-dotenv's interpolation syntax, literally
    ['${', '${HOME}', /python-dotenv/],
    ['a double backslash', 'a\\\\b', /backslash/],
    ['a trailing backslash', 'a b\\', /backslash/],
  ])('refuses a value with %s, naming the reason and the other shells', (_what, value, reason) => {
    const error = caught(() => renderExports([{ name: 'UV_INDEX_X_PASSWORD', value }], 'dotenv'));

    expect(error.code).toBe('USAGE');
    expect(error.message).toContain('UV_INDEX_X_PASSWORD');
    expect(error.message).not.toContain(value);
    expect(error.hint).toMatch(reason);
    expect(error.hint).toContain('--shell');
  });

  const readable = [
    '__token__',
    TOKEN,
    'https://gitlab.com/api/v4/groups/42/-/packages/pypi/simple',
    '',
    '  padded  ',
    '# not a comment',
    'a=b',
    '$HOME $(id) `id`',
    "it's",
    'say "hi"',
    'multi\nline\n',
    '\\n is not a newline',
    'tab\there',
    '🔑 日本語',
  ];

  it('is read back exactly by util.parseEnv', () => {
    const vars = readable.map((value, i) => ({ name: `V${i}`, value }));

    expect(parseEnv(renderExports(vars, 'dotenv'))).toEqual(Object.fromEntries(readable.map((v, i) => [`V${i}`, v])));
  });

  // The `dotenv` npm package comes in through a dev dependency (gitlab-ci-local), not our own
  // package.json: under CI its absence fails (npm ci installs it), outside CI it skips.
  const npmDotenv = ((): { parse(source: string): Record<string, string> } | undefined => {
    try {
      return createRequire(import.meta.url)('dotenv') as { parse(source: string): Record<string, string> };
    } catch {
      return undefined;
    }
  })();

  it.skipIf(
    !required(
      npmDotenv !== undefined,
      'the dotenv npm package reading --shell dotenv',
      'node_modules/dotenv is absent',
    ),
  )('is read back exactly by the dotenv npm package', () => {
    const vars = readable.map((value, i) => ({ name: `V${i}`, value }));

    expect(npmDotenv!.parse(renderExports(vars, 'dotenv'))).toEqual(
      Object.fromEntries(readable.map((v, i) => [`V${i}`, v])),
    );
  });
});
