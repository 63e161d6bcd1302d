import assert from 'node:assert/strict';
import { Client } from 'pg';
import type { ResolvedConnection } from '../../src/db/connection-config';
import { runExplain } from '../../src/db/explain-runner';
import { createPool, type PlanLensPool } from '../../src/db/pool';
import { TcpProxy } from '../support/tcp-proxy';
import { forEachServer } from '../support/test-servers';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

forEachServer((server) => {
  describe(`the pool on ${server.name}`, function () {
    let connection: ResolvedConnection;
    const pools: PlanLensPool[] = [];
    const logged: string[] = [];
    const pool = (settings: Parameters<typeof createPool>[1] = {}) => {
      const created = createPool(connection, { log: (message) => logged.push(message), ...settings });
      pools.push(created);
      return created;
    };

    before(async function () {
      connection = await server.connect(this);
    });
    afterEach(async () => {
      await Promise.all(pools.splice(0).map((p) => p.end()));
      logged.length = 0;
    });

    it('runs explains in a row on one connection', async () => {
      const explains = pool();
      const first = await runExplain(explains, 'SELECT 1');
      const second = await runExplain(explains, 'SELECT 2');
      assert.equal(second.backendPid, first.backendPid);
      assert.deepEqual(explains.status(), { total: 1, idle: 1, waiting: 0 });
    });

    it('reports connections in use, idle and waited for', async () => {
      const small = pool({ max: 1 });
      const changes: string[] = [];
      const unsubscribe = small.onChange(() => changes.push(JSON.stringify(small.status())));
      const held = await small.connect();
      assert.deepEqual(small.status(), { total: 1, idle: 0, waiting: 0 });
      const next = small.connect();
      assert.deepEqual(small.status(), { total: 1, idle: 0, waiting: 1 });
      held.release();
      (await next).release();
      assert.deepEqual(small.status(), { total: 1, idle: 1, waiting: 0 });
      unsubscribe();
      assert.ok(changes.length >= 3, `status changes were announced: ${changes.join(' ')}`);
    });

    if (server.embedded) return;

    describe('against the PostgreSQL server', () => {
      let observer: Client;
      before(async () => {
        observer = new Client(connection.config);
        await observer.connect();
      });
      after(() => observer?.end());

      it('names its sessions plan-lens in pg_stat_activity', async () => {
        const { backendPid } = await runExplain(pool(), 'SELECT 1');
        const rows = (await observer.query('SELECT application_name FROM pg_stat_activity WHERE pid = $1', [backendPid])).rows;
        assert.deepEqual(rows, [{ application_name: 'plan-lens' }]);
      });

      it('survives the server terminating its idle connections and replaces them', async () => {
        const explains = pool();
        const { backendPid } = await runExplain(explains, 'SELECT 1');
        await observer.query('SELECT pg_terminate_backend($1)', [backendPid]);
        while (explains.status().total > 0) await sleep(10);
        const next = await runExplain(explains, 'SELECT 1');
        assert.notEqual(next.backendPid, backendPid);
        assert.equal(logged.length, 1);
        assert.match(
          logged[0]!,
          /^An idle pooled connection was dropped; the next explain opens a new one\. The connection to .* was lost: the server ended the session \(terminating connection due to administrator command\)/,
        );
      });

      it('checks a connection idle for a while and replaces it when it no longer answers', async () => {
        const proxy = await TcpProxy.start({ host: connection.config.host!, port: connection.config.port! });
        try {
          const viaProxy = { ...connection, config: { ...connection.config, host: '127.0.0.1', port: proxy.port } };
          const explains = createPool(viaProxy, {
            validateAfterIdleMillis: 50,
            validationTimeoutMillis: 500,
            log: (message) => logged.push(message),
          });
          pools.push(explains);
          const { backendPid } = await runExplain(explains, 'SELECT 1');
          proxy.silenceOpenConnections();
          await sleep(100);
          const next = await runExplain(explains, 'SELECT 1');
          assert.notEqual(next.backendPid, backendPid);
          assert.ok(
            logged.some((message) => /A pooled connection to .* no longer answered and was replaced\./.test(message)),
            logged.join('\n'),
          );
          assert.equal(explains.status().total, 1);
        } finally {
          await proxy.close();
        }
      });

      it('recycles connections older than maxLifetimeSeconds', async () => {
        const explains = pool({ maxLifetimeSeconds: 1 });
        const { backendPid } = await runExplain(explains, 'SELECT 1');
        await sleep(1_200);
        const next = await runExplain(explains, 'SELECT 1');
        assert.notEqual(next.backendPid, backendPid);
      });
    });
  });
});
