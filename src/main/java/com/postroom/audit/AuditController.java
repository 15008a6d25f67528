package com.postroom.audit;

import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import com.postroom.org.Caller;
import com.postroom.problem.Problem;

/** GET /api/audit: the audit log for admins and compliance officers, newest first, filterable, paged by id. */
@RestController
class AuditController {

    private final AuditLog audit;

    AuditController(AuditLog audit) {
        this.audit = audit;
    }

    @GetMapping("/api/audit")
    Map<String, Object> list(@RequestParam Optional<String> action, @RequestParam Optional<String> actor,
                             @RequestParam(name = "target_id") Optional<String> targetId,
                             @RequestParam Optional<String> since, @RequestParam Optional<String> until,
                             @RequestParam(name = "before_id") Optional<Long> beforeId,
                             @RequestParam(defaultValue = "100") int limit) {
        Caller caller = Caller.current().require(Caller.ADMIN, Caller.COMPLIANCE);
        if (limit < 1 || limit > 500) {
            throw Problem.badInput("limit must be between 1 and 500.");
        }
        List<AuditLog.Event> events = audit.search(caller.orgId(), new AuditLog.Filter(action, actor, targetId,
                since.map(s -> time("since", s)), until.map(s -> time("until", s)), beforeId, limit));
        Long next = events.size() == limit ? events.get(events.size() - 1).id() : null;
        return next == null ? Map.of("events", events) : Map.of("events", events, "next_before_id", next);
    }

    private static OffsetDateTime time(String name, String value) {
        try {
            return value.length() == 10 ? OffsetDateTime.parse(value + "T00:00:00Z") : OffsetDateTime.parse(value);
        } catch (DateTimeParseException e) {
            throw Problem.badInput(name + " must be an ISO date or date-time, for example 2026-01-31 or "
                    + "2026-01-31T08:00:00Z.");
        }
    }
}
