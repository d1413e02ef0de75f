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

/**
 * The one table of who may do what. Every command of the app (src/app) names its action and is refused
 * (forbidden) below its role; the HTTP faces look their routes up here too, to answer before parsing.
 */
export const ACTION_ROLES = {
  /** Every page, plan and answer except what a backup holds. */
  read: 'viewer',
  /** A backup's file or a rollback's leftover rows: residents' data. */
  'read backup data': 'operator',
  /** Deploy, restart, roll back, recover an interrupted operation. */
  deploy: 'operator',
  /** Back up now, drill, push off-site, restore from off-site. */
  'back up': 'operator',
  'manage users': 'admin',
} as const satisfies Record<string, Role>;
export type Action = keyof typeof ACTION_ROLES;

export const may = (have: Role, action: Action): boolean => mayAct(have, ACTION_ROLES[action]);

/** Who asks: a signed-in person, an API token, or the host's CLI user (admin: it holds the state dir). */
export interface Actor {
  /** The audit name: `ui:alice`, `api:deploy-bot`, `cli:root`. */
  name: string;
  role: Role;
}
