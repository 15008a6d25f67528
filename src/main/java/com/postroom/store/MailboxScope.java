package com.postroom.store;

import java.util.List;
import java.util.Locale;

/**
 * The mail of one synced mailbox, for the web UI's mailbox switcher: what the server holds in that mailbox (its
 * locations) and what was written or sent from its address. Added to a list's, a count's or a search's conditions on
 * {@code email_message m}.
 */
public record MailboxScope(long mailboxId, String address) {

    public String predicate() {
        return "(EXISTS (SELECT 1 FROM message_location l WHERE l.message_id = m.id AND l.mailbox_id = ?) "
                + "OR (m.direction = 'outbound' AND lower(m.sender) = ?))";
    }

    public List<Object> params() {
        return List.of(mailboxId, address.toLowerCase(Locale.ROOT));
    }
}
