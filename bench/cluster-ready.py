#!/usr/bin/env python3
"""Exits 0 when GET <url>/cluster shows a ready cluster, 1 when not (yet), printing why on one line.

Ready means: the answer is JSON with a non-empty "shards" list, and every data shard has at least
three voting replicas and a known leader. Parsing is lenient about the exact shape: a shard whose
"kind"/"type" names the router, or whose "id" is 0 (the router's meta shard), is skipped; replicas whose "role" is not "voter" (a learner catching up, or one pending) do not count; a
leader is known when any of "leader" (an object or id), "leaderSilo" or "leaderReplica" is set.
"""
import json
import sys
import urllib.request


def leader_known(shard):
    for name in ("leader", "leaderSilo", "leaderReplica", "leader_silo", "leader_replica"):
        value = shard.get(name)
        if value not in (None, "", 0, {}):
            return True
    return False


def voters(shard):
    replicas = shard.get("replicas") or []
    return [r for r in replicas if not (isinstance(r, dict) and str(r.get("role", "voter")).lower() != "voter")]


def main():
    base = sys.argv[1].rstrip("/") if len(sys.argv) > 1 else "http://127.0.0.1:8080"
    want = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    try:
        with urllib.request.urlopen(base + "/cluster", timeout=2) as response:
            view = json.load(response)
    except Exception as e:  # not up yet: refused, 503, half-written JSON
        print(f"no answer from {base}/cluster ({e.__class__.__name__})")
        return 1
    shards = view.get("shards") if isinstance(view, dict) else None
    if not isinstance(shards, list):
        print("no shards list in /cluster")
        return 1
    # The router's meta shard is shard 0 in /cluster (or names itself with a kind/type).
    data = [s for s in shards if isinstance(s, dict) and s.get("id") != 0
            and str(s.get("kind", s.get("type", "data"))).lower() != "router"]
    waiting = [s for s in data if len(voters(s)) < 3 or not leader_known(s)]
    if len(data) < want or waiting:
        print(f"{len(data)} data shards, {len(waiting)} without 3 replicas and a leader (want {want} shards)")
        return 1
    print(f"ready: {len(data)} data shards, each with 3 replicas and a leader")
    return 0


if __name__ == "__main__":
    sys.exit(main())
