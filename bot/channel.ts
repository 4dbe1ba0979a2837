import type { Card } from './card.js';

export type ChannelName = 'sandbox' | 'wecom' | 'feishu';

/** A person as a channel addresses them. */
export interface Recipient {
  personId: string;
  orgId: string;
  name: string;
  wecomUserId: string | null;
  feishuOpenId: string | null;
  feishuUserId: string | null;
}

/** Where a sent card lives on its platform; stored as JSON and handed back to `update`. */
export interface MessageRef {
  channel: ChannelName;
  /** The platform's message id (sandbox message id, WeCom task id, Feishu message id). */
  id: string;
  /** Platform state needed to update the message later, such as WeCom response codes. */
  data?: Record<string, unknown>;
}

export interface SendOptions {
  /**
   * Stable key of this outbound message. A channel passes it to the platform's own
   * de-duplication where one exists, so a send repeated after a crash delivers one message.
   */
  idempotencyKey: string;
  /** The logical card this message shows, such as dispatch:<recommendation>:engineer:<person>. */
  cardKey: string;
}

export interface UpdateOptions extends SendOptions {
  /** Platform context of the click that caused the update, if any (such as a response code). */
  context?: Record<string, unknown>;
}

/** An update that the platform cannot apply any more, so the sender sends a new card instead. */
export interface UpdateResult {
  ref: MessageRef;
  /** True when the channel sent a new message in place of updating the old one. */
  replaced?: boolean;
}

/**
 * A chat platform. `send` and `update` deliver cards; `parseCallback` turns a platform
 * request into a verified card action or a rejection.
 */
export interface Channel {
  readonly name: ChannelName;
  /** Whether this channel can reach the person at all. */
  canReach(recipient: Recipient): boolean;
  send(recipient: Recipient, card: Card, options: SendOptions): Promise<MessageRef>;
  update(
    ref: MessageRef,
    card: Card,
    recipient: Recipient,
    options: UpdateOptions,
  ): Promise<UpdateResult>;
}

/**
 * A failed delivery. `retryable` failures are tried again with backoff; others go straight to
 * the dead-letter state. `retryAfterMs` overrides the backoff, for example after a rate limit.
 */
export class ChannelError extends Error {
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly code: string;

  constructor(
    code: string,
    message: string,
    options: { retryable: boolean; retryAfterMs?: number; cause?: unknown },
  ) {
    super(message, { cause: options.cause });
    this.name = 'ChannelError';
    this.code = code;
    this.retryable = options.retryable;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** A card click, verified by its platform and normalised for the handlers. */
export interface CardActionEvent {
  channel: ChannelName;
  /** Who clicked, as the platform identified them. */
  actor: { wecomUserId?: string; feishuOpenId?: string; feishuUserId?: string; personId?: string };
  /** Card key of the clicked card, when the platform lets us recover it. */
  cardKey?: string;
  actionId: string;
  payload: Record<string, string>;
  values: Record<string, string>;
  /** Platform context for updating the clicked card (response code, update token). */
  context?: Record<string, unknown>;
}

/** A platform callback request as the HTTP layer received it, body unread by anyone else. */
export interface CallbackRequest {
  method: string;
  /** The path and query exactly as received, still percent-encoded. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  rawBody: Buffer;
}

/** What a channel made of a callback request, after verifying it. */
export type CallbackResult =
  /** Answer at once and store nothing, as for a URL verification challenge. */
  | { kind: 'reply'; status: number; body: string; contentType?: string }
  /** A card click to store under `dedupeKey` and hand to the handlers. */
  | { kind: 'action'; dedupeKey: string; event: CardActionEvent }
  /** A chat message or app event from a person, such as opening the app. */
  | {
      kind: 'message';
      dedupeKey: string;
      actor: CardActionEvent['actor'];
      event: string;
      text?: string;
    }
  /** A verified request that needs no work. */
  | { kind: 'ignored'; reason: string }
  /** A request that failed verification; nothing may be stored. */
  | {
      kind: 'rejected';
      status: number;
      reason: string;
      /** Stable machine-readable reason, such as bad_signature, for the error response. */
      code?: string;
    };
