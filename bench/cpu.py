"""CPU time per program on this machine, from /proc (Linux), so a benchmark can say where the cores went in a phase.

  python3 bench/cpu.py snap FILE [POSTROOM_PID]   record cumulative CPU per program
  python3 bench/cpu.py report BEFORE AFTER [TOP]  print the largest consumers between two records
  python3 bench/cpu.py permsg BEFORE AFTER COUNT   CPU-ms per message: Postroom (its JVM + PostgreSQL) beside Postfix

Processes that end during a phase (Postfix's smtpd and cleanup, Dovecot's lmtp, PostgreSQL's backends) are counted
through their parent's "children" time: Postfix's master, Dovecot's master and PostgreSQL's postmaster.
"""
import json
import os
import re
import sys

POSTFIX = {"master", "postlogd"}


def stat(pid):
    with open(f"/proc/{pid}/stat") as f:
        s = f.read()
    comm = s[s.index("(") + 1:s.rindex(")")]
    fields = s[s.rindex(")") + 2:].split()
    return comm, int(fields[1]), int(fields[11]) + int(fields[12]), int(fields[13]) + int(fields[14]), \
        int(fields[12]), int(fields[14])


def label(comm, parent, pid, postroom_pid, cmdline):
    if pid == postroom_pid:
        return "java (Postroom)"
    if comm == "java":
        return "java (benchmark client)" if "bench/" in cmdline else "java (other)"
    if parent == "dovecot" or comm == "dovecot":
        return "dovecot lmtp (delivery)" if comm == "lmtp" else "dovecot (other)"
    if comm in POSTFIX or parent == "master":
        return "postfix"
    if parent == "kthreadd" or pid == 2:
        return "kernel threads"  # their names change with the work they do
    return comm


def postgres_kind(cmdline, parent):
    """A PostgreSQL process by its title: a client's backend, or the background process it is (walwriter ...)."""
    if parent != "postgres":
        return "postmaster"
    title = cmdline.split(":", 1)[1].strip() if ":" in cmdline else cmdline
    if re.search(r"\d+\.\d+\.\d+\.\d+\(\d+\)|\[local\]|localhost\(", title):
        return "backends"
    return re.sub(r"\s+(worker|launcher).*$", r" \1", title)[:40]


def snap(path, postroom_pid):
    ticks = {}
    pg = {}
    procs = {}
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                procs[int(p)] = stat(p)
            except (OSError, ValueError):
                pass  # ended while we read it
    for pid, (comm, ppid, own, children, own_sys, children_sys) in procs.items():
        try:
            with open(f"/proc/{pid}/cmdline") as f:
                cmdline = f.read().replace("\0", " ")
        except OSError:
            cmdline = ""
        parent = procs.get(ppid, ("",))[0]
        name = label(comm, parent, pid, postroom_pid, cmdline)
        ticks[name] = ticks.get(name, 0) + own
        # The kernel's part (system time), for Postroom's JVM and its PostgreSQL: round trips, WAL writes, locks.
        if name in ("java (Postroom)", "postgres"):
            ticks[name + " in the kernel"] = ticks.get(name + " in the kernel", 0) + own_sys
        if comm == "postgres":
            kind = postgres_kind(cmdline, parent)
            pg[kind] = pg.get(kind, 0) + own
        if comm in ("master", "dovecot") or (comm == "postgres" and parent != "postgres"):
            # Postfix's master holds the time of its ended smtpd, cleanup and lmtp (client) processes, Dovecot's of
            # its ended lmtp (server) processes, PostgreSQL's postmaster of its ended backends.
            child = {"master": "postfix", "dovecot": "dovecot lmtp (delivery)"}.get(comm, name)
            ticks[child] = ticks.get(child, 0) + children
            if comm == "postgres":
                ticks["postgres in the kernel"] = ticks.get("postgres in the kernel", 0) + children_sys
                pg["ended (autovacuum workers, backends)"] = pg.get("ended (autovacuum workers, backends)", 0) + children
    if postroom_pid:
        ticks["threads of Postroom"] = threads(postroom_pid)
    ticks["processes of PostgreSQL"] = pg
    with open(path, "w") as f:
        json.dump(ticks, f)


def threads(pid):
    """Postroom's CPU by thread, numbered pools folded into one name (http-nio-exec, postroom-delivery, C2 ...)."""
    out = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                s = f.read()
        except OSError:
            continue
        name = re.sub(r"[-#]?\d+$", "", s[s.index("(") + 1:s.rindex(")")])
        fields = s[s.rindex(")") + 2:].split()
        out[name] = out.get(name, 0) + int(fields[11]) + int(fields[12])
    return out


def load(*paths):
    out = []
    for path in paths:
        with open(path) as f:
            out.append(json.load(f))
    return out


def report(before_path, after_path, top):
    before, after = load(before_path, after_path)
    hz = os.sysconf("SC_CLK_TCK")
    spent = sorted(((after[k] - before.get(k, 0), k) for k in after
                    if not isinstance(after[k], dict) and not k.endswith(" in the kernel")), reverse=True)
    for ticks, name in spent[:top]:
        if ticks > 0:
            print(f"  {name:<28} {ticks / hz:6.2f} s CPU")


def permsg(before_path, after_path, count):
    """The issue's figure: Postroom's own CPU per delivered message (JVM + its PostgreSQL) against Postfix's."""
    before, after = load(before_path, after_path)
    hz = os.sysconf("SC_CLK_TCK")

    def ms(name):
        return (after.get(name, 0) - before.get(name, 0)) / hz * 1000 / count

    if "threads of Postroom" in after:
        t0, t1 = before.get("threads of Postroom", {}), after["threads of Postroom"]
        spent = sorted(((t1[k] - t0.get(k, 0), k) for k in t1), reverse=True)
        print("  Postroom's threads, CPU-ms per message: " + ", ".join(
            f"{k} {v / hz * 1000 / count:.2f}" for v, k in spent[:6] if v > 0))
    if "processes of PostgreSQL" in after:
        p0, p1 = before.get("processes of PostgreSQL", {}), after["processes of PostgreSQL"]
        spent = sorted(((p1[k] - p0.get(k, 0), k) for k in p1), reverse=True)
        print("  PostgreSQL's processes, CPU-ms per message: " + ", ".join(
            f"{k} {v / hz * 1000 / count:.2f}" for v, k in spent if v > 0))
    jvm, pg, postfix, lmtp = ms("java (Postroom)"), ms("postgres"), ms("postfix"), ms("dovecot lmtp (delivery)")
    print(f"  per message: Postroom {jvm + pg:.2f} CPU-ms (JVM {jvm:.2f} + PostgreSQL {pg:.2f}), "
          f"Postfix {postfix:.2f}, Dovecot LMTP {lmtp:.2f}; Postroom / Postfix = {(jvm + pg) / postfix:.2f}"
          if postfix > 0.5 else f"  per message: Postroom {jvm + pg:.2f} CPU-ms (JVM {jvm:.2f} + PostgreSQL {pg:.2f})")
    if "postgres in the kernel" in after:
        print(f"  of it in the kernel (system time): JVM {ms('java (Postroom) in the kernel'):.2f}, "
              f"PostgreSQL {ms('postgres in the kernel'):.2f}")


if __name__ == "__main__":
    if sys.argv[1] == "permsg":
        permsg(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    elif sys.argv[1] == "snap":
        snap(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 0)
    else:
        report(sys.argv[2], sys.argv[3], int(sys.argv[4]) if len(sys.argv) > 4 else 7)
