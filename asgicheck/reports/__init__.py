"""What a run leaves behind: the failure text of an item, the end-of-run summary, the JSON
report (``schema``, documented in docs/json-report.md), the HTML page (``html``, rendered from the
JSON report alone), GitHub Actions annotations (``github``), a fuzzing campaign's progress
and closing summary (``Campaign``), and the shards' reports merged into one
(``merge_reports``).
"""

from __future__ import annotations

from asgicheck.reports._campaign import Campaign
from asgicheck.reports._merge import MergeError, merge_reports
from asgicheck.reports._report import (
    SCHEMA_VERSION,
    format_failure,
    json_report,
    result_record,
    summary_lines,
    write_json,
)

__all__ = ["SCHEMA_VERSION", "Campaign", "MergeError", "format_failure", "json_report",
           "merge_reports", "result_record", "summary_lines", "write_json"]
