import { LABELS } from '../types';
import type { ComparisonResult, ModelSide } from './compare';

/**
 * An SVG chart of a comparison: both confusion matrices (row-normalised shading, counts in the
 * cells) and a reliability diagram (accuracy against confidence per bin, both models). Written
 * by hand as a string: no canvas, no charting dependency, and it renders in any browser.
 */
const CELL = 56;
const FONT = 'font-family="system-ui, -apple-system, Segoe UI, sans-serif"';
const COLOR_A = '#d95f02';
const COLOR_B = '#1b9e77';

export function escapeXml(s: string): string {
  return s.replace(
    /[<>&'"]/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!,
  );
}

function confusionPanel(m: ModelSide, title: string, x0: number, y0: number): string {
  const parts: string[] = [];
  parts.push(
    `<text x="${x0}" y="${y0 - 34}" font-size="13" font-weight="600" ${FONT}>${escapeXml(title)}</text>`,
  );
  parts.push(
    `<text x="${x0 + (CELL * 3) / 2}" y="${y0 - 8}" font-size="10" text-anchor="middle" fill="#555" ${FONT}>prediction</text>`,
  );
  LABELS.forEach((label, j) => {
    parts.push(
      `<text x="${x0 + j * CELL + CELL / 2}" y="${y0 + 3 * CELL + 14}" font-size="10" text-anchor="middle" ${FONT}>${label}</text>`,
    );
  });
  LABELS.forEach((label, i) => {
    const row = m.confusion[i]!;
    const total = row.reduce((s, v) => s + v, 0);
    parts.push(
      `<text x="${x0 - 6}" y="${y0 + i * CELL + CELL / 2 + 4}" font-size="10" text-anchor="end" ${FONT}>${label}</text>`,
    );
    row.forEach((count, j) => {
      const share = total === 0 ? 0 : count / total;
      const light = Math.round(97 - share * 62);
      const fill = `hsl(${i === j ? 150 : 10}, 55%, ${light}%)`;
      const x = x0 + j * CELL;
      const y = y0 + i * CELL;
      parts.push(`<rect x="${x}" y="${y}" width="${CELL}" height="${CELL}" fill="${fill}" stroke="#fff"/>`);
      parts.push(
        `<text x="${x + CELL / 2}" y="${y + CELL / 2 + 4}" font-size="12" text-anchor="middle" fill="${light < 60 ? '#fff' : '#222'}" ${FONT}>${count}</text>`,
      );
    });
  });
  return parts.join('\n');
}

function reliabilityPanel(r: ComparisonResult, x0: number, y0: number, size: number): string {
  const parts: string[] = [];
  const px = (v: number) => x0 + v * size;
  const py = (v: number) => y0 + (1 - v) * size;
  parts.push(`<text x="${x0}" y="${y0 - 34}" font-size="13" font-weight="600" ${FONT}>Reliability</text>`);
  parts.push(`<rect x="${x0}" y="${y0}" width="${size}" height="${size}" fill="#fafafa" stroke="#999"/>`);
  for (const t of [0, 0.25, 0.5, 0.75, 1]) {
    parts.push(
      `<text x="${px(t)}" y="${y0 + size + 14}" font-size="9" text-anchor="middle" ${FONT}>${t}</text>`,
    );
    parts.push(`<text x="${x0 - 4}" y="${py(t) + 3}" font-size="9" text-anchor="end" ${FONT}>${t}</text>`);
  }
  parts.push(
    `<line x1="${px(0)}" y1="${py(0)}" x2="${px(1)}" y2="${py(1)}" stroke="#bbb" stroke-dasharray="4 3"/>`,
    `<text x="${x0 + size / 2}" y="${y0 + size + 28}" font-size="10" text-anchor="middle" fill="#555" ${FONT}>confidence</text>`,
    `<text x="${x0 - 28}" y="${y0 + size / 2}" font-size="10" text-anchor="middle" fill="#555" transform="rotate(-90 ${x0 - 28} ${y0 + size / 2})" ${FONT}>accuracy</text>`,
  );
  const series = (m: ModelSide, color: string) => {
    const pts = m.reliability.flatMap((bin) =>
      bin.count > 0 && bin.confidence !== null && bin.accuracy !== null
        ? [{ count: bin.count, confidence: bin.confidence, accuracy: bin.accuracy }]
        : [],
    );
    if (pts.length === 0) return '';
    const path = pts
      .map((bin) => `${px(bin.confidence).toFixed(1)},${py(bin.accuracy).toFixed(1)}`)
      .join(' ');
    const dots = pts
      .map(
        (bin) =>
          `<circle cx="${px(bin.confidence).toFixed(1)}" cy="${py(bin.accuracy).toFixed(1)}" r="${Math.min(6, 2 + Math.sqrt(bin.count) / 3).toFixed(1)}" fill="${color}" fill-opacity="0.8"><title>${escapeXml(m.id)}: ${bin.count} predictions, confidence ${bin.confidence.toFixed(2)}, accuracy ${bin.accuracy.toFixed(2)}</title></circle>`,
      )
      .join('\n');
    return `<polyline points="${path}" fill="none" stroke="${color}" stroke-width="1.5"/>\n${dots}`;
  };
  parts.push(series(r.a, COLOR_A), series(r.b, COLOR_B));
  parts.push(
    `<circle cx="${x0 + 8}" cy="${y0 + 10}" r="4" fill="${COLOR_A}"/><text x="${x0 + 16}" y="${y0 + 14}" font-size="10" ${FONT}>A ${escapeXml(r.a.id)} (ECE ${r.a.ece.toFixed(3)})</text>`,
    `<circle cx="${x0 + 8}" cy="${y0 + 26}" r="4" fill="${COLOR_B}"/><text x="${x0 + 16}" y="${y0 + 30}" font-size="10" ${FONT}>B ${escapeXml(r.b.id)} (ECE ${r.b.ece.toFixed(3)})</text>`,
  );
  return parts.join('\n');
}

export function renderComparisonSvg(r: ComparisonResult): string {
  const width = 900;
  const height = 330;
  const top = 70;
  const body = [
    confusionPanel(r.a, `A ${r.a.id}`, 90, top),
    confusionPanel(r.b, `B ${r.b.id}`, 380, top),
    reliabilityPanel(r, 640, top, 3 * CELL + 20),
  ].join('\n');
  const title = `${r.b.id} vs ${r.a.id}: ${r.verdict.verdict} (n = ${r.dataset.n})`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(title)}">
<title>${escapeXml(title)}</title>
<rect width="100%" height="100%" fill="#fff"/>
<text x="20" y="22" font-size="15" font-weight="700" ${FONT}>${escapeXml(title)}</text>
${body}
</svg>
`;
}
