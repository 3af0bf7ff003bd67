// MQTT accounts and their topic rights, from the central config: one source for the embedded broker and mosquitto.
import { TOPIC_ROOT, Topics } from '../../contract/index.ts';
import type { CentralConfig } from '../config/schema.ts';
import { BROKER_VERSION_TOPIC, PROBE_TOPIC, probeLogin } from './broker-check.ts';

export interface BrokerAccount {
  username: string;
  password: string;
  kind: 'central' | 'edge' | 'signal' | 'probe';
  /** Topic filters it may publish to. */
  publish: string[];
  /** Topic filters it may subscribe to (a subscription must lie within one of them). */
  subscribe: string[];
}

/**
 * Central's acknowledgements to the boxes of one site (`matthan/v1/_central/{site}/acks`, the end-to-end ack
 * protocol): '_central' is no site id (site slugs start with [a-z0-9]), so no box can publish there.
 */
export const acksTopic = Topics.acks; // one definition, in the contract (contract/topics.ts)

/**
 * Central reads every site's events and status and publishes only its acknowledgements; a box publishes only
 * under its own site (`matthan/v1/{site}/#`, its last will included) and reads its site's acknowledgements and the
 * signal topics of its site's controllers; a controller publishes its own topics and reads nothing. Anything not
 * granted is refused.
 */
export function brokerAccounts(
  config: Pick<CentralConfig, 'broker' | 'edges' | 'signalControllers'>,
  centralPassword: string,
): BrokerAccount[] {
  const signalTopicsOf = (site: string) =>
    config.signalControllers.filter((c) => c.site === site).flatMap((c) => c.topics);
  return [
    {
      username: config.broker.username,
      password: centralPassword,
      kind: 'central',
      publish: [acksTopic('+')],
      subscribe: [Topics.allEvents, Topics.allStatus],
    },
    {
      // The start-up check of the broker's queue limit (central/broker/broker-check.ts): a session of its own that
      // reads only PROBE_TOPIC (matthan/v1/_central/_probe/acks, '_probe' is no site; central publishes there,
      // within acksTopic('+')) and the broker's version.
      ...probeLogin(config.broker.username, centralPassword),
      password: probeLogin(config.broker.username, centralPassword).password!,
      kind: 'probe',
      publish: [],
      subscribe: [PROBE_TOPIC, BROKER_VERSION_TOPIC],
    },
    ...config.edges.map(
      (e): BrokerAccount => ({
        username: e.name,
        password: e.mqttPassword,
        kind: 'edge',
        publish: [`${TOPIC_ROOT}/${e.site}/#`],
        subscribe: [acksTopic(e.site), ...signalTopicsOf(e.site)],
      }),
    ),
    ...config.signalControllers.map(
      (c): BrokerAccount => ({
        username: c.name,
        password: c.mqttPassword,
        kind: 'signal',
        publish: [...c.topics],
        subscribe: [],
      }),
    ),
  ];
}

/** The brokers bind a client id to its user: the username itself, or the username, a dot and anything. */
export function clientIdBelongsTo(clientId: string, username: string): boolean {
  return clientId === username || clientId.startsWith(`${username}.`);
}
