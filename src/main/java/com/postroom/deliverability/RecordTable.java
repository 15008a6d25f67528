package com.postroom.deliverability;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The DNS records a domain served by Mailu should publish, in zone-file syntax, from what the checks found: the DKIM
 * key as published (or as it should be), and a placeholder for what only the operator knows (the public address).
 */
final class RecordTable {

    private RecordTable() {
    }

    /** The SPF record as published, when there was exactly one. */
    private static String published(Check spf, String domain) {
        Object records = spf.details().get("records");
        return records instanceof List<?> list && list.size() == 1 ? domain + " 3600 IN TXT \"" + list.get(0) + "\""
                : null;
    }

    static List<String> of(Target t, List<Check> checks) {
        List<String> out = new ArrayList<>();
        String domain = Target.fqdn(t.domain());
        String host = Target.fqdn(t.mailHost());
        out.add(domain + " 3600 IN MX 10 " + host);
        List<String> v4 = t.ipv4().stream().map(java.net.InetAddress::getHostAddress).toList();
        if (v4.isEmpty()) {
            out.add(host + " 3600 IN A <public IPv4 address of the mail server>");
        } else {
            v4.forEach(ip -> out.add(host + " 3600 IN A " + ip));
        }
        t.addresses().stream().filter(a -> a instanceof java.net.Inet6Address)
                .forEach(ip -> out.add(host + " 3600 IN AAAA " + ip.getHostAddress()));
        // SPF and DMARC: the check's own fix when it has one (it keeps what was published and adds what is missing),
        // else the record as published, else the recommended one; never a weaker one than is published.
        Optional<Check> spf = checks.stream().filter(c -> c.id().equals("spf")).findFirst();
        out.add(spf.map(c -> c.record() != null ? c.record() : published(c, domain)).filter(r -> r != null)
                .orElse(domain + " 3600 IN TXT \"" + SpfCheck.recommended(t) + "\""));
        Optional<Check> dkim = checks.stream().filter(c -> c.id().equals("dkim")).findFirst();
        out.add(dkim.map(c -> c.record() != null ? c.record() : (String) c.details().get("published"))
                .orElse("<selector>._domainkey." + domain + " 3600 IN TXT \"v=DKIM1; k=rsa; p=<public key from Mailu "
                        + "or doctor dkim-keygen>\""));
        Optional<Check> dmarc = checks.stream().filter(c -> c.id().equals("dmarc")).findFirst();
        out.add(dmarc.map(c -> c.record() != null ? c.record() : (String) c.details().get("published"))
                .orElse("_dmarc." + domain + " 3600 IN TXT \"" + PolicyChecks.recommendedDmarc(t, "quarantine")
                        + "\""));
        out.add("_smtp._tls." + domain + " 3600 IN TXT \"v=TLSRPTv1; rua=mailto:postmaster@" + t.domain() + "\"");
        out.add("; reverse DNS (set at the address's provider): PTR of each address above -> " + host);
        return out;
    }
}
