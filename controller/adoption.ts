// Children are never adopted: an object that already has a child's name but is not this MCPServer's
// (no controller owner reference with its uid) is left alone. Pure: who controls an object, which
// desired children are taken, which others must then wait, and what status says about it.
//
// What still runs when a name is taken. Each child is withheld (neither created nor updated) while
// something it would trust is someone else's, since applying it would hand that object our trust:
//   StatefulSet  its ServiceAccount (the pod's identity) and the NetworkPolicy (the proxy-only ingress
//                and the permission profile's egress: without ours the server would run unfenced)
//   Role         the StatefulSet: it grants attach to the StatefulSet's pod `<name>-0`, which a
//                StatefulSet of someone else's would make
//   RoleBinding  the Role it binds and the ServiceAccount it grants to
//   Deployment   its ServiceAccount, Role and RoleBinding, its NetworkPolicy, its run config (the
//                ConfigMap says where it forwards), the Service it reaches the server through, and the
//                StatefulSet it fronts
// The Services clients use (`mcp-<name>-proxy`) and the StatefulSet's headless Service are only names:
// taken, they leave the workloads running (not reachable by that name; status says so). Withheld
// children that already exist (ours, from before the conflict) are left as they are, not deleted.
import {
  mcpServiceName,
  networkPolicyName,
  proxyNetworkPolicyName,
  proxyRunnerName,
  runConfigName,
  workloadName,
  type Named,
} from './desired/names.ts';
import { dictsIn, isDict, str, type ChildKind, type ChildObject, type Dict } from './desired/types.ts';

/** A desired child whose name is taken by an object this server does not control. */
export interface ChildConflict {
  kind: ChildKind;
  name: string;
  /** Who controls the object instead, as status and the event say it. */
  owner: string;
}

/** The conflicts of one reconcile, and the children withheld because of them ("Kind name"). */
export interface Contested {
  conflicts: ChildConflict[];
  withheld: string[];
}

const meta = (o: Dict | undefined): Dict => (o && isDict(o.metadata) ? o.metadata : {});
const keyOf = (kind: string, name: string): string => `${kind}/${name}`;

/** The object's controller owner reference, if any. */
const controllerOf = (live: Dict): Dict | undefined =>
  dictsIn(meta(live).ownerReferences).find((r) => r.controller === true);

/** Whether `live` is controlled by the owner `object` names (the MCPServer it was built for). */
export function isOurs(object: ChildObject, live: Dict): boolean {
  const uid = object.metadata.ownerReferences.find((r) => r.controller)?.uid;
  return Boolean(uid) && str(controllerOf(live)?.uid) === uid;
}

/** Who controls `live`: its controller owner, else the field managers that wrote it. */
export function ownerOf(live: Dict): string {
  const ref = controllerOf(live);
  if (ref) return `controlled by ${str(ref.kind)} ${str(ref.name)} (uid ${str(ref.uid)})`;
  const managers = [...new Set(dictsIn(meta(live).managedFields).map((m) => str(m.manager)))].filter(Boolean);
  return managers.length ? `no controller, written by ${managers.join(', ')}` : 'no controller';
}

/** The conflict when `live` exists and is not ours; undefined when it is ours or absent. */
export function conflictWith(object: ChildObject, live: Dict | undefined): ChildConflict | undefined {
  if (!live || isOurs(object, live)) return undefined;
  return { kind: object.kind, name: object.metadata.name, owner: ownerOf(live) };
}

const podServiceAccount = (object: ChildObject): string | undefined => {
  const spec = isDict(object.spec) ? object.spec : {};
  const template = isDict(spec.template) ? spec.template : {};
  const podSpec = isDict(template.spec) ? template.spec : {};
  return str(podSpec.serviceAccountName) || undefined;
};

/** What applying `object` would trust (see the header), as Kind/name. */
export function trusts(server: Named, object: ChildObject): string[] {
  const account = podServiceAccount(object);
  const accounts = account ? [keyOf('ServiceAccount', account)] : [];
  const runner = proxyRunnerName(server);
  switch (object.kind) {
    case 'StatefulSet':
      return [...accounts, keyOf('NetworkPolicy', networkPolicyName(server))];
    case 'Role':
      return [keyOf('StatefulSet', workloadName(server))];
    case 'RoleBinding':
      return [keyOf('Role', runner), keyOf('ServiceAccount', runner)];
    case 'Deployment':
      return [
        ...accounts,
        keyOf('Role', runner),
        keyOf('RoleBinding', runner),
        keyOf('NetworkPolicy', proxyNetworkPolicyName(server)),
        keyOf('ConfigMap', runConfigName(server)),
        keyOf('Service', mcpServiceName(server)),
        keyOf('StatefulSet', workloadName(server)),
      ];
    default:
      return [];
  }
}

/**
 * The children to apply, and those withheld: the taken ones, and every one that trusts a taken or
 * withheld one (transitively: a taken NetworkPolicy withholds the StatefulSet, hence the Role, the
 * RoleBinding and the Deployment).
 */
export function planApplies(
  server: Named,
  objects: readonly ChildObject[],
  conflicts: readonly ChildConflict[],
): { apply: ChildObject[]; withheld: string[] } {
  const blocked = new Set(conflicts.map((c) => keyOf(c.kind, c.name)));
  const withheld: ChildObject[] = [];
  for (let changed = true; changed;) {
    changed = false;
    for (const object of objects) {
      const key = keyOf(object.kind, object.metadata.name);
      if (blocked.has(key) || !trusts(server, object).some((k) => blocked.has(k))) continue;
      blocked.add(key);
      withheld.push(object);
      changed = true;
    }
  }
  return {
    apply: objects.filter((o) => !blocked.has(keyOf(o.kind, o.metadata.name))),
    withheld: objects.filter((o) => withheld.includes(o)).map((o) => `${o.kind} ${o.metadata.name}`),
  };
}

/** The ResourcesApplied (and Ready) message: each taken name, who has it, and what waits for it. */
export function contestedMessage(c: Contested): string {
  const taken = c.conflicts.map(
    (x) => `${x.kind} ${x.name} exists and is not this MCPServer's (${x.owner}); it is left alone`,
  );
  const waiting = c.withheld.length ? [`not applied until then: ${c.withheld.join(', ')}`] : [];
  return [...taken, ...waiting].join('; ');
}
