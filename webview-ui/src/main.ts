/**
 * Entry of the plan webview: connects to the host, restores the last view, then tells the host
 * it is ready. Messages it cannot recognise are ignored.
 */
import { MAX_LOG_MESSAGE_LENGTH, isHostToWebview, isWebviewState } from '../../src/protocol';
import { connectToHost } from './host-bridge';
import { PlanApp } from './plan-app';

const host = connectToHost();
const app = new PlanApp(document.getElementById('app')!, host);

// The host's output channel is the only place a webview error can be seen without devtools.
const logError = (message: string) => host.post({ type: 'log', level: 'error', message: message.slice(0, MAX_LOG_MESSAGE_LENGTH) });
window.addEventListener('error', (event) => logError(`${event.message} (${event.filename}:${event.lineno})`));
window.addEventListener('unhandledrejection', (event) => logError(String(event.reason)));

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  if (isHostToWebview(event.data)) {
    app.handle(event.data);
  }
});

const state = host.getState();
if (isWebviewState(state)) {
  app.restore(state);
}
host.post({ type: 'ready' });
