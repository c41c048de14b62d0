/**
 * Every help text (the ones dist/help.json holds, from the same function) is laid out at 80
 * columns as paragraphs: no line is wider, and no wrapped line stops where the next word would
 * still have fitted, which is what a hard line break inside a sentence looks like once commander
 * has wrapped the text around it.
 */
import { describe, expect, it } from 'vitest';
import { helpTexts } from '../../src/cli/help-texts.js';

const WIDTH = 80;

function indent(line: string): number {
  return line.length - line.trimStart().length;
}

/** Where a wrapped continuation of this line starts: the description column of a table row, else its own indent. */
function textColumn(line: string): number {
  const row = /^( {2}\S.*? {2,})\S/.exec(line);
  return indent(line) === 2 && row ? row[1]!.length : indent(line);
}

/** Whether `next` carries on the text of `line` (the same paragraph, or the same table cell). */
function continues(line: string, next: string): boolean {
  if (line.trim() === '' || next.trim() === '' || /^[-*] /.test(next.trim())) return false;
  const column = indent(next);
  if (column !== textColumn(line)) return false;
  return column > 2 || (column === 0 && indent(line) === 0 && !line.endsWith(':'));
}

function layoutProblems(text: string): string[] {
  const lines = text.split('\n');
  const problems: string[] = [];
  let section = '';
  lines.forEach((line, i) => {
    if (/^\S.*:$/.test(line)) section = line;
    if (line.length > WIDTH) problems.push(`line ${i + 1} has ${line.length} columns: ${line}`);
    // An example is one command line, its comment beside it: a comment wrapped onto a line of its own is not shell.
    if (section === 'Examples:' && indent(line) > 2)
      problems.push(`line ${i + 1} continues an example: ${line.trim()}`);
    const next = lines[i + 1];
    if (next === undefined || !continues(line, next)) return;
    const word = next.trim().split(/\s+/)[0]!;
    if (line.trimEnd().length + 1 + word.length <= WIDTH)
      problems.push(`line ${i + 1} stops short: "${line.trim()}" could have taken "${word}"`);
  });
  return problems;
}

const { help } = await helpTexts();

describe('help layout', () => {
  it.each(Object.keys(help))(
    'glx %s --help: no line over 80 columns, paragraphs wrapped, not broken by hand',
    (path) => {
      expect(layoutProblems(help[path]!)).toEqual([]);
    },
  );

  it('finds a hand-broken sentence, a wrapped table cell that stops short, a long line and a wrapped example', () => {
    const text = [
      'Add or update one entry for a GitLab registry, with',
      'authenticate = "always", and pin packages to it.',
      '',
      'Options:',
      '  --file <path>  the pyproject.toml to read',
      '                 (default: nearest)',
      `  glx init --group 42   # ${'x'.repeat(60)}`,
      '',
      'Examples:',
      `  glx ci-setup  # ${'y'.repeat(60)}`,
      '                index',
    ].join('\n');

    expect(layoutProblems(text)).toEqual([
      'line 1 stops short: "Add or update one entry for a GitLab registry, with" could have taken "authenticate"',
      'line 5 stops short: "--file <path>  the pyproject.toml to read" could have taken "(default:"',
      `line 7 has 86 columns: ${text.split('\n')[6]}`,
      'line 11 continues an example: index',
    ]);
  });

  it('leaves list items, headings and one-per-line examples alone', () => {
    const text = [
      'Checks:',
      '- one',
      '- two',
      '',
      'Examples:',
      '  glx init --group 42   # a group',
      '  glx init              # the project of origin',
    ].join('\n');

    expect(layoutProblems(text)).toEqual([]);
  });
});
