/** Who is asking, as `GET /api/v1/me` answers it, and which clients they may see. */

/** `admin` sees and reviews every client; `viewer` reviews only its own clients. */
export type Role = 'admin' | 'viewer';

/** The caller of a request. */
export interface Principal {
  /** An email, or a token's subject. */
  readonly subject: string;
  readonly role: Role;
  /** The clients visible to the caller; `'*'` for all. */
  readonly clients: '*' | readonly string[];
}
