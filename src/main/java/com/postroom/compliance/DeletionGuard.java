package com.postroom.compliance;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.springframework.stereotype.Service;

import com.postroom.policy.Decision;

/**
 * Whether a message may be deleted (ORIGINAL-API.md): not while a legal hold covers it or its thread
 * ({@code EMAIL.LEGAL_HOLD.BLOCK.v1}), not before its classification's retention period has run out
 * ({@code EMAIL.RETENTION.BLOCK_DELETE.v1}). Both reasons are reported when both apply.
 */
@Service
public class DeletionGuard {

    public static final String LEGAL_HOLD_BLOCK = "EMAIL.LEGAL_HOLD.BLOCK.v1";
    public static final String RETENTION_BLOCK = "EMAIL.RETENTION.BLOCK_DELETE.v1";

    private final LegalHolds holds;
    private final RetentionPolicies retention;

    DeletionGuard(LegalHolds holds, RetentionPolicies retention) {
        this.holds = holds;
        this.retention = retention;
    }

    public Decision check(long orgId, UUID messageId, UUID threadId, String classification,
                          OffsetDateTime createdAt) {
        List<Decision.Reason> reasons = new ArrayList<>();
        for (LegalHolds.Hold hold : holds.covering(orgId, messageId, threadId)) {
            reasons.add(new Decision.Reason(LEGAL_HOLD_BLOCK, "Legal hold #" + hold.id() + " ("
                    + hold.reason() + ") covers this " + (hold.scopeType().equals(LegalHolds.THREAD)
                    ? "message's thread" : "message") + "; release the hold before deleting.", "error"));
        }
        retention.of(orgId, classification).ifPresent(p -> {
            OffsetDateTime until = createdAt.plusDays(p.retainDays());
            if (until.isAfter(OffsetDateTime.now())) {
                reasons.add(new Decision.Reason(RETENTION_BLOCK, "Retention for " + classification
                        + " mail is " + p.retainDays() + " days; this message may be deleted from "
                        + until.toLocalDate() + ".", "error"));
            }
        });
        return reasons.isEmpty() ? new Decision("ALLOW", List.of(), List.of()) : Decision.block(reasons);
    }
}
