/**
 * The dashboard's own stylesheet and script, served at /admin/static/* by the
 * app on every runtime (no build step, no file system). Pages carry no inline
 * script, so the Content-Security-Policy can forbid them.
 */
export const ADMIN_CSS = `
:root { --fg:#1c2430; --muted:#5b6675; --line:#dde2e8; --bg:#f6f7f9; --card:#fff; --accent:#2457c5; --danger:#b42318; --ok:#067647; --warn:#b54708; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
* { box-sizing: border-box; }
body { margin:0; color:var(--fg); background:var(--bg); font-size:15px; line-height:1.45; }
a { color:var(--accent); }
header.top { display:flex; flex-wrap:wrap; align-items:center; gap:.5rem 1rem; padding:.6rem 1rem; background:#111827; color:#fff; }
header.top a { color:#fff; text-decoration:none; }
header.top .brand { font-weight:600; margin-right:auto; }
header.top form { margin:0; }
header.top .badge { color:var(--fg); }
nav.side { display:flex; flex-wrap:wrap; gap:.25rem; padding:.5rem 1rem; background:#fff; border-bottom:1px solid var(--line); overflow-x:auto; }
nav.side a { padding:.3rem .6rem; border-radius:6px; text-decoration:none; color:var(--fg); white-space:nowrap; }
nav.side a.active { background:#e8eefc; color:var(--accent); font-weight:600; }
main { padding:1rem; max-width:1200px; margin:0 auto; }
h1 { font-size:1.4rem; margin:.2rem 0 1rem; }
h2 { font-size:1.1rem; margin:1.4rem 0 .6rem; }
.card { background:var(--card); border:1px solid var(--line); border-radius:10px; padding:1rem; margin-bottom:1rem; overflow-x:auto; }
.grid { display:grid; grid-template-columns:repeat(auto-fill, minmax(220px, 1fr)); gap:1rem; }
.kpi .label { color:var(--muted); font-size:.85rem; }
.kpi .value { font-size:1.5rem; font-weight:600; }
table { border-collapse:collapse; width:100%; font-size:.9rem; }
th, td { text-align:left; padding:.45rem .5rem; border-bottom:1px solid var(--line); vertical-align:top; }
th { color:var(--muted); font-weight:600; white-space:nowrap; }
dl.facts { display:grid; grid-template-columns:max-content 1fr; gap:.3rem 1rem; margin:0; }
dl.facts dt { color:var(--muted); }
dl.facts dd { margin:0; overflow-wrap:anywhere; }
.badge { display:inline-block; padding:.05rem .5rem; border-radius:999px; font-size:.8rem; background:#eef0f3; }
.badge.ok { background:#dcfae6; color:var(--ok); } .badge.warn { background:#fef0c7; color:var(--warn); } .badge.bad { background:#fee4e2; color:var(--danger); }
.flash { padding:.6rem .8rem; border-radius:8px; margin-bottom:1rem; }
.flash.error { background:#fee4e2; color:var(--danger); } .flash.notice { background:#dcfae6; color:var(--ok); }
form.inline { display:inline; }
.actions { display:flex; flex-wrap:wrap; gap:.5rem; margin:.5rem 0 1rem; }
button, .button { font:inherit; padding:.4rem .8rem; border-radius:6px; border:1px solid var(--accent); background:var(--accent); color:#fff; cursor:pointer; text-decoration:none; display:inline-block; }
button.secondary { background:#fff; color:var(--accent); }
button.danger { background:var(--danger); border-color:var(--danger); }
header.top button { background:transparent; border-color:#6b7280; }
label { display:block; margin:.4rem 0 .2rem; color:var(--muted); font-size:.85rem; }
input, select, textarea { font:inherit; padding:.4rem .5rem; border:1px solid var(--line); border-radius:6px; width:100%; max-width:28rem; background:#fff; }
form.filters { display:flex; flex-wrap:wrap; gap:.5rem; align-items:end; margin-bottom:1rem; }
form.filters input, form.filters select { width:auto; }
pre.json { background:#0f172a; color:#e2e8f0; padding:.8rem; border-radius:8px; overflow-x:auto; font-size:.8rem; }
.muted { color:var(--muted); }
.pager { display:flex; gap:1rem; margin-top:.8rem; }
.chart { width:100%; min-height:220px; }
ol.timeline { list-style:none; padding:0; margin:0; }
ol.timeline li { padding:.4rem 0; border-bottom:1px solid var(--line); }
.login { max-width:360px; margin:4rem auto; }
@media (max-width: 640px) { main { padding:.6rem; } th, td { padding:.35rem .3rem; } .kpi .value { font-size:1.2rem; } }
`;

/**
 * Renders every `<script type="application/json" data-chart>` as a uPlot chart (the data is
 * `{ title, labels: [x…], series: [{ label, values: [y…] }] }`, x in epoch seconds), and keeps
 * charts and htmx swaps working after fragments are replaced.
 */
export const ADMIN_JS = `
(function () {
  var palette = ['#2457c5', '#067647', '#b54708', '#b42318', '#7a5af8', '#0e9384'];
  function render(root) {
    if (typeof uPlot === 'undefined') return;
    root.querySelectorAll('script[data-chart]').forEach(function (node) {
      if (node.dataset.rendered) return;
      node.dataset.rendered = '1';
      var spec = JSON.parse(node.textContent);
      var target = document.createElement('div');
      target.className = 'chart';
      node.after(target);
      var width = Math.max(280, target.clientWidth || node.parentElement.clientWidth || 600);
      var series = [{}].concat(spec.series.map(function (s, i) {
        return { label: s.label, stroke: palette[i % palette.length], width: 2, fill: spec.bars ? palette[i % palette.length] + '55' : undefined,
          paths: spec.bars && uPlot.paths && uPlot.paths.bars ? uPlot.paths.bars({ size: [0.6, 40] }) : undefined };
      }));
      var data = [spec.labels].concat(spec.series.map(function (s) { return s.values; }));
      new uPlot({ title: spec.title, width: width, height: 220, series: series, scales: { x: { time: spec.time !== false } } }, data, target);
    });
  }
  document.addEventListener('DOMContentLoaded', function () { render(document); });
  document.addEventListener('htmx:afterSettle', function (event) { render(event.target); });
})();
`;
