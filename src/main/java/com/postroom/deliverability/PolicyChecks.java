package com.postroom.deliverability;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** DMARC (RFC 7489), and, for information, TLS-RPT (RFC 8460). MTA-STS is {@link MtaStsCheck}. */
final class PolicyChecks {

    private PolicyChecks() {
    }

    static String recommendedDmarc(Target t, String policy) {
        return "v=DMARC1; p=" + policy + "; rua=mailto:postmaster@" + t.domain() + "; adkim=r; aspf=r";
    }

    static Check dmarc(Dns dns, Target t) {
        String name = "_dmarc." + t.domain();
        Check.Builder c = Check.of("dmarc", "DMARC of " + t.domain());
        String start = Target.fqdn(name) + " 3600 IN TXT \"" + recommendedDmarc(t, "none") + "\"";
        List<String> records;
        try {
            records = dns.txt(name).stream().filter(r -> r.trim().toLowerCase(Locale.ROOT).startsWith("v=dmarc1"))
                    .toList();
        } catch (Dns.Failure e) {
            return c.unknown("The DMARC record " + name + " could not be read: " + e.getMessage() + ".");
        }
        if (records.isEmpty()) {
            return c.record(start).missing(t.domain() + " has no DMARC record, so receivers do not know what to do "
                    + "with mail that fails SPF and DKIM; publish the record shown, read the reports for a few weeks, "
                    + "then move to p=quarantine.");
        }
        if (records.size() > 1) {
            // Keep one: the strictest of them, as published (a merge would have to choose between their reports).
            String strictest = records.stream().max(java.util.Comparator.comparingInt(r -> strictness(
                    DkimCheck.tags(r).getOrDefault("p", "")))).orElseThrow();
            return c.record(Target.fqdn(name) + " 3600 IN TXT \"" + strictest.trim() + "\"").invalid(name + " has "
                    + records.size() + " DMARC records, so receivers ignore all of them (RFC 7489 §6.6.3); keep one, "
                    + "the strictest as shown.");
        }
        String record = records.get(0).trim();
        c.detail("published", Target.fqdn(name) + " 3600 IN TXT \"" + record + "\"");
        // Tags written with spaces instead of semicolons read as one tag: say so, and give them back separated.
        if (record.replaceFirst("(?i)^v=dmarc1", "").matches("(?s)\\s+[A-Za-z]+=.*")
                || DkimCheck.tags(record).values().stream().anyMatch(v -> v.matches("(?s).*\\s[A-Za-z]+=.*"))) {
            String fixed = String.join("; ", record.trim().split("\\s*;\\s*|\\s+(?=[A-Za-z]+=)"));
            return c.record(Target.fqdn(name) + " 3600 IN TXT \"" + fixed + "\"").invalid("The DMARC record of "
                    + t.domain() + " is not read as written: its tags are not separated by semicolons, so receivers "
                    + "see no policy; publish it with semicolons as shown.");
        }
        Map<String, String> tags = DkimCheck.tags(record);
        String p = tags.getOrDefault("p", "").toLowerCase(Locale.ROOT);
        tags.forEach((k, v) -> {
            if (List.of("p", "sp", "rua", "ruf", "pct", "adkim", "aspf").contains(k)) {
                c.detail(k, v);
            }
        });
        if (!List.of("none", "quarantine", "reject").contains(p)) {
            // The record as published, with a policy: what its author most likely meant, never weaker than quarantine
            // unless they wrote none.
            String meant = p.startsWith("rej") ? "reject" : p.startsWith("no") ? "none" : "quarantine";
            return c.record(Target.fqdn(name) + " 3600 IN TXT \"" + withTag(record, "p", meant) + "\"")
                    .invalid("The DMARC record of " + t.domain() + " has " + (p.isEmpty() ? "no p= tag"
                    : "p=" + p + ", which is not a policy") + ", so receivers ignore it; it must say p=none, "
                    + "quarantine or reject" + (p.isEmpty() ? "." : " (shown: p=" + meant + ")."));
        }
        String sp = tags.getOrDefault("sp", p).toLowerCase(Locale.ROOT);
        if (!List.of("none", "quarantine", "reject").contains(sp)) {
            return c.invalid("The DMARC record of " + t.domain() + " has sp=" + sp + ", which is not a policy.");
        }
        for (String align : List.of("adkim", "aspf")) {
            String a = tags.getOrDefault(align, "r").toLowerCase(Locale.ROOT);
            if (!a.equals("r") && !a.equals("s")) {
                return c.invalid("The DMARC record of " + t.domain() + " has " + align + "=" + a + "; it must be r "
                        + "or s.");
            }
        }
        int pct;
        try {
            pct = Integer.parseInt(tags.getOrDefault("pct", "100"));
        } catch (NumberFormatException e) {
            pct = -1;
        }
        if (pct < 0 || pct > 100) {
            return c.invalid("The DMARC record of " + t.domain() + " has pct=" + tags.get("pct") + "; it must be a "
                    + "number from 0 to 100.");
        }
        Optional<String> lost = tags.containsKey("rua") ? reportsLost(dns, t.domain(), tags.get("rua"))
                : Optional.empty();
        if (lost.isPresent()) {
            return c.warning("Aggregate reports for " + t.domain() + " will not arrive: " + lost.get() + ".");
        }
        if (p.equals("none")) {
            return c.record(Target.fqdn(name) + " 3600 IN TXT \"" + withTag(record, "p", "quarantine") + "\"")
                    .warning("DMARC of " + t.domain() + " only monitors (p=none), so forged mail is still delivered; "
                    + "once the reports show SPF and DKIM passing, publish p=quarantine as shown.");
        }
        if (!tags.containsKey("rua")) {
            return c.record(Target.fqdn(name) + " 3600 IN TXT \"" + withTag(record, "rua", "mailto:postmaster@"
                    + t.domain()) + "\"").warning("The DMARC record of " + t.domain() + " asks for no aggregate "
                    + "reports; add rua=mailto:postmaster@" + t.domain() + " to see who sends as the domain.");
        }
        if (pct < 100) {
            return c.warning("DMARC of " + t.domain() + " applies p=" + p + " to only " + pct + "% of failing mail; "
                    + "raise pct to 100 when the reports look clean.");
        }
        return c.ok("DMARC of " + t.domain() + " is p=" + p + " with aggregate reports to " + tags.get("rua") + ".");
    }

    /** none < quarantine < reject; anything else (no policy at all) below none. */
    static int strictness(String policy) {
        return List.of("none", "quarantine", "reject").indexOf(policy.trim().toLowerCase(Locale.ROOT));
    }

    /** The record with one tag set (replaced where it is, else added after p=, or at the end); the rest as written. */
    static String withTag(String record, String tag, String value) {
        List<String> parts = new java.util.ArrayList<>(List.of(record.trim().replaceAll(";\\s*$", "")
                .split("\\s*;\\s*")));
        for (int i = 0; i < parts.size(); i++) {
            if (parts.get(i).toLowerCase(Locale.ROOT).startsWith(tag + "=")) {
                parts.set(i, tag + "=" + value);
                return String.join("; ", parts);
            }
        }
        int at = 1;
        for (int i = 0; i < parts.size(); i++) {
            if (parts.get(i).toLowerCase(Locale.ROOT).startsWith("p=")) {
                at = i + 1;
            }
        }
        parts.add(Math.min(at, parts.size()), tag + "=" + value);
        return String.join("; ", parts);
    }

    /**
     * Why aggregate reports to {@code rua} will not arrive, if they will not: a destination that is not a mailto:
     * address, or one at another domain that has not published its consent to receive this domain's reports
     * ({@code <domain>._report._dmarc.<other>}, RFC 7489 §7.1).
     */
    static Optional<String> reportsLost(Dns dns, String domain, String rua) {
        for (String uri : rua.split(",")) {
            String u = uri.trim().replaceFirst("!\\d+[kmgtKMGT]?$", "");
            if (!u.toLowerCase(Locale.ROOT).startsWith("mailto:")) {
                return Optional.of("rua=" + u + " is not a mailto: address; write rua=mailto:" + (u.contains("@") ? u
                        : "postmaster@" + domain));
            }
            String address = u.substring("mailto:".length());
            String other = address.substring(address.lastIndexOf('@') + 1).toLowerCase(Locale.ROOT);
            String own = domain.toLowerCase(Locale.ROOT);
            if (other.equals(own) || other.endsWith("." + own) || own.endsWith("." + other)) {
                continue;
            }
            String consent = own + "._report._dmarc." + other;
            try {
                if (dns.txt(consent).stream().noneMatch(r -> r.trim().toLowerCase(Locale.ROOT).startsWith("v=dmarc1"))) {
                    return Optional.of(other + " has not published " + consent + " (\"v=DMARC1\"), so receivers do "
                            + "not send " + domain + "'s reports to " + address + " (RFC 7489 §7.1); publish it at "
                            + other + ", or send the reports to an address at " + domain);
                }
            } catch (Dns.Failure e) {
                return Optional.empty(); // unknown: not said to be lost
            }
        }
        return Optional.empty();
    }

    static Check tlsRpt(Dns dns, Target t) {
        String name = "_smtp._tls." + t.domain();
        Check.Builder c = Check.of("tls-rpt", "TLS-RPT of " + t.domain()).informational();
        return informational(dns, c, name, "v=tlsrptv1",
                Target.fqdn(name) + " 3600 IN TXT \"v=TLSRPTv1; rua=mailto:postmaster@" + t.domain() + "\"",
                "TLS-RPT asks senders to report TLS failures when delivering to " + t.domain() + "; publish the "
                        + "record shown to receive them.");
    }

    private static Check informational(Dns dns, Check.Builder c, String name, String prefix, String record,
                                       String advice) {
        List<String> records;
        try {
            records = dns.txt(name).stream().filter(r -> r.trim().toLowerCase(Locale.ROOT).startsWith(prefix))
                    .toList();
        } catch (Dns.Failure e) {
            return c.unknown(name + " could not be read: " + e.getMessage() + ".");
        }
        if (records.isEmpty()) {
            return c.record(record).missing(advice);
        }
        c.detail("records", records);
        if (records.size() > 1) {
            return c.invalid(name + " has " + records.size() + " records; keep one.");
        }
        return c.ok(name + " is published: " + records.get(0) + ".");
    }
}
