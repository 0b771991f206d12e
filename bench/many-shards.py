#!/usr/bin/env python3
"""Per-shard helpers for bench/many-shards.sh: keys that land in every shard, writes to all of
them, whether a silo has loaded all of them, and single-write latency to idle against busy shards.

   many-shards.py keys URL KEYFILE         one key per data shard of GET URL/cluster, written to
                                           KEYFILE as "shard key leader-silo" lines
   many-shards.py write URL KEYFILE [S]    PUT every key once (curl, 128 in parallel), retrying the
                                           failed ones for up to S seconds (default 60); prints
                                           "ok N failed N seconds T passes N" and the answers
                                           retried; exit 0 only if all succeeded
   many-shards.py loaded URL SILO KEYFILE [S]
                                           exit 0 when SILO's GET URL/metrics shows as many
                                           replicas holding keys as KEYFILE has shards; with S,
                                           asks every 0.1 s for up to S seconds first
   many-shards.py latency URL KEYFILE SILO [PAIRS [SECONDS]]
                                           alternately PUTs one busy key and a key of a shard never
                                           written (led by SILO), PAIRS times (default 200), one
                                           request at a time, for at most SECONDS (default 90; fewer
                                           than 20 pairs by then fails); prints "busy p50 p99 idle
                                           p50 p99" (ms)
   many-shards.py phases LOG SINCE         the seconds after SINCE (Unix time) at which the silo
                                           log LOG first shows each step of a start: Orleans starting,
                                           its WAL recovered, its replicas loaded, ready, HTTP up

Keys are placed as the silos place them (Grains.Interfaces/KeyHash.cs): FNV-1a 64 over the bytes
with MurmurHash3's 64-bit finaliser, the top 32 bits; a shard owns [hashStart, hashEnd).
"""
import bisect
import calendar
import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

MASK = (1 << 64) - 1


def key_hash(key: bytes) -> int:
    h = 14695981039346656037
    for b in key:
        h = ((h ^ b) * 1099511628211) & MASK
    h ^= h >> 33
    h = (h * 0xFF51AFD7ED558CCD) & MASK
    h ^= h >> 33
    h = (h * 0xC4CEB9FE1A85EC53) & MASK
    h ^= h >> 33
    return h >> 32


def cluster(url):
    with urllib.request.urlopen(url.rstrip("/") + "/cluster", timeout=30) as response:
        return json.load(response)


def keys(url, keyfile):
    shards = sorted((s for s in cluster(url)["shards"] if s["id"] != 0), key=lambda s: s["hashStart"])
    starts = [s["hashStart"] for s in shards]
    found = {}
    i = 0
    while len(found) < len(shards):
        if i > 200 * len(shards) + 1000:
            sys.exit(f"keys: no key found for {len(shards) - len(found)} shards after {i} tries")
        key = f"ms{i:09d}"
        i += 1
        s = shards[bisect.bisect_right(starts, key_hash(key.encode())) - 1]
        if s["id"] not in found:
            found[s["id"]] = (key, s.get("leaderSilo") or "-")
    with open(keyfile, "w") as f:
        for shard, (key, leader) in sorted(found.items()):
            f.write(f"{shard} {key} {leader}\n")
    print(f"{len(found)} shards, one key each ({i} keys tried)")


def read_keys(keyfile):
    with open(keyfile) as f:
        return [line.split() for line in f if line.strip()]


class Conn:
    """One keep-alive HTTP connection that reconnects after any failure."""

    def __init__(self, url, timeout=10):
        p = urllib.parse.urlsplit(url)
        self.host, self.port, self.timeout, self.c = p.hostname, p.port, timeout, None

    def put(self, key, body=b"m"):
        try:
            if self.c is None:
                self.c = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            self.c.request("PUT", "/kv/" + key, body=body, headers={"Content-Type": "application/octet-stream"})
            r = self.c.getresponse()
            r.read()
            return r.status
        except (OSError, http.client.HTTPException):
            if self.c is not None:
                self.c.close()
            self.c = None
            return 0


def sweep(url, keys):
    """PUTs every key once through curl's parallel mode (128 transfers at a time over reused
    connections) and returns {key: status}, 0 for no answer. A C client: at 10,000 shards a
    Python thread pool (32 threads on a GIL) managed 700-1,400 writes/s and was the slowest part
    of the restart figures it was timing."""
    base = url.rstrip("/") + "/kv/"
    with tempfile.NamedTemporaryFile("w", suffix=".curl", delete=False) as f:
        for key in keys:
            f.write(f'url = "{base}{key}"\noutput = "/dev/null"\n')
        config = f.name
    try:
        run = subprocess.run(
            ["curl", "-s", "--parallel", "--parallel-immediate", "--parallel-max", "128",
             "--max-time", "10", "-X", "PUT", "-H", "Content-Type: application/octet-stream",
             "--data-binary", "m", "-w", "%{http_code} %{url}\n", "-K", config],
            capture_output=True, text=True, check=False)
    finally:
        os.unlink(config)
    status = {}
    for line in run.stdout.splitlines():
        code, _, where = line.partition(" ")
        if where.startswith(base):
            status[where[len(base):]] = int(code) if code.isdigit() else 0
    return {key: status.get(key, 0) for key in keys}


def write(url, keyfile, budget=60.0):
    todo = [k for _, k, _ in read_keys(keyfile)]
    total, started, passes, answers = len(todo), time.monotonic(), 0, {}
    while todo:
        passes += 1
        failed = []
        for key, status in sweep(url, todo).items():
            if status != 204:
                failed.append(key)
                answers[status] = answers.get(status, 0) + 1
        todo = failed
        if todo and time.monotonic() - started > budget:
            break
        if todo:
            time.sleep(0.2)
    retried = ", ".join(f"{n} x {'no answer' if st == 0 else st}" for st, n in sorted(answers.items()))
    print(f"ok {total - len(todo)} failed {len(todo)} seconds {time.monotonic() - started:.2f} passes {passes}"
          + (f" (retried: {retried})" if retried else ""))
    return 0 if not todo else 1


NONEMPTY = re.compile(r'^multiraft_replicas_nonempty\{([^}]*)\}\s+(\S+)', re.M)


def loaded(url, silo, keyfile, wait=0.0):
    # Every shard got one key before this runs, so a silo holding a replica of every shard has as
    # many replicas holding keys as there are shards. (The per-shard gauge, multiraft_shard_keys,
    # stops at OpenTelemetry's 2,000 series per metric.) Waiting polls from this one process: a
    # restart is timed by this, and a Python started every 0.5 s both cost a core's time and read
    # the moment late by 0.25 s on average.
    want = len({s for s, _, _ in read_keys(keyfile)})
    deadline = time.monotonic() + wait
    while True:
        have, error = loaded_count(url, silo)
        if have >= want or time.monotonic() >= deadline:
            break
        time.sleep(0.1)
    if error is not None:
        print(f"no metrics from {url} ({error})")
        return 1
    print(f"{silo}: {min(have, want)} of {want} shards loaded with their keys")
    return 0 if have >= want else 1


def loaded_count(url, silo):
    """(replicas of SILO holding keys, None) from GET URL/metrics, or (0, what failed)."""
    try:
        with urllib.request.urlopen(url.rstrip("/") + "/metrics", timeout=10) as response:
            text = response.read().decode()
    except Exception as e:
        return 0, e.__class__.__name__
    have = 0
    for labels, value in NONEMPTY.findall(text):
        tags = dict(re.findall(r'(\w+)="([^"]*)"', labels))
        if tags.get("otel_scope_silo", silo) == silo:
            have = int(float(value))
    return have, None


def latency(url, keyfile, silo, pairs=200, budget=90.0):
    mine = [k for _, k, leader in read_keys(keyfile) if leader == silo]
    if len(mine) < pairs + 1:
        sys.exit(f"latency: only {len(mine)} shards led by {silo}, need {pairs + 1}")
    busy, idle = mine[0], mine[1:pairs + 1]
    c = Conn(url)
    for _ in range(50):  # the busy shard is busy: written just before, and between every idle write
        c.put(busy)
    b, i = [], []
    # Bounded: at 10,000 shards a slow silo would otherwise keep the run here for many minutes;
    # fewer pairs than asked still give a median, and too few fail the step.
    deadline = time.monotonic() + budget
    for key in idle:
        if time.monotonic() > deadline:
            if len(i) < 20:
                sys.exit(f"latency: only {len(i)} pairs written in {budget:.0f} s")
            print(f"latency: {len(i)} of {pairs} pairs within {budget:.0f} s", file=sys.stderr)
            break
        for target, out in ((busy, b), (key, i)):
            t = time.perf_counter()
            status = c.put(target)
            out.append((time.perf_counter() - t) * 1000)
            if status != 204:
                sys.exit(f"latency: PUT /kv/{target} answered {status}")

    def p(xs, q):
        xs = sorted(xs)
        return xs[min(len(xs) - 1, int(q * len(xs)))]

    print(f"{statistics.median(b):.3f} {p(b, 0.99):.3f} {statistics.median(i):.3f} {p(i, 0.99):.3f}")


STAMP = re.compile(r'^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}) ')
# The steps of a silo's start, by a piece of their log message (Silo/Silo's log lines).
# Orleans starts while the file WAL is being recovered, so "Orleans starting" comes first.
STEPS = [("Orleans starting", "Silo starting with GC settings"), ("WAL recovered", ") opened: "),
         ("replicas loaded", " replicas from storage in "), ("ready", " is ready: "), ("HTTP", "Now listening on: ")]


def phases(logfile, since):
    """The log's lines are stamped in UTC (Silo/Silo/appsettings.json); a message follows its stamp's line."""
    since, found, stamp = float(since), {}, None
    with open(logfile, errors="replace") as f:
        for line in f:
            m = STAMP.match(line)
            if m:
                stamp = calendar.timegm(time.strptime(m.group(1)[:19], "%Y-%m-%d %H:%M:%S")) + float("0" + m.group(1)[19:])
            if stamp is None or stamp < since:
                continue
            for name, piece in STEPS:
                if name not in found and piece in line:
                    found[name] = stamp - since
    if not found:
        print(f"no timestamped start steps in {logfile} after {since:.3f}")
        return 1
    print(", ".join(f"{name} +{found[name]:.1f} s" for name, _ in STEPS if name in found))
    return 0


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    cmd, args = argv[1], argv[2:]
    if cmd == "keys":
        return keys(*args) or 0
    if cmd == "write":
        return write(args[0], args[1], float(args[2]) if len(args) > 2 else 60.0)
    if cmd == "loaded":
        return loaded(args[0], args[1], args[2], float(args[3]) if len(args) > 3 else 0.0)
    if cmd == "phases":
        return phases(*args)
    if cmd == "latency":
        return latency(args[0], args[1], args[2], int(args[3]) if len(args) > 3 else 200,
                       float(args[4]) if len(args) > 4 else 90.0) or 0
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
