// metadata.name: the operator derives child object names from it, and those must be valid too. The
// strictest is the headless Service `mcp-<name>-headless` (ToolHive's naming): a Service name is a DNS-1035
// label of at most 63 characters, so a name may have at most 50, without dots or upper case. Checked at
// admission because otherwise the MCPServer would be stored and then fail forever in reconcile.
import { FieldPath, invalid, type FieldError } from '../field.ts';
import { metadataOf, str } from './shape.ts';

const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_MAX = 63;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_SUBDOMAIN_MAX = 253;

export const headlessServiceName = (name: string): string => `mcp-${name}-headless`;
export const proxyServiceName = (name: string): string => `mcp-${name}-proxy`;
export const proxyServiceAccountName = (name: string): string => `${name}-proxy-runner`;

/** The longest MCPServer name whose derived names are all valid. */
export const MAX_NAME_LENGTH = DNS1035_MAX - headlessServiceName('').length;

function nameProblem(name: string): string | undefined {
  const headless = headlessServiceName(name);
  if (headless.length > DNS1035_MAX) {
    return `must be no more than ${MAX_NAME_LENGTH} characters: the Service "${headless}" must be a DNS-1035 label (at most 63 characters)`;
  }
  if (!DNS1035_LABEL.test(headless)) {
    return `must consist of lower case alphanumeric characters or '-' and end with an alphanumeric character: the Service "${headless}" must be a DNS-1035 label`;
  }
  const account = proxyServiceAccountName(name);
  if (!DNS1123_SUBDOMAIN.test(account) || account.length > DNS1123_SUBDOMAIN_MAX) {
    return `the ServiceAccount "${account}" must be a DNS-1123 subdomain`;
  }
  return undefined;
}

/** The name yields valid Service, ServiceAccount and StatefulSet names. No name (generateName): no check. */
export function checkName(server: unknown, path: FieldPath = FieldPath.of('metadata')): FieldError[] {
  const name = str(metadataOf(server).name);
  if (!name) return [];
  const problem = nameProblem(name);
  return problem ? [invalid(path.child('name'), name, problem)] : [];
}
