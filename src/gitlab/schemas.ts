/** zod schemas for the GitLab answers glx reads; each schema shares its type's name. */
import { z } from 'zod';

/** https://docs.gitlab.com/api/personal_access_tokens/#self-inform */
export const TokenSelf = z.object({
  id: z.number(),
  name: z.string(),
  revoked: z.boolean(),
  active: z.boolean(),
  scopes: z.array(z.string()),
  user_id: z.number(),
  expires_at: z.string().nullable().optional(),
  created_at: z.string().optional(),
  last_used_at: z.string().nullable().optional(),
  /** Newer GitLab versions say it outright; older ones only through `active` and `expires_at`. */
  expired: z.boolean().optional(),
});
export type TokenSelf = z.infer<typeof TokenSelf>;

/** https://docs.gitlab.com/api/personal_access_tokens/#self-rotate — the new token's fields and the token itself. */
export const RotatedToken = TokenSelf.extend({ token: z.string().min(1) });
export type RotatedToken = z.infer<typeof RotatedToken>;

/** https://docs.gitlab.com/api/users/#get-the-current-user */
export const User = z.object({
  id: z.number(),
  username: z.string(),
  name: z.string().optional(),
  state: z.string().optional(),
  bot: z.boolean().optional(),
});
export type User = z.infer<typeof User>;

export const Namespace = z.object({ id: z.number(), full_path: z.string(), kind: z.string().optional() });

/** https://docs.gitlab.com/api/projects/#get-a-single-project */
export const Project = z.object({
  id: z.number(),
  path_with_namespace: z.string(),
  name: z.string().optional(),
  visibility: z.string().optional(),
  web_url: z.string().optional(),
  namespace: Namespace.optional(),
  packages_enabled: z.boolean().optional(),
  /** disabled, private, enabled (members) or public (everyone): https://docs.gitlab.com/api/projects/ */
  package_registry_access_level: z.string().optional(),
});
export type Project = z.infer<typeof Project>;

/** https://docs.gitlab.com/api/groups/#get-a-single-group */
export const Group = z.object({
  id: z.number(),
  full_path: z.string(),
  name: z.string().optional(),
  visibility: z.string().optional(),
  web_url: z.string().optional(),
  parent_id: z.number().nullable().optional(),
});
export type Group = z.infer<typeof Group>;

/** https://docs.gitlab.com/api/members/#get-a-member-of-a-group-or-project-including-inherited-and-invited-members */
export const Member = z.object({
  id: z.number(),
  username: z.string(),
  access_level: z.number(),
  expires_at: z.string().nullable().optional(),
});
export type Member = z.infer<typeof Member>;

/** https://docs.gitlab.com/api/jobs/#get-job-tokens-job */
export const Job = z.object({
  id: z.number(),
  status: z.string().optional(),
  pipeline: z.object({ id: z.number(), project_id: z.number() }).partial().optional(),
  user: z.object({ id: z.number(), username: z.string() }).partial().optional(),
});
export type Job = z.infer<typeof Job>;

/** https://docs.gitlab.com/api/releases/links/ */
export const ReleaseLink = z.object({
  id: z.number(),
  name: z.string(),
  url: z.string(),
  link_type: z.string().optional(),
  direct_asset_url: z.string().optional(),
});
export type ReleaseLink = z.infer<typeof ReleaseLink>;

/** https://docs.gitlab.com/api/releases/#get-a-release-by-a-tag-name */
export const Release = z.object({
  tag_name: z.string(),
  name: z.string().nullable().optional(),
  _links: z.object({ self: z.string().optional() }).partial().optional(),
});
export type Release = z.infer<typeof Release>;

export const ReleaseLinks = z.array(ReleaseLink);

/** https://docs.gitlab.com/api/lint/#validate-a-projects-ci-configuration */
export const CiLintResult = z.object({
  valid: z.boolean(),
  errors: z.array(z.string()),
  warnings: z.array(z.string()).optional(),
});
export type CiLintResult = z.infer<typeof CiLintResult>;

/** https://docs.gitlab.com/api/project_packages_protection_rules/#list-package-protection-rules */
export const PackageProtectionRule = z.object({
  id: z.number(),
  package_name_pattern: z.string(),
  package_type: z.string().optional(),
  minimum_access_level_for_push: z.string().nullable().optional(),
});
export type PackageProtectionRule = z.infer<typeof PackageProtectionRule>;
