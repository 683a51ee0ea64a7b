// A checksum of the Secret values the MCP server reads, put on its pod template: environment variables
// from secretKeyRef are read once at container start, so without it a rotated token would only reach
// the server at its next unrelated restart. Only the referenced keys count, so rotating an unrelated
// key of a shared Secret does not restart every server that uses it.
// It is computed from the facts' key digests, not from values: each is HMAC-SHA256 of a value under a
// key only the operator holds (controller/secret-digests.ts, controller/rollout-key.ts). Anyone who
// can read pods, ReplicaSets or ControllerRevisions sees this annotation; an unsalted hash of the
// values would let them test guesses of a token offline (issue 14), a keyed one does not.
// Why not the referenced Secrets' resourceVersions, which need no key at all: a resourceVersion moves
// on any change to the Secret, so a shared Secret's unrelated key (or a label) would roll every server
// that reads it. The HMAC keeps "only the referenced keys count", at the price of one Secret holding
// the key in the operator's namespace.
import { createHash } from 'node:crypto';
import type { MCPServer } from '../../schemas/generated/mcpserver.ts';
import type { ServerFacts } from './types.ts';

export const SECRETS_CHECKSUM_ANNOTATION = 'mcp-operator/secrets-checksum';

/** The checksum, or undefined when the server references no Secret (no annotation at all). */
export function secretsChecksum(server: MCPServer, facts: ServerFacts): string | undefined {
  const refs = server.spec.secrets ?? [];
  if (refs.length === 0) return undefined;
  const entries = refs
    .map((ref) => {
      const digests = facts.secrets.get(ref.name);
      // A missing Secret or key hashes differently from any value, so its creation rolls the pod.
      const digest = digests === undefined ? '\u0000no-secret' : (digests[ref.key] ?? '\u0000no-key');
      return [ref.name, ref.key, digest];
    })
    .sort((a, b) => (a.join('\u0000') < b.join('\u0000') ? -1 : 1));
  return createHash('sha256').update(JSON.stringify(entries)).digest('hex');
}
