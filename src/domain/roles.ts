/**
 * Who may do what. Three roles, each including the one below it:
 * - viewer: reads everything except backup files (they hold every resident's data);
 * - operator: also deploys, rolls back, backs up, drills and downloads backups;
 * - admin: also manages users.
 */
export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

export const mayAct = (have: Role, need: Role): boolean => RANK[have] >= RANK[need];
