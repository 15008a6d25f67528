#!/usr/bin/env python3
"""Calls of 500 to POST /email/batch, alternating between two running Postrooms (bench/outbound/paired.sh).

usage: paired.py calls NAME port pid datadir NAME port pid datadir
Each call's JSON is built before its clock starts; the order within a round alternates (A then B, B then A) so that
neither build always goes first after the pause. CPU per call: the JVM's from /proc/<pid>/stat, PostgreSQL's as the
sum over that database's postmaster (the first line of postmaster.pid in its data folder) and its children (the
backends, the WAL writer, ...).
"""
import json, os, statistics, sys, time, urllib.request

BODY = ("Statement reminder for a patient account. " * 60)[:2000]  # bench/outbound's body
HZ = os.sysconf("SC_CLK_TCK")
SKIP = 3


def call(port, path, body, headers):
    r = urllib.request.Request("http://localhost:%d%s" % (port, path), data=body, method="POST",
                               headers={"Content-Type": "application/json", "Accept": "application/json", **headers})
    with urllib.request.urlopen(r, timeout=120) as f:
        return f.read().decode()


def ticks(pid):
    fields = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def children(pid):
    out = []
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                if int(open("/proc/%s/stat" % p).read().rsplit(")", 1)[1].split()[1]) == pid:
                    out.append(int(p))
            except (OSError, IndexError):
                pass
    return out


def postmaster(datadir):
    """The embedded PostgreSQL of this Postroom (its data folder's postgres/postmaster.pid)."""
    return int(open(os.path.join(datadir, "postgres", "postmaster.pid")).readline())


def database_ticks(pm):
    total = 0
    for p in [pm] + children(pm):
        try:
            total += ticks(p)
        except OSError:
            pass  # a backend that ended between the listing and the read
    return total


class Build:
    def __init__(self, name, port, pid, datadir):
        self.name, self.port, self.pid = name, int(port), int(pid)
        self.pm = postmaster(datadir)
        login = json.loads(call(self.port, "/api/auth/login", json.dumps(
            {"email": "founder@postroom.test", "password": "bench-admin"}).encode(), {}))
        server = json.loads(call(self.port, "/api/postmark/servers", json.dumps(
            {"name": "paired", "senders": ["postroom.test"], "search_bodies": False}).encode(),
            {"Authorization": "Bearer " + login["access_token"]}))
        self.token = server["token"]
        self.wall, self.jvm, self.db = [], [], []

    def once(self, n):
        body = json.dumps([{"From": "founder@postroom.test", "To": "alice@postroom.test",
                            "Subject": "paired %d.%d" % (n, i), "TextBody": BODY, "MessageStream": "outbound"}
                           for i in range(500)]).encode()
        time.sleep(0.7)
        j0, d0, t0 = ticks(self.pid), database_ticks(self.pm), time.monotonic()
        answer = call(self.port, "/email/batch", body, {"X-Postmark-Server-Token": self.token})
        t1 = time.monotonic()
        j1, d1 = ticks(self.pid), database_ticks(self.pm)
        if answer.count('"ErrorCode":0') != 500:
            raise SystemExit("%s refused messages: %s" % (self.name, answer[:300]))
        if n >= SKIP:
            self.wall.append(1000 * (t1 - t0))
            self.jvm.append(1000 * (j1 - j0) / HZ)
            self.db.append(1000 * (d1 - d0) / HZ)

    def report(self):
        w = sorted(self.wall)
        print("%s: calls of 500, p50 %.0f ms, p90 %.0f ms, max %.0f ms, %d of %d over 250 ms; CPU per call: JVM %.0f ms, "
              "PostgreSQL %.0f ms" % (self.name, statistics.median(w), w[int(len(w) * 0.9)], w[-1],
                                      sum(x > 250 for x in w), len(w), statistics.mean(self.jvm),
                                      statistics.mean(self.db)))
        # In order, with each call's CPU, so that a slow call can be told from a dear one (the machine, or the work).
        print("  each call, ms (wall/JVM/PostgreSQL): " + " ".join(
            "%.0f/%.0f/%.0f" % c for c in zip(self.wall, self.jvm, self.db)))


def main():
    calls = int(sys.argv[1])
    builds = [Build(*sys.argv[2:6]), Build(*sys.argv[6:10])]
    for n in range(calls):
        for b in (builds if n % 2 == 0 else builds[::-1]):
            b.once(n)
    for b in builds:
        b.report()


if __name__ == "__main__":
    main()
