#!/usr/bin/env python3
"""Rewrite the measured tables of BENCHMARKS.md from target/bench/ (written by make bench).

Each table sits between `<!-- bench:NAME -->` and `<!-- /bench:NAME -->`; the prose around
them (what the bottleneck was, what changed) is kept as written.
"""
import datetime
import json
import os
import platform
import re
import subprocess
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(ROOT, "target", "bench")


def read(name):
    with open(os.path.join(OUT, name)) as f:
        return f.read()


def machine():
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_kb = int(f.readline().split()[1])
    os_name = "?"
    if os.path.exists("/etc/os-release"):
        with open("/etc/os-release") as f:
            for line in f:
                if line.startswith("PRETTY_NAME="):
                    os_name = line.split("=", 1)[1].strip().strip('"')
    rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    return (
        f"Measured {datetime.date.today().isoformat()} at commit `{rev}` on {os_name}, "
        f"{os.cpu_count()} × {cpu}, {mem_kb / 1024 / 1024:.0f} GiB, Linux {platform.release()}. "
        "Reproduce: `make bench`.\n"
    )


def criterion_median_ns(*parts):
    path = os.path.join(ROOT, "target", "criterion", *parts, "new", "estimates.json")
    with open(path) as f:
        return json.load(f)["median"]["point_estimate"]


def fmt_ns(ns):
    return f"{ns / 1000:.2f} µs" if ns >= 1000 else f"{ns:.0f} ns"


def schedule():
    log = read("schedule.log")
    memory = dict(re.findall(r"schedule memory: (\d+) profiles -> ([\d.]+ MB)", log))
    rows = ["| profiles | memory | pop due + replan (median) | replan one (median) |", "|---:|---:|---:|---:|"]
    for n in ("1000", "10000", "100000"):
        pop = criterion_median_ns("renewal event", "pop due + replan", n)
        one = criterion_median_ns("renewal event", "replan one", n)
        rows.append(f"| {int(n):,} | {memory.get(n, '?')} | {fmt_ns(pop)} | {fmt_ns(one)} |")
    return "\n".join(rows) + "\n"


def sizes():
    rows = ["| artifact | size | ÷ target (15 MB) |", "|---|---:|---:|"]
    for line in read("sizes.log").splitlines():
        fields = line.split()
        if len(fields) < 9:
            continue
        size, path = int(fields[4]), fields[-1]
        name = os.path.basename(path)
        ratio = f"{size / 15e6:.2f}" if not name.endswith(".deb") else ""
        rows.append(f"| `{name}` | {size / 1e6:.1f} MB | {ratio} |")
    return "\n".join(rows) + "\n"


def main():
    tables = {
        "machine": machine(),
        "token": read("token.md"),
        "idle": read("idle.md"),
        "token-file": read("token-file.md"),
        "sign-in": read("sign-in.md"),
        "cold-start": read("cold-start.md"),
        "window": read("window.md"),
        "token-split": read("token-split.md"),
        "schedule": schedule(),
        "sizes": sizes(),
    }
    profile = os.path.join(OUT, "token-profile.txt")
    path = os.path.join(ROOT, "BENCHMARKS.md")
    with open(path) as f:
        text = f.read()
    for name, table in tables.items():
        pattern = re.compile(rf"(<!-- bench:{name} -->\n).*?(<!-- /bench:{name} -->)", re.S)
        if not pattern.search(text):
            sys.exit(f"BENCHMARKS.md has no <!-- bench:{name} --> section")
        text = pattern.sub(lambda m: m.group(1) + table + m.group(2), text)
    with open(path, "w") as f:
        f.write(text)
    print(f"BENCHMARKS.md updated ({len(tables)} tables)" + (f"; profile in {profile}" if os.path.exists(profile) else ""))


if __name__ == "__main__":
    main()
