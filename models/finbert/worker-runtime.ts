import { Worker } from 'node:worker_threads';
import {
  ConfigError,
  DataError,
  type ErrorCode,
  FinsentError,
  InputError,
  ModelUnavailableError,
  UnknownModelError,
} from '../../lib/errors';
import { OverloadedError } from './batcher';
import { downloadModelFiles } from './download';
import type { BertRuntime, EncoderOutputs, LoadOptions, RuntimeInfo } from './runtime';
import type { FinbertSettings } from './settings';
import { resolveSource } from './source';
import { recordWorkerFailure, resolveThread, workerEntry } from './thread';

// ---------------------------------------------------------------------------------------------
// The protocol between the main thread and the worker (models/finbert/worker.ts).

/** What the worker is started with (workerData). */
export interface WorkerInit {
  settings: FinbertSettings;
  variant: 'classifier' | 'encoder';
}

export type ToWorker =
  | { type: 'run'; id: number; texts: string[] }
  | { type: 'dispose' }
  /** Fault injection (tests, drills): the worker throws an uncaught error on its next turn. */
  | { type: 'crash'; message: string };

export type FromWorker =
  | { type: 'ready'; info: RuntimeInfo }
  | { type: 'load-failed'; error: WireError }
  | { type: 'result'; id: number; outputs: EncoderOutputs }
  | { type: 'error'; id: number; error: WireError }
  | { type: 'disposed' };

/** An error as it crosses threads: FinsentErrors keep their code, message and context. */
export interface WireError {
  name: string;
  message: string;
  code?: ErrorCode;
  context?: Record<string, unknown>;
  stack?: string;
}

/** Only what structured clone surely carries: context values that survive JSON. */
function cloneable(context: unknown): Record<string, unknown> | undefined {
  try {
    return JSON.parse(JSON.stringify(context)) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

export function toWire(error: unknown): WireError {
  if (error instanceof FinsentError) {
    const context = cloneable(error.context);
    return {
      name: error.name,
      message: error.message,
      code: error.code,
      ...(context ? { context } : {}),
      ...(error.stack ? { stack: error.stack } : {}),
    };
  }
  if (error instanceof Error) {
    return { name: error.name, message: error.message, ...(error.stack ? { stack: error.stack } : {}) };
  }
  return { name: 'Error', message: String(error) };
}

const BUILTIN_ERRORS: Record<string, ErrorConstructor> = {
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
};

/** The error the worker threw, rebuilt on this side as the same class (by code) with the same message. */
export function fromWire(wire: WireError): Error {
  const context = wire.context ?? {};
  let error: Error;
  switch (wire.code) {
    case undefined: {
      const Builtin = BUILTIN_ERRORS[wire.name];
      error = Builtin ? new Builtin(wire.message) : new Error(wire.message);
      if (!Builtin) error.name = wire.name;
      break;
    }
    case 'INVALID_INPUT':
      error = new InputError(wire.message, context);
      break;
    case 'DATA_ERROR':
      error = new DataError(wire.message, context);
      break;
    case 'CONFIG_ERROR':
      error = new ConfigError(wire.message, context);
      break;
    case 'UNKNOWN_MODEL':
      error = new UnknownModelError(wire.message, context);
      break;
    case 'MODEL_UNAVAILABLE':
      error = new ModelUnavailableError(wire.message, context);
      break;
    case 'OVERLOADED':
      error = new OverloadedError(wire.message, context);
      break;
    default:
      error = new FinsentError(wire.code, wire.message, context);
  }
  if (wire.stack) error.stack = `${wire.stack}\n    (in FinBERT's worker thread)`;
  return error;
}

/** The Float32Array buffers of an EncoderOutputs, for a postMessage transfer list. */
export function transferables(outputs: EncoderOutputs): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  const seen = new Set<ArrayBufferLike>();
  for (const row of [...(outputs.logits ?? []), ...(outputs.pooled ?? [])]) {
    // Only whole, distinct buffers: a view into a shared buffer would detach its siblings.
    if (row.byteOffset !== 0 || row.byteLength !== row.buffer.byteLength || seen.has(row.buffer)) continue;
    if (!(row.buffer instanceof ArrayBuffer)) continue;
    seen.add(row.buffer);
    out.push(row.buffer);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The main thread's side.

/** A BertRuntime whose session lives in a worker thread. */
export interface WorkerBertRuntime extends BertRuntime {
  readonly thread: 'worker';
  /** The worker's threadId (diagnostics). */
  readonly threadId: number;
  /** Fault injection for tests and drills: makes the worker throw an uncaught error. */
  crashForTest(message?: string): void;
}

/**
 * How long dispose waits for the worker to finish its calls and release its session before
 * terminating it. Generous on purpose: terminating a worker in the middle of a native session run
 * aborts the whole process (onnxruntime-node throws into a terminating environment), so this is a
 * last resort against a hung worker, never a way to cut a slow batch short.
 */
const DISPOSE_GRACE_MS = 60_000;

let serials = 0;

/**
 * The worker's Node options: the parent's (profilers, inspectors, conditions, loaders: a worker
 * inherits them by default), less those that describe the parent's own entry point
 * (`--input-type`, `-e`/`-p` and their code), which a worker started from a file refuses.
 */
export function workerExecArgv(parent: readonly string[] = process.execArgv): string[] {
  const out: string[] = [];
  for (let i = 0; i < parent.length; i++) {
    const arg = parent[i]!;
    if (arg.startsWith('--input-type')) {
      if (arg === '--input-type') i++;
      continue;
    }
    if (['-e', '--eval', '-p', '--print', '-pe'].includes(arg)) {
      i++;
      continue;
    }
    if (/^--(eval|print)=/.test(arg)) continue;
    out.push(arg);
  }
  return out;
}

interface PendingCall {
  resolve(outputs: EncoderOutputs): void;
  reject(error: unknown): void;
}

function deathError(reason: string, cause?: unknown): ModelUnavailableError {
  return new ModelUnavailableError(
    `FinBERT unavailable: its worker thread ${reason}; load the model again (restart the server, or ` +
      'select the version again), or set FINBERT_THREAD=main to run inference on the main thread',
    { action: 'running FinBERT', reason },
    cause === undefined ? undefined : { cause },
  );
}

/**
 * Loads FinBERT in a worker thread of its own, with the same loadBertRuntime as the main thread
 * uses, and answers the same BertRuntime interface. Source resolution and downloads stay on this
 * thread (asynchronous I/O, and the test seams in `options` are functions, which cannot cross
 * threads); the worker loads from disk. Outputs come back as transferred buffers, not copies.
 *
 * The worker is referenced (keeps the process alive) only while a load, a call or a dispose is in
 * flight: an idle runtime someone forgot to dispose never holds a finished process open.
 *
 * @example
 *   const rt = await loadWorkerRuntime(finbertSettings(readEnv()));
 *   (await rt.run(['Shares rose 5% after earnings'])).logits // the same rows as the main thread's
 *   await rt.dispose(); // the worker thread is gone
 */
export async function loadWorkerRuntime(
  settings: FinbertSettings,
  options: LoadOptions = {},
): Promise<WorkerBertRuntime> {
  const entry = workerEntry();
  if (!entry) {
    throw new ConfigError(
      "FinBERT's worker entry is not shipped with this build; set FINBERT_THREAD=main (or auto)",
      { input: 'FINBERT_THREAD' },
    );
  }
  const source = await resolveSource(settings, options.fetch ? { fetch: options.fetch } : {});
  if (source.kind === 'hub' && !source.cached) {
    await downloadModelFiles(settings, {
      ...(options.download ? { fetch: options.download } : {}),
      ...(options.onDownload ? { onProgress: options.onDownload } : {}),
    });
  }

  const serial = ++serials;
  const init: WorkerInit = { settings, variant: options.variant ?? 'classifier' };
  const worker = new Worker(entry, { workerData: init, execArgv: workerExecArgv() });
  const pending = new Map<number, PendingCall>();
  let nextId = 0;
  let failure: ModelUnavailableError | undefined;
  let disposing: Promise<void> | undefined;
  let exited = false;
  let busy = 1; // the load
  const hold = () => {
    if (busy++ === 0) worker.ref();
  };
  const release = () => {
    if (--busy === 0) worker.unref();
  };
  let onReady: ((info: RuntimeInfo) => void) | undefined;
  let onLoadFailed: ((error: unknown) => void) | undefined;
  let onDisposed: (() => void) | undefined;
  const exit = new Promise<void>((resolve) => worker.once('exit', () => resolve()));

  const die = (error: ModelUnavailableError) => {
    if (failure || disposing) return;
    failure = error;
    recordWorkerFailure(serial, error.message);
    onLoadFailed?.(error);
    for (const call of pending.values()) call.reject(error);
    pending.clear();
  };
  worker.on('message', (m: FromWorker) => {
    switch (m.type) {
      case 'ready':
        onReady?.(m.info);
        break;
      case 'load-failed':
        onLoadFailed?.(fromWire(m.error));
        break;
      case 'result':
      case 'error': {
        const call = pending.get(m.id);
        if (!call) break;
        pending.delete(m.id);
        release();
        if (m.type === 'result') call.resolve(m.outputs);
        else call.reject(fromWire(m.error));
        break;
      }
      case 'disposed':
        onDisposed?.();
        break;
    }
  });
  worker.on('error', (error) => die(deathError(`crashed (${error.message})`, error)));
  worker.on('messageerror', (error) => die(deathError(`sent a message that could not be read (${error})`)));
  worker.on('exit', (code) => {
    exited = true;
    die(deathError(`exited unexpectedly (exit code ${code})`));
  });

  let info: RuntimeInfo;
  try {
    info = await new Promise<RuntimeInfo>((resolve, reject) => {
      onReady = resolve;
      onLoadFailed = reject;
    });
  } catch (error) {
    onReady = onLoadFailed = undefined;
    disposing = Promise.resolve();
    recordWorkerFailure(serial, undefined);
    await worker.terminate();
    throw error;
  }
  onReady = onLoadFailed = undefined;
  release();
  // The same source the main-thread loader reports (the worker saw the hub files already cached).
  info = { ...info, source };

  return {
    thread: 'worker',
    threadId: worker.threadId,
    info,
    run(texts) {
      if (failure) return Promise.reject(failure);
      if (disposing)
        return Promise.reject(new FinsentError('MODEL_UNAVAILABLE', 'FinBERT was closed; load it again'));
      const id = ++nextId;
      return new Promise<EncoderOutputs>((resolve, reject) => {
        try {
          worker.postMessage({ type: 'run', id, texts: [...texts] } satisfies ToWorker);
        } catch (error) {
          reject(error);
          return;
        }
        pending.set(id, { resolve, reject });
        hold();
      });
    },
    dispose() {
      disposing ??= (async () => {
        recordWorkerFailure(serial, undefined);
        if (!exited) {
          hold();
          // Calls already sent finish first: the worker handles messages in order.
          const acknowledged = new Promise<void>((resolve) => {
            onDisposed = resolve;
          });
          let timer: NodeJS.Timeout | undefined;
          const grace = new Promise<void>((resolve) => {
            timer = setTimeout(resolve, DISPOSE_GRACE_MS);
          });
          try {
            worker.postMessage({ type: 'dispose' } satisfies ToWorker);
            await Promise.race([acknowledged, exit, grace]);
          } finally {
            clearTimeout(timer);
          }
          await worker.terminate();
        }
        const closed = new FinsentError('MODEL_UNAVAILABLE', 'FinBERT was closed before this call finished');
        for (const call of pending.values()) call.reject(closed);
        pending.clear();
      })();
      return disposing;
    },
    crashForTest(message = 'crash requested') {
      worker.postMessage({ type: 'crash', message } satisfies ToWorker);
    },
  };
}

/**
 * A BertRuntime on the thread FINBERT_THREAD chooses (resolveThread): a worker thread, or this one
 * (loadBertRuntime itself, imported only then).
 */
export async function openBertRuntime(
  settings: FinbertSettings,
  options: LoadOptions = {},
): Promise<BertRuntime> {
  if (resolveThread(settings) === 'worker') return loadWorkerRuntime(settings, options);
  const { loadBertRuntime } = await import('./runtime');
  return loadBertRuntime(settings, options);
}
