import { once } from 'node:events';
import { StringDecoder } from 'node:string_decoder';
import type { Command } from 'commander';
import { type FinsentEnv, readEnv } from '../../lib/env';
import { InputError } from '../../lib/errors';
import { createFamilyRegistry, type FamilyRegistry } from '../../models/families';
import { modelLoadContext } from '../../models/load-context';
import { hasRaw } from '../../models/types';
import { action } from '../cli/run';

/** What a command needs from the outside world; tests hand in fakes. */
export interface CommandDeps {
  registry: FamilyRegistry;
  env: FinsentEnv;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export function defaultDeps(overrides: Partial<CommandDeps> = {}): CommandDeps {
  return {
    registry: overrides.registry ?? createFamilyRegistry(),
    env: overrides.env ?? readEnv(),
    stdin: overrides.stdin ?? process.stdin,
    stdout: overrides.stdout ?? process.stdout,
    stderr: overrides.stderr ?? process.stderr,
  };
}

/** Load context of the CLI: the registry the environment names, champions from the effective config. */
export { modelLoadContext };

export function positiveInt(value: unknown, flag: string): number {
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new InputError(`${flag} must be a positive whole number, got "${String(value)}"`);
  return n;
}

export function nonNegativeInt(value: unknown, flag: string): number {
  return Number(value) === 0 ? 0 : positiveInt(value, flag);
}

/**
 * Splits a byte or text stream into batches of non-blank lines without waiting for its end:
 * the next chunk is read only once the previous batch has been handed on, so a huge or endless
 * input flows through in constant memory. Handles CRLF, a UTF-8 BOM and characters split across
 * chunks.
 */
export async function* readLineBatches(
  stream: AsyncIterable<string | Buffer>,
  size: number,
): AsyncGenerator<string[]> {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  let batch: string[] = [];
  let first = true;
  const take = (raw: string) => {
    let line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (first) {
      line = line.replace(/^\uFEFF/, '');
      first = false;
    }
    if (line.trim() !== '') batch.push(line);
  };
  for await (const chunk of stream) {
    pending += typeof chunk === 'string' ? chunk : decoder.write(chunk);
    let start = 0;
    for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n', start)) {
      take(pending.slice(start, nl));
      start = nl + 1;
      if (batch.length >= size) {
        const full = batch;
        batch = [];
        pending = pending.slice(start);
        start = 0;
        yield full;
      }
    }
    pending = pending.slice(start);
  }
  pending += decoder.end();
  if (pending !== '') take(pending);
  if (batch.length > 0) yield batch;
}

/** Writes with back-pressure; stops quietly when the reader went away (`finsent score | head`). */
export class LineSink {
  closed = false;
  #error: Error | undefined;

  constructor(private readonly stream: NodeJS.WritableStream) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      this.closed = true;
      if (error.code !== 'EPIPE') this.#error = error;
    });
  }

  async write(text: string): Promise<void> {
    if (this.closed) return;
    if (!this.stream.write(text)) {
      // Wait for whichever comes first, then drop the other listeners (one set per batch would leak).
      const ac = new AbortController();
      const { signal } = ac;
      await Promise.race(['drain', 'close', 'error'].map((event) => once(this.stream, event, { signal })))
        .catch(() => {})
        .finally(() => ac.abort());
    }
    if (this.#error) throw this.#error;
  }
}

export interface ScoreOptions {
  model: string;
  raw?: boolean;
  text?: readonly string[];
  batchSize?: number;
}

/**
 * Scores texts from `--text` or stdin and writes one JSON line per text: the prediction
 * contract, or with `raw` the model's native scores. Returns how many texts were scored.
 */
export async function runScore(options: ScoreOptions, deps: CommandDeps): Promise<number> {
  const batchSize = options.batchSize ?? 256;
  deps.registry.resolve(options.model); // an unknown id fails before any input is read
  const given = (options.text ?? []).filter((t) => t.trim() !== '');
  if (options.text && options.text.length > 0 && given.length === 0) {
    throw new InputError('--text is empty: give the text to score, e.g. --text "Apple beats estimates"');
  }
  if (given.length === 0 && deps.stdin.isTTY) {
    deps.stderr.write('finsent: reading texts from the terminal, one per line; end with Ctrl-D\n');
  }
  const batches =
    given.length > 0
      ? (async function* () {
          for (let i = 0; i < given.length; i += batchSize) yield given.slice(i, i + batchSize);
        })()
      : readLineBatches(deps.stdin as AsyncIterable<string | Buffer>, batchSize);

  const first = await batches.next();
  if (first.done) {
    throw new InputError('no input: pipe texts one per line on stdin, or pass --text "…"');
  }
  const model = await deps.registry.load(options.model, modelLoadContext(deps.env));
  const sink = new LineSink(deps.stdout);
  let count = 0;
  try {
    if (options.raw && !hasRaw(model)) {
      throw new InputError(
        `model ${model.family}@${model.version} has no raw output: --raw prints VADER's own {neg, neu, pos, compound}, so use a VADER model such as vader-base`,
        { input: options.model },
      );
    }
    const rawModel = options.raw && hasRaw(model) ? model : undefined;
    let batch: string[] | undefined = first.value;
    while (batch && !sink.closed) {
      const out: object[] = rawModel
        ? await Promise.all(batch.map((text) => rawModel.raw(text)))
        : await model.predict(batch);
      if (out.length !== batch.length) {
        throw new Error(
          `model ${model.family}@${model.version} returned ${out.length} results for ${batch.length} texts`,
        );
      }
      await sink.write(out.map((o) => `${JSON.stringify(o)}\n`).join(''));
      count += batch.length;
      const next = await batches.next();
      batch = next.done ? undefined : next.value;
    }
  } finally {
    await batches.return?.(undefined);
    await model.close?.();
  }
  return count;
}

const collect = (value: string, previous: string[]) => [...previous, value];

const EXAMPLES = `
Texts come one per line on stdin (blank lines are skipped) or from --text (repeatable).
Each text gives one JSON line, in order: {"label","scores","sentiment","confidence","model","version"};
with --raw, the model's native scores instead (VADER: {"neg","neu","pos","compound"}).

Examples:
  $ finsent score --model vader-base --text "Apple beats estimates and raises its outlook"
  $ printf 'Tesla recalls 46,000 Cybertrucks\\nFed holds rates steady\\n' | finsent score -m vader-base
  $ finsent score -m vader-base --raw < headlines.txt > scores.jsonl
  $ finsent score -m vader@1.3.0 --text "Nike cuts annual outlook" --text "Costco sales rise 6%"`;

export function registerScore(program: Command, overrides: Partial<CommandDeps> = {}): void {
  program
    .command('score')
    .description('score texts with a model: one JSON line out per text in')
    .requiredOption('-m, --model <id>', 'model id: a family (its champion), family@1.2.0 or family@builtin')
    .option('-t, --text <text>', 'a text to score instead of reading stdin (repeatable)', collect, [])
    .option('--raw', "print the model's native scores (VADER: neg, neu, pos, compound)")
    .option('--json', 'JSON Lines output (the default and only format; accepted for symmetry)')
    .option('--batch-size <n>', 'texts per predict call', '256')
    .addHelpText('after', EXAMPLES)
    .action(
      action(async (opts: Record<string, unknown>) => {
        await runScore(
          {
            model: String(opts.model),
            raw: opts.raw === true,
            text: opts.text as string[],
            batchSize: positiveInt(opts.batchSize, '--batch-size'),
          },
          defaultDeps(overrides),
        );
      }),
    );
}
