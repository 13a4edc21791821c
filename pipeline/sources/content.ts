import { excerptOf, type HttpResponse, redactUrl } from './http';
import { SourceError } from './types';

/**
 * Error pages arrive with status 200 more often than one would hope (captive portals, CDN
 * interstitials, "service unavailable" pages). Anything that looks like HTML is named as such,
 * with its <title>, instead of failing later as "unexpected token <".
 */
export function htmlPageTitle(text: string, contentType: string): string | undefined {
  const head = text.slice(0, 2048).trimStart().toLowerCase();
  const looksHtml =
    contentType.toLowerCase().includes('text/html') ||
    head.startsWith('<!doctype html') ||
    head.startsWith('<html');
  if (!looksHtml) return undefined;
  const title = /<title[^>]*>([^<]{0,200})<\/title>/i.exec(text.slice(0, 16384));
  return title?.[1]?.trim() || '(untitled)';
}

/** Parses a JSON body; HTML pages and malformed JSON become SourceErrors that say what came back. */
export function parseJsonBody(source: string, res: HttpResponse): unknown {
  const text = res.text();
  const shown = redactUrl(res.url);
  const ctx = { action: `reading ${source}`, input: shown, source };
  const title = htmlPageTitle(text, res.contentType);
  if (title !== undefined) {
    throw new SourceError(
      `${source}: ${shown} returned an HTML page ("${title}") instead of JSON (HTTP ${res.status}); ` +
        'the API is down or the URL is wrong',
      ctx,
      { excerpt: excerptOf(text) },
    );
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new SourceError(
      `${source}: ${shown} returned malformed JSON (${(error as Error).message}); ` +
        `the body starts with: ${excerptOf(text, 120)}`,
      ctx,
      { excerpt: excerptOf(text), cause: error },
    );
  }
}

/** Names a JSON value's shape for "expected X, got Y" messages. */
export function shapeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'object') {
    const keys = Object.keys(value as object).slice(0, 6);
    return keys.length ? `an object with keys ${keys.join(', ')}` : 'an empty object';
  }
  return `a ${typeof value}`;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
