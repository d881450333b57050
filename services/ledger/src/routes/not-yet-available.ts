import { anyRole, type Role } from '../auth/roles.js';
import { HttpProblem } from '../http/codes.js';
import type { TypedApp } from '../http/typed.js';

/**
 * Paths of the contract this build does not serve yet. They answer 501 with a stable code (after
 * the usual authentication and role checks) instead of looking like typos with a 404.
 */
const PENDING: readonly { method: 'GET' | 'POST'; url: string; roles: readonly Role[]; summary: string }[] = [
  { method: 'GET', url: '/cases', roles: anyRole, summary: 'List cases (needs the case-list projection)' },
  { method: 'GET', url: '/reports/:name', roles: anyRole, summary: 'KPI reports (needs the projections)' },
  {
    method: 'POST',
    url: '/reconciliations',
    roles: ['finance'],
    summary: 'Reconcile a payment provider report',
  },
  {
    method: 'GET',
    url: '/reconciliations/:runId',
    roles: ['finance', 'auditor'],
    summary: 'A reconciliation run',
  },
  { method: 'POST', url: '/imports/cases', roles: ['admin'], summary: 'Import existing after-sales cases' },
  { method: 'POST', url: '/imports/sales', roles: ['admin'], summary: 'Import sales lines' },
];

export function registerPendingRoutes(
  app: TypedApp,
  served: { readonly reports: boolean; readonly reconciliations: boolean; readonly imports: boolean },
): void {
  for (const route of PENDING) {
    if (served.reports && (route.url.startsWith('/reports/') || route.url === '/cases')) continue;
    if (served.reconciliations && route.url.startsWith('/reconciliations')) continue;
    if (served.imports && route.url.startsWith('/imports/')) continue;
    app.route({
      method: route.method,
      url: route.url,
      config: { auth: route.roles },
      schema: { tags: ['not yet available'], summary: `${route.summary} — not yet available (501)` },
      handler: async () => {
        throw new HttpProblem(
          'LDG_HTTP_NOT_IMPLEMENTED',
          `${route.method} ${route.url} is not yet available in this build`,
        );
      },
    });
  }
}
