// Builds the Forwarder for one config entry, by its `type`.
import { CapForwarder } from './cap-forwarder.ts';
import type { ForwarderConfig } from './forward-schema.ts';
import type { Forwarder } from './forwarder.ts';
import { NgsiLdForwarder } from './ngsi-ld-forwarder.ts';
import { WebhookForwarder } from './webhook-forwarder.ts';

export function createForwarder(config: ForwarderConfig): Forwarder {
  switch (config.type) {
    case 'webhook':
      return new WebhookForwarder(config);
    case 'cap':
      return new CapForwarder(config);
    case 'ngsi-ld':
      return new NgsiLdForwarder(config);
  }
}
