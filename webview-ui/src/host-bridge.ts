/**
 * The webview's line to the extension host: `acquireVsCodeApi()` inside VS Code; outside it (the
 * standalone page that benchmarks and UI tests open) a stand-in that keeps state in memory,
 * announces every message as a `planlens:post` event and answers the requests itself: it copies
 * and opens the plan JSON, copies a suggestion's DDL, and says it has no editor to insert it into.
 * Creating an index it leaves to whoever listens (a test answers with indexCreation messages).
 */
import { isHostToWebview, type HostToWebview, type WebviewState, type WebviewToHost } from '../../src/protocol';
import type { PlanAdvice } from '../../src/core/advice/advice-model';
import type { AnalyzedPlan } from '../../src/core/plan/model';
import { rawPlanJson } from '../../src/core/plan/raw-plan';

interface VsCodeApi {
  postMessage(message: WebviewToHost): void;
  getState(): unknown;
  setState(state: WebviewState): void;
}

declare global {
  // Defined by VS Code in webviews only.
  var acquireVsCodeApi: (() => VsCodeApi) | undefined;
}

export interface HostBridge {
  post(message: WebviewToHost): void;
  getState(): unknown;
  setState(state: WebviewState): void;
}

export function connectToHost(): HostBridge {
  if (typeof globalThis.acquireVsCodeApi === 'function') {
    const api = globalThis.acquireVsCodeApi();
    return {
      post: (message) => api.postMessage(message),
      getState: () => api.getState(),
      setState: (state) => api.setState(state),
    };
  }
  return standaloneBridge();
}

const THEMES: Record<string, string> = {
  dark: 'vscode-dark',
  light: 'vscode-light',
  'high-contrast': 'vscode-high-contrast',
  'high-contrast-light': 'vscode-high-contrast-light',
};

function standaloneBridge(): HostBridge {
  // VS Code sets the theme class on <body>; the standalone page takes it from `?theme=`.
  const theme = THEMES[new URLSearchParams(location.search).get('theme') ?? ''];
  if (theme) {
    document.body.classList.add(theme, ...(theme.startsWith('vscode-high-contrast') ? ['vscode-high-contrast'] : []));
  }
  let state: WebviewState | undefined;
  const reply = (message: HostToWebview) => window.postMessage(message, location.origin === 'null' ? '*' : location.origin);
  const answer = (id: number, work: () => Promise<void>) => {
    work().then(
      () => reply({ type: 'reply', id, ok: true }),
      (error: unknown) => reply({ type: 'reply', id, ok: false, error: error instanceof Error ? error.message : String(error) }),
    );
  };
  // What the page was last sent, as the host keeps it: a large plan is not in the saved state.
  let shown: { plan?: AnalyzedPlan; advice?: PlanAdvice } = {};
  window.addEventListener('message', (event: MessageEvent<unknown>) => {
    if (!isHostToWebview(event.data)) {
      return;
    }
    if (event.data.type === 'showPlan') {
      shown = { plan: event.data.plan, advice: event.data.advice };
    } else if (event.data.type === 'showAdvice') {
      shown.advice = event.data.advice;
    }
  });
  const currentPlan = () => {
    const plan = shown.plan ?? state?.lastShowPlan?.plan;
    if (!plan) {
      throw new Error('No plan is shown.');
    }
    return rawPlanJson(plan);
  };
  const writeClipboard = async (text: string) => {
    if (!navigator.clipboard) {
      throw new Error('The clipboard is not available in this page.');
    }
    await navigator.clipboard.writeText(text);
  };
  const suggestionDdl = (suggestionId: string) => {
    const suggestion = (shown.advice ?? state?.lastAdvice)?.suggestions.find((candidate) => candidate.id === suggestionId);
    if (!suggestion) {
      throw new Error('That index suggestion is no longer shown.');
    }
    return suggestion.ddl;
  };
  return {
    post(message) {
      window.dispatchEvent(new CustomEvent('planlens:post', { detail: message }));
      if (message.type === 'copyPlanJson') {
        answer(message.id, async () => writeClipboard(currentPlan()));
      } else if (message.type === 'copyDdl') {
        answer(message.id, async () => writeClipboard(suggestionDdl(message.suggestionId)));
      } else if (message.type === 'insertDdl') {
        answer(message.id, async () => {
          throw new Error('This page has no editor to insert into: copy the DDL instead.');
        });
      } else if (message.type === 'openRawPlan') {
        answer(message.id, async () => {
          const url = URL.createObjectURL(new Blob([currentPlan()], { type: 'application/json' }));
          const opened = window.open(url, '_blank');
          if (!opened) {
            throw new Error('The browser blocked the new window.');
          }
          opened.opener = null;
        });
      }
    },
    getState: () => state,
    setState: (next) => {
      state = next;
    },
  };
}
