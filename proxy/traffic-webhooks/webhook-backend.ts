// A Backend around the real one (and around authorization, as ToolHive runs its webhooks before its
// authorization middleware: what Cedar decides on is the mutated request) that sends each client
// request and notification through the webhooks (chain.ts) before it goes on. Client answers to the
// server's own requests pass untouched: ToolHive's parser hands its webhooks requests only.
// A refused request is answered here with ToolHive's JSON-RPC error (HTTP 403, 422 or 500 on a
// plain-JSON answer); a refused notification is dropped, since the front has answered 202 already.
// The chain is asynchronous but send() is not: a session's messages that arrive while one of its
// requests is with the webhooks wait behind it, so the server sees them in the order the client sent
// them (a cancellation never overtakes its request). Chains themselves run at once, side by side.
import type { Backend, SendOutcome, SessionOptions, SessionSink } from '../backends/backend.ts';
import { BackendDecorator, SessionDecorator, type OpenInner } from '../backends/decorator.ts';
import { ANONYMOUS, type Caller } from '../caller.ts';
import { answerWithStatus } from '../fronts/exchange.ts';
import { BACKEND_BUSY, errorResponse, isRequest, isResponse, type RpcMessage } from '../jsonrpc.ts';
import { runChain, type ChainDeps, type ChainOutcome } from './chain.ts';

export interface WebhookBackendOptions extends ChainDeps {
  /** Runs after the inner backend closed (the clients' keep-alive agents). */
  onClose?: () => void;
}

export class WebhookBackend extends BackendDecorator {
  readonly options: WebhookBackendOptions;

  constructor(inner: Backend, options: WebhookBackendOptions) {
    super(inner);
    this.options = options;
  }

  protected override closed(): void {
    this.options.onClose?.();
  }

  protected wrap(_id: string, sink: SessionSink, _options: SessionOptions | undefined, open: OpenInner) {
    return new WebhookSession(this, sink).attach(open(sink));
  }

  /** The chain's outcome for a client request or notification; undefined for answers. */
  check(message: RpcMessage, caller: Caller): Promise<ChainOutcome> | undefined {
    if (isResponse(message)) return undefined;
    return runChain(message, caller, this.options).catch((err: unknown): ChainOutcome => {
      // A bug of ours, not the webhook's: fail closed, and say so in the log.
      this.options.log.error({ err }, 'Webhook chain failed unexpectedly, so the request was denied');
      return { pass: false, refusal: { status: 500, code: -32603, message: 'Webhook error' } };
    });
  }
}

interface Waiting {
  message: RpcMessage;
  caller: Caller;
  /** Undefined while its chain runs. */
  outcome?: ChainOutcome;
}

class WebhookSession extends SessionDecorator {
  private readonly owner: WebhookBackend;
  private readonly sink: SessionSink;
  private queue: Waiting[] = [];
  private closed = false;

  constructor(owner: WebhookBackend, sink: SessionSink) {
    super();
    this.owner = owner;
    this.sink = sink;
  }

  send(message: RpcMessage, caller: Caller = ANONYMOUS): SendOutcome {
    const check = this.closed ? undefined : this.owner.check(message, caller);
    if (!check && this.queue.length === 0) return this.inner.send(message, caller);
    const waiting: Waiting = check
      ? { message, caller }
      : { message, caller, outcome: { pass: true, message } };
    this.queue.push(waiting);
    void check?.then((outcome) => {
      waiting.outcome = outcome;
      this.drain();
    });
    return 'accepted';
  }

  protected override letGo(): void {
    this.closed = true;
    this.queue = [];
  }

  private drain(): void {
    while (!this.closed && this.queue[0]?.outcome) {
      const { message, caller, outcome } = this.queue.shift()! as Required<Waiting>;
      if (!outcome.pass) this.refuse(message, outcome);
      else if (this.inner.send(outcome.message, caller) === 'busy' && isRequest(outcome.message))
        // Told 'accepted' already, the front waits for an answer: the busy one it would have sent.
        this.sink.deliver(
          answerWithStatus(
            errorResponse(outcome.message.id, BACKEND_BUSY, 'MCP server is busy, retry later'),
            503,
            {
              'retry-after': '1',
            },
          ),
          outcome.message.id,
        );
    }
  }

  private refuse(message: RpcMessage, outcome: Extract<ChainOutcome, { pass: false }>): void {
    if (!isRequest(message)) return; // a notification: nobody waits for an answer
    const { status, code, message: text } = outcome.refusal;
    this.sink.deliver(answerWithStatus(errorResponse(message.id, code, text), status, {}), message.id);
  }
}
