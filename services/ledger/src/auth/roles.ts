import { z } from 'zod';

export const roles = ['cs', 'warehouse', 'pm', 'finance', 'auditor', 'admin'] as const;
export const roleSchema = z.enum(roles);
export type Role = z.infer<typeof roleSchema>;

/** Who made a request: the token that authenticated it and its role. */
export interface Actor {
  readonly tokenId: string;
  readonly role: Role;
}

/** How an actor is written into the events' metadata: `token:<id>/<role>`. */
export function actorName(actor: Actor): string {
  return `token:${actor.tokenId}/${actor.role}`;
}

/** Roles that may read: everyone. `auditor` reads everything and writes nothing. */
export const anyRole: readonly Role[] = roles;
