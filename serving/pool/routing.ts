import { createHash } from 'node:crypto';
import type { ModelsConfig } from '../../config/models';
import { formatModelId, parseModelId } from '../../models/families';

/**
 * Which pool slot answers which request. A slot key is a model id in canonical form: a bare
 * family (`vader`, "whatever version is champion") or a pinned one (`vader@1.3.0`).
 */
export interface Routing {
  /** The slot `/predict` uses when no A/B split is configured. */
  default: string;
  /** A/B arms in config order; shares sum to 1. Empty = everything goes to `default`. */
  split: { arm: string; key: string; share: number }[];
  /** Slots scored off the request path for every `/predict` call. */
  shadow: string[];
}

/** `vader@v1.3.0` → `vader@1.3.0`; `vader` → `vader`. */
export function slotKey(id: string): string {
  return formatModelId(parseModelId(id));
}

export function routingFromConfig(config: ModelsConfig): Routing {
  return {
    default: slotKey(config.serving.default),
    split: config.serving.split.map((a) => ({ arm: a.arm, key: slotKey(a.model), share: a.share })),
    shadow: [...new Set(config.serving.shadow.map(slotKey))],
  };
}

export function routedKeys(routing: Routing): string[] {
  return [...new Set([routing.default, ...routing.split.map((a) => a.key), ...routing.shadow])];
}

/**
 * A client's fixed position in [0, 1): the first 32 bits of sha256("finsent-ab:" + client id).
 * The same client always lands in the same place, so its arm changes only when the shares move
 * across its position (or the arms are renamed/reordered).
 */
export function stickyBucket(clientId: string): number {
  return createHash('sha256').update(`finsent-ab:${clientId}`).digest().readUInt32BE(0) / 2 ** 32;
}

/** Arms take consecutive intervals of [0, 1) in config order; the bucket picks one. */
export function chooseArm(routing: Routing, clientId: string): { arm: string; key: string } {
  if (routing.split.length === 0) return { arm: 'default', key: routing.default };
  const bucket = stickyBucket(clientId);
  let upper = 0;
  for (const a of routing.split) {
    upper += a.share;
    if (bucket < upper) return { arm: a.arm, key: a.key };
  }
  // Floating-point shares may sum to 0.9999999: the last arm takes the remainder.
  const last = routing.split[routing.split.length - 1]!;
  return { arm: last.arm, key: last.key };
}
