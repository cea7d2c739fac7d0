"""The monitoring page through AppTest: empty state, and KPIs that match `contractgen metrics --json`."""

import json
import os
import subprocess
import sys

from streamlit.testing.v1 import AppTest

from contractgen.generation import manager
from contractgen.simulate import simulate

from support import ROOT


def monitoring():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.switch_page("views/monitoring.py").run()
    assert not at.exception, at.exception
    return at


def test_empty_database_gets_a_friendly_empty_state():
    at = monitoring()
    assert "No generations yet" in at.info[0].value
    assert "contractgen simulate" in at.info[0].value


def test_kpis_match_the_cli_and_charts_are_drawn():
    simulate(manager().store, 12, 0.5, ["stream", "chunks", "sections"], 3)
    at = monitoring()
    shown = {m.label: m.value for m in at.metric}
    cli = subprocess.run([sys.executable, "-m", "contractgen", "metrics", "--json"], capture_output=True, text=True,
                         cwd=ROOT, env=os.environ, timeout=60)
    assert cli.returncode == 0, cli.stderr
    k = json.loads(cli.stdout)
    assert shown["Documents"] == f"{k['documents']:,}" == "12"
    assert shown["Fault rate"] == f"{k['fault_rate']:.1%}"
    # The timeout rate counts timeouts only, not every kind of fault (simulate injects six kinds).
    assert shown["Timeout rate"] == f"{k['fault_rate_by_kind']['timeout']:.1%}"
    assert k["fault_rate_by_kind"]["timeout"] < k["fault_rate"]
    assert shown["Resume success"] == (f"{k['resume_success_rate']:.1%}" if k["resume_success_rate"] is not None else "–")
    assert shown["Recovery rate"] == (f"{k['recovery_rate']:.1%}" if k["recovery_rate"] is not None else "–")
    # Seven charts, and the seams chart once resumes have joined text.
    assert [c.key for c in at.get("plotly_chart")].count("chart-seams") == 1 and len(at.get("plotly_chart")) == 8
    # Every KPI carries its one-line definition (shown on hover).
    assert len(at.metric) == 10 and all(m.proto.help for m in at.metric)
    # Tables speak in words: no raw column names.
    for frame in at.dataframe:
        assert not [c for c in frame.value.columns if "_" in c or c != c.strip()], list(frame.value.columns)
    from contractgen import metrics
    seams = metrics.seam_quality(manager().store)
    assert seams["seams"] > 0
    assert any(c.value.startswith(f"Seams: {seams['seams']:,} ") for c in at.caption)
    assert at.get("download_button")[0].label.startswith("Download CSV")


def test_filters_narrow_the_figures():
    simulate(manager().store, 9, 0.0, ["stream", "sections"], 4)
    at = monitoring()
    at.multiselect(key="f_mode").set_value(["sections"]).run()
    assert not at.exception
    shown = {m.label: m.value for m in at.metric}
    from contractgen import metrics
    expected = metrics.kpis(manager().store, metrics.Filters(modes=("sections",)))["documents"]
    assert 0 < expected < 9 and shown["Documents"] == str(expected)


def test_short_ranges_get_hour_ticks_never_milliseconds():
    from contractgen_ui import charts

    one = [{"bucket": 1_790_000_000 // 3600 * 3600.0, "start": "2026-09-21T14:00:00Z", "documents": 1, "faults": 1,
            "faults_timeout": 1, "resume_attempts": 1, "resume_successes": 1, "resume_success_rate": 1.0}]
    fig = charts.faults_over_time(one, "hour")
    axis = fig.layout.xaxis
    assert axis.tickformat == "%b %-d, %H:%M" and axis.dtick == 3_600_000  # one tick per hour
    assert fig.data[0].name == "Timeout"  # the kind in words
    month = [{**one[0], "bucket": one[0]["bucket"] + i * 86400.0} for i in range(30)]
    axis = charts.faults_over_time(month, "day").layout.xaxis
    assert axis.tickformat == "%b %-d" and axis.dtick == 2 * 86_400_000  # a date every other day: 15 labels
