// The checks of one parsed Cedar policy against the entity model the proxy authorizes with
// (cedar-model.ts): each problem is a policy that would never apply although it reads as if it did —
// an action the proxy never asks about (a typo in a forbid silently permits), a principal or resource
// type no request carries, an action paired with a resource type it never goes with. Pure; used by
// authz-config.ts, which adds the policy's path and the position of the named entity.
import { ACTIONS, PRINCIPAL_TYPE, RESOURCE_TYPES, type EntityUidJson } from './cedar-model.ts';
import type { PolicyFacts } from './cedar-policy-facts.ts';

export interface ModelProblem {
  /** The entity the problem is about, to point at it in the text. */
  uid?: EntityUidJson;
  message: string;
}

const show = (uid: EntityUidJson): string => `${uid.type}::${JSON.stringify(uid.id)}`;
const actionsList = ACTIONS.map((a) => `Action::"${a}"`).join(', ');
const resourceTypes = RESOURCE_TYPES as readonly string[];
const RESOURCE_OF_ACTION: Record<string, string> = {
  call_tool: 'Tool',
  get_prompt: 'Prompt',
  read_resource: 'Resource',
};

function actionProblems(facts: PolicyFacts): ModelProblem[] {
  const named = [...facts.action.entities, ...facts.conditionEntities.filter((e) => e.type === 'Action')];
  return named
    .filter((uid) => uid.type !== 'Action' || !(ACTIONS as readonly string[]).includes(uid.id))
    .map((uid) => ({
      uid,
      message: `${show(uid)} is not an action the proxy asks about (it asks ${actionsList}; list results are filtered with those), so this policy would never apply`,
    }));
}

function principalProblems(facts: PolicyFacts, known: Set<string>, groupType: string): ModelProblem[] {
  const { principal } = facts;
  const out: ModelProblem[] = [];
  if (principal.op === '==')
    for (const uid of principal.entities.filter((e) => e.type !== PRINCIPAL_TYPE))
      out.push({
        uid,
        message: `the principal is always ${PRINCIPAL_TYPE}::"<token subject>", never ${show(uid)}`,
      });
  if (principal.type !== undefined && principal.type !== PRINCIPAL_TYPE)
    out.push({ message: `the principal is always of type ${PRINCIPAL_TYPE}, never ${principal.type}` });
  if (principal.op === 'in' || principal.op === 'is')
    for (const uid of principal.entities.filter((e) => !known.has(e.type)))
      out.push({
        uid,
        message: `${show(uid)}: the principal's parents are ${groupType}::"<group>" entities (from the token's group and role claims) and what the entities JSON makes them members of; ${uid.type} is neither`,
      });
  return out;
}

function resourceProblems(facts: PolicyFacts, known: Set<string>): ModelProblem[] {
  const { resource } = facts;
  const out: ModelProblem[] = [];
  if (resource.op === '==')
    for (const uid of resource.entities.filter((e) => !resourceTypes.includes(e.type)))
      out.push({ uid, message: `the resource is always Tool, Prompt or Resource, never ${show(uid)}` });
  if (resource.type !== undefined && !resourceTypes.includes(resource.type))
    out.push({ message: `the resource is always of type Tool, Prompt or Resource, never ${resource.type}` });
  if (resource.op === 'in' || resource.op === 'is')
    for (const uid of resource.entities.filter((e) => !known.has(e.type)))
      out.push({ uid, message: `${show(uid)}: no resource is ever in an entity of type ${uid.type}` });
  // An action that only ever goes with one resource type, constrained to another: never matches.
  const actionTypes = new Set(facts.action.entities.map((a) => RESOURCE_OF_ACTION[a.id]).filter(Boolean));
  const fixedType = resource.type ?? (resource.op === '==' ? resource.entities[0]?.type : undefined);
  if (actionTypes.size && fixedType && resourceTypes.includes(fixedType) && !actionTypes.has(fixedType))
    out.push({
      message: `the actions named (${facts.action.entities.map(show).join(', ')}) never go with a ${fixedType} resource, so this policy would never apply`,
    });
  return out;
}

function conditionProblems(facts: PolicyFacts, known: Set<string>, groupType: string): ModelProblem[] {
  return facts.conditionEntities
    .filter((uid) => uid.type !== 'Action' && !known.has(uid.type))
    .map((uid) => ({
      uid,
      message: `entity type ${uid.type} (in ${show(uid)}) is not in the model (Client, ${groupType}, Tool, Prompt, Resource, MCP) nor in the entities JSON, so no request ever involves it`,
    }));
}

/** known: the entity types the model and the entities JSON define (knownEntityTypes). */
export function modelProblems(facts: PolicyFacts, known: Set<string>, groupType: string): ModelProblem[] {
  return [
    ...actionProblems(facts),
    ...principalProblems(facts, known, groupType),
    ...resourceProblems(facts, known),
    ...conditionProblems(facts, known, groupType),
  ];
}
