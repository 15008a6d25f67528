package com.postroom.deliverability;

import java.time.Instant;
import java.util.List;

/**
 * One doctor run: every check, the overall status, and the full table of DNS records the domain should publish (as
 * docs/deploy.md shows it).
 *
 * @param mailHostSource where the mail host's name came from: DOCTOR_MAIL_HOST, SMTP_HOST, MX or default
 */
public record Report(String domain, String mailHost, String mailHostSource, Status status, Instant checkedAt,
                     long durationMs, List<Check> checks, List<String> records) {

    /**
     * INVALID or MISSING when any check found a problem (the worse of the two), else WARNING when any warned, else
     * UNKNOWN when any could not tell, else OK. Informational checks do not count.
     */
    static Status overall(List<Check> checks) {
        List<Status> counted = checks.stream().filter(c -> !c.informational()).map(Check::status).toList();
        for (Status s : List.of(Status.INVALID, Status.MISSING, Status.WARNING, Status.UNKNOWN)) {
            if (counted.contains(s)) {
                return s;
            }
        }
        return Status.OK;
    }

    public List<Check> problems() {
        return checks.stream().filter(c -> !c.informational() && c.status() != Status.OK).toList();
    }
}
