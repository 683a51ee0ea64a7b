// Cedar decisions for the proxy: one authorizer per proxy, built from the run config's `authz`
// (ToolHive's cedarv1). The policies are parsed once into cedar-wasm's cache (preparsePolicySet) and
// each decision is a statefulIsAuthorized call with the request's entities (entities.ts) and the
// entities JSON. Decisions made here:
//   - Fail closed, as ToolHive: a decision whose evaluation reported errors (a policy reading an
//     attribute the request lacks) is a deny even when another policy permits.
//   - Entities JSON entries for the request's own principal, action or resource are merged into the
//     entities the request builds (their attributes under the request's, parents added), where
//     ToolHive replaces them: so `resource.owner` from the entities JSON is readable, as ToolHive's
//     own example expects.
//   - Decisions are cached per caller (the Caller object, which the token cache keeps per token),
//     action, resource and tool annotations, unless some policy reads context other than claim_*
//     (arguments change per call). The cache of a caller goes with the caller.
import * as cedar from '../../lib/cedar-safe.ts';
import { checkCedarConfig, type CedarAuthzConfig } from '../../lib/authz-config.ts';
import {
  DEFAULT_GROUP_ENTITY_TYPE,
  PRINCIPAL_TYPE,
  SERVER_TYPE,
  normalizeEntities,
  type CedarAction,
  type EntityJsonShape,
  type EntityUidJson,
} from '../../lib/cedar-model.ts';
import { policyFacts } from '../../lib/cedar-policy-facts.ts';
import type { Caller } from '../caller.ts';
import type { Params } from '../jsonrpc.ts';
import { argumentContext, callerGroups, claimAttributes, type CedarValue } from './entities.ts';

export type ResourceType = 'Tool' | 'Prompt' | 'Resource';

export interface DecisionInput {
  action: CedarAction;
  resourceType: ResourceType;
  id: string;
  args?: Params;
  /** Extra resource attributes (a tool's annotations); the standard ones win over these. */
  attrs?: Record<string, CedarValue>;
}

export interface Decision {
  allowed: boolean;
  /** Why evaluation failed, for the log (never for the client). */
  errors?: string[];
}

interface CallerFacts {
  principal: EntityJsonShape;
  claims: Record<string, CedarValue>;
  decisions: Map<string, Decision>;
}

const MAX_CACHED_PER_CALLER = 4096;
const FEATURE: Record<ResourceType, { feature: string; operation: string }> = {
  Tool: { feature: 'tool', operation: 'call' },
  Prompt: { feature: 'prompt', operation: 'get' },
  Resource: { feature: 'resource', operation: 'read' },
};
const uidKey = (uid: EntityUidJson): string => `${uid.type}\u0000${uid.id}`;
let nextSetId = 0;

export class CedarAuthorizer {
  private readonly setId = `proxy-authz-${process.pid}-${nextSetId++}`;
  private readonly statics: EntityJsonShape[];
  private readonly staticByUid = new Map<string, EntityJsonShape>();
  private readonly cacheable: boolean;
  private readonly groupType: string;
  private readonly callers = new WeakMap<Caller, CallerFacts>();
  private readonly config: CedarAuthzConfig;
  private readonly serverName: string;

  /** Throws naming every problem when the config cannot be enforced as written (checkCedarConfig). */
  constructor(config: CedarAuthzConfig, serverName: string) {
    this.config = config;
    this.serverName = serverName;
    const problems = checkCedarConfig(config);
    if (problems.length)
      throw new Error(
        `authz: ${problems.map((p) => `${p.path.join('.')}${p.line ? ` (line ${p.line}, column ${p.column})` : ''}: ${p.message}`).join('; ')}`,
      );
    const staticPolicies = Object.fromEntries(config.policies.map((text, i) => [`policy${i}`, text]));
    const parsed = cedar.preparsePolicySet(this.setId, { staticPolicies });
    if (parsed.type === 'failure')
      throw new Error(`authz: ${parsed.errors.map((e) => e.message).join('; ')}`);
    const normalized = normalizeEntities(config.entitiesJson);
    this.statics = 'entities' in normalized ? normalized.entities : [];
    for (const e of this.statics) this.staticByUid.set(uidKey(e.uid), e);
    this.cacheable = config.policies.every((text) => {
      const json = cedar.policyToJson(text);
      return json.type === 'success' && !policyFacts(json.json).readsCallContext;
    });
    this.groupType = config.groupEntityType || DEFAULT_GROUP_ENTITY_TYPE;
  }

  /** Whether decisions are cached (no policy reads per-call context); for logs and tests. */
  get caching(): boolean {
    return this.cacheable;
  }

  decide(caller: Caller, input: DecisionInput): Decision {
    const facts = this.factsOf(caller);
    if (!this.cacheable) return this.evaluate(facts, input);
    const key = `${input.action}\u0000${input.resourceType}\u0000${input.id}\u0000${input.attrs ? JSON.stringify(input.attrs) : ''}`;
    const cached = facts.decisions.get(key);
    if (cached) return cached;
    const decision = this.evaluate(facts, input);
    if (facts.decisions.size >= MAX_CACHED_PER_CALLER) facts.decisions.clear();
    facts.decisions.set(key, decision);
    return decision;
  }

  private factsOf(caller: Caller): CallerFacts {
    let facts = this.callers.get(caller);
    if (facts) return facts;
    const claims = claimAttributes(caller.claims);
    const parents = callerGroups(caller.claims, this.config.groupClaimName, this.config.roleClaimName).map(
      (id) => ({ type: this.groupType, id }),
    );
    const principal = { uid: { type: PRINCIPAL_TYPE, id: caller.subject }, attrs: claims, parents };
    facts = { principal, claims, decisions: new Map() };
    this.callers.set(caller, facts);
    return facts;
  }

  /** The request's entity, with the entities JSON's entry of the same uid merged under it. */
  private merged(entity: EntityJsonShape): EntityJsonShape {
    const known = this.staticByUid.get(uidKey(entity.uid));
    if (!known) return entity;
    const parents = [...known.parents, ...entity.parents];
    return { uid: entity.uid, attrs: { ...known.attrs, ...entity.attrs }, parents };
  }

  private evaluate(facts: CallerFacts, input: DecisionInput): Decision {
    const { feature, operation } = FEATURE[input.resourceType];
    const attrs: Record<string, unknown> = { ...input.attrs, name: input.id, operation, feature };
    if (input.resourceType === 'Resource') attrs.uri = input.id;
    const resource: EntityJsonShape = {
      uid: { type: input.resourceType, id: input.id },
      attrs,
      parents: this.serverName ? [{ type: SERVER_TYPE, id: this.serverName }] : [],
    };
    const action: EntityJsonShape = {
      uid: { type: 'Action', id: input.action },
      attrs: { operation: input.action },
      parents: [],
    };
    const own = [this.merged(facts.principal), this.merged(action), this.merged(resource)];
    const ownKeys = new Set(own.map((e) => uidKey(e.uid)));
    const collides = [...ownKeys].some((k) => this.staticByUid.has(k));
    const entities = [
      ...(collides ? this.statics.filter((e) => !ownKeys.has(uidKey(e.uid))) : this.statics),
      ...own,
    ];
    const context = input.args ? { ...facts.claims, ...argumentContext(input.args) } : facts.claims;
    const answer = cedar.statefulIsAuthorized({
      principal: own[0]!.uid,
      action: action.uid,
      resource: resource.uid,
      context: context,
      preparsedPolicySetId: this.setId,
      entities: entities as unknown as cedar.Entities,
    });
    if (answer.type === 'failure') return { allowed: false, errors: answer.errors.map((e) => e.message) };
    const errors = answer.response.diagnostics.errors.map((e) => `${e.policyId}: ${e.error.message}`);
    if (errors.length) return { allowed: false, errors };
    return { allowed: answer.response.decision === 'allow' };
  }
}
