import { describe, expect, it } from 'vitest';
import { GlxError } from '../../src/errors.js';
import { lookup, netrcPath, uvNetrcCandidates } from '../../src/netrc/lookup.js';
import { parseNetrc, serializeNetrc } from '../../src/netrc/parse.js';
import { validateForUv } from '../../src/netrc/uv-lint.js';

function parseError(text: string): GlxError {
  try {
    parseNetrc(text, '/home/me/.netrc');
  } catch (error) {
    if (error instanceof GlxError) return error;
    throw error;
  }
  throw new Error('expected a parse error');
}

describe('parseNetrc', () => {
  it('reads machine, default, login/user, account and password like uv', () => {
    const text = 'machine a.example login la password pa account aa\ndefault user ld password pd\n';

    const doc = parseNetrc(text, 'n');

    expect(doc.entries.map((e) => [e.kind, e.host, e.login, e.account, e.password])).toEqual([
      ['machine', 'a.example', 'la', 'aa', 'pa'],
      ['default', undefined, 'ld', undefined, 'pd'],
    ]);
  });

  it('keeps value spans and quoting so an edit can splice one value', () => {
    const text = 'machine h login "a b" password p\\"q\n';

    const [entry] = parseNetrc(text, 'n').entries;

    expect(
      entry?.fields.map((f) => [
        f.name,
        f.value?.value,
        f.value?.quoted,
        text.slice(f.value!.span.start, f.value!.span.end),
      ]),
    ).toEqual([
      ['login', 'a b', true, '"a b"'],
      ['password', 'p"q', false, 'p\\"q'],
    ]);
    expect(text.slice(entry!.span.start, entry!.span.end)).toBe(text.trimEnd());
  });

  it('treats # as literal inside a value and as a comment in keyword position', () => {
    const doc = parseNetrc('machine h login #l password pa#ss # note\n#top\nmachine i login x # c d e\n', 'n');

    expect(lookup(doc, 'h')).toMatchObject({ login: '#l', password: 'pa#ss' });
    expect(lookup(doc, 'i')).toMatchObject({ login: 'x' });
    expect(doc.comments.map((c) => c.skipsLine)).toEqual([true, false, true]);
  });

  it('ends a macro at an empty line, or at a line of blanks as uv does, or at EOF', () => {
    const doc = parseNetrc('macdef a\nline1\n\nmacdef b\nline2\n  \nmacdef c\nlast', 'n');

    expect(doc.macros.map((m) => [m.name, m.lines, m.end])).toEqual([
      ['a', ['line1'], 'empty-line'],
      ['b', ['line2'], 'whitespace-line'],
      ['c', ['last'], 'eof'],
    ]);
  });

  it('gives back every byte: the segments join to the input', () => {
    const text =
      '\ufeff# bom\r\nmachine h login u\r\n\r\nmacdef m\r\nx\r\n\r\n  default password "a\\"b" trailing-junk-after-stop "" rest';

    const doc = parseNetrc(text, 'n', { tolerant: true });

    expect(serializeNetrc(doc)).toBe(text);
    expect(doc.segments.every((s, i) => i === 0 || s.start === doc.segments[i - 1]!.end)).toBe(true);
  });

  it('stops reading where uv does: at an empty quoted word in keyword position', () => {
    const doc = parseNetrc('machine a login b\n""\nmachine c login d\n', 'n');

    expect(doc.entries.map((e) => e.host)).toEqual(['a']);
    expect(doc.stoppedAt).toBe(18);
    expect(doc.segments.at(-1)?.kind).toBe('ignored');
  });

  it('rejects an unknown keyword such as port with file:line:col and a one-line hint that uv ignores the whole file', () => {
    const error = parseError('machine gitlab.example.com\n  login __token__\n  port 8443\n');

    expect(error.code).toBe('NETRC_INVALID');
    expect(error.exitCode).toBe(2);
    expect(error.message).toBe(
      "/home/me/.netrc:3:3: unknown keyword 'port' in the entry for machine gitlab.example.com",
    );
    expect(error.hint).toMatch(/port/);
    expect(error.hint).toMatch(/ignores the whole netrc file/);
    expect(`${error.message}${error.hint}`).not.toMatch(/\n/);
  });

  it('rejects a bad top-level word', () => {
    const error = parseError('# mine\nlogni c\n');

    expect(error.message).toMatch(
      /^\/home\/me\/\.netrc:2:1: unexpected word where uv expects machine, default or macdef$/,
    );
  });

  it('never quotes a word that could be part of a password', () => {
    const error = parseError('machine h login u password my secret-half\n');

    expect(error.message).not.toContain('secret-half');
    expect(error.hint).not.toContain('secret-half');
    expect(error.message).toMatch(/:1:31: unexpected word/);
    expect(error.hint).toMatch(/double quotes/);
  });

  it("explains uv's comment rule when a comment after a blank line breaks the file (astral-sh/uv#16083)", () => {
    const error = parseError('machine a login b password c\n\n# work laptop\nmachine d login e\n');

    expect(error.message).toMatch(/^\/home\/me\/\.netrc:3:3: uv reads the words after `#` on line 3 as netrc keywords/);
    expect(error.hint).toMatch(/#like-this/);
  });

  it('reads a CRLF file whose comment lines follow entries the way uv does (it rejects it)', () => {
    expect(() => parseNetrc('machine a login b\r\n# two words\r\n', 'n')).toThrow(/uv reads the words after `#`/);
    expect(parseNetrc('machine a login b\r\n# two words\r\n', 'n', { dialect: 'python' }).entries).toHaveLength(1);
  });

  it('names a byte order mark', () => {
    expect(parseError('\ufeffmachine h login u\n').message).toMatch(/:1:1: the file starts with a byte order mark/);
  });

  it('names uppercase keywords, which curl accepts and uv does not', () => {
    expect(parseError('MACHINE h login u\n').message).toMatch(/'MACHINE': uv's netrc keywords are lowercase/);
  });

  it('rejects a machine without a name', () => {
    expect(parseError('machine').message).toMatch(/:1:1: `machine` without a host name/);
  });

  it('collects every problem in a tolerant parse', () => {
    const doc = parseNetrc('bogus\nmachine a port 22 login b\nmachine c protocol https\n', 'n', { tolerant: true });

    expect(doc.errors.map((e) => [e.code, e.line])).toEqual([
      ['bad-toplevel-token', 1],
      ['bad-follower-token', 2],
      ['bad-follower-token', 3],
    ]);
    expect(lookup(doc, 'a')?.login).toBe('b');
  });

  it('reads Python dialect differences: a macro must end at an empty line', () => {
    expect(() => parseNetrc('macdef m\nbody', 'n', { dialect: 'python' })).toThrow(
      /macro definition missing null line terminator/,
    );
    expect(() => parseNetrc('#two words\nmachine h\n', 'n', { dialect: 'python' })).toThrow(
      /Python reads the words after `#`/,
    );
    expect(parseNetrc('#two words\nmachine h\n', 'n').entries).toHaveLength(1);
  });
});

describe('lookup', () => {
  const doc = parseNetrc(
    'machine h login first password 1\ndefault login anon password a\nmachine h login last password 2\nmachine GitLab.com login x password y\n',
    'n',
  );

  it('returns the last entry for the host, as uv does', () => {
    expect(lookup(doc, 'h')).toMatchObject({ login: 'last', password: '2', source: 'machine' });
  });

  it('falls back to default for other hosts, and matches the host exactly', () => {
    expect(lookup(doc, 'other')).toMatchObject({ login: 'anon', source: 'default' });
    expect(lookup(doc, 'gitlab.com')).toMatchObject({ source: 'default' });
  });

  it('gives nothing when the request has a different username, without falling back to default', () => {
    expect(lookup(doc, 'h', 'first')).toBeUndefined();
    expect(lookup(doc, 'h', 'last')?.password).toBe('2');
  });

  it('gives empty strings for absent keywords, as uv does', () => {
    expect(lookup(parseNetrc('machine h password p', 'n'), 'h')).toMatchObject({
      login: '',
      account: '',
      password: 'p',
    });
  });

  it('finds nothing in an empty file', () => {
    expect(lookup(parseNetrc('', 'n'), 'h')).toBeUndefined();
  });
});

describe('validateForUv', () => {
  it('lists what makes uv miss credentials, with lines and no secrets', () => {
    const text = [
      'machine gitlab.example.com:8443 login __token__ password s3cret-1',
      'machine GitLab.Example.com login __token__ password s3cret-2',
      'machine https://gitlab.example.com login __token__ password s3cret-3',
      'machine dup login a password s3cret-4',
      'default login anon password s3cret-5',
      'machine dup user b password s3cret-6',
      '',
    ].join('\n');

    const issues = validateForUv(parseNetrc(text, 'n', { tolerant: true }));

    expect(issues.map((i) => [i.code, i.line])).toEqual([
      ['machine-with-port', 1],
      ['machine-uppercase', 2],
      ['machine-with-scheme', 3],
      ['duplicate-machine', 6],
      ['machine-after-default', 6],
      ['user-keyword', 6],
    ]);
    expect(JSON.stringify(issues)).not.toMatch(/s3cret/);
  });

  it('reports parse errors as errors, and files Python cannot read as warnings', () => {
    const issues = validateForUv(parseNetrc('machine a port 1\nmacdef m\nx', 'n', { tolerant: true }));

    expect(issues.map((i) => [i.code, i.severity, i.affects])).toEqual([['bad-follower-token', 'error', ['uv']]]);
    expect(validateForUv(parseNetrc('macdef m\nx', 'n')).map((i) => [i.code, i.affects])).toEqual([
      ['python-rejects', ['python']],
    ]);
  });

  it('warns about comments whose words uv reads as entries, and macros ended by blanks', () => {
    const issues = validateForUv(parseNetrc('machine a login b\n\n# machine c login d\nmacdef m\nx\n \n', 'n'));

    // Python reads the macro on to EOF and then rejects the file.
    expect(issues.map((i) => i.code)).toEqual(['comment-read-as-entries', 'python-rejects', 'macdef-whitespace-end']);
  });

  it('finds nothing to say about a clean file', () => {
    expect(
      validateForUv(
        parseNetrc('# mine\nmachine gitlab.example.com login __token__ password x\ndefault login a password b\n', 'n'),
      ),
    ).toEqual([]);
  });
});

describe('netrc locations', () => {
  it('writes to $NETRC when set, with ~ expanded, else ~/.netrc', () => {
    expect(netrcPath({ NETRC: '/etc/n' }, '/home/me')).toBe('/etc/n');
    expect(netrcPath({ NETRC: '~/alt/netrc' }, '/home/me')).toBe('/home/me/alt/netrc');
    expect(netrcPath({ NETRC: '' }, '/home/me')).toBe('/home/me/.netrc');
    expect(netrcPath({}, '/home/me')).toBe('/home/me/.netrc');
  });

  it("lists uv's candidates in order: $NETRC, then the home file (uv falls back when $NETRC is missing)", () => {
    expect(uvNetrcCandidates({ NETRC: '/missing', HOME: '/home/env' }, '/home/me')).toEqual([
      '/missing',
      '/home/env/.netrc',
    ]);
    expect(uvNetrcCandidates({}, '/home/me')).toEqual(['/home/me/.netrc']);
    expect(uvNetrcCandidates({ USERPROFILE: 'C:\\Users\\me' }, 'C:\\Users\\me', 'win32')).toEqual([
      'C:\\Users\\me\\.netrc',
      'C:\\Users\\me\\_netrc',
    ]);
  });
});
