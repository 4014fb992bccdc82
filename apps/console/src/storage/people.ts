/**
 * People's access in SQL: console API tokens (kept as SHA-256 digests only) and the mapping of
 * signed-in emails to roles and clients.
 */

import { createHash, randomBytes } from 'node:crypto';
import type { Principal, Role } from '../principal.js';
import type { Sql } from './db.js';
import { select } from './db.js';

/** The prefix of console API tokens, so that a leaked one is recognisable by scanners. */
export const TOKEN_PREFIX = 'vga_';

const digest = (token: string) => createHash('sha256').update(token).digest('hex');

/** What a token or a user may see. */
export interface Grant {
  readonly subject: string;
  readonly role: Role;
  /** `'*'` for every client. */
  readonly clients: '*' | readonly string[];
}

const principalOf = (row: {
  subject: string;
  role: Role;
  clients: string[] | null;
}): Principal => ({
  subject: row.subject,
  role: row.role,
  clients: row.clients === null ? '*' : row.clients,
});

/** Creates a console API token and returns it; only its digest is stored. */
export async function createApiToken(sql: Sql, grant: Grant): Promise<string> {
  const token = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  await sql.query(
    'INSERT INTO api_tokens (token_sha256, subject, role, clients) VALUES ($1, $2, $3, $4)',
    [digest(token), grant.subject, grant.role, grant.clients === '*' ? null : [...grant.clients]],
  );
  return token;
}

/** The principal of a console API token, if the token is known. */
export async function principalOfToken(sql: Sql, token: string): Promise<Principal | undefined> {
  const rows = await select<{ subject: string; role: Role; clients: string[] | null }>(
    sql,
    'SELECT subject, role, clients FROM api_tokens WHERE token_sha256 = $1',
    [digest(token)],
  );
  return rows[0] && principalOf(rows[0]);
}

/** Grants a signed-in email a role (replacing what it had). */
export async function setUser(sql: Sql, grant: Grant): Promise<void> {
  await sql.query(
    `INSERT INTO users (email, role, clients) VALUES ($1, $2, $3)
     ON CONFLICT (email) DO UPDATE SET role = EXCLUDED.role, clients = EXCLUDED.clients`,
    [grant.subject.toLowerCase(), grant.role, grant.clients === '*' ? null : [...grant.clients]],
  );
}

/** The principal of a signed-in email, if it was granted anything. */
export async function principalOfEmail(sql: Sql, email: string): Promise<Principal | undefined> {
  const rows = await select<{ subject: string; role: Role; clients: string[] | null }>(
    sql,
    'SELECT email AS subject, role, clients FROM users WHERE email = $1',
    [email.toLowerCase()],
  );
  return rows[0] && principalOf(rows[0]);
}
