import { describe, expect, it } from 'vitest';
import { lineBreaks } from '../../src/util/text.js';

describe('lineBreaks', () => {
  it('counts the line feeds in the whole text or between two offsets, CRLF as one', () => {
    const text = 'a\nb\r\nc\n\nd';

    expect(lineBreaks(text)).toBe(4);
    expect(lineBreaks(text, 2)).toBe(3);
    expect(lineBreaks(text, 0, 1)).toBe(0);
    expect(lineBreaks(text, 0, 2)).toBe(1);
    expect(lineBreaks(text, 5, 7)).toBe(1);
    expect(lineBreaks(text, 5, 8)).toBe(2);
    expect(lineBreaks('')).toBe(0);
  });
});
