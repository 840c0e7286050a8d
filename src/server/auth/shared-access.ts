// Everything a shared server adds to the app: authentication and audit in front of /api, sign-in, the audit route.
import type { Hono, MiddlewareHandler } from 'hono';
import { AuditLog } from '../../access/audit/audit-log.js';
import type { AccessControl } from '../../access/grants/access-control.js';
import { Authenticator } from '../../access/identity/authenticator.js';
import type { OidcVerifier } from '../../access/identity/oidc-verifier.js';
import type { AccessStore } from '../../store/access-store.js';
import type { ApiEnv } from '../api-context.js';
import { accessMiddleware } from './access-middleware.js';
import { auditRoutes } from './audit-routes.js';
import { signInRoutes } from './sign-in-routes.js';

/** What `createApp({ access })` mounts. */
export interface SharedAccess {
  /** In front of every /api route. */
  middleware: MiddlewareHandler<ApiEnv>;
  /** Mounted at /auth. */
  authRoutes: Hono<ApiEnv>;
  /** Mounted at /api (the audit log). */
  apiRoutes: Hono<ApiEnv>;
  authenticator: Authenticator;
  audit: AuditLog;
}

/** Construction of the shared-server access layer. */
export interface SharedAccessConfig {
  access: AccessControl;
  store: AccessStore;
  /** Every asset key of the project (answers are narrowed to those the caller may read). */
  assetKeys: () => Iterable<string>;
  oidc?: OidcVerifier;
  now?: () => Date;
}

/**
 * Builds authentication, CSRF checks, the audit log and sign-in for one project.
 * @example const app = createApp(sluice, { access: sharedAccess({ access, store }) });
 */
export function sharedAccess(config: SharedAccessConfig): SharedAccess {
  const authenticator = new Authenticator(config);
  const audit = new AuditLog(config.store);
  return {
    middleware: accessMiddleware(authenticator, audit, config.assetKeys),
    authRoutes: signInRoutes(authenticator, audit),
    apiRoutes: auditRoutes(audit),
    authenticator,
    audit,
  };
}
