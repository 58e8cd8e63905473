// In-process trust of the simulator's CA (test harnesses and the demo only; child processes get NODE_EXTRA_CA_CERTS).
import tls from 'node:tls';

const trusted = new Set<string>();

/** Adds the PEM to this process's default CA list (Node 22 `tls.setDefaultCACertificates`); idempotent. */
export function trustCa(pem: string): void {
  if (trusted.has(pem)) return;
  const current = tls.getCACertificates('default');
  tls.setDefaultCACertificates([...current, pem]);
  trusted.add(pem);
}
