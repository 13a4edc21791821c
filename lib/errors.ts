/**
 * The few error classes finsent throws. Each carries what was being done and with which input,
 * and its message names the fix. Edges (CLI, actions, API) turn them into exit codes, failed
 * steps and `{ error: { code, message } }` bodies; nothing below the edges prints or exits.
 */
export type ErrorCode =
  | 'INVALID_INPUT'
  | 'UNKNOWN_MODEL'
  | 'MODEL_UNAVAILABLE'
  | 'DATA_ERROR'
  | 'CONFIG_ERROR'
  | 'STORE_ERROR'
  | 'SOURCE_ERROR'
  | 'REGISTRY_ERROR'
  | 'OVERLOADED'
  | 'NOT_FOUND'
  | 'CONFLICT';

export interface ErrorContext {
  /** What finsent was doing, e.g. "loading dataset". */
  readonly action?: string;
  /** The input concerned, e.g. a file path, a model id or a URL. */
  readonly input?: string;
  readonly [key: string]: unknown;
}

export class FinsentError extends Error {
  readonly code: ErrorCode;
  readonly context: ErrorContext;

  constructor(code: ErrorCode, message: string, context: ErrorContext = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.context = context;
  }
}

/** The caller gave something unusable: a bad flag, an empty input, a malformed request. */
export class InputError extends FinsentError {
  constructor(message: string, context: ErrorContext = {}, options?: { cause?: unknown }) {
    super('INVALID_INPUT', message, context, options);
  }
}

/** A data file or dataset could not be read or holds no usable rows. */
export class DataError extends FinsentError {
  constructor(message: string, context: ErrorContext = {}, options?: { cause?: unknown }) {
    super('DATA_ERROR', message, context, options);
  }
}

/** A configuration file or environment variable is missing or invalid. */
export class ConfigError extends FinsentError {
  constructor(message: string, context: ErrorContext = {}, options?: { cause?: unknown }) {
    super('CONFIG_ERROR', message, context, options);
  }
}

/** A model id names no known family or version. */
export class UnknownModelError extends FinsentError {
  constructor(message: string, context: ErrorContext = {}) {
    super('UNKNOWN_MODEL', message, context);
  }
}

/** A known model cannot be loaded here (weights missing, no network, bad artifact). */
export class ModelUnavailableError extends FinsentError {
  constructor(message: string, context: ErrorContext = {}, options?: { cause?: unknown }) {
    super('MODEL_UNAVAILABLE', message, context, options);
  }
}

export function isFinsentError(error: unknown): error is FinsentError {
  return error instanceof FinsentError;
}

/** A one-line description of any thrown value, safe to show to a person. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
