/** zod schemas for the GitLab answers glx reads; each schema shares its type's name (STYLE.md). */
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
});
export type TokenSelf = z.infer<typeof TokenSelf>;

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

/** https://docs.gitlab.com/api/metadata/ */
export const Version = z.object({ version: z.string(), revision: z.string().optional() });
export type Version = z.infer<typeof Version>;
