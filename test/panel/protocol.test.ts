import * as assert from 'node:assert/strict';
import {
  MAX_LOG_MESSAGE_LENGTH,
  MAX_SUGGESTION_ID_LENGTH,
  WEBVIEW_STATE_VERSION,
  isHostToWebview,
  isWebviewState,
  isWebviewToHost,
  type WebviewState,
} from '../../src/protocol';
import { analyzePlan } from '../../src/core/plan';
import { hostileExplain } from '../webview/synthetic-plans';
import { topnAdvice, topnFindings, topnSuggestion } from '../webview/sample-advice';

describe('protocol between the host and the plan webview', () => {
  describe('isWebviewToHost (the host trusts no message shape)', () => {
    it('accepts every message the webview sends', () => {
      for (const message of [
        { type: 'ready' },
        { type: 'resendPlan' },
        { type: 'copyPlanJson', id: 1 },
        { type: 'openRawPlan', id: 0 },
        { type: 'log', level: 'error', message: 'boom' },
        { type: 'copyDdl', id: 2, suggestionId: 'idx_products_created_at' },
        { type: 'insertDdl', id: 3, suggestionId: 'idx_products_created_at' },
        { type: 'createIndex', suggestionId: 'idx_products_created_at' },
        { type: 'cancelIndexCreation', suggestionId: 'x'.repeat(MAX_SUGGESTION_ID_LENGTH) },
      ]) {
        assert.ok(isWebviewToHost(message), JSON.stringify(message));
      }
    });

    it('rejects unknown types, missing or mistyped fields, oversized logs and bad suggestion ids', () => {
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
        { type: 'selectNode', nodeId: 4003 },
        { type: 'log', level: 'fatal', message: 'x' },
        { type: 'log', level: 'info', message: 42 },
        { type: 'log', level: 'info', message: 'x'.repeat(MAX_LOG_MESSAGE_LENGTH + 1) },
        { type: 'copyDdl', suggestionId: 'idx' },
        { type: 'copyDdl', id: 1 },
        { type: 'insertDdl', id: 1, suggestionId: '' },
        { type: 'insertDdl', id: -1, suggestionId: 'idx' },
        { type: 'createIndex' },
        { type: 'createIndex', suggestionId: 42 },
        { type: 'createIndex', suggestionId: ['idx'] },
        { type: 'createIndex', suggestionId: 'x'.repeat(MAX_SUGGESTION_ID_LENGTH + 1) },
        { type: 'cancelIndexCreation', suggestionId: null },
        { type: 'createIndex', ddl: 'DROP TABLE users' },
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
    const advice = topnAdvice();
    const compared = { plan, meta };

    it('accepts the host messages', () => {
      for (const message of [
        { type: 'showPlan', plan, meta },
        { type: 'showPlan', plan, meta: { ...meta, durationMs: 12, title: 'Top 20' } },
        { type: 'showPlan', plan, meta, advice },
        { type: 'showPlan', plan, meta, advice: { findings: [], suggestions: [] } },
        { type: 'showAdvice', advice },
        {
          type: 'showAdvice',
          advice: { findings: topnFindings(), suggestions: [topnSuggestion({ verification: { method: 'unverified' } })] },
        },
        {
          type: 'showAdvice',
          advice: {
            findings: [],
            suggestions: [topnSuggestion({ verification: { method: 'rolled-back-index', costBefore: 9, costAfter: 1 } })],
          },
        },
        {
          type: 'showAdvice',
          advice: {
            ...advice,
            headline: { executionMs: 53.1, targetMs: 20, status: 'over', text: 'Execution took 53.1 ms, 2.7 times the 20.0 ms target' },
            fixFirst: {
              ruleId: 'seq-scan-large-table',
              nodeIds: [4],
              expectedGainMs: 19.9,
              expectedGainShare: 0.37,
              suggestionIds: [],
              text: 'Fix first: …',
            },
          },
        },
        { type: 'indexCreation', suggestionId: 'idx_a', state: 'running', message: 'Creating idx_a (CONCURRENTLY)…' },
        { type: 'indexCreation', suggestionId: 'idx_a', state: 'failed', message: 'permission denied' },
        { type: 'showComparison', index: topnSuggestion(), before: compared, after: compared },
        // Two plans from the plan history: no index between them.
        { type: 'showComparison', before: compared, after: compared },
        { type: 'showPlan', plan, meta: { ...meta, params: ['42', null] } },
        { type: 'showRunning', statement: 'SELECT $1', params: ['42'], startedAt: '2025-11-26T02:31:05Z' },
        { type: 'showRunning', statement: 'SELECT 1', startedAt: '2025-11-26T02:31:05Z' },
        { type: 'showFailed', message: 'relation "x" does not exist. Fix the statement and explain again.' },
        { type: 'showFailed', message: 'syntax error', detail: 'at or near "FORM"' },
        { type: 'showCancelled' },
        { type: 'showCancelled', message: 'The statement was stopped on the server.' },
        { type: 'reply', id: 3, ok: true },
        { type: 'reply', id: 3, ok: false, error: 'no clipboard' },
      ]) {
        assert.ok(isHostToWebview(message), JSON.stringify(message).slice(0, 80));
      }
    });

    it('rejects a showPlan without nodes or with a bad meta, replies without an outcome, and malformed advice, progress or comparisons', () => {
      for (const message of [
        { type: 'showPlan', plan: { nodes: [] }, meta },
        { type: 'showPlan', plan: { nodes: 'x' }, meta },
        { type: 'showPlan', plan, meta: { ...meta, mode: 'explain' } },
        { type: 'showPlan', plan, meta: { ...meta, ranAt: undefined } },
        { type: 'showPlan', plan, meta: { ...meta, params: [42] } },
        { type: 'showFailed' },
        { type: 'showFailed', message: 'x', detail: 3 },
        { type: 'showRunning', statement: 'SELECT 1' },
        { type: 'showRunning', statement: 'SELECT $1', params: 'x', startedAt: '' },
        { type: 'showCancelled', message: 1 },
        { type: 'reply', id: 3 },
        { type: 'reply', id: 3, ok: false },
        { type: 'showPlan', plan, meta, advice: { findings: 'none' } },
        { type: 'showAdvice' },
        { type: 'showAdvice', advice: { findings: [] } },
        { type: 'showAdvice', advice: { findings: [{ ...topnFindings()[0], severity: 'fatal' }], suggestions: [] } },
        { type: 'showAdvice', advice: { findings: [{ ...topnFindings()[0], nodeId: -1 }], suggestions: [] } },
        { type: 'showAdvice', advice: { findings: [{ ...topnFindings()[0], impactMs: Number.NaN }], suggestions: [] } },
        { type: 'showAdvice', advice: { findings: [{ ...topnFindings()[0], nodeIds: undefined }], suggestions: [] } },
        { type: 'showAdvice', advice: { findings: [{ ...topnFindings()[0], nodeIds: [-1] }], suggestions: [] } },
        {
          type: 'showAdvice',
          advice: { findings: [], suggestions: [], headline: { executionMs: 5, targetMs: 1, status: 'slow', text: 'x' } },
        },
        {
          type: 'showAdvice',
          advice: {
            findings: [],
            suggestions: [],
            fixFirst: { ruleId: 'x', nodeIds: [], expectedGainMs: 'a lot', suggestionIds: [], text: 'x' },
          },
        },
        { type: 'showAdvice', advice: { findings: [], suggestions: [{ ...topnSuggestion(), ddl: undefined }] } },
        { type: 'showAdvice', advice: { findings: [], suggestions: [{ ...topnSuggestion(), verification: { method: 'guess' } }] } },
        { type: 'showAdvice', advice: { findings: [], suggestions: [{ ...topnSuggestion(), verification: { method: 'toString' } }] } },
        { type: 'indexCreation', suggestionId: 'idx_a', state: 'paused', message: '' },
        { type: 'indexCreation', suggestionId: '', state: 'done', message: '' },
        { type: 'indexCreation', suggestionId: 'idx_a', state: 'done' },
        { type: 'showComparison', index: topnSuggestion(), before: compared },
        { type: 'showComparison', index: topnSuggestion(), before: compared, after: { plan: { nodes: [] }, meta } },
        { type: 'showComparison', index: { id: 'idx_a' }, before: compared, after: compared },
        { type: 'showComparison', index: null, before: compared, after: compared },
        { type: 'showComparison', before: compared, after: { plan, meta: { ...meta, ranAt: 5 } } },
      ]) {
        assert.equal(isHostToWebview(message), false, JSON.stringify(message).slice(0, 80));
      }
    });
  });

  describe('isWebviewState', () => {
    const state: WebviewState = {
      version: WEBVIEW_STATE_VERSION,
      transform: { x: 10, y: -20.5, k: 0.75 },
      selectedNodeId: 1,
      collapsedNodeIds: [0],
      expandedGroupIds: [],
      searchText: 'seq',
    };

    const meta = { statement: '', server: '', ranAt: '', mode: 'analyze' as const };
    const plan = analyzePlan(hostileExplain());

    it('accepts a saved state, with or without the last plan, its advice and a comparison', () => {
      assert.ok(isWebviewState(state));
      assert.ok(isWebviewState({ ...state, lastShowPlan: { type: 'showPlan', plan, meta } }));
      assert.ok(isWebviewState({ ...state, view: 'grid', highlight: 'misestimate', gridSort: 'exclusive', gridAscending: false }));
      assert.ok(isWebviewState({ ...state, heldPlan: { ranAt: '2026-12-05T10:00:00.000Z', nodes: 50_000 } }));
      assert.ok(
        isWebviewState({
          ...state,
          lastShowPlan: { type: 'showPlan', plan, meta },
          lastAdvice: topnAdvice(),
          lastComparison: { type: 'showComparison', index: topnSuggestion(), before: { plan, meta }, after: { plan, meta } },
        }),
      );
    });

    it('drops states of another version or with broken fields', () => {
      for (const broken of [
        undefined,
        { ...state, version: 1 },
        { ...state, version: WEBVIEW_STATE_VERSION + 1 },
        { ...state, collapsedNodeIds: ['0'] },
        { ...state, transform: { x: 0, y: 0, k: 0 } },
        { ...state, transform: { x: Number.POSITIVE_INFINITY, y: 0, k: 1 } },
        { ...state, searchText: undefined },
        { ...state, lastShowPlan: { type: 'showFailed', message: 'x' } },
        { ...state, view: 'table' },
        { ...state, highlight: 'heat' },
        { ...state, gridAscending: 'yes' },
        { ...state, lastAdvice: { findings: [{ title: 'x' }], suggestions: [] } },
        { ...state, lastComparison: { type: 'showPlan', plan, meta } },
        { ...state, heldPlan: { ranAt: 1, nodes: 50_000 } },
        { ...state, heldPlan: { ranAt: '', nodes: -1 } },
        { ...state, lastComparison: { type: 'showComparison', index: topnSuggestion(), before: { plan, meta } } },
      ]) {
        assert.equal(isWebviewState(broken), false, JSON.stringify(broken));
      }
    });
  });
});
