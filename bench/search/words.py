"""The words and senders the search benchmarks pick their queries from (query.py for Postroom, mu_find.py for mu),
drawn from the generator's vocabulary (populate.py) by one seeded random source, and the percentile they report."""
import random
import populate as p

r = random.Random(7)
common = [w for w in p.VOCAB[40:160] if len(w) > 3 and w not in ("there", "which", "their", "these", "would", "about", "other", "could")]
middling = p.DOMAIN[:80]
rare = p.RARE[200:400]
senders = [s.split("<")[1].rstrip(">") for s in p.SENDERS]
last_names = p.LAST


def pick(seq):
    return r.choice(seq)


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]
