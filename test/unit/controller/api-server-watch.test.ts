import { expect } from 'chai';
import { apiServerAddresses } from '../../../controller/api-server-watch.ts';

const service = (spec: Record<string, unknown>) => ({ metadata: { name: 'kubernetes' }, spec });
const slice = (endpoints: unknown[], ports: unknown[]) => ({
  metadata: { name: 'kubernetes' },
  endpoints,
  ports,
});

describe('apiServerAddresses: the kubernetes Service and its EndpointSlice as pods reach them', () => {
  it('reads the ClusterIPs and ports of the Service and the addresses and ports of the slice, sorted', () => {
    const got = apiServerAddresses(
      service({
        clusterIP: '10.96.0.1',
        clusterIPs: ['10.96.0.1', 'fd00::1'],
        ports: [{ name: 'https', port: 443, protocol: 'TCP' }],
      }),
      slice(
        [
          { addresses: ['192.0.2.12'], conditions: { ready: true } },
          { addresses: ['192.0.2.10', '192.0.2.10'], conditions: { ready: false } },
        ],
        [{ name: 'https', port: 6443, protocol: 'TCP' }],
      ),
    );
    expect(got).to.deep.equal({
      serviceIPs: ['10.96.0.1', 'fd00::1'],
      servicePorts: [443],
      endpointIPs: ['192.0.2.10', '192.0.2.12'],
      endpointPorts: [6443],
    });
  });

  it('falls back to spec.clusterIP, and keeps only addresses and TCP ports', () => {
    const got = apiServerAddresses(
      service({ clusterIP: 'None', ports: [{ port: 53, protocol: 'UDP' }, { port: 443 }] }),
      slice([{ addresses: ['not-an-ip', '192.0.2.1'] }, {}], [{ port: 6443 }, { port: 'x' }]),
    );
    expect(got).to.deep.equal({
      serviceIPs: [],
      servicePorts: [443],
      endpointIPs: ['192.0.2.1'],
      endpointPorts: [6443],
    });
  });

  it('is unknown when neither object exists, and half-known with one', () => {
    expect(apiServerAddresses(undefined, undefined)).to.equal(undefined);
    expect(
      apiServerAddresses(undefined, slice([{ addresses: ['192.0.2.1'] }], [{ port: 6443 }])),
    ).to.deep.equal({
      serviceIPs: [],
      servicePorts: [],
      endpointIPs: ['192.0.2.1'],
      endpointPorts: [6443],
    });
  });
});
