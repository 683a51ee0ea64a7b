// The caller's own bearer token, carried beside its Caller for token exchange only. caller.ts keeps
// tokens out of Caller (authorization, audit and logs see claims, never the token), and the verified
// token cache holds none; so the proxy, only when outgoingAuth is tokenExchange, gives each
// authenticated request a copy of its Caller that this WeakMap ties to the token. The token goes
// nowhere else: it is the RFC 8693 subject_token and is never sent to the MCP server.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Caller } from '../caller.ts';
import { bearerToken } from '../auth/challenge.ts';

const tokens = new WeakMap<Caller, string>();

/** The token the caller authenticated with, when the request carried one and the proxy kept it. */
export const subjectTokenOf = (caller: Caller | undefined): string | undefined =>
  caller ? tokens.get(caller) : undefined;

type Authenticate = (req: IncomingMessage, res: ServerResponse) => Promise<Caller | undefined>;

/** authenticate, whose callers carry the request's bearer token for subjectTokenOf. */
export function keepingSubjectTokens(authenticate: Authenticate): Authenticate {
  return async (req, res) => {
    const caller = await authenticate(req, res);
    if (!caller) return undefined;
    const bearer = bearerToken(req.headers.authorization);
    if ('problem' in bearer) return caller;
    const carrying: Caller = { ...caller };
    tokens.set(carrying, bearer.token);
    return carrying;
  };
}
