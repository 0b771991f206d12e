#!/usr/bin/env python3
"""Exits 0 when GET <url>/cluster shows a balanced cluster of N active silos, 1 when not (yet),
printing why on one line: N silos active, no move in progress, every data shard with three
voters and a leader, and data replicas and leaderships per active silo differing by at most one.
   usage: balanced.py URL SILOS
"""
import json
import sys
import urllib.request


def main():
    base, want = sys.argv[1].rstrip("/"), int(sys.argv[2])
    try:
        with urllib.request.urlopen(base + "/cluster", timeout=2) as response:
            view = json.load(response)
    except Exception as e:  # a restarting router, a half-written answer
        print(f"no answer from {base}/cluster ({e.__class__.__name__})")
        return 1
    active = [s for s in view.get("silos", []) if s.get("status") == "active"]
    if len(active) != want:
        print(f"{len(active)} active silos, waiting for {want}")
        return 1
    if view.get("movesInProgress", 0):
        print(f"{view['movesInProgress']} moves in progress")
        return 1
    for shard in view.get("shards", []):
        if shard.get("id") == 0:
            continue
        voters = [r for r in shard.get("replicas") or [] if r.get("role") == "voter"]
        if len(voters) != 3 or not shard.get("leaderSilo"):
            print(f"shard {shard.get('id')}: {len(voters)} voters, leader {shard.get('leaderSilo')}")
            return 1
    replicas = [s.get("replicas", 0) for s in active]
    leaders = [s.get("leaders", 0) for s in active]
    if max(replicas) - min(replicas) > 1 or max(leaders) - min(leaders) > 1:
        print(f"replicas {replicas}, leaders {leaders}")
        return 1
    print(f"balanced: replicas {replicas}, leaders {leaders} on {[s.get('id') for s in active]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
