/**
 * Bar charts drawn as SVG from the API's own bucket figures: no chart library, a few hundred
 * bytes. Each bar has a title (hover, screen readers); the figure has a text summary.
 */
export interface Bar {
  value: number | null;
  /** A second figure drawn inside the bar (e.g. p50 inside p99). */
  inner?: number | null;
  /** Shown on hover and to screen readers. */
  title: string;
}

export function BarChart(props: {
  bars: Bar[];
  max?: number;
  unit: (v: number) => string;
  label: string;
  /** Names the inner figure in the caption, e.g. "inner: p50". */
  innerLabel?: string;
  /** The axis's left end, e.g. "24h ago"; the right end is now. */
  from: string;
  color?: string;
}) {
  const width = 100;
  const height = 40;
  const values = props.bars.map((b) => b.value ?? 0);
  const max = props.max ?? Math.max(1, ...values);
  const step = width / Math.max(1, props.bars.length);
  return (
    <figure class="chart">
      <figcaption>
        {props.label}{' '}
        <span class="hint">
          (top: {props.unit(max)}
          {props.innerLabel ? `; ${props.innerLabel}` : ''})
        </span>
      </figcaption>
      <svg
        viewBox={`0 0 ${width} ${height}`}
        preserveAspectRatio="none"
        role="img"
        aria-label={props.label}
      >
        <line x1="0" y1={height} x2={width} y2={height} class="axis" />
        {props.bars.map((b, i) =>
          b.value === null ? (
            <rect
              key={i}
              x={i * step + step * 0.1}
              y={height - 0.6}
              width={step * 0.8}
              height={0.6}
              class="empty"
            >
              <title>{b.title}</title>
            </rect>
          ) : (
            <g key={i}>
              <rect
                x={i * step + step * 0.1}
                y={height - (b.value / max) * height}
                width={step * 0.8}
                height={Math.max(0.6, (b.value / max) * height)}
                fill={props.color ?? 'var(--accent)'}
              >
                <title>{b.title}</title>
              </rect>
              {b.inner !== undefined && b.inner !== null && (
                <rect
                  x={i * step + step * 0.3}
                  y={height - (b.inner / max) * height}
                  width={step * 0.4}
                  height={Math.max(0.6, (b.inner / max) * height)}
                  class="inner"
                >
                  <title>{b.title}</title>
                </rect>
              )}
            </g>
          ),
        )}
      </svg>
      <div class="chart-axis">
        <span>{props.from}</span>
        <span>now</span>
      </div>
    </figure>
  );
}
