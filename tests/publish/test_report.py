"""End to end: build_report on the worked example, once per module, and what a reader gets."""

from __future__ import annotations

import dataclasses
import html
import json
import re
import resource
import shutil
import signal
import subprocess
import sys
from datetime import UTC, datetime
from html.parser import HTMLParser
from importlib.metadata import version
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

import slanb
from slanb.cli import main
from slanb.engine.month import compute
from slanb.errors import SlanbError
from slanb.params import Params, load_params
from slanb.publish import report
from slanb.publish.report import build_report
from slanb.store.demo import build_demo
from slanb.views.sentences import summary as words_and_numbers
from tests.conftest import write_history
from tests.fixtures import worked_example

ROOT = Path(__file__).resolve().parents[2]
PAGES = [p.stem for p in sorted((ROOT / "notebooks").glob("*.ipynb"))]
REMOTE = re.compile(
    r"<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)\s*=\s*[\"']?(?:https?:)?//", re.I
)


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("report") / "worked_example.duckdb"
    return write_history(path, worked_example.tables(), exported_at="2026-11-01 00:00:00")


# A params file as run-monthly reads it: notebook parameters and delivery settings side by side.
DELIVERY = """\
recipients:
  leadership: [ceo@leak-check.example]
smtp_host: smtp.leak-check.example
smtp_user: leak-check-login
mail_from: sla@leak-check.example
"""


@pytest.fixture(scope="module")
def built(db, tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    file = tmp_path_factory.mktemp("params") / "acme.yaml"
    file.write_text(f"db: {db}\n{DELIVERY}", "utf-8")
    said: list[str] = []
    result = build_report(load_params(file), out=out, progress=said.append)
    return result, out, said


def test_no_delivery_setting_reaches_summary_json_a_page_or_a_notebook(built):
    """docs/reliability.md §5: a report built from a params file with delivery settings in it."""
    result, _, _ = built
    for path in result.folder.iterdir():
        text = path.read_text(encoding="utf-8")
        assert "leak-check" not in text, path.name
    summary = json.loads(result.summary.read_text(encoding="utf-8"))
    assert not {"recipients", "smtp_host", "smtp_user", "mail_from"} & set(summary["params"])


def test_report_folder_holds_every_page_and_nothing_else(built):
    result, out, said = built
    assert result.month == "2026-10"
    assert result.folder == out / "2026-10"
    assert sorted(p.name for p in out.iterdir()) == ["2026-10"]  # no temp or failed folders
    names = {p.name for p in result.folder.iterdir()}
    assert names == {"index.html", "summary.json"} | {
        f"{n}.{ext}" for n in PAGES for ext in ("html", "ipynb")
    }
    assert [r.status for r in result.notebooks] == ["ok"] * len(PAGES)
    assert "running 02_revenue_per_mql …" in said


def test_summary_json_is_the_engine_plan_for_the_same_params(built, db):
    result, _, _ = built
    summary = json.loads(result.summary.read_text(encoding="utf-8"))
    engine = compute(Params(db=str(db), month="2026-10"))
    extra = {k: summary.pop(k) for k in ("params", "run_at", "version")}
    assert summary == json.loads(json.dumps(words_and_numbers(engine)))
    assert summary["goal"]["mqls"] == 750
    assert summary["revenue_per_mql"]["value"] == 100.0
    assert summary["cross_check"]["ratio"] == 1.04
    assert summary["cross_check"]["verdict"] == "realistic"
    assert extra["version"] == slanb.__version__
    assert extra["params"]["month"] == "2026-10"
    assert extra["params"]["db"] == str(db.resolve())
    assert extra["params"]["marketing_share"] == 0.75


def test_executed_notebooks_ran_on_the_resolved_month_and_absolute_db(built, db):
    result, _, _ = built
    nb = nbformat.read(result.folder / "02_revenue_per_mql.ipynb", as_version=4)
    injected = next(c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", []))
    assert 'month = "2026-10"' in injected.source
    assert f'db = "{db.resolve()}"' in injected.source


def test_headline_numbers_are_on_the_summary_page_and_the_index(built):
    result, _, _ = built
    summary_page = (result.folder / "00_sla_summary.html").read_text(encoding="utf-8")
    index = result.index.read_text(encoding="utf-8")
    headline = "Marketing must deliver 750 MQLs ($75,000 of lead value) in October 2026."
    for page in (summary_page, index):
        assert html.escape(headline, quote=False) in page
        assert "750 MQLs" in page and "$75,000" in page
    for name in PAGES:
        assert f'href="{name}.html"' in index
    assert "$100 per MQL" in index and "Realistic (ratio 1.04)" in index


def test_the_scorecard_is_step_6_and_the_summary_carries_its_headline(built):
    result, _, _ = built
    index = result.index.read_text(encoding="utf-8")
    summary_page = (result.folder / "00_sla_summary.html").read_text(encoding="utf-8")
    scorecard = (result.folder / "06_sla_scorecard.html").read_text(encoding="utf-8")
    # the worked example has no October MQLs and no activities: nothing delivered, nothing judged
    tracking = (
        "Marketing delivered 0 of 750 MQLs (0%, $0 of $75,000 lead value); no MQL has reached "
        "its 24 h first-touch deadline yet; no rep is on the dashboard."
    )
    row = re.search(r'<a href="06_sla_scorecard.html">([^<]*)</a></td>\s*<td[^>]*>([^<]*)<', index)
    assert row and row.groups() == (
        "Step 6: The SLA scorecard",
        "0% of the MQL goal delivered · no rep on the dashboard",
    )
    for page in (index, summary_page, scorecard):
        assert html.escape(tracking, quote=False) in page
    assert (
        "How October 2026 went" in summary_page and 'href="06_sla_scorecard.html"' in summary_page
    )
    assert ">6 Scorecard</a>" in summary_page  # every page's navigation has the new step
    assert "MQLs delivered" in scorecard and "Where the lead value came from" in scorecard


def test_pages_are_self_contained_no_remote_scripts_or_stylesheets(built):
    result, _, _ = built
    for page in result.folder.glob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert not REMOTE.search(text), f"{page.name} loads something from the network"
        if page.name != "index.html":
            # the Vega bundle once per page, and the preset that stops Altair fetching it again
            assert text.count("window.vegaEmbed=") == 1, page.name
            assert '"vegalite_version": "' in text


def test_pages_show_no_code_and_no_parameters_cells(built):
    result, _, _ = built
    for name in PAGES:
        page = (result.folder / f"{name}.html").read_text(encoding="utf-8")
        source = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
        for cell in source.cells:
            if cell.cell_type != "code":
                continue
            for line in cell.source.splitlines():
                line = line.strip()
                if len(line) >= 15:
                    assert line not in page and html.escape(line) not in page, (name, line)
        assert "celltag_parameters" not in page and "celltag_injected-parameters" not in page
        assert "hl-ipython3" not in page  # nbconvert's wrapper of highlighted code


def test_charts_are_in_the_pages(built):
    result, _, _ = built
    page = (result.folder / "02_revenue_per_mql.html").read_text(encoding="utf-8")
    assert page.count('class="vega-embed"') + page.count("altair-viz-") >= 3
    assert "The sample window" in page and "Revenue per MQL by month of MQL" in page


def _broken_notebooks(folder: Path) -> Path:
    folder.mkdir()
    nb = new_notebook(
        cells=[
            new_markdown_cell("# Broken"),
            new_code_cell("month = None  # SLA month", metadata={"tags": ["parameters"]}),
            new_code_cell('raise ValueError("the broken step")'),
        ]
    )
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, folder / "01_broken.ipynb")
    return folder


def test_a_page_is_as_nbconvert_renders_it_with_the_bundle(built):
    """render_html puts the Vega bundle in after nbconvert: byte for byte the page it would make."""
    result, _, _ = built
    page = report._page_context(result.sla, datetime(2026, 11, 1, tzinfo=UTC), _books(), "")
    page["vega_bundle"] = report._vega_bundle()
    executed = result.folder / "02_revenue_per_mql.ipynb"
    ours = report.render_html(nbformat.read(executed, as_version=4), page, name=executed.stem)
    nb = nbformat.read(executed, as_version=4)
    nb.metadata["title"] = f"Step 2: Expected revenue per MQL: {page['month_label']}"
    whole, _ = report._exporter().from_notebook_node(
        nb, resources={"slanb": {**page, "current": executed.stem}}
    )
    assert ours == whole
    assert ours.count(page["vega_bundle"]) == 1 and report._BUNDLE_HERE not in ours


def _books() -> list[Path]:
    return sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def test_a_failing_notebook_keeps_the_previous_report(built, db, tmp_path):
    result, out, _ = built
    out2 = tmp_path / "reports"
    shutil.copytree(out, out2)
    before = (out2 / "2026-10" / "summary.json").read_bytes()
    with pytest.raises(SlanbError) as err:
        build_report(
            Params(db=str(db)),
            out=out2,
            notebooks_dir=_broken_notebooks(tmp_path / "nbs"),
            progress=lambda _: None,
        )
    text = str(err.value)
    assert "01_broken" in text and "ValueError: the broken step" in text
    assert 'In [3] (`raise ValueError("the broken step")`)' in text
    failed = out2 / ".failed" / "2026-10" / "01_broken.ipynb"
    assert str(failed) in text
    assert failed.with_suffix(".kernel.log").exists()  # the kernel's own output, for debugging
    outputs = [o for c in nbformat.read(failed, as_version=4).cells for o in c.get("outputs", [])]
    assert any(o.get("ename") == "ValueError" for o in outputs)
    assert (out2 / "2026-10" / "summary.json").read_bytes() == before
    assert sorted(p.name for p in out2.iterdir()) == [".failed", "2026-10"]


def test_a_bad_month_writes_nothing(db, tmp_path):
    out = tmp_path / "reports"
    assert main(["report", "--month", "2026-13", "--db", str(db), "--out", str(out)]) == 1
    with pytest.raises(SlanbError, match="YYYY-MM"):
        build_report(Params(db=str(db), month="../../etc"), out=out, progress=lambda _: None)
    assert not out.exists()


def test_a_full_disk_while_writing_keeps_the_previous_report(built, db, tmp_path):
    """A file-size limit (as a full disk would) stops the pages being written: clear error, old report."""
    _, out, _ = built
    previous = tmp_path / "reports"
    shutil.copytree(out, previous)
    before = (previous / "2026-10" / "summary.json").read_bytes()

    def limit() -> None:  # the child's writes past 300 kB fail with EFBIG instead of killing it
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (300_000, 300_000))

    slanb = Path(sys.executable).with_name("slanb")
    run = subprocess.run(
        [str(slanb), "report", "--db", str(db), "--out", str(previous)],
        preexec_fn=limit,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert run.returncode == 1
    assert run.stderr.strip().splitlines() == [
        f"slanb report: error: Cannot write the October 2026 report into {previous}: File too "
        "large (a full disk or a file-size limit?). Free some space and run `slanb report` again; "
        "the previous report was left in place."
    ]
    assert (previous / "2026-10" / "summary.json").read_bytes() == before
    assert sorted(p.name for p in previous.iterdir()) == ["2026-10"]  # no build folder left


# ---- one plan per report ------------------------------------------------------------------------
RUN_AT = re.compile(r"Run \d{4}-\d\d-\d\d \d\d:\d\d UTC")


def _visible_text(page: Path) -> list[str]:
    """What a reader sees of a page: its text outside scripts and styles, the run time blanked."""

    class Text(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.parts: list[str] = []
            self.hidden = 0

        def handle_starttag(self, tag: str, attrs: object) -> None:
            self.hidden += tag in ("script", "style")

        def handle_endtag(self, tag: str) -> None:
            self.hidden -= tag in ("script", "style")

        def handle_data(self, data: str) -> None:
            if not self.hidden and data.strip():
                self.parts.append(RUN_AT.sub("Run …", data.strip()))

    parser = Text()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.parts


def _chart_specs(page: Path) -> list[str]:
    """The Vega-Lite specs a page embeds, without the ids Altair makes up for each display."""
    text = page.read_text(encoding="utf-8")
    specs = re.findall(r"^  \}\)\((\{.*\})\);$", text, re.M)  # Altair's (function(spec, …){…})(…);
    return [re.sub(r"altair-viz-[0-9a-f]+", "altair-viz", s) for s in specs]


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    """The default demo history (about 1,000 MQLs a month), as `make report` builds it."""
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    build_demo(path, seed=7, end="2026-10")
    return path


def test_pages_read_as_when_every_notebook_computes_the_month_itself(demo, tmp_path):
    """On the demo: one plan handed to reused kernels, against a kernel per notebook computing it."""
    params = Params(db=str(demo))
    ours = build_report(params, out=tmp_path / "ours", progress=lambda _: None)
    alone = build_report(params, out=tmp_path / "alone", progress=lambda _: None, isolated=True)
    for name in [*PAGES, "index"]:
        page, theirs = ours.folder / f"{name}.html", alone.folder / f"{name}.html"
        assert _visible_text(page) == _visible_text(theirs), name
        assert _chart_specs(page) == _chart_specs(theirs), name
    assert len(_chart_specs(ours.folder / "02_revenue_per_mql.html")) == 4  # the specs were found
    assert "Step 2: Expected revenue per MQL" in _visible_text(
        ours.folder / "02_revenue_per_mql.html"
    )
    mine, theirs = (json.loads(r.summary.read_text(encoding="utf-8")) for r in (ours, alone))
    assert {**mine, "run_at": None} == {**theirs, "run_at": None}
    assert mine["goal"]["mqls"] > 0


def _probe_notebooks(folder: Path) -> Path:
    """One notebook printing the month's goal and how long its computation took."""
    folder.mkdir()
    nb = new_notebook(
        cells=[
            new_markdown_cell("# Probe"),
            new_code_cell('db: str = ""  # history', metadata={"tags": ["parameters"]}),
            new_code_cell("import slanb\n\nsla = slanb.compute(slanb.params_from(globals()))"),
            new_code_cell("print(sla.plan.goal.mqls, sla.seconds)"),
        ]
    )
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, folder / "01_probe.ipynb")
    return folder


def _printed(folder: Path, name: str) -> str:
    nb = nbformat.read(folder / f"{name}.ipynb", as_version=4)
    return "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))


@pytest.mark.parametrize("key", ["the notebook's", "other params'"])
def test_the_kernels_take_the_handed_over_month_only_under_their_own_key(
    db, tmp_path, monkeypatch, key
):
    """The handover carries seconds=123.0, which no computation gives: printed, it was used.

    Written under the key of marketing_share 0.5 instead, the notebook (marketing_share 0.75)
    computes the month itself: 750 MQLs, in some other number of seconds.
    """
    real = report._hand_over

    def doctored(sla, tmp, *, files):
        sla = dataclasses.replace(sla, seconds=123.0)
        if key == "other params'":
            other = sla.params.replace(marketing_share=0.5)
            sla = dataclasses.replace(sla, plan=dataclasses.replace(sla.plan, params=other))
        return real(sla, tmp, files=files)

    monkeypatch.setattr(report, "_hand_over", doctored)
    result = build_report(
        Params(db=str(db)),
        out=tmp_path / "reports",
        notebooks_dir=_probe_notebooks(tmp_path / "nbs"),
        progress=lambda _: None,
    )
    printed = _printed(result.folder, "01_probe").split()
    assert printed[0] == "750"
    assert (printed[1] == "123.0") is (key == "the notebook's")
    assert not list(result.folder.glob(".handover*"))


def _one_cell_notebooks(folder: Path, books: list[tuple[str, str]]) -> Path:
    """A notebook per (name, code): a title, a parameters cell (month) and the code, in ``folder``."""
    folder.mkdir()
    for name, code in books:
        nb = new_notebook(
            cells=[
                new_markdown_cell(f"# {name}"),
                new_code_cell("month = None  # SLA month", metadata={"tags": ["parameters"]}),
                new_code_cell(code),
            ]
        )
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "P", "language": "python"}
        nbformat.write(nb, folder / f"{name}.ipynb")
    return folder


def _report_error(db: Path, tmp_path: Path, folder: Path, **options: int) -> str:
    """The error of a report built from ``folder`` (which must fail)."""
    with pytest.raises(SlanbError) as err:
        build_report(
            Params(db=str(db)),
            out=tmp_path / "reports",
            notebooks_dir=folder,
            progress=lambda _: None,
            **options,
        )
    return str(err.value)


def test_a_reused_kernel_starts_each_notebook_empty_and_counts_its_cells_from_1(db, tmp_path):
    """One kernel (workers=1) runs 01, then 02: 02 sees none of 01's variables, its cell 3 is In [3]."""
    folder = _one_cell_notebooks(
        tmp_path / "nbs",
        [
            ("01_sets", "leftover = 1"),
            ("02_looks", "raise ValueError(f\"leftover seen: {'leftover' in globals()}\")"),
        ],
    )
    error = _report_error(db, tmp_path, folder, workers=1)
    assert "notebook 02_looks failed in cell In [3]" in error
    assert "ValueError: leftover seen: False" in error


def test_a_kernel_started_early_starts_its_first_notebook_empty(db, tmp_path):
    """The kernel imported slanb before 01 (its warm-up): 01 sees no name of it, counts from 1."""
    code = (
        "import sys\n\nseen = sorted({'slanb', 'os'} & set(globals()))\n"
        "raise ValueError(f\"{seen}, {'slanb.views.charts' in sys.modules}\")"
    )
    folder = _one_cell_notebooks(tmp_path / "nbs", [("01_looks", code)])
    error = _report_error(db, tmp_path, folder)
    assert "notebook 01_looks failed in cell In [3]" in error  # injected params: In [2]
    assert "ValueError: [], True" in error  # the modules imported, no name left


def test_the_report_module_imports_nothing_heavy_until_it_builds(tmp_path):
    """Kernels start first: papermill, nbconvert, Altair and the engine come after (~1.3 CPU s)."""
    code = (
        "import sys; import slanb.publish.segments, slanb.publish.report; "
        "print(sorted({'papermill', 'nbconvert', 'altair', 'vl_convert', 'jupyter_client', "
        "'polars', 'duckdb', 'nbformat', 'slanb.engine.month'} & set(sys.modules)))"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "[]"


def test_a_kernel_that_dies_is_replaced_for_the_next_notebook(db, tmp_path):
    """01 kills its kernel (workers=1): 02 still runs, on a new one; the error names 01's log."""
    folder = _one_cell_notebooks(
        tmp_path / "nbs", [("01_dies", "import os\n\nos._exit(1)"), ("02_fine", "print('fine')")]
    )
    said: list[str] = []
    out = tmp_path / "reports"
    with pytest.raises(SlanbError) as err:
        build_report(
            Params(db=str(db)), out=out, notebooks_dir=folder, progress=said.append, workers=1
        )
    log = out / ".failed" / "2026-10" / "01_dies.kernel.log"
    assert str(err.value) == (
        "notebook 01_dies failed in its kernel (DeadKernelError: Kernel died). Its kernel's "
        f"output is {log}; the previous report was left in place."
    )
    assert log.exists()
    assert "done 02_fine" in " ".join(said)


def test_the_vega_bundle_is_made_once_and_kept_in_the_cache(tmp_path, monkeypatch):
    """Bundling costs vl-convert ~2.3 CPU s: the second report reads it from $XDG_CACHE_HOME/slanb.

    Kept with Altair's Vega versions, so that a report whose bundle is kept imports neither
    vl-convert nor Altair; named for the installed vl-convert and Altair.
    """
    import altair as alt
    import vl_convert

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    report._vega.cache_clear()
    made = report._vega_bundle()
    kept = list((tmp_path / "slanb").glob("vega-bundle-*-altair-*.json"))
    assert [k.name for k in kept] == [
        f"vega-bundle-{version('vl-convert-python')}-altair-{version('altair')}.json"
    ]
    assert json.loads(kept[0].read_text(encoding="utf-8"))["bundle"] == made
    assert "vegaEmbed" in made
    assert json.loads(report._vega_debug()) == {
        "vega_version": alt.VEGA_VERSION,
        "vegalite_version": alt.VEGALITE_VERSION,
        "vegaembed_version": alt.VEGAEMBED_VERSION,
    }

    def no_bundling(**_: object) -> str:
        raise AssertionError("bundled again")

    monkeypatch.setattr(vl_convert, "javascript_bundle", no_bundling)
    report._vega.cache_clear()
    assert report._vega_bundle() == made
    report._vega.cache_clear()
