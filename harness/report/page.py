"""One self-contained HTML page: tests, their run lanes, the coverage table.

Nothing is fetched: the styles and the script are inline, and the data the script draws the
lanes from is embedded as JSON. The page's script marks ``<body data-rendered="true">`` and
fills ``#lane-count`` once every lane is drawn (what the browser test waits for).
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence

from harness.core.coverage import Coverage, summarise
from harness.report.lanes import TestEntry

__all__ = ["render_page"]

_STYLE = """
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.6em}
.test{border-left:4px solid #8c8;padding:.3em .8em;margin:.8em 0}
.test.failed,.test.error{border-color:#d55}.test.skipped{border-color:#bbb}
.test h3{font-size:1em;margin:.2em 0}.outcome{font-weight:normal;color:#666}
pre{background:#f6f6f6;padding:.4em;overflow:auto;max-height:12em}
.lane{display:flex;align-items:center;margin:.25em 0}
.run-id{font:12px monospace;width:17em;flex:none;color:#555}
.track{display:flex;flex:1;min-width:0}
.segment{position:relative;padding:.15em .4em;margin-right:2px;border-radius:3px;
 white-space:nowrap;overflow:hidden;text-overflow:ellipsis;font-size:12px;min-width:3.5em}
.segment.unseen{background:#fff!important;border:2px dashed #999;color:#666}
.s-queued{background:#dde}.s-in_progress{background:#bdf}.s-requires_action{background:#fd8}
.s-cancelling{background:#ebc}.s-completed{background:#9d9}.s-failed{background:#f99}
.s-cancelled{background:#ccc}.s-expired{background:#db9}.s-incomplete{background:#fc9}
.mark{display:inline-block;margin-right:.3em;font-weight:bold}
.mark-fault{color:#a00}.mark-violation{color:#c50}.mark-tool_calls{color:#05a}
.test-marks{font-size:12px;color:#a00}
table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:.2em .5em;
 vertical-align:top;text-align:left}td.missed{color:#a00;font-size:12px}
"""

_SCRIPT = r"""
(function(){
  var data = JSON.parse(document.getElementById('harness-data').textContent);
  var glyph = {fault:'\u26a1', violation:'\u26a0', tool_calls:'\u2692'};
  function mark(m){
    var el = document.createElement('span');
    el.className = 'mark mark-' + m[1];
    el.textContent = glyph[m[1]] || '*';
    el.title = m[1] + ': ' + m[2];
    return el;
  }
  var drawn = 0;
  data.forEach(function(test, index){
    var box = document.querySelector('.lanes[data-test="' + index + '"]');
    if (!box) return;
    test.lanes.forEach(function(lane){
      var row = document.createElement('div');
      row.className = 'lane';
      row.dataset.run = lane.run_id;
      var label = document.createElement('span');
      label.className = 'run-id';
      label.textContent = lane.run_id;
      row.appendChild(label);
      var track = document.createElement('div');
      track.className = 'track';
      var start = 0, marks = lane.marks.slice();
      lane.segments.forEach(function(seg, n){
        var el = document.createElement('span');
        el.className = 'segment s-' + seg[0] + (seg[2] ? '' : ' unseen');
        el.dataset.status = seg[0];
        el.style.flexGrow = String(1 + Math.log2(seg[1]));
        var end = start + seg[1], last = n === lane.segments.length - 1;
        marks = marks.filter(function(m){
          if (m[0] < end || last) { el.appendChild(mark(m)); return false; }
          return true;
        });
        var text = seg[0] + (seg[1] > 1 ? ' \u00d7' + seg[1] : '') + (seg[2] ? '' : ' (unseen)');
        el.appendChild(document.createTextNode(text));
        el.title = text;
        track.appendChild(el);
        start = end;
      });
      row.appendChild(track);
      box.appendChild(row);
      drawn += 1;
    });
  });
  document.getElementById('lane-count').textContent = drawn + ' run lane(s) drawn';
  document.body.dataset.rendered = 'true';
})();
"""


def render_page(title: str, tests: Sequence[TestEntry], *, coverage: Coverage | None = None) -> str:
    """The whole page as text."""
    failed = sum(1 for test in tests if test.outcome in ("failed", "error"))
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head>",
        "<body>",
        f"<h1>{html.escape(title)}</h1>",
        f'<p>{len(tests)} test(s), {failed} failed; <span id="lane-count">'
        "lanes need JavaScript</span>. Legend: \u2692 tool calls, \u26a1 fault, "
        "\u26a0 contract violation; a dashed status is one the client never saw.</p>",
    ]
    if coverage is not None:
        parts.append(_coverage_table(coverage))
    parts.append("<h2>Tests</h2>")
    for index, test in enumerate(tests):
        parts.append(_test_section(index, test))
    data = [{"lanes": [lane.as_json() for lane in test.lanes]} for test in tests]
    payload = json.dumps(data, ensure_ascii=True).replace("<", "\\u003c")
    parts.append(f'<script type="application/json" id="harness-data">{payload}</script>')
    parts.append(f"<script>{_SCRIPT}</script>")
    parts.append("</body></html>")
    return "\n".join(parts)


def _test_section(index: int, test: TestEntry) -> str:
    outcome = html.escape(test.outcome)
    lines = [
        f'<section class="test {outcome}" data-outcome="{outcome}">',
        f'<h3>{html.escape(test.name)} <span class="outcome">{outcome}</span></h3>',
    ]
    for label, href in test.links:
        lines.append(
            f'<p>counterexample: <a class="counterexample" href="{html.escape(href)}">'
            f"{html.escape(label)}</a></p>"
        )
    if test.message:
        lines.append(f"<pre>{html.escape(test.message)}</pre>")
    if test.marks:
        lines.append(
            '<div class="test-marks">'
            + "<br>".join(html.escape(f"{m.kind}: {m.text}") for m in test.marks)
            + "</div>"
        )
    lines.append(f'<div class="lanes" data-test="{index}"></div>')
    lines.append("</section>")
    return "\n".join(lines)


def _coverage_table(coverage: Coverage) -> str:
    summaries, percent = summarise(coverage)
    rows = [
        f'<h2>Lifecycle coverage: <span id="coverage-total">{percent:.0f}%</span></h2>',
        '<table id="coverage"><tr><th>dimension</th><th>met</th><th>never met</th></tr>',
    ]
    for summary in summaries:
        met = f"{len(summary.met)}/{summary.total}" if summary.total else str(len(summary.extra))
        missed = ", ".join(summary.missed)
        if summary.extra:
            missed += (" — also met: " if missed else "met: ") + ", ".join(summary.extra)
        rows.append(
            f'<tr data-dimension="{summary.dimension}"><td>{summary.dimension}</td>'
            f'<td>{met}</td><td class="missed">{html.escape(missed)}</td></tr>'
        )
    rows.append("</table>")
    return "\n".join(rows)
