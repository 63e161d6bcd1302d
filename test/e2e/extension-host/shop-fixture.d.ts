import type { ClientConfig } from 'pg';

export const SHOP_FILE: string;
export const CONNECTION_NAME: string;
export const PRODUCT_COUNT: number;

export interface Shop {
  schema: string;
  role: string;
  password: string;
  host: string;
  port: number;
  database: string;
  productsChecksum(): Promise<{ rows: number; md5: string }>;
  drop(): Promise<void>;
}

export type StatementKey = 'select' | 'update' | 'broken';

export function createShop(adminConfig: ClientConfig): Promise<Shop>;
export function writeShopWorkspace(folder: string, schema: string): Record<StatementKey, number>;
export function connectionSettings(shop: Shop): Record<string, unknown>;
