package com.postroom.deliverability;

import java.io.ByteArrayInputStream;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.mail.MessagingException;
import jakarta.mail.internet.InternetHeaders;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import com.postroom.config.PostroomSettings;

/**
 * Gmail's and Yahoo's rule for bulk senders (2024): marketing and subscribed mail carries {@code List-Unsubscribe}
 * with an https link and {@code List-Unsubscribe-Post: List-Unsubscribe=One-Click} (RFC 8058), and the link works.
 * Checked on the latest patient statement Postroom actually sent (the bulk stream), not on what it would send.
 */
@Component
class BulkReadiness {

    private static final Pattern HTTPS_LINK = Pattern.compile("<(https://[^>]+/unsubscribe/([A-Za-z0-9_-]+))>");

    private final JdbcClient jdbc;
    private final Optional<String> publicUrl;

    BulkReadiness(JdbcClient jdbc, PostroomSettings settings) {
        this.jdbc = jdbc;
        this.publicUrl = settings.http().publicUrl();
    }

    Check check(long orgId) {
        Check.Builder c = Check.of("bulk", "One-click unsubscribe in statements");
        Optional<Map<String, Object>> latest = jdbc.sql("SELECT o.mime, m.created_at FROM email_message m "
                        + "JOIN outbox o ON o.message_id = m.id WHERE m.org_id = ? "
                        + "AND (m.meta ->> 'statement_number') IS NOT NULL ORDER BY m.created_at DESC LIMIT 1")
                .param(orgId).query().listOfRows().stream().findFirst();
        if (latest.isEmpty()) {
            return publicUrl.isEmpty()
                    ? c.warning("POSTROOM_PUBLIC_URL is not set, so statements would go without the one-click "
                    + "unsubscribe link Gmail and Yahoo require of bulk senders; set it to the https address "
                    + "recipients reach Postroom at.")
                    : c.informational().ok("No statement has been sent yet; each will carry a one-click unsubscribe "
                    + "link to " + publicUrl.get() + "/unsubscribe/….");
        }
        String sent = String.valueOf(latest.get().get("created_at"));
        if (latest.get().get("created_at") instanceof OffsetDateTime at) {
            sent = at.toLocalDate().toString();
        }
        c.detail("statement_sent", sent);
        InternetHeaders headers;
        try {
            headers = new InternetHeaders(new ByteArrayInputStream((byte[]) latest.get().get("mime")));
        } catch (MessagingException e) {
            return c.unknown("The latest statement's headers could not be read: " + e.getMessage() + ".");
        }
        String list = headers.getHeader("List-Unsubscribe", ",");
        String post = headers.getHeader("List-Unsubscribe-Post", ",");
        c.detail("list_unsubscribe", list).detail("list_unsubscribe_post", post);
        Matcher link = list == null ? null : HTTPS_LINK.matcher(list);
        if (link == null || !link.find()) {
            return c.warning("The latest statement (" + sent + ") has no https List-Unsubscribe link; Gmail and Yahoo "
                    + "require one-click unsubscribe of bulk senders" + (publicUrl.isEmpty()
                    ? ": set POSTROOM_PUBLIC_URL to the https address recipients reach Postroom at."
                    : "; statements sent from now on carry it."));
        }
        if (post == null || !post.trim().equals("List-Unsubscribe=One-Click")) {
            return c.warning("The latest statement (" + sent + ") has a List-Unsubscribe link but no "
                    + "'List-Unsubscribe-Post: List-Unsubscribe=One-Click', so receivers cannot unsubscribe in one "
                    + "click (RFC 8058).");
        }
        boolean known = jdbc.sql("SELECT count(*) FROM unsubscribe_link WHERE token = ? AND org_id = ?")
                .params(link.group(2), orgId).query(Long.class).single() > 0;
        if (!known) {
            return c.invalid("The latest statement's unsubscribe link " + link.group(1) + " is not one Postroom "
                    + "knows, so using it would do nothing; check POSTROOM_PUBLIC_URL points at this Postroom.");
        }
        if (publicUrl.isPresent() && !link.group(1).startsWith(publicUrl.get() + "/")) {
            return c.warning("The latest statement's unsubscribe link points at " + link.group(1) + ", not at "
                    + "POSTROOM_PUBLIC_URL (" + publicUrl.get() + "); statements sent from now on use the new "
                    + "address.");
        }
        return c.ok("The latest statement (" + sent + ") carries List-Unsubscribe with a working https link and "
                + "One-Click (RFC 8058), as Gmail and Yahoo require of bulk senders.");
    }
}
