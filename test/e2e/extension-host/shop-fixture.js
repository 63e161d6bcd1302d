/**
 * The database and the workspace of the Plan Lens end-to-end runs, shared by both runners
 * (test/e2e/plan-lens.test.ts in code-server, test/e2e/electron/run-tests.js in desktop VS Code):
 *
 * - a schema of its own with categories and a few thousand products, dropped afterwards;
 * - a login role of its own with a random password, so a test can tell that password apart from
 *   every other string (the server's superuser is named like its password and database);
 * - a workspace folder with one .sql file: a SELECT, an UPDATE, and a statement with a syntax error.
 *
 * Plain JavaScript, because the Electron runner and the extension-host specs run without TypeScript.
 */
'use strict';

const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

const SHOP_FILE = 'shop.sql';
const CONNECTION_NAME = 'e2e shop';
const CATEGORY_COUNT = 40;
const PRODUCT_COUNT = 6000;

/**
 * Creates the schema and the role on the server `adminConfig` reaches (a pg ClientConfig of a
 * superuser; `{}` means pg's PG* environment variables).
 */
async function createShop(adminConfig) {
  const { Client } = require('pg');
  const suffix = `${process.pid}_${crypto.randomBytes(3).toString('hex')}`;
  const schema = `e2e_shop_${suffix}`;
  const role = `e2e_plan_lens_${suffix}`;
  // Hex only: safe to write into CREATE ROLE, which takes no parameters.
  const password = `pl-${crypto.randomBytes(12).toString('hex')}`;
  const admin = new Client(adminConfig);
  await admin.connect();
  const shop = {
    schema,
    role,
    password,
    host: admin.host,
    port: admin.port,
    database: admin.database,
    /** Row count and md5 of every products row in id order. */
    async productsChecksum() {
      const { rows } = await admin.query(
        `SELECT count(*)::int AS rows, md5(string_agg(p::text, ',' ORDER BY p.id)) AS md5 FROM ${schema}.products p`,
      );
      return rows[0];
    },
    /** Drops the schema and the role, ending the role's sessions first. */
    async drop() {
      try {
        await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1', [role]);
        await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await admin.query(`DROP ROLE IF EXISTS ${role}`);
      } finally {
        await admin.end();
      }
    },
  };
  try {
    await admin.query(`CREATE ROLE ${role} LOGIN PASSWORD '${password}'`);
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.query(`
      CREATE TABLE ${schema}.categories (id int PRIMARY KEY, name text NOT NULL);
      CREATE TABLE ${schema}.products (
        id int PRIMARY KEY,
        name text NOT NULL,
        category_id int NOT NULL REFERENCES ${schema}.categories (id),
        price numeric(10, 2) NOT NULL,
        is_active boolean NOT NULL,
        created_at timestamptz NOT NULL
      );
      INSERT INTO ${schema}.categories SELECT g, 'category ' || g FROM generate_series(1, ${CATEGORY_COUNT}) g;
      INSERT INTO ${schema}.products
        SELECT g, 'product ' || g, 1 + g % ${CATEGORY_COUNT}, (g * 7919 % 100000) / 100.0, g % 5 <> 0,
               timestamptz '2024-01-01' + g * interval '17 minutes'
        FROM generate_series(1, ${PRODUCT_COUNT}) g;
      ANALYZE ${schema}.categories;
      ANALYZE ${schema}.products;
      GRANT USAGE ON SCHEMA ${schema} TO ${role};
      GRANT SELECT, UPDATE ON ALL TABLES IN SCHEMA ${schema} TO ${role};
    `);
  } catch (error) {
    await shop.drop().catch(() => undefined);
    throw error;
  }
  return shop;
}

/** The statements of the workspace's .sql file, in order, and the 1-based line each starts on. */
function shopStatements(schema) {
  const statements = {
    select: [
      'SELECT p.name, p.price, c.name AS category',
      `FROM ${schema}.products p`,
      `JOIN ${schema}.categories c ON c.id = p.category_id`,
      'WHERE p.is_active AND p.price > 500',
      'ORDER BY p.price DESC',
      'LIMIT 20;',
    ],
    update: [`UPDATE ${schema}.products`, 'SET price = price + 1', 'WHERE category_id = 3;'],
    broken: [`SELECT name FROM ${schema}.products WHERE AND price > 10;`],
  };
  const lines = ['-- The Plan Lens end-to-end shop', ''];
  const startLine = {};
  for (const [key, text] of Object.entries(statements)) {
    startLine[key] = lines.length + 1;
    lines.push(...text, '');
  }
  return { text: lines.join('\n'), startLine };
}

/** Writes the .sql file into `folder`; returns the line each statement starts on. */
function writeShopWorkspace(folder, schema) {
  const { text, startLine } = shopStatements(schema);
  fs.writeFileSync(path.join(folder, SHOP_FILE), text);
  return startLine;
}

/** User settings naming the shop's connection and making it the active one (no password). */
function connectionSettings(shop) {
  return {
    'planLens.connections': [
      { name: CONNECTION_NAME, host: shop.host, port: shop.port, database: shop.database, user: shop.role, sslMode: 'disable' },
    ],
    'planLens.activeConnection': CONNECTION_NAME,
  };
}

module.exports = { SHOP_FILE, CONNECTION_NAME, PRODUCT_COUNT, createShop, writeShopWorkspace, connectionSettings };
