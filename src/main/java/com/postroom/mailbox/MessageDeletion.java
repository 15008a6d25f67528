package com.postroom.mailbox;

import java.time.OffsetDateTime;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import com.postroom.audit.AuditLog;
import com.postroom.compliance.DeletionGuard;
import com.postroom.org.Caller;
import com.postroom.policy.Decision;
import com.postroom.problem.Problem;
import com.postroom.store.MessageStates;

/**
 * Deletes a message the way ORIGINAL-API.md says: a soft delete (status {@code deleted_pending}; it leaves every list
 * at once, its content stays until purged), refused while a legal hold or the retention period covers it. The row is
 * locked while the guard decides, so a hold placed meanwhile is not missed.
 */
@Service
public class MessageDeletion {

    private final JdbcClient jdbc;
    private final DeletionGuard guard;
    private final AuditLog audit;
    private final MessageStates states;

    MessageDeletion(JdbcClient jdbc, DeletionGuard guard, AuditLog audit, MessageStates states) {
        this.jdbc = jdbc;
        this.guard = guard;
        this.states = states;
        this.audit = audit;
    }

    private record Row(UUID threadId, String classification, OffsetDateTime createdAt) {
    }

    /** The decision that allowed it; a {@link Problem.Kind#LOCKED} problem carrying the blocking decision if not. */
    @Transactional
    public Decision delete(Caller caller, UUID id) {
        Row row = jdbc.sql("SELECT thread_id AS threadId, classification, created_at AS createdAt FROM email_message "
                + "WHERE id = ? AND org_id = ? "
                        + "AND deleted_at IS NULL FOR UPDATE")
                .params(id, caller.orgId()).query(Row.class).optional()
                .orElseThrow(() -> Problem.notFound("Message not found"));
        Decision decision = guard.check(caller.orgId(), id, row.threadId(), row.classification(), row.createdAt());
        if (decision.decision().equals("BLOCK")) {
            throw Problem.locked(decision.reasons().get(0).message(), decision);
        }
        states.markDeleted(caller.orgId(), id);
        audit.record(caller, AuditLog.MESSAGE_DELETED, "email_message", id,
                AuditLog.details("classification", row.classification()));
        return decision;
    }
}
