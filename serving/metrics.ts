import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The API's Prometheus metrics, on a registry of its own (not prom-client's global one), so
 * several apps in one process (tests, the bench) never share or clash over counters.
 */
export class ServingMetrics {
  readonly registry = new Registry();
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  readonly predictRequests: Counter<'route' | 'model' | 'version' | 'arm' | 'outcome'>;
  readonly predictDuration: Histogram<'route' | 'model' | 'version' | 'arm'>;
  readonly labels: Counter<'model' | 'version' | 'arm' | 'label'>;
  readonly cache: Counter<'result'>;
  readonly batchSize: Histogram<'route'>;
  readonly logQueueDepth: Gauge;
  readonly logDropped: Counter;
  readonly logWritten: Gauge;
  readonly shadowQueueDepth: Gauge;
  readonly shadowDropped: Counter;
  readonly shadowPredictions: Counter<'model' | 'version' | 'outcome'>;
  readonly modelsLoaded: Gauge<'key' | 'family' | 'version'>;
  readonly modelsInFlight: Gauge;
  readonly modelSwaps: Counter<'key' | 'outcome'>;

  constructor(options: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    const latencyBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
    this.httpRequests = new Counter({
      name: 'finsent_http_requests_total',
      help: 'HTTP requests by method, route and status code',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.httpDuration = new Histogram({
      name: 'finsent_http_request_duration_seconds',
      help: 'HTTP request latency by method, route and status code',
      labelNames: ['method', 'route', 'status'],
      buckets: latencyBuckets,
      registers,
    });
    this.predictRequests = new Counter({
      name: 'finsent_prediction_requests_total',
      help: 'Prediction requests by route, model, version, arm and outcome (ok|error)',
      labelNames: ['route', 'model', 'version', 'arm', 'outcome'],
      registers,
    });
    this.predictDuration = new Histogram({
      name: 'finsent_prediction_duration_seconds',
      help: 'Time to produce the predictions of one request, by route, model, version and arm',
      labelNames: ['route', 'model', 'version', 'arm'],
      buckets: latencyBuckets,
      registers,
    });
    this.labels = new Counter({
      name: 'finsent_predictions_total',
      help: 'Predictions served, by model, version, arm and predicted label',
      labelNames: ['model', 'version', 'arm', 'label'],
      registers,
    });
    this.cache = new Counter({
      name: 'finsent_prediction_cache_total',
      help: 'Texts by prediction cache result: hit, miss, skipped (no answer from the cache), and error events',
      labelNames: ['result'],
      registers,
    });
    this.batchSize = new Histogram({
      name: 'finsent_batch_size',
      help: 'Texts per prediction request',
      labelNames: ['route'],
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
      registers,
    });
    this.logQueueDepth = new Gauge({
      name: 'finsent_prediction_log_queue_depth',
      help: 'Predictions waiting to be written to the store',
      registers,
    });
    this.logDropped = new Counter({
      name: 'finsent_prediction_log_dropped_total',
      help: 'Predictions not logged because the buffer was full during a store outage',
      registers,
    });
    this.logWritten = new Gauge({
      name: 'finsent_prediction_log_written',
      help: 'Predictions written to the store since start',
      registers,
    });
    this.shadowQueueDepth = new Gauge({
      name: 'finsent_shadow_queue_depth',
      help: 'Shadow scoring jobs waiting',
      registers,
    });
    this.shadowDropped = new Counter({
      name: 'finsent_shadow_dropped_total',
      help: 'Shadow scoring jobs dropped because the shadow queue was full',
      registers,
    });
    this.shadowPredictions = new Counter({
      name: 'finsent_shadow_predictions_total',
      help: 'Shadow predictions by model, version and outcome (ok|error)',
      labelNames: ['model', 'version', 'outcome'],
      registers,
    });
    this.modelsLoaded = new Gauge({
      name: 'finsent_model_loaded',
      help: '1 for each model slot and the version serving it',
      labelNames: ['key', 'family', 'version'],
      registers,
    });
    this.modelsInFlight = new Gauge({
      name: 'finsent_model_in_flight',
      help: 'Requests currently holding a model',
      registers,
    });
    this.modelSwaps = new Counter({
      name: 'finsent_model_swaps_total',
      help: 'Model version changes by slot and outcome (swapped|failed)',
      labelNames: ['key', 'outcome'],
      registers,
    });
    if (options.defaultMetrics !== false)
      collectDefaultMetrics({ register: this.registry, prefix: 'finsent_' });
  }
}
