#!/usr/bin/env python3
"""Exits 0 when GET <url>/cluster shows every data shard with exactly three voters, none on
silo <gone>, and a leader; 1 when not (yet), printing why on one line. Roles are what each
shard's leader last reported ("voter", "learner", "pending").
   usage: replaced.py URL GONE_SILO
"""
import json
import sys
import urllib.request


def main():
    base, gone = sys.argv[1].rstrip("/"), sys.argv[2]
    try:
        with urllib.request.urlopen(base + "/cluster", timeout=2) as response:
            view = json.load(response)
    except Exception as e:  # a restarting router, a half-written answer
        print(f"no answer from {base}/cluster ({e.__class__.__name__})")
        return 1
    for shard in view.get("shards", []):
        if shard.get("id") == 0:
            continue
        replicas = shard.get("replicas") or []
        on_gone = [r for r in replicas if r.get("silo") == gone]
        voters = [r for r in replicas if r.get("role") == "voter" and r.get("silo") != gone]
        if on_gone or len(voters) != 3 or len(replicas) != 3 or not shard.get("leaderSilo"):
            print(f"shard {shard.get('id')}: {len(voters)} voters elsewhere, {len(on_gone)} on {gone}, {len(replicas)} listed")
            return 1
    status = {s.get("id"): s.get("status") for s in view.get("silos", [])}
    print(f"every data shard has 3 voters off {gone} ({gone} is {status.get(gone)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
