import { describe, expect, test } from 'vitest';
import { createProgress, formatBytes, renderBar } from '../../src/cli/progress.js';
import { styler } from '../../src/util/color.js';

const plain = styler(false);

describe('progress', () => {
  test('formats sizes in binary units', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(64 * 1024 * 1024)).toBe('64.0 MiB');
    expect(formatBytes(1024 ** 3 * 1.25)).toBe('1.3 GiB');
  });

  test('a bar fits the terminal width and shows percent, amounts and rate', () => {
    const line = renderBar(
      { label: 'acme_utils-1.0-py3-none-any.whl', total: 4 * 1024 * 1024, done: 1024 * 1024, startedAt: 0 },
      80,
      plain,
      false,
      1000,
    );

    expect(line.length).toBeLessThanOrEqual(79);
    expect(line).toMatch(/^acme_utils-1\.0-py3-none-any\.whl #+-+ {2}25% 1\.0 MiB\/4\.0 MiB 1\.0 MiB\/s$/);
  });

  test('on a terminal, bars are redrawn in place and finished files are printed above them', () => {
    let out = '';
    const progress = createProgress({
      write: (text) => (out += text),
      tty: true,
      columns: 60,
      style: plain,
      color: false,
      now: () => 0,
    });

    progress.start('a', 'a.whl', 100);
    progress.start('b', 'b.whl', 100);
    progress.finish('a', 'uploaded a.whl');
    progress.stop();

    const frames = out.split('\u001b[');
    expect(frames.some((frame) => frame.startsWith('1F'))).toBe(true);
    expect(frames.some((frame) => frame.startsWith('2F'))).toBe(true);
    expect(out).toContain('uploaded a.whl\nb.whl ');
    expect(out.endsWith('\u001b[1F\u001b[J')).toBe(true);
  });

  test('elsewhere, it writes one plain line per event and no escape codes', () => {
    let out = '';
    const progress = createProgress({
      write: (text) => (out += text),
      tty: false,
      columns: 80,
      style: plain,
      color: false,
    });

    progress.start('dist/a.whl', 'a.whl', 2048);
    progress.update('dist/a.whl', 1024);
    progress.note('dist/a.whl', 'attempt 1 of 4 failed (503); retrying in 0.5 s');
    progress.finish('dist/a.whl', 'uploaded dist/a.whl');

    expect(out).toBe(
      'uploading a.whl (2.0 KiB)\na.whl: attempt 1 of 4 failed (503); retrying in 0.5 s\nuploaded dist/a.whl\n',
    );
  });
});
