// A real mosquitto for tests: free port, temp config and persistence dir, stop/kill/restart on the same port.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const MOSQUITTO_BIN = process.env.MATTHAN_MOSQUITTO ?? '/usr/sbin/mosquitto';

export interface MosquittoOptions {
  /** Fixed port; default a free one. */
  port?: number;
  /** Directory for the config, the persistence db and the log; default a new temp dir. */
  dir?: string;
  /** Extra mosquitto.conf lines (auth, TLS listeners...). */
  extraConfig?: string[];
  /**
   * A stock broker: mosquitto's defaults for everything but the listener (no persistence, at most 1000 queued
   * messages per offline or slow client), as an operator gets it from apt. The default test broker instead
   * queues without limit and persists, which hides what a stock broker drops.
   */
  stock?: boolean;
  /** A whole mosquitto.conf (e.g. config/examples/mosquitto.conf) instead of the generated settings; its
   * `listener` and `persistence_location` lines are replaced by this broker's port and directory. */
  configText?: string;
  /** Milliseconds to wait for the listener; default 10 s. */
  startTimeoutMs?: number;
  /** Default true (a test broker); false for a broker whose extraConfig holds the logins and ACLs. */
  allowAnonymous?: boolean;
}

/** A free TCP port on 127.0.0.1 (the OS picks it; we release it right away). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ port, host: '127.0.0.1' });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

const running = new Set<Mosquitto>();
// Last line of defence: never leave a broker behind when the test worker exits.
process.once('exit', () => {
  for (const m of running) m.child?.kill('SIGKILL');
});

export class Mosquitto {
  child: ChildProcess | undefined;
  /** stderr of every run, for failure messages. */
  log = '';
  private exited: Promise<void> = Promise.resolve();

  private constructor(
    readonly port: number,
    readonly dir: string,
    private readonly extraConfig: string[],
    private readonly startTimeoutMs: number,
    private readonly allowAnonymous = true,
    private readonly stock = false,
    private readonly configText: string | undefined = undefined,
  ) {}

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts a broker; with no fixed port, retries on another port if the picked one was taken meanwhile. */
  static async start(opts: MosquittoOptions = {}): Promise<Mosquitto> {
    const dir = opts.dir ?? mkdtempSync(path.join(os.tmpdir(), 'matthan-mosquitto-'));
    for (let attempt = 0; ; attempt++) {
      const port = opts.port ?? (await freePort());
      const m = new Mosquitto(
        port,
        dir,
        opts.extraConfig ?? [],
        opts.startTimeoutMs ?? 10_000,
        opts.allowAnonymous ?? true,
        opts.stock ?? false,
        opts.configText,
      );
      try {
        await m.launch();
        return m;
      } catch (err) {
        if (opts.port !== undefined || attempt >= 2) throw err;
      }
    }
  }

  private writeConfig(): string {
    const file = path.join(this.dir, 'mosquitto.conf');
    // The listener (mosquitto 2 needs allow_anonymous on a listener without auth) and logging: no behaviour.
    const listener = [`listener ${this.port} 127.0.0.1`, `allow_anonymous ${this.allowAnonymous}`];
    const tuned = [
      // Persistence: QoS 1 messages queued for persistent sessions survive a broker restart.
      'persistence true',
      `persistence_location ${this.dir}/`,
      'autosave_interval 1',
      // 0 = no limit: a subscriber that is away during a test must not lose queued messages.
      'max_queued_messages 0',
    ];
    const given = this.configText
      ?.split('\n')
      .filter((l) => l.trim() !== '' && !l.trim().startsWith('#'))
      .map((l) => (l.startsWith('persistence_location ') ? `persistence_location ${this.dir}/` : l))
      .filter((l) => !l.startsWith('listener '));
    const lines = [
      ...listener,
      ...(given ?? (this.stock ? [] : tuned)),
      'log_dest stderr',
      'log_type error',
      'log_type warning',
      'log_type notice',
      ...(process.getuid?.() === 0 ? ['user root'] : []),
      ...this.extraConfig,
    ];
    writeFileSync(file, `${lines.join('\n')}\n`);
    return file;
  }

  private async launch(): Promise<void> {
    const conf = this.writeConfig();
    const child = spawn(MOSQUITTO_BIN, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    running.add(this);
    child.stderr?.on('data', (d: Buffer) => {
      this.log += d.toString();
    });
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    const deadline = Date.now() + this.startTimeoutMs;
    while (Date.now() < deadline) {
      if (!this.running) break;
      if (await canConnect(this.port)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGKILL');
    await this.exited;
    running.delete(this);
    throw new Error(`mosquitto did not listen on port ${this.port}: ${this.log.trim().slice(-500)}`);
  }

  /** Polite stop (SIGTERM: mosquitto saves its persistence db), then SIGKILL after 5 s. */
  async stop(): Promise<void> {
    await this.signal('SIGTERM', 5000);
  }

  /** A crash: SIGKILL, nothing saved beyond the last autosave. */
  async kill(): Promise<void> {
    await this.signal('SIGKILL', 5000);
  }

  private async signal(sig: NodeJS.Signals, escalateMs: number): Promise<void> {
    const child = this.child;
    if (!child || !this.running) {
      running.delete(this);
      return;
    }
    child.kill(sig);
    const timer = setTimeout(() => child.kill('SIGKILL'), escalateMs);
    await this.exited;
    clearTimeout(timer);
    running.delete(this);
  }

  /** Starts again on the same port with the same persistence dir (after stop() or kill()). */
  async restart(): Promise<void> {
    if (this.running) await this.stop();
    // The port was ours a moment ago; mosquitto sets SO_REUSEADDR, but retry briefly in case of TIME_WAIT quirks.
    for (let attempt = 0; ; attempt++) {
      try {
        await this.launch();
        return;
      } catch (err) {
        if (attempt >= 4) throw err;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }
}

/** Stops every broker this worker started (call from afterAll). */
export async function stopAllMosquittos(): Promise<void> {
  await Promise.all([...running].map((m) => m.stop()));
}
