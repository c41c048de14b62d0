/** The uv image tags glx pins (kept apart from build.ts so completion loads no YAML). */

/** The current uv minor: the image tag `0.13` follows its patch releases (uv's Docker guide). */
export const DEFAULT_UV_VERSION = '0.13';
/** Debian 13, the base of the images uv's GitLab guide uses. */
export const DEFAULT_BASE_LAYER = 'trixie-slim';
/**
 * The bases uv publishes `python3.x-<base>` images for (https://docs.astral.sh/uv/guides/integration/docker/,
 * "Available images"): Debian 13 trixie (slim and full), Alpine, and Docker Hardened Images.
 * No bookworm since uv 0.10 (changelogs/0.10.x.md).
 */
export const BASE_LAYERS = ['trixie-slim', 'trixie', 'alpine', 'alpine3.23', 'dhi'] as const;
