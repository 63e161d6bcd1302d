/**
 * Marks the moment the tree is on screen after a change: `data-painted` on the document element
 * counts up and a `planlens:painted` event fires. This is what the benchmarks and UI tests wait
 * for; a requestAnimationFrame callback runs before the frame is painted, and a task queued from
 * it runs after.
 */
let painted = 0;
let pending = false;

export function markPaintedSoon(): void {
  if (pending) {
    return;
  }
  pending = true;
  requestAnimationFrame(() => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      pending = false;
      painted++;
      document.documentElement.dataset.painted = String(painted);
      window.dispatchEvent(new CustomEvent('planlens:painted', { detail: painted }));
    };
    channel.port2.postMessage(null);
  });
}
