import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { replaceNetrcPassword } from '../../src/netrc/upsert.js';
import { tempDir } from '../support/test-deps.js';

const OLD = 'glpat-oldoldoldoldoldold';
const NEW = 'glpat-newnewnewnewnewnew';

describe('replaceNetrcPassword', () => {
  it('replaces the password in every entry that holds it, the default entry too, keeping CRLF and layout', () => {
    const text = `machine a.example login __token__ password ${OLD}\r\nmachine b.example login x password other\r\n\r\ndefault login __token__ password ${OLD}\r\n`;

    const result = replaceNetrcPassword(text, OLD, NEW);

    expect(result.text).toBe(text.split(OLD).join(NEW));
    expect(result.entries).toEqual([
      { name: 'machine a.example', line: 1 },
      { name: 'default', line: 4 },
    ]);
  });

  it('keeps a quoted value quoted and replaces only the password fields that hold the token', () => {
    const text = `machine a.example\n  login "__token__"\n  password "${OLD}"\n  password later-one\n`;

    const result = replaceNetrcPassword(text, OLD, NEW);

    expect(result.text).toBe(text.replace(`"${OLD}"`, `"${NEW}"`));
  });

  it('changes nothing when no entry holds the token, not even a login or a comment with the same text', () => {
    const text = `# ${OLD}\nmachine a.example login ${OLD} password other\n`;

    expect(replaceNetrcPassword(text, OLD, NEW)).toEqual({ text, entries: [] });
  });

  it("gives a file Python's netrc module reads with the new password for every host", () => {
    const { dir, cleanup } = tempDir();
    const file = path.join(dir, 'netrc');
    writeFileSync(
      file,
      replaceNetrcPassword(
        `machine a.example login __token__ password ${OLD}\n\nmachine b.example\n  login __token__\n  password "${OLD}"\n`,
        OLD,
        NEW,
      ).text,
    );

    const read = execFileSync('python3', [
      '-c',
      'import netrc,json,sys; n=netrc.netrc(sys.argv[1]); print(json.dumps([n.authenticators(h) for h in ("a.example","b.example")]))',
      file,
    ]);

    expect(JSON.parse(read.toString())).toEqual([
      ['__token__', '', NEW],
      ['__token__', '', NEW],
    ]);
    cleanup();
  });
});
