"""Waits until the machine is quiet (under 5% CPU for a second, after at least 5 s; two minutes at most): a mailbox
is read long after it was filled, when autovacuum has vacuumed and analysed the fresh tables. Used by bench/search
and bench/ui before they measure."""
import time


def busy():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return sum(v) - v[3] - v[4], sum(v)


for waited in range(120):
    b0, t0 = busy()
    time.sleep(1)
    b1, t1 = busy()
    if waited >= 5 and (b1 - b0) / (t1 - t0) < 0.05:
        print("quiet after %d s" % (waited + 1))
        break
