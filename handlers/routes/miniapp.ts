import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { gzipSync } from 'node:zlib';
import Router from '@koa/router';
import type { Context } from 'koa';
import { AppError } from '../../lib/errors.js';
import { projectPath } from '../../lib/paths.js';
import type { Services } from '../services.js';

/** Output folder of `vite build --config miniapp/vite.config.ts`. */
export const MINIAPP_DIST = projectPath('dist', 'miniapp');

const TYPES: Record<string, string> = {
  '.js': 'application/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};
const COMPRESSIBLE = new Set(['.js', '.css', '.html', '.svg', '.json']);

const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "img-src 'self' data: blob:",
  // Vant's icon font is inlined as a data: URL.
  "font-src 'self' data:",
  // Vant and ECharts set style attributes from script.
  "style-src 'self' 'unsafe-inline'",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'self'",
  "form-action 'self'",
].join('; ');

interface CachedFile {
  body: Buffer;
  gzip: Buffer | undefined;
  type: string;
  mtimeMs: number;
}

/**
 * Serves the built mini-app under /app: hashed assets with a year-long cache, and index.html
 * for every other page so the app's router can take over. Text files are gzipped once and
 * kept in memory.
 */
export function miniappRouter(_services: Services): Router {
  const router = new Router();
  const cache = new Map<string, CachedFile>();

  async function load(path: string): Promise<CachedFile | undefined> {
    const info = await stat(path).catch(() => undefined);
    if (!info?.isFile()) return undefined;
    const cached = cache.get(path);
    if (cached && cached.mtimeMs === info.mtimeMs) return cached;
    const body = await readFile(path);
    const extension = extname(path);
    const file: CachedFile = {
      body,
      gzip: COMPRESSIBLE.has(extension) ? gzipSync(body) : undefined,
      type: TYPES[extension] ?? 'application/octet-stream',
      mtimeMs: info.mtimeMs,
    };
    cache.set(path, file);
    return file;
  }

  function send(ctx: Context, file: CachedFile): void {
    ctx.type = file.type;
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.vary('Accept-Encoding');
    if (file.gzip && ctx.acceptsEncodings('gzip', 'identity') === 'gzip') {
      ctx.set('Content-Encoding', 'gzip');
      ctx.body = file.gzip;
    } else {
      ctx.body = file.body;
    }
  }

  router.get('/app/assets/:file', async (ctx) => {
    const name = ctx.params.file ?? '';
    const path = normalize(join(MINIAPP_DIST, 'assets', name));
    if (!/^[\w.-]+$/.test(name) || !path.startsWith(join(MINIAPP_DIST, 'assets'))) {
      ctx.status = 404;
      return;
    }
    const file = await load(path);
    if (!file) {
      ctx.status = 404;
      ctx.body = { error: { code: 'not_found', message: `No mini-app asset ${name}.` } };
      return;
    }
    ctx.set('Cache-Control', 'public, max-age=31536000, immutable');
    send(ctx, file);
  });

  router.get(/^\/app(\/(?!auth\/|assets\/).*)?$/, async (ctx) => {
    if (ctx.path === '/app') {
      ctx.redirect('/app/');
      return;
    }
    const page = await load(join(MINIAPP_DIST, 'index.html'));
    if (!page) {
      throw new AppError(
        'miniapp_not_built',
        503,
        'The mini-app is not built; run npm run build (or npm start, which builds it).',
      );
    }
    ctx.set('Cache-Control', 'no-cache');
    ctx.set('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    ctx.set('Referrer-Policy', 'same-origin');
    send(ctx, page);
  });

  return router;
}
