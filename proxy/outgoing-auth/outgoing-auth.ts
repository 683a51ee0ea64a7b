// What the proxy adds to its requests to an HTTP MCP server (run config `outgoingAuth`): a header
// from a Secret, a bearer token from a Secret, or a token exchanged for the caller's (RFC 8693). The
// HTTP backend asks for the headers before every upstream request (POST, GET stream, DELETE) with the
// session's latest caller. The client's own Authorization header never reaches the server: the
// backends send upstream only the MCP headers they list, and with tokenExchange the caller's token
// is the subject token, not a header.
// Secrets come from environment variables (the controller sets them from secretKeyRef), read once at
// start: a variable that is not set stops the proxy naming the field.
import type { Logger } from '../../lib/log.ts';
import type { Caller } from '../caller.ts';
import { createIssuerHttp } from '../auth/issuer-http.ts';
import { OutgoingAuthError } from './failure.ts';
import type { RunConfigOutgoingAuth, TokenExchangeSection } from './run-config.ts';
import { subjectTokenOf } from './subject-token.ts';
import { TokenExchanger } from './token-exchange.ts';

export type UpstreamHeaders = Record<string, string>;

export interface OutgoingCredentials {
  /**
   * The headers (lower-case names) for one upstream request of a session whose latest caller is
   * caller. Static credentials answer at once; token exchange may go to the token endpoint first.
   * Rejects with OutgoingAuthError, whose message the client gets as a JSON-RPC error.
   */
  headersFor(caller: Caller | undefined): UpstreamHeaders | Promise<UpstreamHeaders>;
  close(): void;
}

export interface OutgoingAuthDeps {
  env: NodeJS.ProcessEnv;
  log: Logger;
  /** Counts each token exchange at the endpoint: 'exchanged' or the failure's reason. */
  counted?: (outcome: string) => void;
  now?: () => number;
}

export function createOutgoingCredentials(
  section: RunConfigOutgoingAuth,
  deps: OutgoingAuthDeps,
): OutgoingCredentials {
  const read = (field: string, name: string): string => {
    const value = deps.env[name];
    if (value === undefined || value === '')
      throw new Error(`outgoingAuth.${field}: environment variable ${name} is not set`);
    return value;
  };
  switch (section.type) {
    case 'headerInjection':
      return fixed({ [section.headerName.toLowerCase()]: read('valueEnv', section.valueEnv) });
    case 'bearerToken':
      return fixed({ authorization: `Bearer ${read('tokenEnv', section.tokenEnv)}` });
    case 'tokenExchange': {
      const secret = section.clientSecretEnv ? read('clientSecretEnv', section.clientSecretEnv) : undefined;
      return exchanging(section, secret, deps);
    }
  }
}

function fixed(headers: UpstreamHeaders): OutgoingCredentials {
  return { headersFor: () => headers, close: () => undefined };
}

function exchanging(
  section: TokenExchangeSection,
  clientSecret: string | undefined,
  deps: OutgoingAuthDeps,
): OutgoingCredentials {
  const http = createIssuerHttp({
    caBundleFile: section.caBundleFile,
    insecureAllowHTTP: section.insecureAllowHTTP,
  });
  const exchanger = new TokenExchanger({ section, http, clientSecret, now: deps.now, counted: deps.counted });
  const header = (section.headerName ?? 'authorization').toLowerCase();
  let lastWarned = -Infinity;
  return {
    async headersFor(caller) {
      const subjectToken = subjectTokenOf(caller);
      if (!caller || !subjectToken) {
        deps.counted?.('no-subject-token');
        throw new OutgoingAuthError('no-subject-token', 'the request carried no token to exchange');
      }
      try {
        return { [header]: `Bearer ${await exchanger.token(caller.key, subjectToken)}` };
      } catch (err) {
        // An endpoint outage fails every caller: warned of once per 30 s, not per request.
        if (Date.now() - lastWarned >= 30_000) {
          lastWarned = Date.now();
          deps.log.warn({ err, tokenUrl: section.tokenUrl }, 'Token exchange failed');
        }
        throw err;
      }
    },
    close: () => http.close(),
  };
}
