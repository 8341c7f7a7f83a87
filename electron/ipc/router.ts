import {
  isRequestChannel,
  requestChannelNames,
  requestChannels,
  type ParsedRequestOf,
  type RequestChannel,
  type ResponseOf,
} from '@shared/ipc/contract';
import { err, GantryError, ok, type Result } from '@shared/ipc/result';

/** Who is calling: handlers may need to know the bridge (e.g. `app:info`). */
export interface CallContext {
  bridge: 'electron' | 'browser';
}

/** A handler for one channel: receives the parsed request, returns the response or throws a GantryError. */
export type Handler<C extends RequestChannel> = (
  request: ParsedRequestOf<C>,
  call: CallContext,
) => Promise<ResponseOf<C>> | ResponseOf<C>;

/** Reports an unexpected handler failure (the stack goes to the log, never to the renderer). */
export type FailureReporter = (channel: string, error: unknown) => void;

/**
 * The single place where requests meet handlers. Both the Electron IPC registration and the
 * browser-mode bridge call `dispatch`, so validation and error shaping are identical for both.
 */
export class Router {
  private readonly handlers = new Map<RequestChannel, Handler<RequestChannel>>();

  constructor(private readonly reportFailure: FailureReporter = () => {}) {}

  /** Registers the handler of one channel; a second registration for the same channel is a bug and throws. */
  handle<C extends RequestChannel>(channel: C, handler: Handler<C>): void {
    if (!isRequestChannel(channel)) throw new Error(`"${String(channel)}" is not a channel of the IPC contract`);
    if (this.handlers.has(channel)) throw new Error(`Channel "${channel}" already has a handler`);
    this.handlers.set(channel, handler as unknown as Handler<RequestChannel>);
  }

  /** Channels of the contract that have no handler. */
  missingChannels(): RequestChannel[] {
    return requestChannelNames.filter((name) => !this.handlers.has(name));
  }

  /** Throws unless every channel of the contract has exactly one handler. */
  assertComplete(): void {
    const missing = this.missingChannels();
    if (missing.length > 0) throw new Error(`IPC channels without a handler: ${missing.join(', ')}`);
  }

  /** Validates and runs one request. Never throws: every failure comes back as an error value. */
  async dispatch(channel: unknown, payload: unknown, call: CallContext): Promise<Result<unknown>> {
    if (!isRequestChannel(channel)) {
      return err('unknown_channel', `"${String(channel).slice(0, 80)}" is not a Gantry IPC channel.`);
    }
    const handler = this.handlers.get(channel);
    if (!handler) return err('unknown_channel', `Channel "${channel}" has no handler in this build.`);

    const parsed = requestChannels[channel].request.safeParse(payload ?? {});
    if (!parsed.success) {
      const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(request)'}: ${issue.message}`);
      return err('invalid_request', `Invalid request for ${channel}: ${issues.join('; ')}`, { issues });
    }
    try {
      return ok(await handler(parsed.data as never, call));
    } catch (error) {
      if (error instanceof GantryError) return err(error.code, error.message, error.details);
      this.reportFailure(channel, error);
      return err('internal', `Gantry hit an unexpected error while handling ${channel}. Details are in the log.`);
    }
  }
}
