/**
 * The netrc tokenizer uv and Python share: a port of `Lex` in `crates/uv-netrc/src/lex.rs`
 * (https://github.com/astral-sh/uv/tree/main/crates/uv-netrc) and of `_netrclex` in CPython's
 * `Lib/netrc.py`, plus the line/column index that error messages use.
 */

/** Whose reading of the file: uv's, or CPython's `netrc` module (pip, requests, twine). */
export type NetrcDialect = 'uv' | 'python';

export interface Token {
  value: string;
  start: number;
  end: number;
  /** Position after the token and, for an unquoted token, the one blank that ended it. */
  next: number;
  quoted: boolean;
  /** Nothing left to read (uv's empty token at EOF). */
  eof: boolean;
  /** A line break was read while getting this token: uv's `lineno` changed. */
  sawNewline: boolean;
  unterminated?: true;
}

export class Lexer {
  pos = 0;
  private readonly pushback: Token[] = [];

  constructor(
    private readonly text: string,
    private readonly dialect: NetrcDialect,
  ) {}

  /** One character as the dialect reads it: Python's text mode turns `\r\n` and `\r` into `\n`. */
  private read(i: number): [string, number] {
    const ch = this.text[i]!;
    if (this.dialect === 'python' && ch === '\r') return ['\n', this.text[i + 1] === '\n' ? i + 2 : i + 1];
    return [ch, i + 1];
  }

  /**
   * The character a backslash at i - 1 escapes. At EOF uv takes a space (`read_char().unwrap_or(' ')`);
   * Python and curl take nothing.
   */
  private escaped(i: number): [string, number] {
    if (i < this.text.length) return this.read(i);
    return [this.dialect === 'uv' ? ' ' : '', i];
  }

  push(token: Token): void {
    this.pushback.push(token);
  }

  next(): Token {
    const pushed = this.pushback.shift();
    if (pushed) return pushed;
    const { text } = this;
    const n = text.length;
    let i = this.pos;
    let sawNewline = false;
    // Port of `Lex::get_token` (crates/uv-netrc/src/lex.rs): blanks are space, tab, CR, LF.
    while (i < n) {
      const [ch, after] = this.read(i);
      if (ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n') {
        if (ch === '\n') sawNewline = true;
        i = after;
        continue;
      }
      const start = i;
      let value = '';
      i = after;
      if (ch === '"') {
        while (i < n) {
          const [c, next] = this.read(i);
          i = next;
          if (c === '\n') sawNewline = true;
          if (c === '"') return this.emit({ value, start, end: i, next: i, quoted: true, eof: false, sawNewline });
          if (c === '\\') {
            const [escaped, afterEscape] = this.escaped(i);
            if (escaped === '\n') sawNewline = true;
            value += escaped;
            i = afterEscape;
          } else {
            value += c;
          }
        }
        // An unterminated quote runs to EOF; neither uv nor Python complains (curl does).
        return this.emit({ value, start, end: n, next: n, quoted: true, eof: false, sawNewline, unterminated: true });
      }
      let c = ch;
      for (;;) {
        if (c === '\\') {
          const [escaped, afterEscape] = this.escaped(i);
          if (escaped === '\n') sawNewline = true;
          value += escaped;
          i = afterEscape;
        } else {
          value += c;
        }
        if (i >= n) return this.emit({ value, start, end: n, next: n, quoted: false, eof: false, sawNewline });
        const [following, afterFollowing] = this.read(i);
        if (following === ' ' || following === '\t' || following === '\r' || following === '\n') {
          if (following === '\n') sawNewline = true;
          return this.emit({ value, start, end: i, next: afterFollowing, quoted: false, eof: false, sawNewline });
        }
        c = following;
        i = afterFollowing;
      }
    }
    return this.emit({ value: '', start: n, end: n, next: n, quoted: false, eof: true, sawNewline });
  }

  private emit(token: Token): Token {
    this.pos = token.next;
    return token;
  }

  /** `read_line`: the rest of the current line (without its break, which it consumes). */
  readLine(): { line: string; start: number; end: number; atEof: boolean } {
    const { text } = this;
    const start = this.pos;
    if (start >= text.length) return { line: '', start, end: start, atEof: true };
    let i = start;
    while (i < text.length) {
      const [ch, next] = this.read(i);
      if (ch === '\n') {
        this.pos = next;
        return { line: text.slice(start, i), start, end: next, atEof: false };
      }
      i = next;
    }
    this.pos = text.length;
    return { line: text.slice(start), start, end: text.length, atEof: false };
  }
}

export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(private readonly text: string) {
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }

  line(offset: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }

  column(offset: number): number {
    const start = this.starts[this.line(offset) - 1]!;
    return Array.from(this.text.slice(start, offset)).length + 1;
  }
}
