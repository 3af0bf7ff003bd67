// Test identities: random tokens and MQTT logins for people, edge boxes and signal controllers, as a central
// config fragment and as broker accounts, so tests run with the same authentication as production.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IClientOptions } from 'mqtt';
import { type BrokerAccount, brokerAccounts } from '../../central/broker/broker-accounts.ts';
import type { DeepPartial } from '../../central/config/load.ts';
import type { CentralConfig } from '../../central/config/schema.ts';

/**
 * A fresh secret strong enough for central's check (24 random bytes, 192 bits), safe as a plain YAML scalar
 * (the letter first: never read as a number).
 */
export const secret = (): string => `k${randomBytes(24).toString('base64url')}`;

export interface TestPerson {
  name: string;
  role: 'viewer' | 'reviewer' | 'admin' | 'monitor';
  token: string;
}

export interface TestBox {
  name: string;
  site: string;
  token: string;
  mqttPassword: string;
  /** mqtt.js options to connect as this box (client id bound to its user). */
  mqtt: Pick<IClientOptions, 'username' | 'password' | 'clientId'>;
  /** The edge config's broker block fields for this box. */
  broker: { username: string; password: string };
}

export interface TestController {
  name: string;
  site: string;
  topics: string[];
  mqttPassword: string;
  mqtt: Pick<IClientOptions, 'username' | 'password' | 'clientId'>;
}

export class TestCredentials {
  readonly centralUsername = 'matthan-central';
  readonly centralPassword = secret();
  private readonly people: TestPerson[] = [];
  private readonly boxes: TestBox[] = [];
  private readonly controllers: TestController[] = [];

  person(role: TestPerson['role'], name: string = `${role}-${this.people.length + 1}`): TestPerson {
    const p = { name, role, token: secret() };
    this.people.push(p);
    return p;
  }

  box(site: string, name = `box-${site}-${this.boxes.length + 1}`): TestBox {
    const mqttPassword = secret();
    const b: TestBox = {
      name,
      site,
      token: secret(),
      mqttPassword,
      mqtt: { username: name, password: mqttPassword, clientId: name },
      broker: { username: name, password: mqttPassword },
    };
    this.boxes.push(b);
    return b;
  }

  controller(
    site: string,
    topics: string[],
    name = `signal-${site}-${this.controllers.length + 1}`,
  ): TestController {
    const mqttPassword = secret();
    const c = {
      name,
      site,
      topics,
      mqttPassword,
      mqtt: { username: name, password: mqttPassword, clientId: name },
    };
    this.controllers.push(c);
    return c;
  }

  /** mqtt.js options to connect as central (a subscriber of every site). */
  get centralMqtt(): Pick<IClientOptions, 'username' | 'password' | 'clientId'> {
    return {
      username: this.centralUsername,
      password: this.centralPassword,
      clientId: `${this.centralUsername}.${randomBytes(4).toString('hex')}`,
    };
  }

  /** The central config fields holding every identity made so far (merge broker with the test's own fields). */
  central(): DeepPartial<CentralConfig> & {
    broker: { username: string; password: string };
    edges: CentralConfig['edges'];
    signalControllers: CentralConfig['signalControllers'];
  } {
    return {
      broker: { username: this.centralUsername, password: this.centralPassword },
      auth: { tokens: this.people.map(({ name, role, token }) => ({ name, role, token })) },
      edges: this.boxes.map(({ name, site, token, mqttPassword }) => ({ name, site, token, mqttPassword })),
      signalControllers: this.controllers.map(({ name, site, topics, mqttPassword }) => ({
        name,
        site,
        topics,
        mqttPassword,
      })),
    };
  }

  /** Broker accounts for startEmbeddedBroker in tests that run a broker without central. */
  accounts(): BrokerAccount[] {
    const c = this.central();
    return brokerAccounts(
      {
        broker: { ...c.broker, url: '', embedded: true, protocolVersion: 4 },
        edges: c.edges,
        signalControllers: c.signalControllers,
      },
      this.centralPassword,
    );
  }
}

/** A fresh secret for every `${NAME}` without a default in a config file (the shipped central example). */
export function envSecretsFor(file: string): Record<string, string> {
  const names = [...readFileSync(file, 'utf8').matchAll(/\$\{([A-Z_][A-Z0-9_]*)\}/g)].map((m) => m[1]!);
  return Object.fromEntries(names.map((n) => [n, secret()]));
}
