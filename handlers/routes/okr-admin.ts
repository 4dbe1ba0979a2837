import Router from '@koa/router';
import { sendWeeklyCheckins } from '../okr/checkins.js';
import { resolveOrg, type Services } from '../services.js';
import { requireAdminToken } from './admin.js';

/**
 * Operator API of the OKR feature under /api/admin/okr. `POST /checkins/run` sends this
 * week's check-in cards now, to every organisation or to the one named by `?org=<slug>`.
 */
export function okrAdminRouter(services: Services, adminToken: string): Router {
  const router = new Router({ prefix: '/api/admin/okr' });
  router.use(requireAdminToken(adminToken));

  router.post('/checkins/run', async (ctx) => {
    const slug = typeof ctx.query.org === 'string' ? ctx.query.org : undefined;
    const org = slug ? await resolveOrg(services, slug) : undefined;
    const results = await sendWeeklyCheckins(
      services.db,
      services.clock.now(),
      ctx.state.log,
      org ? { orgId: org.id } : {},
    );
    services.sender.wake();
    ctx.body = {
      sent: results.reduce((sum, result) => sum + result.sent, 0),
      organisations: results,
    };
  });
  return router;
}
