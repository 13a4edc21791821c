/**
 * FinBERT's worker thread (started by ./worker-runtime.ts through ./worker-entry.mjs): loads the
 * model with the same loadBertRuntime as the main thread, then answers `run` and `dispose` in the
 * order they arrive. Outputs go back as transferred buffers; errors as their code and message.
 */
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import { type BertRuntime, loadBertRuntime } from './runtime';
import { type FromWorker, type ToWorker, toWire, transferables, type WorkerInit } from './worker-runtime';

if (!parentPort)
  throw new Error('models/finbert/worker.ts runs as a worker thread (see ./worker-runtime.ts)');
const port: MessagePort = parentPort;
const init = workerData as WorkerInit;
const post = (message: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

let runtime: BertRuntime | undefined;
/** One message at a time: a dispose waits for the runs sent before it. */
let queue: Promise<void> = (async () => {
  try {
    runtime = await loadBertRuntime(init.settings, { variant: init.variant });
    post({ type: 'ready', info: runtime.info });
  } catch (error) {
    post({ type: 'load-failed', error: toWire(error) });
  }
})();

async function handle(message: ToWorker): Promise<void> {
  switch (message.type) {
    case 'run': {
      try {
        if (!runtime) throw new Error('FinBERT did not load in its worker thread');
        const outputs = await runtime.run(message.texts);
        post({ type: 'result', id: message.id, outputs }, transferables(outputs));
      } catch (error) {
        post({ type: 'error', id: message.id, error: toWire(error) });
      }
      return;
    }
    case 'dispose':
      await runtime?.dispose();
      post({ type: 'disposed' });
      port.close();
      return;
    case 'crash':
      return;
  }
}

port.on('message', (message: ToWorker) => {
  if (message.type === 'crash') {
    // At once, not after the queued calls: the calls in flight must see the thread die.
    setImmediate(() => {
      throw new Error(message.message);
    });
    return;
  }
  queue = queue.then(() => handle(message));
});
