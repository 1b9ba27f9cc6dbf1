/**
 * `docs/benchmarks-sweep.svg`: the offered-rate sweep as plain SVG text. Left, acknowledged and
 * delivered webhooks/s against the offered rate; right, end-to-end p50, p99 and max on a log
 * scale with the 100 ms bar and the 1 s knee limit; the knee as a dashed vertical line in both.
 */
import type { SweepStep } from './e2e';

const W = 960;
const H = 430;
const panelW = W / 2;
const m = { left: 70, right: 24, top: 64, bottom: 64 };
const plotW = panelW - m.left - m.right;
const plotH = H - m.top - m.bottom;
const colors = {
  offered: '#888',
  acked: '#1f77b4',
  delivered: '#2ca02c',
  p50: '#2ca02c',
  p99: '#ff7f0e',
  max: '#d62728',
};

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const f1 = (n: number): string => n.toFixed(1);

function niceCeil(v: number): number {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  return ([1, 2, 2.5, 5, 10].find((k) => k * p >= v) ?? 10) * p;
}

function polyline(points: [number, number][], color: string, dashed = false): string {
  if (points.length === 0) return '';
  const d = points.map(([x, y]) => `${f1(x)},${f1(y)}`).join(' ');
  const dots = points
    .map(([x, y]) => `<circle cx="${f1(x)}" cy="${f1(y)}" r="3.5" fill="${color}"/>`)
    .join('');
  return (
    `<polyline points="${d}" fill="none" stroke="${color}" stroke-width="2"${dashed ? ' stroke-dasharray="5 4"' : ''}/>` +
    (dashed ? '' : dots)
  );
}

function legend(x: number, y: number, items: [string, string, boolean?][]): string {
  return items
    .map(([label, color, dashed], i) => {
      const lx = x + i * 118;
      return (
        `<line x1="${lx}" y1="${y}" x2="${lx + 22}" y2="${y}" stroke="${color}" stroke-width="2"${dashed ? ' stroke-dasharray="5 4"' : ''}/>` +
        `<text x="${lx + 27}" y="${y + 4}">${esc(label)}</text>`
      );
    })
    .join('');
}

export function sweepSvg(steps: SweepStep[], knee: number | undefined, title: string): string {
  const n = steps.length;
  const xAt = (ox: number, i: number): number => ox + m.left + ((i + 0.5) * plotW) / n;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${W / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${esc(title)}</text>`,
  );
  const kneeIndex = knee === undefined ? -1 : steps.findIndex((s) => s.rate === knee);

  const frame = (ox: number, label: string, yLabel: string): void => {
    out.push(
      `<rect x="${ox + m.left}" y="${m.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#444"/>`,
      `<text x="${ox + m.left + plotW / 2}" y="${H - 18}" text-anchor="middle">${esc(label)}</text>`,
      `<text transform="translate(${ox + 18},${m.top + plotH / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>`,
    );
    steps.forEach((s, i) => {
      const x = xAt(ox, i);
      out.push(
        `<text x="${f1(x)}" y="${m.top + plotH + 16}" text-anchor="middle">${s.rate}</text>`,
      );
      if (!s.result) {
        out.push(
          `<text transform="translate(${f1(x + 4)},${m.top + plotH - 8}) rotate(-90)" fill="#999">not reached</text>`,
        );
      }
    });
    if (kneeIndex >= 0) {
      const x = xAt(ox, kneeIndex);
      out.push(
        `<line x1="${f1(x)}" y1="${m.top}" x2="${f1(x)}" y2="${m.top + plotH}" stroke="#000" stroke-dasharray="3 3"/>`,
        `<text x="${f1(x + 4)}" y="${m.top + 14}">knee ${knee}/s</text>`,
      );
    }
  };

  // Throughput.
  {
    const ox = 0;
    const yMax = niceCeil(Math.max(...steps.map((s) => s.rate)));
    const y = (v: number): number => m.top + plotH - (Math.min(v, yMax) / yMax) * plotH;
    for (let k = 0; k <= 5; k++) {
      const v = (yMax * k) / 5;
      out.push(
        `<line x1="${ox + m.left}" y1="${f1(y(v))}" x2="${ox + m.left + plotW}" y2="${f1(y(v))}" stroke="#eee"/>`,
        `<text x="${ox + m.left - 6}" y="${f1(y(v) + 4)}" text-anchor="end">${v}</text>`,
      );
    }
    frame(ox, 'offered webhooks/s', 'webhooks/s');
    const reached = steps.map((s, i) => [s, i] as const).filter(([s]) => s.result);
    out.push(
      polyline(
        steps.map((s, i) => [xAt(ox, i), y(s.rate)]),
        colors.offered,
        true,
      ),
      polyline(
        reached.map(([s, i]) => [xAt(ox, i), y(s.result!.ackedPerSecond)]),
        colors.acked,
      ),
      polyline(
        reached.map(([s, i]) => [xAt(ox, i), y(s.result!.deliveredPerSecond)]),
        colors.delivered,
      ),
      legend(ox + m.left, m.top - 14, [
        ['offered', colors.offered, true],
        ['acknowledged', colors.acked],
        ['delivered', colors.delivered],
      ]),
    );
  }

  // Latency, log scale; missing deliveries make a percentile infinite, drawn at the top as ∞.
  {
    const ox = panelW;
    const finite = steps
      .flatMap((s) => (s.result ? [s.result.e2e.p50, s.result.e2e.p99, s.result.e2e.max] : []))
      .filter((v) => Number.isFinite(v) && v > 0);
    const top = Math.max(4, Math.ceil(Math.log10(Math.max(1000, ...finite))));
    const bottom = Math.min(0, Math.floor(Math.log10(Math.min(1, ...finite))));
    const y = (v: number): number => {
      const l = Number.isFinite(v) ? Math.log10(Math.max(v, 10 ** bottom)) : top;
      return m.top + plotH - ((l - bottom) / (top - bottom)) * plotH;
    };
    for (let e = bottom; e <= top; e++) {
      const v = 10 ** e;
      const label = v >= 1000 ? `${v / 1000} s` : `${v} ms`;
      out.push(
        `<line x1="${ox + m.left}" y1="${f1(y(v))}" x2="${ox + m.left + plotW}" y2="${f1(y(v))}" stroke="#eee"/>`,
        `<text x="${ox + m.left - 6}" y="${f1(y(v) + 4)}" text-anchor="end">${label}</text>`,
      );
    }
    for (const [v, label] of [
      [100, 'p99 bar 100 ms'],
      [1000, 'knee limit: p99 1 s'],
    ] as const) {
      out.push(
        `<line x1="${ox + m.left}" y1="${f1(y(v))}" x2="${ox + m.left + plotW}" y2="${f1(y(v))}" stroke="#d62728" stroke-dasharray="6 3" stroke-opacity="0.6"/>`,
        `<text x="${ox + m.left + plotW - 4}" y="${f1(y(v) - 4)}" text-anchor="end" fill="#d62728">${label}</text>`,
      );
    }
    frame(ox, 'offered webhooks/s', 'end-to-end latency (log scale)');
    const reached = steps.map((s, i) => [s, i] as const).filter(([s]) => s.result);
    for (const key of ['max', 'p99', 'p50'] as const) {
      out.push(
        polyline(
          reached.map(([s, i]) => [xAt(ox, i), y(s.result!.e2e[key])]),
          colors[key],
        ),
      );
    }
    for (const [s, i] of reached) {
      if (s.result!.missing > 0) {
        out.push(
          `<text transform="translate(${f1(xAt(ox, i) + 14)},${f1(y(Infinity) + 8)}) rotate(90)" font-size="11">∞: ${s.result!.missing} missing</text>`,
        );
      }
    }
    out.push(
      legend(ox + m.left, m.top - 14, [
        ['p50', colors.p50],
        ['p99', colors.p99],
        ['max', colors.max],
      ]),
    );
  }
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
