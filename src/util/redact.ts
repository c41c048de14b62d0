/**
 * Last line of defence against leaking a token: every secret glx learns in a run is registered
 * with the run's Secrets (Deps.secrets) and masked in anything it prints (errors, warnings,
 * verbose logs). Code should not print tokens in the first place; this catches the case where a
 * server echoes one back.
 */
export interface Secrets {
  register(secret: string | undefined): void;
  /** `text` with every registered secret, plain or URL-encoded, masked. */
  redact(text: string): string;
}

export function createSecrets(): Secrets {
  const known = new Set<string>();
  return {
    register(secret) {
      // Very short values would mask ordinary words; real tokens are 20+ characters.
      if (secret && secret.length >= 8) known.add(secret);
    },
    redact(text) {
      let out = text;
      for (const secret of known) {
        if (out.includes(secret)) out = out.split(secret).join(mask(secret));
        const encoded = encodeURIComponent(secret);
        if (encoded !== secret && out.includes(encoded)) out = out.split(encoded).join(mask(secret));
      }
      return out;
    },
  };
}

/** At most the first 6 characters, enough to tell `glpat-` from `gldt-` and nothing more. */
export function mask(secret: string): string {
  return `${secret.slice(0, Math.min(6, Math.floor(secret.length / 3)))}…`;
}

/**
 * `url` without its `user:password@`. A URL that carries userinfo comes back as the WHATWG URL
 * parser writes it (https://url.spec.whatwg.org/#concept-url-serializer), so a password with an
 * `@` in it goes too; one without comes back unchanged, and text that does not parse has the
 * `//…@` cut out.
 */
export function withoutUserinfo(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username === '' && parsed.password === '') return url;
    parsed.username = '';
    parsed.password = '';
    return parsed.href;
  } catch {
    return url.replace(/\/\/[^/@\s]*@/, '//');
  }
}

/** A URL as it may be printed: no userinfo, no query token. */
export function displayUrl(url: string): string {
  try {
    const parsed = new URL(withoutUserinfo(url));
    for (const key of ['private_token', 'job_token', 'token']) {
      if (parsed.searchParams.has(key)) parsed.searchParams.set(key, 'REDACTED');
    }
    return parsed.toString();
  } catch {
    return withoutUserinfo(url);
  }
}

/**
 * Text as it may reach a terminal: C0 and C1 control characters other than line breaks and tabs
 * become `\u001b`-style escapes, so that a hostile value echoed in a message (a file name, a
 * flag, a server's error body) cannot move the cursor, retitle the window or hide text.
 */
export function printable(text: string): string {
  return text.replace(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
