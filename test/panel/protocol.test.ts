import * as assert from 'node:assert/strict';
import { MAX_LOG_MESSAGE_LENGTH, isHostToWebview, isWebviewState, isWebviewToHost, type WebviewState } from '../../src/protocol';
import { analyzePlan } from '../../src/core/plan';
import { hostileExplain } from '../webview/synthetic-plans';

describe('protocol between the host and the plan webview', () => {
  describe('isWebviewToHost (the host trusts no message shape)', () => {
    it('accepts every message the webview sends', () => {
      for (const message of [
        { type: 'ready' },
        { type: 'copyPlanJson', id: 1 },
        { type: 'openRawPlan', id: 0 },
        { type: 'selectNode', nodeId: 4003 },
        { type: 'log', level: 'error', message: 'boom' },
      ]) {
        assert.ok(isWebviewToHost(message), JSON.stringify(message));
      }
    });

    it('rejects unknown types, missing or mistyped fields, and oversized logs', () => {
      for (const message of [
        null,
        'ready',
        [],
        {},
        { type: 'runSql', sql: 'DROP TABLE users' },
        { type: 'copyPlanJson' },
        { type: 'copyPlanJson', id: '1' },
        { type: 'openRawPlan', id: -1 },
        { type: 'openRawPlan', id: 1.5 },
        { type: 'selectNode', nodeId: Number.NaN },
        { type: 'selectNode' },
        { type: 'log', level: 'fatal', message: 'x' },
        { type: 'log', level: 'info', message: 42 },
        { type: 'log', level: 'info', message: 'x'.repeat(MAX_LOG_MESSAGE_LENGTH + 1) },
        { type: '__proto__' },
        { type: 'toString' },
      ]) {
        assert.equal(isWebviewToHost(message), false, JSON.stringify(message));
      }
    });
  });

  describe('isHostToWebview', () => {
    const plan = analyzePlan(hostileExplain());
    const meta = { statement: 'SELECT 1', server: 'local', ranAt: '2025-11-26T02:31:05Z', mode: 'analyze' };

    it('accepts the host messages', () => {
      for (const message of [
        { type: 'showPlan', plan, meta },
        { type: 'showPlan', plan, meta: { ...meta, durationMs: 12, title: 'Top 20' } },
        { type: 'showError', message: 'relation does not exist' },
        { type: 'showLoading' },
        { type: 'showLoading', message: 'Running EXPLAIN ANALYZE…' },
        { type: 'reply', id: 3, ok: true },
        { type: 'reply', id: 3, ok: false, error: 'no clipboard' },
      ]) {
        assert.ok(isHostToWebview(message), JSON.stringify(message).slice(0, 80));
      }
    });

    it('rejects a showPlan without nodes or with a bad meta, and replies without an outcome', () => {
      for (const message of [
        { type: 'showPlan', plan: { nodes: [] }, meta },
        { type: 'showPlan', plan: { nodes: 'x' }, meta },
        { type: 'showPlan', plan, meta: { ...meta, mode: 'explain' } },
        { type: 'showPlan', plan, meta: { ...meta, ranAt: undefined } },
        { type: 'showError' },
        { type: 'reply', id: 3 },
        { type: 'reply', id: 3, ok: false },
      ]) {
        assert.equal(isHostToWebview(message), false, JSON.stringify(message).slice(0, 80));
      }
    });
  });

  describe('isWebviewState', () => {
    const state: WebviewState = {
      version: 1,
      transform: { x: 10, y: -20.5, k: 0.75 },
      selectedNodeId: 1,
      collapsedNodeIds: [0],
      expandedGroupIds: [],
      searchText: 'seq',
    };

    it('accepts a saved state, with or without the last plan', () => {
      assert.ok(isWebviewState(state));
      const meta = { statement: '', server: '', ranAt: '', mode: 'analyze' as const };
      assert.ok(isWebviewState({ ...state, lastShowPlan: { type: 'showPlan', plan: analyzePlan(hostileExplain()), meta } }));
    });

    it('drops states of another version or with broken fields', () => {
      for (const broken of [
        undefined,
        { ...state, version: 2 },
        { ...state, collapsedNodeIds: ['0'] },
        { ...state, transform: { x: 0, y: 0, k: 0 } },
        { ...state, transform: { x: Number.POSITIVE_INFINITY, y: 0, k: 1 } },
        { ...state, searchText: undefined },
        { ...state, lastShowPlan: { type: 'showError', message: 'x' } },
      ]) {
        assert.equal(isWebviewState(broken), false, JSON.stringify(broken));
      }
    });
  });
});
