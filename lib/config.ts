import { z } from 'zod';

const DEV_WEBHOOK_SECRET = 'pulse-dev-secret';
const DEV_ADMIN_TOKEN = 'pulse-dev-admin';
const DEV_SESSION_SECRET = 'pulse-dev-session-secret';

const booleanFlag = z
  .enum(['1', '0', 'true', 'false', 'on', 'off', 'yes', 'no'])
  .transform((value) => ['1', 'true', 'on', 'yes'].includes(value));

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Builds the schema of a number read from text, with one message that gives the range. */
function numberFrom(min: number, max: number, kind: 'whole number' | 'number' = 'whole number') {
  const error = `must be a ${kind} from ${min} to ${max}`;
  const number = z.coerce.number({ error });
  return (kind === 'whole number' ? number.int({ error }) : number)
    .min(min, { error })
    .max(max, { error });
}

/** Variables whose values may hold a credential and so never appear in an error. */
const SECRET_NAME = /SECRET|TOKEN|KEY|PASSWORD|DATABASE_URL/;

const optionalText = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();

const environmentSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: numberFrom(0, 65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATABASE_URL: optionalText.pipe(
    z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// URL' }).optional(),
  ),
  PULSE_DATA_DIR: z.string().default('./data'),
  PULSE_WEBHOOK_SECRET: optionalText,
  PULSE_ADMIN_TOKEN: optionalText,
  PULSE_FAULT_INJECT: optionalText,
  PULSE_PUBLIC_URL: optionalText.pipe(z.url().optional()),
  PULSE_DEFAULT_ORG: z
    .string()
    .regex(/^[a-z0-9-]{2,40}$/, 'use 2-40 lowercase letters, digits or -')
    .default('demo'),
  PULSE_DEMO_SEED: booleanFlag.optional(),
  PULSE_SANDBOX: booleanFlag.optional(),
  PULSE_JOBS: booleanFlag.optional(),
  PULSE_TIMEZONE: z
    .string()
    .default('Asia/Shanghai')
    .refine(isTimeZone, 'must be an IANA time zone such as Asia/Shanghai'),
  PULSE_SHUTDOWN_TIMEOUT_MS: numberFrom(1, 600_000).default(10_000),
  PULSE_OUTBOX_LEASE_MS: numberFrom(1000, 3_600_000).default(30_000),
  PULSE_SESSION_SECRET: optionalText.pipe(
    z.string().min(32, 'must be at least 32 characters').optional(),
  ),
  PULSE_SESSION_HOURS: numberFrom(0.1, 720, 'number').default(12),
  WECOM_CORP_ID: optionalText,
  WECOM_AGENT_ID: optionalText,
  WECOM_SECRET: optionalText,
  WECOM_TOKEN: optionalText,
  WECOM_ENCODING_AES_KEY: optionalText,
  WECOM_API_BASE: z.url().default('https://qyapi.weixin.qq.com'),
  FEISHU_APP_ID: optionalText,
  FEISHU_APP_SECRET: optionalText,
  FEISHU_VERIFICATION_TOKEN: optionalText,
  FEISHU_ENCRYPT_KEY: optionalText,
  FEISHU_API_BASE: z.url().default('https://open.feishu.cn'),
  OPENAI_BASE_URL: optionalText.pipe(z.url().optional()),
  OPENAI_API_KEY: optionalText,
  OPENAI_MODEL: z.string().default('gpt-4o-mini'),
});

export type Environment = z.infer<typeof environmentSchema>;

export interface Config {
  env: Environment['NODE_ENV'];
  port: number;
  host: string;
  logLevel: Environment['LOG_LEVEL'];
  database: { url: string | undefined; dataDir: string };
  webhookSecret: string;
  /** True when the webhook secret is the built-in development value. */
  webhookSecretIsDefault: boolean;
  /** Bearer token of the operator API; undefined disables it. */
  adminToken: string | undefined;
  publicUrl: string | undefined;
  /** Named point where the process kills itself, for crash tests only. */
  faultInject: string | undefined;
  defaultOrg: string;
  demoSeed: boolean;
  sandbox: boolean;
  /**
   * Whether this instance schedules the jobs (default true); manual runs work either way.
   * Optional so that configurations built without loadConfig stay valid.
   */
  jobs?: boolean;
  timezone: string;
  shutdownTimeoutMs: number;
  /** How long a sender holds a message before another sender may take it over. */
  outboxLeaseMs: number;
  /** Mini-app sessions: the key that signs the cookie and how long a session lasts. */
  session: { secret: string; hours: number };
  wecom:
    | {
        corpId: string;
        agentId: number;
        secret: string;
        token: string;
        encodingAesKey: string;
        apiBase: string;
      }
    | undefined;
  feishu:
    | {
        appId: string;
        appSecret: string;
        verificationToken: string;
        encryptKey: string | undefined;
        apiBase: string;
      }
    | undefined;
  openai: { baseUrl: string | undefined; apiKey: string; model: string } | undefined;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const WECOM_KEYS = [
  'WECOM_CORP_ID',
  'WECOM_AGENT_ID',
  'WECOM_SECRET',
  'WECOM_TOKEN',
  'WECOM_ENCODING_AES_KEY',
] as const;
const FEISHU_KEYS = ['FEISHU_APP_ID', 'FEISHU_APP_SECRET', 'FEISHU_VERIFICATION_TOKEN'] as const;

/**
 * Reads the configuration from an environment once at start.
 *
 * Throws ConfigError listing every invalid or missing variable, so an operator can fix them
 * all in one pass.
 */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const parsed = environmentSchema.safeParse(source);
  const problems: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const name = issue.path.join('.');
      const value = source[name];
      const received =
        value !== undefined && !SECRET_NAME.test(name) ? ` (got ${JSON.stringify(value)})` : '';
      problems.push(`${name}: ${issue.message}${received}`);
    }
    throw new ConfigError(problems);
  }
  const env = parsed.data;

  const wecomSet = WECOM_KEYS.filter((key) => env[key] !== undefined);
  if (wecomSet.length > 0 && wecomSet.length < WECOM_KEYS.length) {
    for (const key of WECOM_KEYS.filter((k) => env[k] === undefined)) {
      problems.push(`${key}: missing; WeCom needs all of ${WECOM_KEYS.join(', ')}`);
    }
  }
  if (env.WECOM_AGENT_ID !== undefined && !/^\d+$/.test(env.WECOM_AGENT_ID)) {
    problems.push('WECOM_AGENT_ID: must be the numeric AgentId shown on the app page');
  }
  if (
    env.WECOM_ENCODING_AES_KEY !== undefined &&
    !/^[A-Za-z0-9]{43}$/.test(env.WECOM_ENCODING_AES_KEY)
  ) {
    problems.push('WECOM_ENCODING_AES_KEY: must be exactly 43 letters or digits');
  }
  const feishuSet = FEISHU_KEYS.filter((key) => env[key] !== undefined);
  if (feishuSet.length > 0 && feishuSet.length < FEISHU_KEYS.length) {
    for (const key of FEISHU_KEYS.filter((k) => env[k] === undefined)) {
      problems.push(`${key}: missing; Feishu needs all of ${FEISHU_KEYS.join(', ')}`);
    }
  }
  if (env.NODE_ENV === 'production' && env.PULSE_WEBHOOK_SECRET === undefined) {
    problems.push(
      'PULSE_WEBHOOK_SECRET: required in production; set a random string of 32+ characters',
    );
  }
  if (env.NODE_ENV === 'production' && env.PULSE_SESSION_SECRET === undefined) {
    problems.push(
      'PULSE_SESSION_SECRET: required in production; set a random string of 32+ characters',
    );
  }
  if (env.OPENAI_BASE_URL !== undefined && env.OPENAI_API_KEY === undefined) {
    problems.push('OPENAI_API_KEY: missing; it is required when OPENAI_BASE_URL is set');
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const wecom =
    wecomSet.length === WECOM_KEYS.length
      ? {
          corpId: env.WECOM_CORP_ID as string,
          agentId: Number(env.WECOM_AGENT_ID),
          secret: env.WECOM_SECRET as string,
          token: env.WECOM_TOKEN as string,
          encodingAesKey: env.WECOM_ENCODING_AES_KEY as string,
          apiBase: env.WECOM_API_BASE,
        }
      : undefined;
  const feishu =
    feishuSet.length === FEISHU_KEYS.length
      ? {
          appId: env.FEISHU_APP_ID as string,
          appSecret: env.FEISHU_APP_SECRET as string,
          verificationToken: env.FEISHU_VERIFICATION_TOKEN as string,
          encryptKey: env.FEISHU_ENCRYPT_KEY,
          apiBase: env.FEISHU_API_BASE,
        }
      : undefined;
  const platformConfigured = wecom !== undefined || feishu !== undefined;

  return {
    env: env.NODE_ENV,
    port: env.PORT,
    host: env.HOST,
    logLevel: env.LOG_LEVEL,
    database: { url: env.DATABASE_URL, dataDir: env.PULSE_DATA_DIR },
    webhookSecret: env.PULSE_WEBHOOK_SECRET ?? DEV_WEBHOOK_SECRET,
    webhookSecretIsDefault: env.PULSE_WEBHOOK_SECRET === undefined,
    adminToken:
      env.PULSE_ADMIN_TOKEN ?? (env.NODE_ENV === 'production' ? undefined : DEV_ADMIN_TOKEN),
    publicUrl: env.PULSE_PUBLIC_URL,
    faultInject: env.PULSE_FAULT_INJECT,
    defaultOrg: env.PULSE_DEFAULT_ORG,
    demoSeed: env.PULSE_DEMO_SEED ?? true,
    sandbox: env.PULSE_SANDBOX ?? (!platformConfigured && env.NODE_ENV !== 'production'),
    jobs: env.PULSE_JOBS ?? true,
    timezone: env.PULSE_TIMEZONE,
    shutdownTimeoutMs: env.PULSE_SHUTDOWN_TIMEOUT_MS,
    outboxLeaseMs: env.PULSE_OUTBOX_LEASE_MS,
    session: {
      secret: env.PULSE_SESSION_SECRET ?? DEV_SESSION_SECRET,
      hours: env.PULSE_SESSION_HOURS,
    },
    wecom,
    feishu,
    openai:
      env.OPENAI_API_KEY !== undefined
        ? { baseUrl: env.OPENAI_BASE_URL, apiKey: env.OPENAI_API_KEY, model: env.OPENAI_MODEL }
        : undefined,
  };
}
