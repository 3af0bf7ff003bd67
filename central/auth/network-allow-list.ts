// A list of networks (CIDR or single addresses) and the check "is this client address in it", on node:net BlockList.
import { BlockList, isIP } from 'node:net';

export interface ParsedNetwork {
  address: string;
  prefix: number;
  family: 'ipv4' | 'ipv6';
}

/** "10.0.0.0/8", "::1/128" or a single address; undefined when it is neither. */
export function parseNetwork(text: string): ParsedNetwork | undefined {
  const [address = '', prefixText, ...rest] = text.trim().split('/');
  if (rest.length > 0) return undefined;
  const version = isIP(address);
  if (version === 0) return undefined;
  const max = version === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? max : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
  if (!(prefix >= 0 && prefix <= max)) return undefined;
  return { address, prefix, family: version === 4 ? 'ipv4' : 'ipv6' };
}

export class NetworkAllowList {
  private readonly list = new BlockList();
  readonly size: number;

  /** Throws on an entry that is not an address or CIDR (the config check reports those first). */
  constructor(networks: readonly string[]) {
    for (const n of networks) {
      const p = parseNetwork(n);
      if (!p) throw new Error(`not an IP address or CIDR: ${JSON.stringify(n)}`);
      this.list.addSubnet(p.address, p.prefix, p.family);
    }
    this.size = networks.length;
  }

  /** True when the address (IPv4, IPv6, or IPv4-mapped IPv6 as Node reports it) is in one of the networks. */
  has(address: string | undefined): boolean {
    if (!address || this.size === 0) return false;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped) return this.list.check(mapped[1]!, 'ipv4');
    const version = isIP(address);
    if (version === 0) return false;
    return this.list.check(address, version === 4 ? 'ipv4' : 'ipv6');
  }
}
