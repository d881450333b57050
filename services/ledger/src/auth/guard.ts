import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpProblem } from '../http/codes.js';
import type { Actor, Role } from './roles.js';
import type { TokenStore } from './token-store.js';

/** Who may call a route: nobody needs a token (`public`), or one of these roles. */
export type RouteAuth = 'public' | readonly Role[];

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: RouteAuth;
  }
  interface FastifyRequest {
    /** Set on every authenticated request; absent on public routes. */
    actor?: Actor;
  }
}

/** Routes of the documentation plugin, which cannot declare their own `auth`. */
const DOCS_PREFIXES = ['/docs', '/openapi.json'];

/**
 * Authenticates every request before its body is read, then checks the route's roles. A route
 * that forgets to declare `config.auth` fails at start-up rather than being served open.
 *
 * The check is a route-level hook added after the rate limiter's (registered earlier), so failed
 * authentications count against the caller's allowance too.
 */
export function registerAuth(app: FastifyInstance, tokens: TokenStore): void {
  const guard = async (request: FastifyRequest): Promise<void> => {
    const auth = request.routeOptions.config.auth;
    if (auth === undefined || auth === 'public') return;
    const actor = authenticate(request, tokens);
    if (!auth.includes(actor.role)) {
      throw new HttpProblem(
        'LDG_HTTP_FORBIDDEN',
        `Role '${actor.role}' may not call ${request.method} ${request.routeOptions.url}; allowed: ${auth.join(', ')}`,
      );
    }
    request.actor = actor;
  };

  app.addHook('onRoute', (route) => {
    if (route.config?.auth === undefined) {
      if (!DOCS_PREFIXES.some((prefix) => route.url.startsWith(prefix))) {
        throw new Error(`Route ${String(route.method)} ${route.url} does not declare config.auth`);
      }
      route.config = { ...route.config, auth: 'public' };
    }
    const existing = route.onRequest === undefined ? [] : [route.onRequest].flat();
    route.onRequest = [...existing, guard];
  });
}

/** The secret of an `Authorization: Bearer <token>` header, or null. */
export function bearerToken(header: string | undefined): string | null {
  if (header === undefined) return null;
  return /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] ?? null;
}

function authenticate(request: FastifyRequest, tokens: TokenStore): Actor {
  const header = request.headers.authorization;
  if (header === undefined) {
    throw new HttpProblem('LDG_HTTP_UNAUTHENTICATED', 'Send `Authorization: Bearer <token>`.');
  }
  const token = bearerToken(header);
  if (token === null) {
    throw new HttpProblem('LDG_HTTP_UNAUTHENTICATED', 'The Authorization header must be `Bearer <token>`.');
  }
  const record = tokens.authenticate(token);
  if (record === null) {
    throw new HttpProblem('LDG_HTTP_UNAUTHENTICATED', 'The token is unknown or revoked.');
  }
  return { tokenId: record.id, role: record.role };
}
