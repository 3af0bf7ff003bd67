// Builds a camera's SignalSource from its `signal` config block (undefined when the camera has none).
import type { Logger } from '../../lib/log.ts';
import { LampSignalSource } from './lamp-signal.ts';
import { type SignalMqttClient, subscribeSignal } from './mqtt-signal.ts';
import type { SignalConfig } from './signal-schema.ts';
import type { SignalSource } from './signal-source.ts';

export function createSignalSource(
  cfg: SignalConfig | undefined,
  deps: { client: SignalMqttClient; log: Logger; now?: () => number },
): SignalSource | undefined {
  if (!cfg) return undefined;
  const now = deps.now ?? Date.now;
  switch (cfg.source) {
    case 'fixed':
      return { state: () => cfg.state, close: () => undefined };
    case 'mqtt':
      return subscribeSignal(
        deps.client,
        cfg,
        (err) => deps.log.warn({ topic: cfg.topic, err: err.message }, 'signal topic subscribe failed'),
        now,
        (payload) =>
          deps.log.warn(
            { topic: cfg.topic, payload },
            'signal payload not understood; state unknown until a valid one',
          ),
      );
    case 'lamp':
      return new LampSignalSource(cfg, now);
  }
}
