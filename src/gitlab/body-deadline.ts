/**
 * A whole-body deadline for GitLab's answers. undici's bodyTimeout only limits the gap between two
 * chunks, so a server (or a broken proxy) that sends headers and then one byte every few seconds
 * kept glx waiting forever (slow-loris). API answers are small: once the headers are in,
 * the body must arrive within the request timeout, or the read fails as a body timeout, which the
 * client retries like any other and then reports as "did not answer in time".
 */
import type { Readable } from 'node:stream';

export interface TextBody extends Readable {
  text(): Promise<string>;
}

export async function readBodyWithin(body: TextBody, ms: number): Promise<string> {
  const timer = setTimeout(() => {
    body.destroy(
      Object.assign(new Error(`the response body did not arrive within ${ms} ms`), { code: 'UND_ERR_BODY_TIMEOUT' }),
    );
  }, ms);
  try {
    return await body.text();
  } finally {
    clearTimeout(timer);
  }
}
