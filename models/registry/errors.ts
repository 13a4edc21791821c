import { type ErrorContext, FinsentError } from '../../lib/errors';

/** The registry (local directory or GitHub Releases) failed or holds something inconsistent. */
export class RegistryError extends FinsentError {
  constructor(message: string, context: ErrorContext = {}, options?: { cause?: unknown }) {
    super('REGISTRY_ERROR', message, context, options);
  }
}

/** The asked-for version or release does not exist. */
export class NotFoundError extends FinsentError {
  constructor(message: string, context: ErrorContext = {}) {
    super('NOT_FOUND', message, context);
  }
}

/** The version exists already with different content: a version is immutable once published. */
export class ConflictError extends FinsentError {
  constructor(message: string, context: ErrorContext = {}) {
    super('CONFLICT', message, context);
  }
}
