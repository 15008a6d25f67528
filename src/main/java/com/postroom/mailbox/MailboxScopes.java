package com.postroom.mailbox;

import java.util.List;
import java.util.Optional;

import jakarta.servlet.http.HttpSession;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import com.postroom.store.MailboxScope;

/**
 * The web UI's mailbox switcher: the organization's synced mailboxes to choose from, and the reader's choice, kept in
 * the session (all mailboxes until one is chosen; a mailbox that was removed falls back to all).
 */
@Component
class MailboxScopes {

    static final String SESSION_KEY = "postroom.mailbox";

    private final JdbcClient jdbc;

    MailboxScopes(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** A mailbox to choose, named by its account. */
    public record Choice(long id, String address) {
    }

    List<Choice> choices(long orgId) {
        return jdbc.sql("SELECT id, username AS address FROM mailbox WHERE org_id = ? AND enabled "
                + "ORDER BY source DESC, username, id").param(orgId).query(Choice.class).list();
    }

    Optional<MailboxScope> find(long orgId, long id) {
        return jdbc.sql("SELECT id, username FROM mailbox WHERE org_id = ? AND id = ? AND enabled").params(orgId, id)
                .query((rs, i) -> new MailboxScope(rs.getLong(1), rs.getString(2))).optional();
    }

    Optional<MailboxScope> current(HttpSession session, long orgId) {
        if (!(session.getAttribute(SESSION_KEY) instanceof Long id)) {
            return Optional.empty();
        }
        Optional<MailboxScope> scope = find(orgId, id);
        if (scope.isEmpty()) {
            session.removeAttribute(SESSION_KEY);
        }
        return scope;
    }
}
