package com.postroom.mailbox;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import com.postroom.audit.AuditLog;
import com.postroom.org.Caller;
import com.postroom.problem.Problem;
import com.postroom.store.Labels;
import com.postroom.store.MessageStates;

/**
 * Every change a reader makes to mail: read and unread, star, archive, trash, restore, spam, move between folders,
 * labels. One transaction per request, all or nothing; for mail that lives on an IMAP server the change is queued
 * for write-back in the same transaction (see inbound.ImapWriteback), so Postroom and Mailu's webmail agree.
 */
@Service
public class MailChanges {

    public enum Action {
        READ, UNREAD, STAR, UNSTAR, ARCHIVE, INBOX, TRASH, RESTORE, SPAM, NOT_SPAM, ADD_LABEL, REMOVE_LABEL;

        public static Optional<Action> of(String name) {
            try {
                return Optional.of(valueOf(name.strip().toUpperCase(Locale.ROOT).replace('-', '_')));
            } catch (IllegalArgumentException | NullPointerException e) {
                return Optional.empty();
            }
        }

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Raised after commit so the write-back worker starts at once instead of at its next poll. */
    public record WritebackQueued() {
    }

    public static final int MAX_BULK = 1000;

    private final JdbcClient jdbc;
    private final Labels labels;
    private final MessageStates states;
    private final AuditLog audit;
    private final ApplicationEventPublisher events;

    MailChanges(JdbcClient jdbc, Labels labels, MessageStates states, AuditLog audit,
                ApplicationEventPublisher events) {
        this.jdbc = jdbc;
        this.labels = labels;
        this.states = states;
        this.audit = audit;
        this.events = events;
    }

    /**
     * Applies one action to messages and to every message of the given threads.
     *
     * @return the ids of the messages the action was applied to
     */
    @Transactional
    public List<UUID> apply(Caller caller, Action action, List<UUID> messageIds, List<UUID> threadIds,
                            String label) {
        long orgId = caller.orgId();
        Set<UUID> ids = new LinkedHashSet<>(messageIds == null ? List.of() : messageIds);
        if (threadIds != null && !threadIds.isEmpty()) {
            List<UUID> known = jdbc.sql("SELECT id FROM email_thread WHERE org_id = ? AND id = ANY(?)")
                    .params(orgId, threadIds.toArray(UUID[]::new)).query(UUID.class).list();
            threadIds.stream().filter(t -> !known.contains(t)).findFirst().ifPresent(t -> {
                throw Problem.notFound("Thread not found: " + t);
            });
            ids.addAll(jdbc.sql("SELECT id FROM email_message WHERE org_id = ? AND thread_id = ANY(?) "
                            + "AND deleted_at IS NULL ORDER BY created_at")
                    .params(orgId, threadIds.toArray(UUID[]::new)).query(UUID.class).list());
        }
        if (ids.isEmpty()) {
            throw Problem.refused("Name the messages to change: message_ids or thread_ids.");
        }
        if (ids.size() > MAX_BULK) {
            throw Problem.refused("At most " + MAX_BULK + " messages per change; got " + ids.size() + ".");
        }
        UUID[] array = ids.toArray(UUID[]::new);
        List<UUID> found = jdbc.sql("SELECT id FROM email_message WHERE org_id = ? AND id = ANY(?) "
                        + "AND deleted_at IS NULL ORDER BY id FOR UPDATE")
                .params(orgId, array).query(UUID.class).list();
        ids.stream().filter(id -> !found.contains(id)).findFirst().ifPresent(id -> {
            throw Problem.notFound("Message not found: " + id);
        });
        String slug = null;
        if (action == Action.ADD_LABEL || action == Action.REMOVE_LABEL) {
            slug = Labels.slugOf(label).orElseThrow(() -> Problem.refused("Label required"));
        }
        switch (action) {
            case READ, UNREAD -> flag(orgId, array, MessageStates.Flag.SEEN, action == Action.READ);
            case STAR, UNSTAR -> flag(orgId, array, MessageStates.Flag.FLAGGED, action == Action.STAR);
            case ARCHIVE -> {
                states.archive(orgId, array);
                move(array, "archive");
            }
            case INBOX, NOT_SPAM -> {
                states.toInbox(orgId, array);
                move(array, "inbox");
            }
            case TRASH, SPAM -> {
                states.toTrashOrSpam(orgId, array, action == Action.SPAM);
                move(array, action == Action.TRASH ? "trash" : "junk");
            }
            case RESTORE -> {
                states.restore(orgId, array);
                move(array, "restore");
            }
            case ADD_LABEL -> labels.attach(array, labels.ensure(orgId, List.of(slug)).get(slug));
            case REMOVE_LABEL -> labels.detach(orgId, array, slug);
        }
        audit.recordEach(caller, action == Action.ADD_LABEL || action == Action.REMOVE_LABEL
                        ? AuditLog.LABEL_CHANGED : AuditLog.MESSAGE_CHANGED, "email_message", ids,
                AuditLog.details("action", action.id(), "label", slug));
        return new ArrayList<>(ids);
    }

    private void flag(long orgId, UUID[] ids, MessageStates.Flag flag, boolean on) {
        states.setFlag(orgId, ids, flag, on);
        queue(ids, on ? "add_flag" : "remove_flag", flag.imap());
    }

    /** Moves on the server: to the folder with that role (SPECIAL-USE), or back to where a message came from. */
    private void move(UUID[] ids, String role) {
        queue(ids, "move", role);
    }

    private void queue(UUID[] ids, String action, String argument) {
        int queued = jdbc.sql("INSERT INTO imap_writeback (mailbox_id, folder, uidvalidity, uid, action, argument) "
                        + "SELECT l.mailbox_id, l.folder, l.uidvalidity, l.uid, ?, ? FROM message_location l "
                        + "JOIN mailbox b ON b.id = l.mailbox_id AND b.enabled WHERE l.message_id = ANY(?)")
                .params(action, argument, ids).update();
        if (queued > 0) {
            events.publishEvent(new WritebackQueued());
        }
    }

    /** For a caller that only has the original API's single-message routes. */
    public List<UUID> apply(Caller caller, Action action, UUID messageId) {
        return apply(caller, action, List.of(messageId), List.of(), null);
    }
}
