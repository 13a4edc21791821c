import { ModelRegistry } from './registry';

/**
 * The model families finsent knows. Each family's module exports a `ModelFamily`; add it here.
 */
export function createModelRegistry(): ModelRegistry {
  const registry = new ModelRegistry();
  return registry;
}
