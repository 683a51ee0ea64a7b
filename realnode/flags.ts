// How the control plane's command lines change when it runs a real node (pure): the API server binds
// the node IP (pods reach it through the `kubernetes` Service, which cannot point at loopback), keeps
// that Service's endpoints, serves the node's Service range, and authenticates to aggregated APIs
// (metrics-server) with the front-proxy certificate; kube-controller-manager hands the node its pod block.
import { NODE_IP, NODE_POD_CIDR_MASK, POD_CIDR, SERVICE_CIDR } from './layout.ts';
import { FRONT_PROXY_CLIENT } from './pki.ts';

export interface FrontProxyFiles {
  caCert: string;
  clientCert: string;
  clientKey: string;
}

function replaced(args: string[], replacements: Record<string, string | undefined>): string[] {
  const out: string[] = [];
  for (const arg of args) {
    const flag = arg.split('=')[0]!;
    if (!(flag in replacements)) out.push(arg);
    else if (replacements[flag] !== undefined) out.push(`${flag}=${replacements[flag]}`);
  }
  return out;
}

export function realNodeApiserverArgs(args: string[], frontProxy: FrontProxyFiles): string[] {
  return [
    ...replaced(args, {
      '--bind-address': NODE_IP,
      '--advertise-address': NODE_IP,
      '--service-cluster-ip-range': SERVICE_CIDR,
      // The default (lease) reconciler keeps the `kubernetes` Service pointing at the node IP.
      '--endpoint-reconciler-type': undefined,
    }),
    // kubelet is reached at the node IP: the node's name resolves nowhere (no DNS for it on the host).
    '--kubelet-preferred-address-types=InternalIP',
    `--requestheader-client-ca-file=${frontProxy.caCert}`,
    `--requestheader-allowed-names=${FRONT_PROXY_CLIENT}`,
    '--requestheader-username-headers=X-Remote-User',
    '--requestheader-group-headers=X-Remote-Group',
    '--requestheader-extra-headers-prefix=X-Remote-Extra-',
    `--proxy-client-cert-file=${frontProxy.clientCert}`,
    `--proxy-client-key-file=${frontProxy.clientKey}`,
  ];
}

export function realNodeControllerManagerArgs(args: string[]): string[] {
  return [
    ...args,
    '--allocate-node-cidrs=true',
    `--cluster-cidr=${POD_CIDR}`,
    `--node-cidr-mask-size=${NODE_POD_CIDR_MASK}`,
    `--service-cluster-ip-range=${SERVICE_CIDR}`,
  ];
}
