import Router from '@koa/router';
import { sql } from 'drizzle-orm';
import Koa from 'koa';
import { errorHandler, requestLogger } from './http.js';
import { adminRouter } from './routes/admin.js';
import { appApiRouter } from './routes/app-api.js';
import { authRouter } from './routes/auth.js';
import { eventsWebhookRouter } from './routes/events-webhook.js';
import { miniappRouter } from './routes/miniapp.js';
import { okrAdminRouter } from './routes/okr-admin.js';
import { sandboxRouter } from './routes/sandbox.js';
import type { Services } from './services.js';

/** Builds the Koa application with every route; listening is left to the caller. */
export function createApp(services: Services, extraRouters: Router[] = []): Koa {
  const app = new Koa({ proxy: true });
  app.silent = true;
  app.use(requestLogger(services.log));
  app.use(errorHandler());
  // Writes the error body of a request no route took, after every router's allowedMethods ran.
  app.use(async (ctx, next) => {
    await next();
    if (ctx.body !== undefined && ctx.body !== null) return;
    if (ctx.status === 405) {
      ctx.body = {
        error: {
          code: 'method_not_allowed',
          message: `${ctx.path} does not take ${ctx.method}; use ${ctx.response.get('Allow')}.`,
        },
      };
    } else if (ctx.status === 404) {
      ctx.status = 404;
      ctx.body = {
        error: { code: 'not_found', message: `No route for ${ctx.method} ${ctx.path}.` },
      };
    }
  });

  const health = new Router();
  health.get('/healthz', async (ctx) => {
    await services.db.execute(sql`select 1`);
    ctx.body = { status: 'ok' };
  });
  const routers = [
    health,
    eventsWebhookRouter(services),
    authRouter(services),
    appApiRouter(services),
    miniappRouter(services),
    ...extraRouters,
  ];
  if (services.config.sandbox) routers.push(sandboxRouter(services));
  if (services.config.adminToken) {
    routers.push(adminRouter(services, services.config.adminToken));
    routers.push(okrAdminRouter(services, services.config.adminToken));
  }
  for (const router of routers) {
    app.use(router.routes());
    app.use(router.allowedMethods());
  }
  return app;
}
