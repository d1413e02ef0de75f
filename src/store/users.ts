import type { Role } from '../domain/roles.js';
import type { Db } from './db.js';

export interface User {
  name: string;
  role: Role;
  createdAt: string;
  createdBy: string;
}

interface UserRow {
  name: string;
  role: Role;
  created_at: string;
  created_by: string;
}

const toUser = (r: UserRow): User => ({ name: r.name, role: r.role, createdAt: r.created_at, createdBy: r.created_by });

/** Named users. Only the sha256 of a user's token is kept; the token itself is never stored. */
export class UserStore {
  constructor(private readonly db: Db) {}

  add(u: { name: string; role: Role; tokenSha256: string; createdBy: string }, at = new Date()): User {
    this.db
      .prepare(`INSERT INTO users (name, role, token_sha256, created_at, created_by) VALUES (?, ?, ?, ?, ?)`)
      .run(u.name, u.role, u.tokenSha256, at.toISOString(), u.createdBy);
    return this.get(u.name)!;
  }

  get(name: string): User | undefined {
    const row = this.db.prepare(`SELECT * FROM users WHERE name = ?`).get(name) as UserRow | undefined;
    return row && toUser(row);
  }

  /** Looking up a hash reveals nothing about the token: the lookup's timing depends on the hash only. */
  byTokenSha256(hex: string): User | undefined {
    const row = this.db.prepare(`SELECT * FROM users WHERE token_sha256 = ?`).get(hex) as UserRow | undefined;
    return row && toUser(row);
  }

  list(): User[] {
    return (this.db.prepare(`SELECT * FROM users ORDER BY name`).all() as UserRow[]).map(toUser);
  }

  setRole(name: string, role: Role): boolean {
    return this.db.prepare(`UPDATE users SET role = ? WHERE name = ?`).run(role, name).changes === 1;
  }

  remove(name: string): boolean {
    return this.db.prepare(`DELETE FROM users WHERE name = ?`).run(name).changes === 1;
  }
}
