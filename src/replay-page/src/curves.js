// Learning curves of the run (evals.csv, metrics.csv) as small line plots on 2D canvases.
const LINE = '#1f6fb2';

/** One plot per curve: greedy success (evaluations), training return and TD loss against environment steps. */
export function drawCurves(container, curves) {
  const plots = [
    { table: curves.evals, y: 'success_rate', title: 'greedy success (evals.csv)', percent: true },
    { table: curves.metrics, y: 'mean_return', title: 'training episode return (metrics.csv)' },
    { table: curves.metrics, y: 'loss', title: 'TD loss (metrics.csv)' },
  ];
  for (const plot of plots) {
    const canvas = document.createElement('canvas');
    canvas.className = 'curve';
    container.appendChild(canvas);
    draw(canvas, series(plot.table, 'env_steps', plot.y), plot);
  }
}

function series(table, x, y) {
  const xi = table.columns.indexOf(x), yi = table.columns.indexOf(y);
  if (xi < 0 || yi < 0) return [];
  return table.rows.filter((r) => r[xi] !== null && r[yi] !== null).map((r) => [r[xi], r[yi]]);
}

function draw(canvas, points, plot) {
  const scale = window.devicePixelRatio || 1;
  const width = canvas.clientWidth || 300, height = canvas.clientHeight || 124;
  canvas.width = width * scale;
  canvas.height = height * scale;
  const g = canvas.getContext('2d');
  g.scale(scale, scale);
  g.font = '11px system-ui, sans-serif';
  g.fillStyle = '#1d2733';
  g.fillText(plot.title, 4, 12);
  const left = 44, right = width - 8, top = 20, bottom = height - 18;
  g.strokeStyle = '#b8c0c8';
  g.strokeRect(left, top, right - left, bottom - top);
  if (points.length === 0) {
    g.fillStyle = '#5d6b7a';
    g.fillText('no rows yet', left + 8, (top + bottom) / 2);
    return;
  }
  // Every curve starts at step 0, so a run with one evaluation still shows where along the run it was.
  let [x0, x1] = [0, Math.max(...points.map((p) => p[0]))];
  let [y0, y1] = plot.percent ? [0, 1] : extent(points.map((p) => p[1]));
  if (x1 === x0) x1 = x0 + 1;
  if (y1 === y0) { y0 -= 0.5; y1 += 0.5; }
  const px = (x) => left + (x - x0) / (x1 - x0) * (right - left);
  const py = (y) => bottom - (y - y0) / (y1 - y0) * (bottom - top);
  g.fillStyle = '#5d6b7a';
  g.fillText(label(y1, plot.percent), 2, top + 8);
  g.fillText(label(y0, plot.percent), 2, bottom);
  g.fillText(`${Math.round(x0).toLocaleString('en')}`, left, height - 4);
  const last = `${Math.round(x1).toLocaleString('en')} steps`;
  g.fillText(last, right - g.measureText(last).width, height - 4);
  g.strokeStyle = LINE;
  g.lineWidth = 2;
  g.beginPath();
  points.forEach(([x, y], i) => (i === 0 ? g.moveTo(px(x), py(y)) : g.lineTo(px(x), py(y))));
  g.stroke();
  if (points.length === 1) {
    g.fillStyle = LINE;
    g.fillRect(px(points[0][0]) - 2, py(points[0][1]) - 2, 4, 4);
  }
}

function extent(values) { return [Math.min(...values), Math.max(...values)]; }
function label(v, percent) { return percent ? `${Math.round(v * 100)}%` : Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(3); }
