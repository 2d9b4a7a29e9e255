#!/usr/bin/env python3
"""The daemon with the demo model, end to end on real folders: time from dropping one note to its outputs,
documents per minute for a burst, and the idle daemon's resident memory and CPU. Writes the "## Daemon"
section of docs/PERFORMANCE.md. Run by bench/run.sh after `swift build -c release --product quill`.
"""
import datetime
import glob
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from perfdoc import replace_section  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
QUILL = os.path.join(ROOT, ".build/release/quill")
BURST = 60


def outputs(state):
    return glob.glob(os.path.join(state, "outbox", "*.txt")) + glob.glob(os.path.join(state, "review", "*.txt"))


def drop(src, inbox, name):
    # Written under a temporary name and renamed, as hospital systems are told to do.
    tmp = os.path.join(inbox, name + ".part")
    shutil.copyfile(src, tmp)
    os.rename(tmp, os.path.join(inbox, name))


def wait_for(predicate, timeout):
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if predicate():
            return time.monotonic() - start
        time.sleep(0.02)
    raise TimeoutError("the daemon did not finish in time")


def proc_rss_mb(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024


def proc_cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main():
    work = tempfile.mkdtemp(prefix="quill-daemon-bench-")
    state = os.path.join(work, "state")
    config = os.path.join(work, "quill.toml")
    with open(config, "w") as f:
        f.write('[paths]\ntemplates = "%s"\n[watch]\nstability_seconds = 0.3\nrescan_seconds = 30\n' % os.path.join(ROOT, "templates"))
    notes = os.path.join(work, "notes")
    subprocess.run([QUILL, "synth", "--task", "discharge", "--count", str(BURST), "--seed", "900", "--format", "files", "--out", notes],
                   check=True, stdout=subprocess.DEVNULL)
    documents = sorted(p for p in glob.glob(os.path.join(notes, "*")) if not p.endswith(".reference.txt"))

    started = time.monotonic()
    daemon = subprocess.Popen([QUILL, "serve", "--state", state, "--model", os.path.join(ROOT, "models/demo"), "--config", config],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    inbox = os.path.join(state, "inbox")
    wait_for(lambda: os.path.isdir(inbox) and os.path.exists(os.path.join(state, "quill.sqlite")), 120)
    time.sleep(1.0)
    startup = time.monotonic() - started

    t0 = time.monotonic()
    drop(os.path.join(ROOT, "examples/discharge-note.txt"), inbox, "one-note.txt")
    single = wait_for(lambda: len(outputs(state)) >= 1, 60)

    t1 = time.monotonic()
    for i, d in enumerate(documents):
        drop(d, inbox, "burst-%03d%s" % (i, os.path.splitext(d)[1]))
    wait_for(lambda: len(outputs(state)) >= 1 + len(documents), 600)
    burst = time.monotonic() - t1

    time.sleep(5)
    rss = proc_rss_mb(daemon.pid)
    c0 = proc_cpu_seconds(daemon.pid)
    time.sleep(10)
    idle_cpu = (proc_cpu_seconds(daemon.pid) - c0) / 10 * 100
    daemon.send_signal(signal.SIGTERM)
    code = daemon.wait(timeout=60)
    failed = len(glob.glob(os.path.join(state, "failed", "*.error.json")))

    cpu = next((l.split(":", 1)[1].strip() for l in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines()
                if l.startswith("Model name:")), "unknown CPU")
    load = os.getloadavg()[0]
    section = f"""## Daemon: the demo model end to end

Machine: {cpu}, {os.cpu_count()} cores; measured {datetime.date.today().isoformat()} by `bench/daemon.py` (release build,
`quill serve` with the demo model at q8, one worker, stability interval 0.3 s; load average {load:.1f} at the end).

| measure | value |
|---|---|
| start-up (model and templates loaded, inbox watched) | {startup:.1f} s |
| one note, dropped to its five outputs written (includes the 0.3 s stability wait) | {single:.2f} s |
| burst of {len(documents)} notes (text, HL7 v2, CDA in turn) | {burst:.1f} s = {len(documents) / burst * 60:.0f} documents per minute |
| idle resident memory after the burst | {rss:.0f} MiB |
| idle CPU over 10 s | {idle_cpu:.1f}% of one core |
| inputs failed | {failed} |
| exit status on SIGTERM | {code} |
"""
    replace_section(os.path.join(ROOT, "docs/PERFORMANCE.md"), "## Daemon: ", section)
    print(section)
    shutil.rmtree(work, ignore_errors=True)
    sys.exit(0 if code == 0 and failed == 0 else 1)


if __name__ == "__main__":
    main()
