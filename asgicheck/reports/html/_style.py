"""The report's stylesheet, inlined in the page: system fonts only, nothing fetched."""

from __future__ import annotations

__all__ = ["CSS"]

CSS = """
:root {
  --text: #1f2328; --muted: #59636e; --line: #d1d9e0; --soft: #f6f8fa; --page: #ffffff;
  --accent: #0b57d0;
  --failed: #b42318; --failed-bg: #fef3f2; --failed-line: #fda29b;
  --warned: #93370d; --warned-bg: #fffaeb; --warned-line: #fec84b;
  --passed: #067647; --passed-bg: #ecfdf3; --passed-line: #75e0a7;
  --skipped: #475467; --skipped-bg: #f2f4f7; --skipped-line: #d0d5dd;
  --xfailed: #6941c6; --xfailed-bg: #f4f3ff; --xfailed-line: #bdb4fe;
  --sans: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans",
          "Helvetica Neue", Arial, sans-serif;
  --mono: ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono",
          "Liberation Mono", monospace;
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: var(--soft); color: var(--text); font: 15px/1.5 var(--sans); }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
code, pre, .mono { font-family: var(--mono); font-size: 13px; }
code { overflow-wrap: anywhere; }
h1, h2, h3 { line-height: 1.25; margin: 0; }
h2 { font-size: 20px; margin: 36px 0 12px; }
h3 { font-size: 16px; }
.wrap { max-width: 1200px; margin: 0 auto; padding: 0 24px; }
.muted { color: var(--muted); }

header.top { background: #101828; color: #fff; }
header.top .wrap { display: flex; align-items: center; gap: 16px; min-height: 56px; }
header.top .brand { font-weight: 700; font-size: 18px; letter-spacing: .2px; }
header.top .app { font-family: var(--mono); font-size: 14px; color: #d0d5dd; min-width: 0;
  overflow-wrap: anywhere; }
header.top nav { margin-left: auto; display: flex; gap: 18px; font-size: 14px; }
header.top nav a { color: #d0d5dd; }

.verdict { display: flex; align-items: center; gap: 20px; margin: 24px 0 0; padding: 20px 24px;
  border: 1px solid var(--line); border-left-width: 6px; border-radius: 10px;
  background: var(--page); }
.verdict.failed { border-left-color: var(--failed); }
.verdict.passed { border-left-color: var(--passed); }
.verdict.warned { border-left-color: var(--warned); }
.verdict .word { font-size: 28px; font-weight: 800; letter-spacing: .5px; }
.verdict.failed .word { color: var(--failed); }
.verdict.passed .word { color: var(--passed); }
.verdict.warned .word { color: var(--warned); }
.verdict .counts { display: flex; gap: 22px; margin-left: auto; }
.verdict .count { text-align: right; }
.verdict .count b { display: block; font-size: 24px; line-height: 1.1; }
.verdict .count span { font-size: 12px; text-transform: uppercase; letter-spacing: .6px;
  color: var(--muted); }

.grid { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 16px;
  margin-top: 16px; }
.card { background: var(--page); border: 1px solid var(--line); border-radius: 10px;
  padding: 16px 20px; }
.card h3 { margin-bottom: 10px; }
dl.facts { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: 4px 16px;
  margin: 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }

table { border-collapse: collapse; width: 100%; }
th, td { padding: 6px 10px; text-align: left; vertical-align: top;
  border-bottom: 1px solid var(--line); }
th { font-size: 12px; text-transform: uppercase; letter-spacing: .5px; color: var(--muted);
  font-weight: 600; background: var(--soft); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.total td { font-weight: 700; border-bottom: none; }
td.zero { color: #98a2b3; }
td.n-failed { color: var(--failed); font-weight: 700; }
td.n-warned { color: var(--warned); font-weight: 700; }
td.n-passed { color: var(--passed); }
.bar { display: flex; height: 8px; min-width: 120px; border-radius: 4px; overflow: hidden;
  background: var(--skipped-bg); margin-top: 7px; }
.bar span { display: block; height: 100%; }
.bar .passed { background: var(--passed-line); } .bar .failed { background: var(--failed); }
.bar .warned { background: var(--warned-line); } .bar .skipped { background: var(--line); }
.bar .xfailed { background: var(--xfailed-line); }

.badge { display: inline-block; padding: 1px 8px; border-radius: 999px; font-size: 12px;
  font-weight: 600; line-height: 18px; white-space: nowrap; border: 1px solid transparent;
  font-family: var(--sans); }
a.badge:hover { text-decoration: none; filter: brightness(.95); }
.badge.failed, .badge.error, .badge.MUST { color: var(--failed); background: var(--failed-bg);
  border-color: var(--failed-line); }
.badge.warned, .badge.warning, .badge.SHOULD { color: var(--warned);
  background: var(--warned-bg); border-color: var(--warned-line); }
.badge.passed, .badge.clean { color: var(--passed); background: var(--passed-bg);
  border-color: var(--passed-line); }
.badge.skipped, .badge.info, .badge.MAY, .badge.noted, .badge.unrun { color: var(--skipped);
  background: var(--skipped-bg); border-color: var(--skipped-line); }
.badge.xfailed { color: var(--xfailed); background: var(--xfailed-bg);
  border-color: var(--xfailed-line); }
.badge.rule { font-family: var(--mono); font-size: 11.5px; border-radius: 4px; }
.badge.rule.failed { color: #fff; background: var(--failed); border-color: var(--failed); }
.badge.rule.warned { color: #422006; background: #fdb022; border-color: #fdb022; }

details > summary { cursor: pointer; list-style: none; }
details > summary::-webkit-details-marker { display: none; }
details > summary::before { content: "\\25B8"; display: inline-block; width: 1.1em;
  color: var(--muted); transition: transform .1s; }
details[open] > summary::before { transform: rotate(90deg); }

.finding { background: var(--page); border: 1px solid var(--line); border-left-width: 5px;
  border-radius: 10px; margin: 0 0 16px; }
.finding.failed { border-left-color: var(--failed); }
.finding.warned { border-left-color: var(--warned-line); }
.finding.xfailed { border-left-color: var(--xfailed-line); }
.finding > summary { padding: 14px 18px; display: flex; flex-wrap: wrap; gap: 8px;
  align-items: center; }
.finding > summary .sid { font-family: var(--mono); font-weight: 700; font-size: 14px;
  overflow-wrap: anywhere; min-width: 0; }
.finding > summary .title { color: var(--muted); flex-basis: 100%; padding-left: 1.1em; }
.finding .body { padding: 0 18px 18px; }
.finding h4 { margin: 18px 0 8px; font-size: 13px; text-transform: uppercase;
  letter-spacing: .6px; color: var(--muted); }
ul.violations { list-style: none; padding: 0; margin: 0; }
ul.violations li { padding: 8px 0; border-bottom: 1px dashed var(--line); }
ul.violations li:last-child { border-bottom: none; }
ul.violations .message { font-family: var(--mono); font-size: 13px; overflow-wrap: anywhere; }

.exchange { border: 1px solid var(--line); border-radius: 8px; overflow: hidden;
  margin-bottom: 12px; }
.exchange .head { background: var(--soft); padding: 6px 12px; font-family: var(--mono);
  font-size: 13px; font-weight: 600; border-bottom: 1px solid var(--line);
  overflow-wrap: anywhere; }
.exchange .end.frame { padding-top: 0; padding-left: 28px; }
.exchange .end { padding: 6px 12px; font-family: var(--mono); font-size: 13px;
  color: var(--muted); background: var(--soft); overflow-wrap: anywhere; }
table.timeline td { font-family: var(--mono); font-size: 12.5px; padding: 4px 10px;
  border-bottom: 1px solid #eaecf0; }
table.timeline td.idx, table.timeline td.time { color: var(--muted); white-space: nowrap;
  width: 1%; }
table.timeline td.dir { white-space: nowrap; width: 1%; font-family: var(--sans);
  font-size: 12px; font-weight: 600; }
table.timeline tr.received td.dir { color: #026aa2; }
table.timeline tr.sent td.dir { color: #5925dc; }
table.timeline td.type { width: 1%; font-weight: 600; }
table.timeline td.type span { display: inline-block; max-width: 18em; overflow-wrap: break-word; }
table.timeline td.fields { overflow-wrap: anywhere; word-break: break-word; }
table.timeline td.marks { width: 1%; white-space: nowrap; text-align: right; }
table.timeline tr.note td, table.timeline tr.text td, table.timeline tr.omitted td {
  color: var(--muted); font-style: italic; }
table.timeline tr.offending td { background: var(--failed-bg); }
table.timeline tr.offending td:first-child { box-shadow: inset 4px 0 0 var(--failed); }
table.timeline tr.offending.warned td { background: var(--warned-bg); }
table.timeline tr.offending.warned td:first-child { box-shadow: inset 4px 0 0 #fdb022; }

.rulebox { border: 1px solid var(--line); border-radius: 8px; margin-bottom: 10px; }
.rulebox > summary { padding: 8px 12px; }
.rulebox .inner { padding: 0 14px 12px; }
blockquote.spec { margin: 8px 0; padding: 10px 14px; border-left: 4px solid #98a2b3;
  background: var(--soft); white-space: pre-wrap; font-family: var(--mono); font-size: 12.5px;
  max-height: 320px; overflow: auto; }
pre.code { margin: 6px 0 10px; padding: 10px 14px; background: #0c111d; color: #e4e7ec;
  border-radius: 8px; overflow-x: auto; white-space: pre-wrap; overflow-wrap: anywhere; }
.examples { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 12px; }
.examples .label { font-size: 12px; font-weight: 700; text-transform: uppercase; }
.examples .wrong .label { color: var(--failed); }
.examples .right .label { color: var(--passed); }
.repro pre.code { margin: 4px 0; }

.protocol { background: var(--page); border: 1px solid var(--line); border-radius: 10px;
  margin-bottom: 14px; overflow: hidden; }
.protocol > summary { padding: 12px 16px; font-weight: 700; display: flex; gap: 10px;
  align-items: center; }
.protocol > summary .tally { margin-left: auto; font-weight: 400; font-size: 13px; }
table.matrix td.rule { white-space: nowrap; font-family: var(--mono); font-size: 13px; }
table.matrix td.summary { color: var(--muted); font-size: 13.5px; }
table.matrix td.checked, table.matrix td.level { white-space: nowrap; }
table.matrix tr.failed td { background: var(--failed-bg); }
table.matrix tr.warned td { background: var(--warned-bg); }
table.matrix tr.failed td.rule, table.matrix tr.failed td.rule a { color: var(--failed);
  font-weight: 700; }
table.matrix tr.warned td.rule, table.matrix tr.warned td.rule a { color: var(--warned);
  font-weight: 700; }
.filter { display: inline-flex; gap: 6px; align-items: center; font-size: 14px;
  margin-bottom: 10px; }
body:has(#only-findings:checked) table.matrix tr.clean,
body:has(#only-findings:checked) table.matrix tr.unrun { display: none; }
table.scenarios td.sid { font-family: var(--mono); font-size: 13px; overflow-wrap: anywhere; }
.empty { padding: 18px; background: var(--page); border: 1px dashed var(--line);
  border-radius: 10px; color: var(--muted); }
footer { margin: 40px 0; color: var(--muted); font-size: 13px; }
@media print { details > summary::before { display: none; } header.top nav { display: none; } }
"""
