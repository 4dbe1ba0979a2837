import { type Logger, pino } from 'pino';

export type { Logger };

/** Keys whose values never reach a log line, wherever they appear in a logged object. */
const REDACTED_KEYS = [
  'secret',
  'password',
  'token',
  'accessToken',
  'access_token',
  'appSecret',
  'app_secret',
  'encodingAesKey',
  'encryptKey',
  'apiKey',
  'authorization',
  'cookie',
  'webhookSecret',
];

const REDACT_PATHS = [
  ...REDACTED_KEYS,
  ...REDACTED_KEYS.map((key) => `*.${key}`),
  ...REDACTED_KEYS.map((key) => `*.*.${key}`),
  'req.headers["x-pulse-signature"]',
  'headers["x-pulse-signature"]',
];

export interface LoggerOptions {
  level: string;
  pretty?: boolean;
  destination?: pino.DestinationStream;
}

/**
 * Creates the process logger: JSON lines in production, readable lines when `pretty` is set.
 */
export function createLogger(options: LoggerOptions): Logger {
  const base: pino.LoggerOptions = {
    level: options.level,
    base: { service: 'pulse' },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: { err: pino.stdSerializers.err },
  };
  if (options.destination) return pino(base, options.destination);
  if (options.pretty) {
    return pino({
      ...base,
      transport: {
        target: 'pino-pretty',
        options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' },
      },
    });
  }
  return pino(base);
}
