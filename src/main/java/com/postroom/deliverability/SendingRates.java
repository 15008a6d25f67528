package com.postroom.deliverability;

import java.util.Locale;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import com.postroom.store.MessageStatus;

/**
 * How the mail Postroom sent in the last seven days was received, from its own records: bounces (DSNs, Postmark's
 * bounce events) and spam complaints (Postmark's, and ARF reports when they arrive) per message handed to a server.
 * Gmail's sender guidelines (2024) keep the complaint rate under 0.1% and act at 0.3%; for bounces, where Gmail names
 * no figure, Postroom warns above 2% and alarms at 5% (the level at which hosted senders review an account). Shown on
 * the dashboard and checked by the doctor's daily run, which alerts when it gets worse.
 */
@Component
public class SendingRates {

    static final int MIN_VOLUME = 100;
    static final double COMPLAINT_WARN = 0.001;
    static final double COMPLAINT_ALARM = 0.003;
    static final double BOUNCE_WARN = 0.02;
    static final double BOUNCE_ALARM = 0.05;

    /** The last seven days' figures. */
    public record Rates(long sent, long bounced, long complained) {

        public double bounceRate() {
            return sent == 0 ? 0 : (double) bounced / sent;
        }

        public double complaintRate() {
            return sent == 0 ? 0 : (double) complained / sent;
        }

        /** "0.12%", as the dashboard shows a rate. */
        public static String percent(double rate) {
            return String.format(Locale.ROOT, rate < 0.01 ? "%.2f%%" : "%.1f%%", rate * 100);
        }
    }

    private final JdbcClient jdbc;

    SendingRates(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public Rates lastWeek(long orgId) {
        return jdbc.sql("SELECT count(*), count(*) FILTER (WHERE m.status = " + MessageStatus.BOUNCED.sql()
                        + " OR EXISTS (SELECT 1 FROM bounce b WHERE b.outbound_message = m.id)), "
                        + "count(*) FILTER (WHERE m.meta ->> 'spam_complaint' IS NOT NULL) FROM email_message m "
                        + "WHERE m.org_id = ? AND m.direction = 'outbound' AND m.created_at > now() - interval '7 days' "
                        + "AND m.status IN (" + MessageStatus.SENT.sql() + ", " + MessageStatus.DELIVERED.sql() + ", "
                        + MessageStatus.BOUNCED.sql() + ", " + MessageStatus.FAILED.sql() + ")")
                .param(orgId)
                .query((rs, i) -> new Rates(rs.getLong(1), rs.getLong(2), rs.getLong(3))).single();
    }

    /** The doctor's check of the rates. */
    Check check(long orgId) {
        return judge(lastWeek(orgId));
    }

    static Check judge(Rates r) {
        Check.Builder c = Check.of("rates", "Bounce and complaint rates, 7 days").detail("sent", r.sent())
                .detail("bounced", r.bounced()).detail("complained", r.complained());
        String figures = r.sent() + " sent, " + Rates.percent(r.bounceRate()) + " bounced, "
                + Rates.percent(r.complaintRate()) + " marked as spam";
        if (r.sent() < MIN_VOLUME) {
            return c.ok(figures + ": too few messages to judge (" + MIN_VOLUME + " needed).");
        }
        if (r.complaintRate() >= COMPLAINT_ALARM) {
            return c.invalid(figures + ": at 0.3% marked as spam Gmail starts filtering or refusing the domain's "
                    + "mail; stop sending to people who did not ask for it and make unsubscribing one click.");
        }
        if (r.bounceRate() >= BOUNCE_ALARM) {
            return c.invalid(figures + ": so many bounces make receivers distrust the domain; remove addresses "
                    + "that bounce (Postroom suppresses hard bounces) and check where the addresses come from.");
        }
        if (r.complaintRate() > COMPLAINT_WARN) {
            return c.warning(figures + ": above the 0.1% Gmail asks senders to stay under; find which mail is "
                    + "reported and who receives it.");
        }
        if (r.bounceRate() > BOUNCE_WARN) {
            return c.warning(figures + ": above 2%; clean the address lists before the rate harms delivery.");
        }
        return c.ok(figures + ".");
    }
}
