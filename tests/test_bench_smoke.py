"""bench/catalogue.py's helpers read wrk's output correctly. No timing is measured here."""

import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"

WRK_WITH_REPORT = """\
Running 10s test @ http://127.0.0.1:40123/courses?q=excel
  2 threads and 4 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    21.33ms    4.22ms  90.37ms   72.60%
    Req/Sec    94.43     14.70   121.00     95.24%
  Latency Distribution
     50%   20.23ms
     75%   23.95ms
     90%   27.82ms
     99%   41.02ms
  1888 requests in 10.01s, 45.89MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 4
Requests/sec:    188.61
Transfer/sec:      4.58MB
BENCH-JSON {"requests": 1888, "duration_us": 10010000, "bytes": 48119414, "p50_us": 20230, \
"p90_us": 27820, "p95_us": 31510, "p99_us": 41020, "max_us": 90371, "mean_us": 21330.6, \
"errors_connect": 0, "errors_read": 2, "errors_write": 0, "errors_status": 4, \
"errors_timeout": 1}
"""

WRK_PLAIN = """\
Running 2s test @ http://127.0.0.1:40123/_bench/control
  1 threads and 2 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   850.00us  300.00us   1.20s    85.09%
    Req/Sec     1.05k   177.07     1.35k    70.00%
  Latency Distribution
     50%  812.00us
     75%    1.05ms
     90%    1.94ms
     99%    1.20s
  2100 requests in 2.00s, 52.70MB read
Requests/sec:   1047.45
Transfer/sec:     26.35MB
"""


def _load(name: str, filename: str):
    """Import a script of bench/ (not a package) by its path."""
    spec = importlib.util.spec_from_file_location(name, BENCH / filename)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def bench():
    yield _load("bench_catalogue", "catalogue.py")
    sys.modules.pop("bench_catalogue", None)


def test_parses_wrk_output_with_the_lua_report(bench):
    result = bench.parse_wrk_output(WRK_WITH_REPORT.replace("\\\n", ""))
    assert result.rps == pytest.approx(188.61)
    assert result.requests == 1888
    assert result.duration_s == pytest.approx(10.01)
    assert result.p50_ms == pytest.approx(20.23)
    assert result.p90_ms == pytest.approx(27.82)
    assert result.p95_ms == pytest.approx(31.51)
    assert result.p99_ms == pytest.approx(41.02)
    assert result.non_2xx == 4
    assert result.socket_errors == 3
    assert result.errors == 7


def test_parses_plain_wrk_output_and_converts_units(bench):
    result = bench.parse_wrk_output(WRK_PLAIN)
    assert result.rps == pytest.approx(1047.45)
    assert result.requests == 2100
    assert result.p50_ms == pytest.approx(0.812)
    assert result.p90_ms == pytest.approx(1.94)
    assert result.p99_ms == pytest.approx(1200.0)
    assert result.p95_ms is None
    assert result.errors == 0


def test_rejects_output_without_figures(bench):
    with pytest.raises(ValueError):
        bench.parse_wrk_output("unable to connect to 127.0.0.1:1 Connection refused\n")


def test_finds_the_stylesheets_a_page_links(bench):
    html = (
        '<head><link rel="icon" href="/static/img/favicon.svg">'
        '<link rel="stylesheet" href="/static/css/site.css"></head>'
    )
    assert bench.stylesheets(html) == ["/static/css/site.css"]


def test_control_page_has_the_requested_size():
    control = _load("bench_control", "control.py")
    for size in (30_000, 24_903):
        document = control.control_document(size)
        assert len(document) == size
        assert document.startswith(b"<!doctype html>")
        assert document.endswith(b"</html>\n")


def test_purchase_benchmark_imports_and_splits_its_cards():
    purchase = _load("bench_purchase", "purchase.py")
    pool = purchase.Pool(1000, [2, 10, 10, 10], 100)
    assert pool.blocks == [(1, 56), (57, 337), (338, 618), (619, 900)]
    assert pool.reserved_from == 901
    assert purchase.LUA.exists()
