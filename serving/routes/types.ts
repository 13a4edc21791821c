import type { SchemaLimits } from '../schemas';

/** What every route plugin in ROUTES is registered with. */
export interface RoutesOptions {
  limits: SchemaLimits;
}
