// Live updates over Server-Sent Events (GET /api/live); the browser's EventSource reconnects by itself.

/**
 * @param {(msg: {id: string, created: boolean}) => void} onIncident
 * @param {(connected: boolean) => void} onState
 * @returns {() => void} closes the stream
 */
export function connectLive(onIncident, onState) {
  const es = new EventSource('/api/live');
  es.addEventListener('open', () => onState(true));
  es.addEventListener('error', () => onState(false));
  es.addEventListener('incident', (e) => {
    try {
      onIncident(JSON.parse(/** @type {MessageEvent} */ (e).data));
    } catch (err) {
      console.warn('bad live message', err);
    }
  });
  return () => es.close();
}
