package com.postroom.founder;

import java.util.List;

import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;

import tools.jackson.databind.json.JsonMapper;

import com.postroom.deliverability.Deliverability;
import com.postroom.deliverability.SendingRates;
import com.postroom.inbound.SyncHealth;
import com.postroom.outbound.OutboxHealth;
import com.postroom.org.Caller;
import com.postroom.org.Organizations;
import com.postroom.web.WebPage;

/**
 * The founder dashboard: the stats cards, mail that needs a response with its urgency, failed deliveries with the
 * server's replies, what the doctor found, and whether the mail server answers. The same services as
 * /api/founder/email.
 */
@WebPage
class DashboardPage {

    private final FounderMail mail;
    private final Organizations organizations;
    private final Deliverability deliverability;
    private final OutboxHealth outbox;
    private final SyncHealth syncHealth;
    private final JsonMapper json;
    private final SendingRates rates;

    DashboardPage(FounderMail mail, Organizations organizations, Deliverability deliverability, JsonMapper json,
                  OutboxHealth outbox, SyncHealth syncHealth, SendingRates rates) {
        this.rates = rates;
        this.mail = mail;
        this.organizations = organizations;
        this.deliverability = deliverability;
        this.outbox = outbox;
        this.syncHealth = syncHealth;
        this.json = json;
    }

    /** One stats card: its figure as shown, and a note under it (or null). */
    public record Card(String label, String value, String note) {

        Card(String label, long value) {
            this(label, String.valueOf(value), null);
        }
    }

    private static Card rateCard(String label, double rate, SendingRates.Rates r) {
        return new Card(label, SendingRates.Rates.percent(rate), "of " + r.sent() + " sent");
    }

    @GetMapping("/dashboard")
    String dashboard(Model model) {
        Caller caller = Caller.current().requireOr("The dashboard is for founders and admins.", Caller.FOUNDER,
                Caller.ADMIN);
        String domain = organizations.byId(caller.orgId()).map(Organizations.Organization::emailDomain).orElse("");
        // As the API shows them (snake_case maps), so the template reads the same names as the API's clients.
        FounderMail.Stats stats = mail.stats(caller.orgId(), domain);
        SendingRates.Rates week = rates.lastWeek(caller.orgId());
        model.addAttribute("cards", List.of(new Card("Unread", stats.unreadMessages()),
                new Card("Need a response", stats.messagesNeedingResponse()),
                new Card("Failed in 24 h", stats.failedDeliveries24h()),
                new Card("Messages in 7 days", stats.recentActivity7d()),
                // Gmail acts at 0.3% of mail marked as spam; Postroom warns above 0.1% (SendingRates).
                rateCard("Marked as spam, 7 days", week.complaintRate(), week),
                rateCard("Bounced, 7 days", week.bounceRate(), week)));
        model.addAttribute("needsResponse", json.convertValue(mail.needsResponse(caller.orgId(), domain, 10),
                List.class));
        model.addAttribute("failed", json.convertValue(mail.failedDeliveries(caller.orgId(), 10), List.class));
        model.addAttribute("problems", deliverability.openProblems(caller.orgId()));
        model.addAttribute("doctorStatus", deliverability.latest(caller.orgId())
                .map(r -> r.path("status").asString()).orElse(null));
        // Sending and receiving as they really go, not only whether a login works.
        model.addAttribute("outbox", outbox.state(caller.orgId()));
        List<SyncHealth.FolderHealth> folders = syncHealth.folders(caller.orgId());
        model.addAttribute("receiving", folders);
        model.addAttribute("receivingProblems", folders.stream().filter(f -> !f.ok()).toList());
        return "dashboard";
    }
}
