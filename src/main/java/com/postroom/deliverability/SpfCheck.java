package com.postroom.deliverability;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The SPF check: one record, valid, at most 10 lookups, covers the mail host, ends in ~all or -all. */
final class SpfCheck {

    private SpfCheck() {
    }

    static String recommended(Target t) {
        return "v=spf1 mx a:" + t.mailHost() + " ~all";
    }

    static Check run(Dns dns, Target t) {
        Check.Builder c = Check.of("spf", "SPF of " + t.domain());
        String publish = Target.fqdn(t.domain()) + " 3600 IN TXT \"" + recommended(t) + "\"";
        Spf spf = new Spf(dns);
        List<String> records;
        try {
            records = spf.records(t.domain());
        } catch (Dns.Failure e) {
            return c.unknown("The SPF record of " + t.domain() + " could not be read: " + e.getMessage() + ".");
        }
        if (records.isEmpty()) {
            return c.record(publish).missing(t.domain() + " has no SPF record, so receivers cannot tell its mail "
                    + "from forgeries; publish the record shown.");
        }
        c.detail("records", records);
        if (records.size() > 1) {
            return c.record(publish).invalid(t.domain() + " has " + records.size() + " SPF records, which receivers "
                    + "treat as a permanent error (RFC 7208 §4.5); merge them into one.");
        }
        String record = records.get(0);
        List<Spf.Term> terms;
        int lookups;
        try {
            terms = Spf.parse(record);
            lookups = spf.countLookups(terms, 0);
        } catch (Spf.Malformed e) {
            return c.record(publish).invalid("The SPF record of " + t.domain() + " is not valid: " + e.getMessage()
                    + "; receivers treat it as a permanent error.");
        } catch (Dns.Failure e) {
            return c.unknown("An include of the SPF record could not be read: " + e.getMessage() + ".");
        }
        c.detail("lookups", lookups);
        if (lookups > Spf.LOOKUP_LIMIT) {
            return c.invalid("The SPF record of " + t.domain() + " needs " + (lookups > Spf.LOOKUP_LIMIT + 5
                    ? "more than " + (Spf.LOOKUP_LIMIT + 5) : lookups) + " DNS lookups, more than the 10 receivers "
                    + "allow (RFC 7208 §4.6.4); replace includes with ip4:/ip6: ranges.");
        }
        Optional<Spf.Term> all = terms.stream().filter(x -> !x.modifier() && x.name().equals("all")).findFirst();
        if (all.isPresent() && all.get().qualifier() == '+') {
            return c.record(publish).invalid("The SPF record of " + t.domain() + " ends in +all, which lets anyone "
                    + "send as " + t.domain() + "; end it in ~all or -all.");
        }
        List<String> uncovered = new ArrayList<>();
        try {
            for (InetAddress ip : t.addresses()) {
                Optional<Character> result = spf.evaluate(t.domain(), terms, ip, 0);
                if (result.isEmpty() || result.get() != '+') {
                    uncovered.add(ip.getHostAddress());
                }
            }
        } catch (Spf.Malformed e) {
            return c.invalid("The SPF record of " + t.domain() + " fails to evaluate: " + e.getMessage() + ".");
        } catch (Dns.Failure e) {
            return c.unknown("A name in the SPF record could not be resolved: " + e.getMessage() + ".");
        }
        if (!uncovered.isEmpty()) {
            return c.record(Target.fqdn(t.domain()) + " 3600 IN TXT \"" + withMailHost(record, t) + "\"")
                    .invalid("The SPF record of " + t.domain() + " does not allow the mail host " + t.mailHost()
                            + " (" + String.join(", ", uncovered) + ") to send, so its mail fails SPF; add a:"
                            + t.mailHost() + " as shown.");
        }
        boolean redirect = terms.stream().anyMatch(x -> x.modifier() && x.name().equals("redirect"));
        if (all.isEmpty() && !redirect || all.isPresent() && all.get().qualifier() == '?') {
            return c.record(Target.fqdn(t.domain()) + " 3600 IN TXT \"" + record.replaceAll("\\s+[?]?all\\b", "")
                    + " ~all\"").warning("The SPF record of " + t.domain() + " does not end in ~all or -all, so it "
                    + "says nothing about other senders; end it in ~all (or -all once all senders are listed).");
        }
        return c.ok("One valid SPF record that allows the mail host, " + lookups + " of 10 DNS lookups, ending in "
                + (all.map(x -> x.qualifier() + "all").orElse("a redirect")) + ".");
    }

    private static String withMailHost(String record, Target t) {
        String term = "a:" + t.mailHost();
        int all = record.toLowerCase(java.util.Locale.ROOT).lastIndexOf("all");
        int cut = record.lastIndexOf(' ', Math.max(all, 0));
        return all > 0 && cut > 0 ? record.substring(0, cut) + " " + term + record.substring(cut)
                : record + " " + term;
    }
}
