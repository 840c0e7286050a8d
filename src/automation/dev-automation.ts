// The start hook `sluice dev` calls: runs the automation daemon beside the server, and never keeps the server from starting.
import type { Sluice } from '../runtime/sluice.js';
import { messageOf } from '../errors.js';
import { AutomationDaemon } from './daemon.js';

/** What `sluice dev` hands over. */
export interface DevAutomationConfig {
  /** Where the daemon's lines go (default: the project's logger). */
  log?: (line: string) => void;
}

/** The running daemon of `sluice dev`, or nothing when the project has no automation or it failed to start. */
export interface DevAutomation {
  daemon: AutomationDaemon | undefined;
  /** Stops sensors and schedules and waits for the daemon's runs; call it before the server's own shutdown. */
  stop(): Promise<void>;
}

/**
 * Starts the daemon for `sluice dev`. A failure (an unreachable broker, a bad cron) is printed and
 * leaves the server running without automation, since the UI and API are still useful.
 * @example const automation = await startDevAutomation(sluice, { log }); ... await automation.stop();
 */
export async function startDevAutomation(sluice: Sluice, config: DevAutomationConfig = {}): Promise<DevAutomation> {
  const log = config.log ?? ((line: string) => sluice.logger.info(line));
  const { schedules = [], sensors = [] } = sluice.project.definition;
  const conditions = [...sluice.project.graph.keys()].filter((k) => (sluice.project.graph.require(k).definition.automation ?? []).length > 0);
  if (schedules.length + sensors.length + conditions.length === 0) return { daemon: undefined, stop: async () => undefined };
  try {
    const daemon = await AutomationDaemon.start(sluice, { log });
    log(
      `  automation: ${schedules.length} schedule(s), ${sensors.length} sensor(s), ${conditions.length} asset condition(s); \`sluice automation list\` shows them`,
    );
    for (const sensor of sensors)
      if (sensor.type === 'events') log(`  events: POST /api/events/${sensor.source} (JSON array) lands in landing.${sensor.source}`);
    return { daemon, stop: () => daemon.stop() };
  } catch (error) {
    log(`  automation did not start: ${messageOf(error)}`);
    return { daemon: undefined, stop: async () => undefined };
  }
}
