package com.postroom.store;

import java.util.Arrays;
import java.util.Locale;

/**
 * Where a message stands (ORIGINAL-API.md's status values, plus {@code draft}). Stored as the lower-case name in
 * {@code email_message.status}, whose CHECK constraint (migration 18) lists the same values: a test keeps the two
 * equal, so a status written anywhere is one of these.
 */
public enum MessageStatus {
    /** Outbound, accepted into the outbox, not yet delivered. */
    QUEUED,
    /** Outbound, accepted by the receiving server (its 250). */
    SENT,
    /** Outbound, refused by every recipient's server, or given up on. */
    FAILED,
    /** Outbound, stored but refused by policy (kept for the record; never sent). */
    BLOCKED,
    /** Inbound, stored. */
    RECEIVED,
    /** Taken out of the inbox. */
    ARCHIVED,
    /** Deleted through the original API; kept until retention lets it go. */
    DELETED_PENDING,
    /** Outbound, reported delivered to the mailbox (Postmark's Delivery event). */
    DELIVERED,
    /** Outbound, reported bounced after it was sent (a DSN or Postmark's Bounce event). */
    BOUNCED,
    /** Written in the web UI, not sent. */
    DRAFT;

    /** The value stored in the database and shown in the API. */
    public String db() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The value as an SQL literal, for statements that compare with a fixed status. It comes from this enum, never
     * from input, so writing it into a statement is safe; the values are spelled only here.
     */
    public String sql() {
        return "'" + db() + "'";
    }

    /** SQL: the message (table alias given) was sent and not delivered, failed or bounced. */
    public static String notDelivered(String alias) {
        return alias + ".status IN (" + FAILED.sql() + ", " + BOUNCED.sql() + ")";
    }

    public static MessageStatus of(String db) {
        return Arrays.stream(values()).filter(s -> s.db().equals(db)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("Unknown message status '" + db + "'"));
    }

    @Override
    public String toString() {
        return db();
    }
}
