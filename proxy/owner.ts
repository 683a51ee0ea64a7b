// Which client session a server-to-client request (sampling, elicitation, roots) belongs to, when one
// stdio server serves many sessions. Pure. The stdio wire does not say which client request caused a
// server request, so the proxy infers it, and refuses rather than guess:
// 1. a progress token that names a session's request in flight decides;
// 2. else, if exactly one session has requests in flight, it is the owner; if several do, the one of
//    them that declared the capability the request needs, if exactly one did;
// 3. else, with nothing in flight, the one session that declared the capability;
// 4. otherwise the server gets an error: asking the wrong user for a sampling or an elicitation
//    would be worse than failing the tool call.
// An owner that did not declare the capability is refused too (the proxy declared the union to the
// server, so the server may ask for what this session cannot do).
import type { Params } from './jsonrpc.ts';
import { capabilityFor } from './negotiate.ts';

export interface SessionView {
  id: string;
  capabilities: Params;
  inFlight: number;
}

export type OwnerChoice = { owner: string } | { refusal: string };

export function chooseOwner(
  method: string,
  byToken: string | undefined,
  sessions: SessionView[],
): OwnerChoice {
  const capability = capabilityFor(method);
  const capable = (s: SessionView) => capability === undefined || s.capabilities[capability] !== undefined;
  const owner = byToken ?? inferOwner(sessions, capable);
  if (owner === undefined)
    return { refusal: `no single client session can be told apart as the one asking for ${method}` };
  const session = sessions.find((s) => s.id === owner);
  if (!session || !capable(session))
    return { refusal: `the client session does not support ${capability ?? method}` };
  return { owner };
}

function inferOwner(sessions: SessionView[], capable: (s: SessionView) => boolean): string | undefined {
  const busy = sessions.filter((s) => s.inFlight > 0);
  if (busy.length === 1) return busy[0]!.id;
  const candidates = (busy.length > 0 ? busy : sessions).filter(capable);
  return candidates.length === 1 ? candidates[0]!.id : undefined;
}
