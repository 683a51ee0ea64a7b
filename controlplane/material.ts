// The files and ports of one local control plane: where its certificates, keys and kubeconfigs live
// in its state folder, writing them, and the free ports its processes listen on.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type * as flags from './flags.ts';
import { kubeconfigYaml } from './kubeconfig.ts';
import { kwokConfig } from './kwok.ts';
import type { ControlPlanePki } from './pki.ts';
import { freePort } from './wait.ts';

export function filesIn(dir: string): flags.Files {
  const p = (name: string): string => path.join(dir, name);
  return {
    etcdData: p('etcd-data'),
    caCert: p('pki/ca.crt'),
    caKey: p('pki/ca.key'),
    apiserverCert: p('pki/apiserver.crt'),
    apiserverKey: p('pki/apiserver.key'),
    adminCert: p('pki/admin.crt'),
    adminKey: p('pki/admin.key'),
    saKey: p('pki/sa.key'),
    saPub: p('pki/sa.pub'),
    adminKubeconfig: p('kubeconfig'),
    controllerManagerKubeconfig: p('controller-manager.kubeconfig'),
    schedulerKubeconfig: p('scheduler.kubeconfig'),
    kwokConfig: p('kwok.yaml'),
  };
}

export interface Material {
  files: flags.Files;
  pki: ControlPlanePki;
  server: string;
  /** The kubeconfig context name. */
  contextName: string;
  kwokStages: string;
}

/** Writes certificates, keys and kubeconfigs, readable by this user only. */
export function writeMaterial(
  dir: string,
  { files, pki, server, contextName: name, kwokStages: stages }: Material,
): void {
  mkdirSync(path.join(dir, 'pki'), { recursive: true, mode: 0o700 });
  const write = (file: string, text: string): void => writeFileSync(file, text, { mode: 0o600 });
  write(files.caCert, pki.ca.certPem);
  write(files.caKey, pki.ca.keyPem);
  write(files.apiserverCert, pki.apiserver.certPem);
  write(files.apiserverKey, pki.apiserver.keyPem);
  write(files.adminCert, pki.admin.certPem);
  write(files.adminKey, pki.admin.keyPem);
  write(files.saKey, pki.serviceAccount.keyPem);
  write(files.saPub, pki.serviceAccount.publicKeyPem);
  const kc = (user: string, pair: { certPem: string; keyPem: string }): string =>
    kubeconfigYaml({ server, caPem: pki.ca.certPem, certPem: pair.certPem, keyPem: pair.keyPem, user, name });
  write(files.adminKubeconfig, kc('admin', pki.admin));
  write(files.controllerManagerKubeconfig, kc('kube-controller-manager', pki.controllerManager));
  write(files.schedulerKubeconfig, kc('kube-scheduler', pki.scheduler));
  write(files.kwokConfig, kwokConfig(stages, dir));
}

export async function allocatePorts(): Promise<flags.Ports> {
  const [etcdClient, etcdPeer, apiserver, controllerManager, scheduler, kwok] = await Promise.all(
    Array.from({ length: 6 }, () => freePort()),
  );
  return {
    etcdClient: etcdClient!,
    etcdPeer: etcdPeer!,
    apiserver: apiserver!,
    controllerManager: controllerManager!,
    scheduler: scheduler!,
    kwok: kwok!,
  };
}
