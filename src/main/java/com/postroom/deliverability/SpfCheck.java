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
            return c.record(Target.fqdn(t.domain()) + " 3600 IN TXT \"" + merged(records) + "\"").invalid(t.domain()
                    + " has " + records.size() + " SPF records, which receivers treat as a permanent error (RFC 7208 "
                    + "§4.5); merge them into one, as shown (every mechanism kept, the strictest all).");
        }
        String record = records.get(0);
        List<Spf.Term> terms;
        int lookups;
        try {
            terms = Spf.parse(record);
            lookups = spf.countLookups(terms, 0);
        } catch (Spf.Malformed e) {
            return c.record(Target.fqdn(t.domain()) + " 3600 IN TXT \"" + merged(List.of(record)) + "\"")
                    .invalid("The SPF record of " + t.domain() + " is not valid: " + e.getMessage() + "; receivers "
                    + "treat it as a permanent error. Shown: the record without what is not valid.");
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
        // What a server the record does not list gets, through every include and redirect, as receivers see it.
        Optional<Character> policy;
        try {
            policy = spf.effectivePolicy(t.domain(), terms);
        } catch (Spf.Malformed e) {
            return c.record(null).invalid("The SPF record of " + t.domain() + " fails: " + e.getMessage()
                    + "; remove or fix those names.");
        } catch (Dns.Failure e) {
            return c.unknown("A name in the SPF record could not be resolved: " + e.getMessage() + ".");
        }
        c.detail("policy", policy.map(q -> q + "all").orElse("neutral"));
        if (policy.isPresent() && policy.get() == '+') {
            boolean own = all.isPresent() && all.get().qualifier() == '+';
            return c.record(own ? Target.fqdn(t.domain()) + " 3600 IN TXT \"" + record.replaceAll("\\s+\\+?all\\b",
                    "") + " ~all\"" : null).invalid("The SPF record of " + t.domain() + " lets any server pass SPF "
                    + "as " + t.domain() + " (" + (own ? "it ends in +all" : "through an include that ends in +all or "
                    + "allows the whole internet") + "), so SPF protects nothing; " + (own ? "end it in ~all or -all."
                    : "remove that include or ask its owner to fix it."));
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
        if (policy.isEmpty() || policy.get() == '?') {
            boolean ownAll = all.isPresent();
            return c.record(Target.fqdn(t.domain()) + " 3600 IN TXT \"" + record.replaceAll("\\s+[?]?all\\b", "")
                    + " ~all\"").warning("The SPF record of " + t.domain() + " says nothing about servers it does not "
                    + "list (" + (ownAll ? "it ends in ?all" : "it has no all, or reaches one only through a redirect "
                    + "that says nothing") + "), so forgeries are neutral; end it in ~all (or -all once all senders "
                    + "are listed).");
        }
        return c.ok("One valid SPF record that allows the mail host, " + lookups + " of 10 DNS lookups; other "
                + "servers get " + (policy.get() == '-' ? "fail" : "softfail") + " (" + policy.get() + "all"
                + (all.isPresent() ? "" : ", through its redirect") + ").");
    }

    /**
     * One record from several (or from one with terms that are not valid): every valid mechanism and modifier once, in
     * the order written, and the strictest all any of them had (-all over ~all over ?all; +all never survives a
     * merge). Nothing published is dropped but what receivers could not read anyway.
     */
    static String merged(List<String> records) {
        java.util.LinkedHashSet<String> terms = new java.util.LinkedHashSet<>();
        char strictest = 0;
        for (String record : records) {
            String[] parts = record.trim().split("\\s+");
            for (int i = 1; i < parts.length; i++) {
                List<Spf.Term> one;
                try {
                    one = Spf.parse("v=spf1 " + parts[i]);
                } catch (Spf.Malformed e) {
                    continue; // not readable: receivers stop at it
                }
                Spf.Term term = one.get(0);
                if (!term.modifier() && term.name().equals("all")) {
                    strictest = stricter(strictest, term.qualifier());
                } else {
                    terms.add(parts[i]);
                }
            }
        }
        char all = strictest == 0 || strictest == '+' || strictest == '?' ? '~' : strictest;
        return "v=spf1" + (terms.isEmpty() ? "" : " " + String.join(" ", terms)) + " " + all + "all";
    }

    private static char stricter(char a, char b) {
        String order = "+?~-";
        return a == 0 || order.indexOf(b) > order.indexOf(a) ? b : a;
    }

    private static String withMailHost(String record, Target t) {
        String term = "a:" + t.mailHost();
        int all = record.toLowerCase(java.util.Locale.ROOT).lastIndexOf("all");
        int cut = record.lastIndexOf(' ', Math.max(all, 0));
        return all > 0 && cut > 0 ? record.substring(0, cut) + " " + term + record.substring(cut)
                : record + " " + term;
    }
}
