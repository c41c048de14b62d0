/**
 * Route lists for `fake.expect()` (test/support/fake-gitlab/README.md, "Strictness"): what one step of
 * glx, or of uv, asks GitLab. A test spreads them into its declaration beside its own routes.
 */
type RegistryKind = 'project' | 'group';

function registryPaths(kind: RegistryKind): { registry: string; index: string } {
  return kind === 'group'
    ? { registry: '/groups/:id', index: '/groups/:id/-/packages/pypi' }
    : { registry: '/projects/:id', index: '/projects/:id/packages/pypi' };
}

/**
 * How glx checks a token for a registry (auth, auth status, doctor, env --verify, publish): the token,
 * its user, the registry, the user's role on it, then a probe of the index.
 */
export function checkRoutes(kind: RegistryKind = 'project'): string[] {
  const { registry, index } = registryPaths(kind);
  return [
    'GET /personal_access_tokens/self',
    'GET /user',
    `GET ${registry}`,
    `GET ${registry}/members/all/:user_id`,
    `GET ${index}/simple`,
  ];
}

/** How a client installs from a registry: the package's page, then a file. */
export function installRoutes(kind: RegistryKind = 'project'): [page: string, file: string] {
  const { index } = registryPaths(kind);
  return [`GET ${index}/simple/:package_name`, `GET ${index}/files/:sha256/*file_identifier`];
}

/** `glx publish` to a project registry: is the version there, the token check, the uploads. */
export const PUBLISH_ROUTES = [
  'GET /projects/:id/packages/pypi/simple/:package_name',
  ...checkRoutes('project'),
  'POST /projects/:id/packages/pypi',
];
