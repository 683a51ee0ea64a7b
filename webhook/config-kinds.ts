// The kinds MCPServers name by reference, each validated on its own admission path (paths.ts,
// config-review.ts): the auth configs and the companions of rules/companions/.
import { COMPANION_KINDS } from '../schemas/companion-refs.ts';

export { COMPANION_KINDS, type CompanionKind } from '../schemas/companion-refs.ts';

export const CONFIG_KINDS = ['MCPOIDCConfig', 'MCPAuthzConfig', ...COMPANION_KINDS] as const;

export type ConfigKind = (typeof CONFIG_KINDS)[number];

/** The plural resource name of a kind (mcptoolconfigs). */
export const pluralOf = (kind: string): string => `${kind.toLowerCase()}s`;
