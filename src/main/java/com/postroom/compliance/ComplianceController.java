package com.postroom.compliance;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import com.postroom.audit.AuditLog;
import com.postroom.org.Caller;
import com.postroom.api.ApiException;
import com.postroom.problem.Problem;

/** Legal holds ({@code /api/legal-hold}) and retention policies ({@code /api/retention-policies}). */
@RestController
class ComplianceController {

    static final String[] ROLES = {Caller.ADMIN, Caller.COMPLIANCE, Caller.FOUNDER};
    static final Set<String> CLASSIFICATIONS = Set.of("ops", "billing", "legal", "founder_comm");

    private final LegalHolds holds;
    private final RetentionPolicies retention;
    private final AuditLog audit;

    ComplianceController(LegalHolds holds, RetentionPolicies retention, AuditLog audit) {
        this.holds = holds;
        this.retention = retention;
        this.audit = audit;
    }

    record NewHold(String scopeType, String scopeId, String reason) {
    }

    @PostMapping("/api/legal-hold")
    @Transactional
    ResponseEntity<LegalHolds.Hold> place(@RequestBody NewHold body) {
        Caller caller = Caller.current().require(ROLES);
        if (body.scopeType() == null || !Set.of(LegalHolds.MESSAGE, LegalHolds.THREAD).contains(body.scopeType())) {
            throw Problem.refused("scope_type must be email_message or email_thread.");
        }
        UUID scopeId = uuid(body.scopeId());
        if (body.reason() == null || body.reason().isBlank()) {
            throw Problem.refused("reason is required: say why the mail is held (matter, case number).");
        }
        if (!holds.scopeExists(caller.orgId(), body.scopeType(), scopeId)) {
            throw Problem.notFound(body.scopeType().equals(LegalHolds.MESSAGE) ? "Message not found"
                    : "Thread not found");
        }
        LegalHolds.Hold hold = holds.place(caller.orgId(), body.scopeType(), scopeId, body.reason().strip(),
                caller.userId() > 0 ? caller.userId() : null);
        audit.record(caller, AuditLog.LEGAL_HOLD_PLACED, body.scopeType(), scopeId,
                AuditLog.details("hold_id", hold.id(), "reason", hold.reason()));
        return ResponseEntity.status(HttpStatus.CREATED).body(hold);
    }

    @GetMapping("/api/legal-hold")
    List<LegalHolds.Hold> list(@RequestParam(defaultValue = "false") boolean active) {
        Caller caller = Caller.current().require(ROLES);
        return holds.list(caller.orgId(), active);
    }

    @PostMapping("/api/legal-hold/{id}/release")
    @Transactional
    LegalHolds.Hold release(@PathVariable long id) {
        Caller caller = Caller.current().require(ROLES);
        LegalHolds.Hold hold = holds.find(caller.orgId(), id)
                .orElseThrow(() -> Problem.notFound("Legal hold not found"));
        if (!holds.release(caller.orgId(), id, caller.userId() > 0 ? caller.userId() : null)) {
            throw new ApiException(HttpStatus.CONFLICT, "Legal hold #" + id + " was already released at "
                    + hold.releasedAt() + ".");
        }
        audit.record(caller, AuditLog.LEGAL_HOLD_RELEASED, hold.scopeType(), hold.scopeId(),
                AuditLog.details("hold_id", id));
        return holds.find(caller.orgId(), id).orElseThrow();
    }

    @GetMapping("/api/retention-policies")
    List<RetentionPolicies.Policy> policies() {
        Caller caller = Caller.current().require(ROLES);
        return retention.list(caller.orgId());
    }

    record PolicyBody(Integer retainDays) {
    }

    @PutMapping("/api/retention-policies/{classification}")
    @Transactional
    RetentionPolicies.Policy setPolicy(@PathVariable String classification, @RequestBody PolicyBody body) {
        Caller caller = Caller.current().require(Caller.ADMIN, Caller.COMPLIANCE);
        if (!CLASSIFICATIONS.contains(classification)) {
            throw Problem.notFound("No classification '" + classification + "': use ops, billing, legal or "
                    + "founder_comm.");
        }
        if (body.retainDays() == null || body.retainDays() < 0 || body.retainDays() > 36500) {
            throw Problem.refused("retain_days must be a number of days from 0 to 36500.");
        }
        RetentionPolicies.Policy policy = retention.set(caller.orgId(), classification, body.retainDays());
        audit.record(caller, AuditLog.RETENTION_CHANGED, "retention_policy", classification,
                Map.of("retain_days", body.retainDays()));
        return policy;
    }

    @DeleteMapping("/api/retention-policies/{classification}")
    @Transactional
    ResponseEntity<Void> removePolicy(@PathVariable String classification) {
        Caller caller = Caller.current().require(Caller.ADMIN, Caller.COMPLIANCE);
        if (!retention.remove(caller.orgId(), classification)) {
            throw Problem.notFound("No retention policy for '" + classification + "'.");
        }
        audit.record(caller, AuditLog.RETENTION_CHANGED, "retention_policy", classification,
                Map.of("removed", true));
        return ResponseEntity.noContent().build();
    }

    static UUID uuid(String value) {
        try {
            return UUID.fromString(value == null ? "" : value.strip());
        } catch (IllegalArgumentException e) {
            throw Problem.refused("scope_id must be the id (a UUID) of the message or thread to hold.");
        }
    }
}
