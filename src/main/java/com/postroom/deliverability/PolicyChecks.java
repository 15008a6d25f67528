package com.postroom.deliverability;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** DMARC (RFC 7489), and, for information, MTA-STS (RFC 8461) and TLS-RPT (RFC 8460). */
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
        String next = Target.fqdn(name) + " 3600 IN TXT \"" + recommendedDmarc(t, "quarantine") + "\"";
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
            return c.record(start).invalid(name + " has " + records.size() + " DMARC records, so receivers ignore "
                    + "all of them (RFC 7489 §6.6.3); keep one.");
        }
        Map<String, String> tags = DkimCheck.tags(records.get(0));
        String p = tags.getOrDefault("p", "").toLowerCase(Locale.ROOT);
        tags.forEach((k, v) -> {
            if (List.of("p", "sp", "rua", "ruf", "pct", "adkim", "aspf").contains(k)) {
                c.detail(k, v);
            }
        });
        if (!List.of("none", "quarantine", "reject").contains(p)) {
            return c.record(start).invalid("The DMARC record of " + t.domain() + " has " + (p.isEmpty()
                    ? "no p= policy" : "p=" + p + ", which is not a policy") + "; it must say p=none, quarantine or "
                    + "reject.");
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
        if (p.equals("none")) {
            return c.record(next).warning("DMARC of " + t.domain() + " only monitors (p=none), so forged mail is "
                    + "still delivered; once the reports show SPF and DKIM passing, publish p=quarantine as shown.");
        }
        if (!tags.containsKey("rua")) {
            return c.warning("The DMARC record of " + t.domain() + " asks for no aggregate reports; add rua=mailto:"
                    + "postmaster@" + t.domain() + " to see who sends as the domain.");
        }
        if (pct < 100) {
            return c.warning("DMARC of " + t.domain() + " applies p=" + p + " to only " + pct + "% of failing mail; "
                    + "raise pct to 100 when the reports look clean.");
        }
        return c.ok("DMARC of " + t.domain() + " is p=" + p + " with aggregate reports to " + tags.get("rua") + ".");
    }

    static Check mtaSts(Dns dns, Target t) {
        String name = "_mta-sts." + t.domain();
        Check.Builder c = Check.of("mta-sts", "MTA-STS of " + t.domain()).informational();
        return informational(dns, c, name, "v=stsv1",
                Target.fqdn(name) + " 3600 IN TXT \"v=STSv1; id=" + java.time.LocalDate.now().toString()
                        .replace("-", "") + "01\"",
                "MTA-STS tells senders to insist on TLS to " + t.domain() + "; to use it, serve a policy at "
                        + "https://mta-sts." + t.domain() + "/.well-known/mta-sts.txt and publish the record shown.");
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
