"""The pure parts of the benches' ``--instructions`` modes (bench/callgrind.py, bench_rps's
keep-alive client), and the in-process line they count: no valgrind needed."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).parents[1] / "bench"


def load_bench(name: str) -> ModuleType:
    """bench/<name>.py, without putting bench/ on every other test's sys.path."""
    spec = importlib.util.spec_from_file_location(f"_bench_{name}", BENCH / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


callgrind = load_bench("callgrind")
bench_rps = load_bench("bench_rps")


def test_collected_reads_callgrinds_total_from_stderr() -> None:
    stderr = ("==4242== Callgrind, a call-graph generating cache profiler\n"
              "==4242== Events    : Ir\n==4242== Collected : 1234567890\n==4242==\n"
              "==4242== I   refs:      1,234,567,890\n")
    assert callgrind.collected(stderr) == 1234567890
    assert callgrind.collected("Traceback (most recent call last):\n  ...") is None


def test_per_unit_is_the_difference_over_the_difference() -> None:
    # start-up (1000) is in both totals and cancels; 7 instructions a unit
    assert callgrind.per_unit((1000 + 7 * 200, 200), (1000 + 7 * 1200, 1200)) == 7.0
    # a run that ran short of both counts still gives a figure (its caller flags it)
    assert callgrind.per_unit((500, 40), (530, 40)) == 30.0


def test_the_counted_processes_run_alike() -> None:
    measured = callgrind.environment({"PYTHONHASHSEED": "random", "X": "1"})
    assert measured["PYTHONHASHSEED"] == "0" and measured["X"] == "1"
    # No run writes a .pyc that a later run would read: a one-off compile never lands in one
    # of the two totals.
    assert measured["PYTHONDONTWRITEBYTECODE"] == "1"
    assert callgrind.command(["python", "-c", "0"])[-3:] == ["python", "-c", "0"]


def test_responses_takes_only_complete_responses() -> None:
    one = b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 13\r\n\r\nHello, world!"
    error = b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 2\r\n\r\nno"
    buffer = bytearray(one + error + one[:-3])
    assert bench_rps.responses(buffer) == [200, 500]
    assert buffer == one[:-3]  # the part of the third stays for the next recv
    buffer += one[-3:]
    assert bench_rps.responses(buffer) == [200] and buffer == b""


def test_load_sends_exactly_the_count(tmp_path: Path) -> None:
    """The keep-alive client against a tiny server that counts what it answers."""
    server = tmp_path / "server.py"
    server.write_text(
        "import asyncio, sys\n"
        "served = 0\n"
        "async def handle(reader, writer):\n"
        "    global served\n"
        "    answer = b'HTTP/1.1 200 OK\\r\\ncontent-length: 13\\r\\n\\r\\nHello, world!'\n"
        "    try:\n"
        "        while await reader.readuntil(b'\\r\\n\\r\\n'):\n"
        "            served += 1\n"
        "            writer.write(answer)\n"
        "            await writer.drain()\n"
        "    except (asyncio.IncompleteReadError, ConnectionError):\n"
        "        writer.close()  # the client is done\n"
        "async def main():\n"
        "    s = await asyncio.start_server(handle, '127.0.0.1', 0)\n"
        "    print(s.sockets[0].getsockname()[1], flush=True)\n"
        "    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)\n"
        "    print(served, flush=True)\n"
        "asyncio.run(main())\n")
    with subprocess.Popen([sys.executable, str(server)], stdin=subprocess.PIPE,
                          stdout=subprocess.PIPE, text=True) as process:  # closes the pipes
        try:
            assert process.stdout is not None and process.stdin is not None
            port = int(process.stdout.readline())
            bench_rps.load(port, 4, 37, timeout=30)
            process.stdin.write("\n")
            process.stdin.flush()
            assert int(process.stdout.readline()) == 37
        finally:
            process.kill()
            process.wait(timeout=10)


@pytest.mark.parametrize("variant", ["bare", "floor", "validated", "full"])
def test_the_counted_lines_run_clean(variant: str) -> None:
    """What ``bench_validate.py --instructions`` counts, run without valgrind: a validated
    exchange that found a violation would be counted as a failure, not a figure."""
    done = subprocess.run([sys.executable, str(BENCH / "bench_validate.py"), "--child", variant,
                           "--count", "20"], capture_output=True, text=True, timeout=120,
                          check=True)
    info = json.loads(done.stdout.splitlines()[-1])
    assert info["exchanges"] == 20 and isinstance(info["compiled"], bool)


def test_counts_say_what_is_wrong() -> None:
    assert callgrind.counts("100,300") == (100, 300)
    for text, said in (("100", "two whole numbers"), ("a,b", "two whole numbers"),
                       ("300,100", "0 < low < high"), ("0,5", "0 < low < high")):
        with pytest.raises(SystemExit, match=said):
            callgrind.counts(text)
    with pytest.raises(SystemExit, match="< 1000"):
        callgrind.counts("100,1000", most=1000)
