// A checksum of the Secret values the MCP server reads, put on its pod template: environment variables
// from secretKeyRef are read once at container start, so without it a rotated token would only reach
// the server at its next unrelated restart. Only the referenced keys count, so rotating an unrelated
// key of a shared Secret does not restart every server that uses it.
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
      const data = facts.secrets.get(ref.name);
      // A missing Secret or key hashes differently from any value, so its creation rolls the pod.
      const value = data === undefined ? '\u0000no-secret' : (data[ref.key] ?? '\u0000no-key');
      return [ref.name, ref.key, value];
    })
    .sort((a, b) => (a.join('\u0000') < b.join('\u0000') ? -1 : 1));
  return createHash('sha256').update(JSON.stringify(entries)).digest('hex');
}
