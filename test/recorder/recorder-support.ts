/** Starting a recording in front of the test run's PostgreSQL server. */
import { resolveConnection, type ResolvedConnection } from '../../src/db/connection-config';
import { DEFAULT_WORKLOAD_SETTINGS } from '../../src/core/workload/model';
import type { RecorderEvent } from '../../src/recorder/proxy';
import { RecordingSession, upstreamOf } from '../../src/recorder/recording-session';
import { postgresConfigured } from '../support/postgres-configured';

export interface TestRecording {
  session: RecordingSession;
  port: number;
  events: RecorderEvent[];
  /** The test server's connection settings with the recorder's host and port. */
  url(options?: { sslmode?: string; driver?: string }): string;
}

export function testConnection(context: Mocha.Context): ResolvedConnection {
  if (!postgresConfigured()) context.skip();
  return resolveConnection()!;
}

export async function startRecording(connection: ResolvedConnection, listenPort = 0): Promise<TestRecording> {
  const events: RecorderEvent[] = [];
  const session = new RecordingSession({
    upstream: upstreamOf(connection),
    listenPort,
    settings: DEFAULT_WORKLOAD_SETTINGS,
    onEvent: (event) => events.push(event),
  });
  const { port } = await session.start();
  const { user, password, database } = connection.config;
  return {
    session,
    port,
    events,
    url: ({ sslmode = 'disable', driver = 'postgresql' } = {}) =>
      `${driver}://${encodeURIComponent(user ?? '')}:${encodeURIComponent(String(password ?? ''))}@127.0.0.1:${port}/${encodeURIComponent(database ?? '')}?sslmode=${sslmode}`,
  };
}

export function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const check = (): void => {
      if (condition()) resolve();
      else if (Date.now() > deadline) reject(new Error('timed out waiting for the recorder'));
      else setTimeout(check, 20);
    };
    check();
  });
}
