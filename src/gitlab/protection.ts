/** Which package protection rule refused a push (https://docs.gitlab.com/api/project_packages_protection_rules/). */
import { listPackageProtectionRules } from './api.js';
import type { GitLabClient } from './client-types.js';

/**
 * Names the package protection rule that refused a push and the role it needs, when this token may list the
 * rules (Maintainer+); otherwise undefined, and the generic hint stands. Rules match with `*` as the only wildcard,
 * ignoring case (app/models/packages/protection/rule.rb).
 */
export async function protectionHint(
  client: GitLabClient,
  projectId: string,
  name: string,
): Promise<string | undefined> {
  const rules = await listPackageProtectionRules(client, projectId).catch(() => undefined);
  const rule = rules?.find((candidate) =>
    new RegExp(`^${candidate.package_name_pattern.split('*').map(escapeRegExp).join('.*')}$`, 'i').test(name),
  );
  if (!rule) return undefined;
  const role = rule.minimum_access_level_for_push
    ? `${rule.minimum_access_level_for_push.charAt(0).toUpperCase()}${rule.minimum_access_level_for_push.slice(1)}`
    : 'a higher role';
  return `Package protection rule "${rule.package_name_pattern}" (id ${rule.id}) of project ${projectId} covers ${name}: pushing it needs ${role} or higher, and deploy tokens never may. Publish with such a token, or ask a Maintainer to change the rule (Settings > Packages and registries > Protected packages).`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
