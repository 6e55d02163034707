"""bench/certificate.py's helpers: its options, its request list and its section of
bench/RESULTS.md. No server is started and no timing is measured here."""

import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_certificate", BENCH / "certificate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_certificate"] = module
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop("bench_certificate", None)


def test_options_are_bounded_and_the_command_is_printed_whole(bench):
    args = bench.parse_args(["--duration", "2", "--rounds", "1"])
    assert bench.command_line(args) == (
        ".venv/bin/python bench/certificate.py --courses 200 --duration 2 --connections 4 "
        "--rounds 1 --warmup 2"
    )
    with pytest.raises(SystemExit):
        bench.parse_args(["--duration", "0"])
    assert bench.MIX_LUA.exists() and (BENCH / "certificate_cold.py").exists()


def test_codes_are_grouped_as_the_page_shows_them(bench):
    from marketplace.certificates import issuing

    code = "ABCDEFGHJKLMNPQRSTUVWXYZ2345"
    assert bench.grouped(code) == issuing.shown(code)


def test_the_mix_asks_every_certificate_in_both_languages_as_visitors_do(bench, tmp_path):
    lines = bench.mix_lines([("AAAA-BBBB", False), ("CCCC-DDDD", True)])
    assert len(lines) == 2 * 2 * 8
    for code in ("AAAA-BBBB", "CCCC-DDDD"):
        for lang in ("id", "en"):
            mine = [
                line for line in lines if code.lower() in line.path.lower() and line.lang == lang
            ]
            pages = [line for line in mine if line.status == 200]
            assert len(pages) == 6 and {line.path for line in pages} == {f"/certificates/{code}"}
            assert sum(line.gzip for line in pages) == 4
            assert {(line.path, line.status) for line in mine if line.status != 200} == {
                (f"/verify?code={code.lower()}", 302),
                (f"/certificates/{code.lower()}", 301),
            }
    written = tmp_path / "mix.txt"
    bench.write_mix(lines, written)
    assert written.read_text().splitlines()[:2] == [
        "id gzip /certificates/AAAA-BBBB",
        "id - /certificates/AAAA-BBBB",
    ]


def test_its_section_of_the_results_is_replaced_and_the_rest_kept(bench, tmp_path):
    results = tmp_path / "RESULTS.md"
    results.write_text(
        "# Results\n\n<!-- bench:courses=1500 -->\nkept\n<!-- /bench:courses=1500 -->\n"
    )
    bench.write_section("## Certificate page\nfirst", results)
    bench.write_section("## Certificate page\nsecond", results)
    text = results.read_text()
    assert "kept" in text and "second" in text and "first" not in text
    assert text.count(bench.MARK_OPEN) == 1 and text.count(bench.MARK_CLOSE) == 1
