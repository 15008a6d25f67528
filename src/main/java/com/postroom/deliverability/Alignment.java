package com.postroom.deliverability;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a receiver such as Gmail concludes about a message, computed here from the received copy rather than read from
 * a header: DKIM verified against the published key, SPF for the envelope sender from the address the mail host
 * sends from, and DMARC (RFC 7489 §3.1, §6.6): at least one of them passes and is aligned with the From domain.
 *
 * <p>Alignment in relaxed mode compares organizational domains; without the Public Suffix List this takes the last
 * two labels (three under a two-letter country code with a short second level, such as co.uk), which holds for the
 * domains mail is sent from in practice.
 *
 * @param header the Authentication-Results field the doctor computed (RFC 8601)
 */
record Alignment(String dkim, String spf, String dmarc, String fromDomain, String header, String problem) {

    private static final Pattern ADDRESS = Pattern.compile("<?([^<>\\s@]+@([^<>\\s@]+?))>?\\s*$");

    static Alignment judge(byte[] message, Dns dns, List<InetAddress> sendingAddresses) {
        String text = new String(message, StandardCharsets.ISO_8859_1);
        String head = text.split("\r?\n\r?\n", 2)[0].replaceAll("\r?\n[ \t]+", " ");
        String from = domainOf(field(head, "From").orElse("")).orElse("");
        String mailFrom = field(head, "Return-Path").flatMap(Alignment::domainOf).orElse(from);

        List<DkimVerifier.Result> signatures = DkimVerifier.verify(message, dns);
        Optional<DkimVerifier.Result> dkim = signatures.stream().filter(r -> r.result().equals("pass")
                && aligned(r.domain(), from, policy(dns, from).getOrDefault("adkim", "r"))).findFirst()
                .or(() -> signatures.stream().filter(r -> r.result().equals("pass")).findFirst())
                .or(() -> signatures.stream().findFirst());
        String dkimResult = dkim.map(DkimVerifier.Result::result).orElse("none");

        String spf = spf(dns, mailFrom, sendingAddresses);
        Map<String, String> policy = policy(dns, from);
        boolean dkimAligned = dkim.filter(r -> r.result().equals("pass"))
                .filter(r -> aligned(r.domain(), from, policy.getOrDefault("adkim", "r"))).isPresent();
        boolean spfAligned = spf.equals("pass") && aligned(mailFrom, from, policy.getOrDefault("aspf", "r"));
        String dmarc = policy.isEmpty() ? "none" : dkimAligned || spfAligned ? "pass" : "fail";

        String header = "postroom-doctor; dkim=" + dkimResult + dkim.map(r -> " header.d=" + r.domain() + " header.s="
                + r.selector()).orElse("") + "; spf=" + spf + " smtp.mailfrom=" + mailFrom + "; dmarc=" + dmarc
                + " header.from=" + from;
        String problem = null;
        if (!dkimAligned) {
            problem = dkim.map(r -> !r.result().equals("pass") ? "DKIM " + r.result() + " for d=" + r.domain()
                    + (r.reason() == null ? "" : " (" + r.reason() + ")")
                    : "the DKIM signature is for " + r.domain() + ", not aligned with From " + from)
                    .orElse("the message carries no DKIM signature (sign outgoing mail: Mailu signs when its DKIM key "
                            + "is generated and published)");
        }
        if (!spfAligned) {
            String why = !spf.equals("pass") ? "SPF " + spf + " for " + mailFrom + " from "
                    + sendingAddresses.stream().findFirst().map(InetAddress::getHostAddress).orElse("no address")
                    : "the envelope sender's domain " + mailFrom + " is not aligned with From " + from;
            problem = problem == null ? why : problem + "; " + why;
        }
        return new Alignment(dkimResult, spf, dmarc, from, header, problem);
    }

    /** Gmail's and Yahoo's rule for bulk senders: DMARC passes, so at least one of SPF and DKIM is aligned. */
    boolean passes() {
        return dmarc.equals("pass");
    }

    private static String spf(Dns dns, String domain, List<InetAddress> addresses) {
        Optional<InetAddress> ip = Target.preferred(addresses);
        if (domain.isEmpty() || ip.isEmpty()) {
            return "none";
        }
        Spf spf = new Spf(dns);
        try {
            List<String> records = spf.records(domain);
            if (records.isEmpty()) {
                return "none";
            }
            if (records.size() > 1) {
                return "permerror";
            }
            return switch (spf.evaluate(domain, Spf.parse(records.get(0)), ip.get(), 0).orElse('?')) {
                case '+' -> "pass";
                case '-' -> "fail";
                case '~' -> "softfail";
                default -> "neutral";
            };
        } catch (Dns.Failure e) {
            return "temperror";
        } catch (Spf.Malformed e) {
            return "permerror";
        }
    }

    /** The DMARC record's tags for the domain, else its organizational domain's (RFC 7489 §6.6.3). */
    private static Map<String, String> policy(Dns dns, String domain) {
        for (String name : List.of(domain, organizational(domain))) {
            try {
                for (String record : dns.txt("_dmarc." + name)) {
                    if (record.trim().toLowerCase(Locale.ROOT).startsWith("v=dmarc1")) {
                        return DkimCheck.tags(record);
                    }
                }
            } catch (Dns.Failure e) {
                return Map.of();
            }
        }
        return Map.of();
    }

    static boolean aligned(String a, String b, String mode) {
        String x = a.toLowerCase(Locale.ROOT);
        String y = b.toLowerCase(Locale.ROOT);
        return mode.equalsIgnoreCase("s") ? x.equals(y) : organizational(x).equals(organizational(y));
    }

    static String organizational(String domain) {
        String[] labels = domain.toLowerCase(Locale.ROOT).split("\\.");
        int n = labels.length;
        if (n <= 2) {
            return domain.toLowerCase(Locale.ROOT);
        }
        boolean countrySecondLevel = labels[n - 1].length() == 2 && labels[n - 2].length() <= 3;
        int keep = countrySecondLevel ? 3 : 2;
        return String.join(".", java.util.Arrays.copyOfRange(labels, n - keep, n));
    }

    private static Optional<String> field(String head, String name) {
        Matcher m = Pattern.compile("(?im)^" + Pattern.quote(name) + "\\s*:(.*)$").matcher(head);
        return m.find() ? Optional.of(m.group(1).trim()) : Optional.empty();
    }

    private static Optional<String> domainOf(String value) {
        Matcher m = ADDRESS.matcher(value.trim());
        return m.find() ? Optional.of(m.group(2).toLowerCase(Locale.ROOT)) : Optional.empty();
    }
}
