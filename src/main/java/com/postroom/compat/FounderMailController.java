package com.postroom.compat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import com.postroom.founder.FounderMail;
import com.postroom.mail.Identities;
import com.postroom.mail.EmailAddress;
import com.postroom.mail.MailEndpoints;
import com.postroom.org.Caller;
import com.postroom.org.Organizations;
import com.postroom.problem.Problem;

/** The founder dashboard's reads under {@code /api/founder/email} (ORIGINAL-API.md). */
@RestController
class FounderMailController {

    private static final String FOUNDER_ACCESS_REQUIRED = "FOUNDER_ACCESS_REQUIRED";

    private final FounderMail mail;
    private final Organizations organizations;
    private final MailEndpoints endpoints;

    FounderMailController(FounderMail mail, Organizations organizations, MailEndpoints endpoints) {
        this.mail = mail;
        this.organizations = organizations;
        this.endpoints = endpoints;
    }

    @GetMapping("/api/founder/email/stats")
    Map<String, Object> stats() {
        Caller caller = founder();
        FounderMail.Stats s = mail.stats(caller.orgId(), domain(caller));
        Map<String, Object> stats = new LinkedHashMap<>();
        stats.put("unread_messages", s.unreadMessages());
        stats.put("messages_needing_response", s.messagesNeedingResponse());
        stats.put("failed_deliveries_24h", s.failedDeliveries24h());
        stats.put("recent_activity_7d", s.recentActivity7d());
        stats.put("avg_response_minutes", s.avgResponseMinutes());
        boolean ready = endpoints.smtpConfigured() && endpoints.identities().sender(Identities.Flow.FOUNDER).isPresent();
        stats.put("sender_status", ready ? "active" : "needs_setup");
        return Map.of("success", true, "stats", stats);
    }

    @GetMapping("/api/founder/email/recent")
    Map<String, Object> recent(@RequestParam(defaultValue = "20") int limit) {
        Caller caller = founder();
        limit(limit, 50);
        List<FounderMail.Recent> emails = mail.recent(caller.orgId(), domain(caller), limit);
        return Map.of("success", true, "emails", emails, "count", emails.size());
    }

    @GetMapping("/api/founder/email/needs-response")
    Map<String, Object> needsResponse(@RequestParam(defaultValue = "10") int limit) {
        Caller caller = founder();
        limit(limit, 50);
        List<FounderMail.NeedsResponse> emails = mail.needsResponse(caller.orgId(), domain(caller), limit);
        return Map.of("success", true, "emails", emails, "count", emails.size(),
                "has_urgent", emails.stream().anyMatch(e -> e.urgency().equals("high")));
    }

    @GetMapping("/api/founder/email/tracking-score/{recipient}")
    Map<String, Object> trackingScore(@PathVariable String recipient) {
        Caller caller = founder();
        EmailAddress address;
        try {
            address = EmailAddress.parse(recipient);
        } catch (EmailAddress.InvalidAddressException e) {
            throw Problem.refused("'" + recipient + "' is not an email address.");
        }
        return Map.of("success", true, "recipient", address.address(),
                "score", mail.trackingScore(caller.orgId(), address.address()));
    }

    @GetMapping("/api/founder/email/failed-deliveries")
    Map<String, Object> failedDeliveries(@RequestParam(defaultValue = "50") int limit) {
        Caller caller = founder();
        limit(limit, 200);
        List<FounderMail.FailedDelivery> failed = mail.failedDeliveries(caller.orgId(), limit);
        return Map.of("success", true, "failed_deliveries", failed, "count", failed.size());
    }

    private static Caller founder() {
        return Caller.current().requireOr(FOUNDER_ACCESS_REQUIRED, Caller.FOUNDER, Caller.ADMIN);
    }

    private String domain(Caller caller) {
        return organizations.byId(caller.orgId()).map(Organizations.Organization::emailDomain).orElse("");
    }

    private static void limit(int limit, int max) {
        if (limit < 1 || limit > max) {
            throw Problem.refused("limit must be between 1 and " + max + ".");
        }
    }
}
