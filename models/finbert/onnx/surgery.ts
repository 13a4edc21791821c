import { decodeModel, encodeDecoded, type ModelProto, type NodeProto, type ValueInfoProto } from './proto';

/** The graph output name finsent gives the pooled [CLS] vector. */
export const POOLED_OUTPUT = 'pooler_output';

export class SurgeryError extends Error {}

/**
 * Finds the pooled representation inside an exported BertForSequenceClassification graph: walking
 * back from `logits` through the classifier's linear ops (MatMul/Gemm/Add, or their quantized
 * forms) to the nearest Tanh, which is BERT's pooler activation. Returns that Tanh's output name.
 */
export function findPooledValue(model: ModelProto, logitsName = 'logits'): string {
  const nodes = model.graph?.node ?? [];
  const producer = new Map<string, NodeProto>();
  for (const node of nodes) for (const out of node.output) producer.set(out, node);
  const start = producer.get(logitsName);
  if (!start) throw new SurgeryError(`the graph has no output "${logitsName}"`);
  // Breadth-first so the Tanh closest to the logits wins; a few dozen nodes is plenty for a
  // linear head, even quantized (DynamicQuantizeLinear → MatMulInteger → Cast → Mul → Add).
  const queue: { node: NodeProto; depth: number }[] = [{ node: start, depth: 0 }];
  const seen = new Set<NodeProto>([start]);
  while (queue.length > 0) {
    const { node, depth } = queue.shift()!;
    if (node.op_type === 'Tanh') return node.output[0]!;
    if (depth >= 24) continue;
    for (const input of node.input) {
      const next = producer.get(input);
      if (next && !seen.has(next)) {
        seen.add(next);
        queue.push({ node: next, depth: depth + 1 });
      }
    }
  }
  throw new SurgeryError(
    `no Tanh (BERT pooler) within 24 nodes of "${logitsName}": not a BERT classifier export?`,
  );
}

function outputInfo(name: string, hidden: number | string): ValueInfoProto {
  return {
    name,
    type: {
      tensor_type: {
        elem_type: 1,
        shape: {
          dim: [
            { dim_param: 'batch_size' },
            typeof hidden === 'number' ? { dim_value: hidden } : { dim_param: hidden },
          ],
        },
      },
    },
  };
}

/**
 * Returns the model's bytes with the pooled [CLS] vector added as a second graph output
 * (`pooler_output`), so one session call yields both the logits and the features a new head is
 * trained on. The rest of the graph is untouched; a decode/encode round trip that would drop
 * fields this schema does not know is refused rather than written.
 */
export function exposePooledOutput(bytes: Uint8Array, hidden?: number): Uint8Array {
  const model = decodeModel(bytes);
  const graph = model.graph;
  if (!graph) throw new SurgeryError('the model has no graph');
  if ((graph.output ?? []).some((o) => o.name === POOLED_OUTPUT)) return bytes;
  const roundTrip = encodeDecoded(model).byteLength;
  // Packed/unpacked encodings of repeated scalars may differ by a few bytes; lost messages do not.
  if (roundTrip < bytes.byteLength - Math.max(4096, bytes.byteLength * 0.001)) {
    throw new SurgeryError(
      `the ONNX file uses fields outside finsent's schema (${bytes.byteLength} bytes read, ${roundTrip} would be written)`,
    );
  }
  const pooled = findPooledValue(model);
  graph.node.push({
    op_type: 'Identity',
    name: 'finsent/pooler_output',
    input: [pooled],
    output: [POOLED_OUTPUT],
  });
  graph.output = [...(graph.output ?? []), outputInfo(POOLED_OUTPUT, hidden ?? 'hidden_size')];
  return encodeDecoded(model);
}
