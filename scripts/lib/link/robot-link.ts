// One owner of everything that ties the laptop to one robot: the SSH connection (and its command
// runner), the tunnel to the robot's registry, and the robot's lock. Every step, the reconnect after a
// drop and deploy --watch between saves go through it, and clean-up closes it on every way out.
import type { Client } from 'ssh2';
import type { LinkPolicy } from '../config/link-policy.ts';
import type { RobotConfig } from '../config/project-config.ts';
import { waitForRegistry } from '../net/registry-ready.ts';
import type { Runner } from '../runner/runner.ts';
import type { Teardown } from '../runner/teardown.ts';
import type { ConnectOptions, RobotConnection } from '../ssh/connect.ts';
import type { KnownHosts } from '../ssh/host-keys.ts';
import { holdRobotLock, type LockMode, type RobotLock } from '../ssh/robot-lock.ts';
import { openTunnel, type Tunnel } from '../ssh/tunnel.ts';

export interface LinkDeps {
  knownHosts: KnownHosts;
  settings: LinkPolicy;
  teardown: Teardown;
  /** How long each outage may last before a step fails (RECONNECT_SECONDS). */
  reconnectSeconds: number;
  /** Ctrl-C and SIGTERM: no reconnect after it. */
  signal: AbortSignal;
}

export class RobotLink {
  private connection?: RobotConnection;
  private commands?: Runner;
  private opened?: Tunnel;
  private opening?: Promise<Tunnel | Error>;
  private held?: RobotLock;
  private locking?: Promise<void>;
  /** The robot-side port of the tunnel, so a reopened tunnel goes to the same registry. */
  private remotePort?: number;
  /** What a dropped link had, until reopen restores it. */
  private lost?: { tunnel?: { port: number; sentBefore: number }; lockMode?: LockMode };

  constructor(
    readonly robot: RobotConfig,
    readonly deps: LinkDeps,
  ) {}

  /** The connect step: connects unless the connection is still open; a first contact pins the robot's key (deploy's accept-new). */
  async open(options: Partial<ConnectOptions> = {}): Promise<RobotConnection | undefined> {
    if (this.isOpen()) return undefined;
    // deploy --watch after a drop: the tunnel and lock went with the old connection; the steps make them again.
    await this.drop();
    this.lost = undefined;
    return this.connect(options);
  }

  private async connect(options: Partial<ConnectOptions>): Promise<RobotConnection> {
    // ssh2 loads here, while the build already runs beside the connect step.
    const { connectRobot } = await import('../ssh/connect.ts');
    const connection = await connectRobot(this.robot, { knownHosts: this.deps.knownHosts, link: this.deps.settings, ...options });
    this.connected(connection.runner, connection);
    this.deps.teardown.add(`SSH connection to ${this.robot.name}`, () => connection.close());
    return connection;
  }

  /** A dry run connects to nothing: its runner records. */
  connected(runner: Runner, connection?: RobotConnection): void {
    this.commands = runner;
    this.connection = connection;
  }

  isOpen(): boolean {
    return Boolean(this.connection && !this.connection.isClosed());
  }

  get runner(): Runner {
    if (!this.commands) throw new Error(`internal error: ${this.robot.name} is not connected yet; the "connect" step comes first`);
    return this.commands;
  }

  /** The SSH client that carries tunnels, locks and streams. */
  get client(): Client {
    const client = this.connection?.ssh.connection;
    if (!client) throw new Error(`internal error: ${this.robot.name} has no open SSH connection`);
    return client;
  }

  /** Resolves when the current connection drops; undefined without one (a dry run). */
  get closed(): Promise<Error | undefined> | undefined {
    return this.connection?.closed;
  }

  get tunnel(): Tunnel {
    if (!this.opened) throw new Error(`internal error: ${this.robot.name} has no tunnel yet; the "tunnel" step opens it`);
    return this.opened;
  }

  get tunnelIfAny(): Tunnel | undefined {
    return this.opened;
  }

  /** Whether a tunnel was started while the image built (the tunnel step then only waits for it). */
  get openingEarly(): boolean {
    return this.opening !== undefined;
  }

  /** The tunnel a dry run shows: it counts nothing and takes no connections. */
  set tunnelStandIn(tunnel: Tunnel) {
    this.opened = tunnel;
  }

  /** Starts opening the tunnel (read-only for the robot), e.g. while the image builds; `tunnelTo` then waits for it. */
  openTunnelEarly(remotePort: number): void {
    this.opening = this.openOrKeep(remotePort, 15_000).catch((error: Error) => error);
  }

  /** The tunnel to `remotePort`, ready when the registry answers /v2/: the one open or opening already, else a new one. */
  async tunnelTo(remotePort: number, readyMs = 15_000): Promise<Tunnel> {
    const early = await this.opening;
    this.opening = undefined;
    if (early && !(early instanceof Error) && this.remotePort === remotePort) return early;
    return this.openOrKeep(remotePort, readyMs);
  }

  private async openOrKeep(remotePort: number, readyMs: number): Promise<Tunnel> {
    if (this.opened?.isOpen() && this.remotePort === remotePort) return this.opened;
    await this.opened?.close();
    return this.openTunnel(remotePort, this.robot.registryPort, readyMs);
  }

  private async openTunnel(remotePort: number, preferredPort: number, readyMs: number): Promise<Tunnel> {
    const tunnel = await openTunnel(this.client, remotePort, preferredPort);
    [this.opened, this.remotePort] = [tunnel, remotePort];
    this.deps.teardown.add(`tunnel 127.0.0.1:${tunnel.port} to ${this.robot.name}`, () => tunnel.close());
    try {
      await tunnel.use(() => waitForRegistry(tunnel.port, readyMs, this.deps.signal));
    } catch (error) {
      await tunnel.close();
      throw error;
    }
    return tunnel;
  }

  /** Takes (or changes to) the robot's lock; a second call while the first is under way waits for it. */
  takeLock(mode: LockMode): Promise<void> {
    if (this.held?.mode === mode) return Promise.resolve();
    this.locking ??= (async () => {
      this.held?.release();
      this.held = undefined;
      this.held = await holdRobotLock(this.client, this.robot.name, mode);
    })().finally(() => {
      this.locking = undefined;
    });
    return this.locking;
  }

  /** deploy --watch, between saves: the lock goes back; the connection and tunnel stay warm. */
  async release(): Promise<void> {
    await this.opening;
    await this.locking?.catch(() => undefined);
    this.held?.release();
    this.held = undefined;
  }

  /** The link dropped: what is left of it closes, and what it had (a tunnel, the lock) is remembered for reopen. */
  async drop(): Promise<void> {
    const tunnel = this.opened && { port: this.opened.port, sentBefore: this.opened.bytesToRobot() };
    this.lost ??= { ...(tunnel ? { tunnel } : {}), ...(this.held ? { lockMode: this.held.mode } : {}) };
    await this.opened?.close();
    this.opened = undefined;
    this.held = undefined;
    this.connection?.close();
    this.connection = undefined;
  }

  /**
   * After a drop: a new connection (the same pinned host key), the lock it held taken again, and the
   * tunnel reopened on the same laptop port where it is free. Bytes sent before the drop still count.
   */
  async reopen(timeoutMs: number): Promise<void> {
    await this.drop();
    const lost = this.lost ?? {};
    try {
      await this.connect({ timeoutMs: Math.min(5000, Math.max(1000, timeoutMs)) });
      if (lost.lockMode) this.held = await holdRobotLock(this.client, this.robot.name, lost.lockMode);
      if (lost.tunnel && this.remotePort !== undefined) {
        const reopened = await this.openTunnel(this.remotePort, lost.tunnel.port, Math.max(1000, timeoutMs));
        const sentBefore = lost.tunnel.sentBefore;
        this.opened = { ...reopened, bytesToRobot: () => sentBefore + reopened.bytesToRobot() };
      }
      this.lost = undefined;
    } catch (error) {
      // A half-made attempt (connected, but the registry did not answer) keeps neither listener nor link.
      const [tunnel, connection] = [this.opened as Tunnel | undefined, this.connection as RobotConnection | undefined];
      await tunnel?.close();
      connection?.close();
      [this.opened, this.connection] = [undefined, undefined];
      throw error;
    }
  }

  /** The post's step 5: the tunnel and the connection close; the robot's registry stays up on purpose. */
  async close(): Promise<void> {
    await this.opening;
    await this.opened?.close();
    await this.locking?.catch(() => undefined);
    this.held?.release();
    this.connection?.close();
  }
}
