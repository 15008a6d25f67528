package com.postroom.deliverability;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import tools.jackson.databind.JsonNode;

import com.postroom.org.Caller;
import com.postroom.org.Organizations;
import com.postroom.problem.Problem;

/** The doctor's routes: run it now, its history, one stored report, and the founder dashboard's summary. */
@RestController
class DeliverabilityController {

    private final Deliverability deliverability;
    private final Organizations organizations;

    DeliverabilityController(Deliverability deliverability, Organizations organizations) {
        this.deliverability = deliverability;
        this.organizations = organizations;
    }

    @GetMapping("/api/email/deliverability")
    Map<String, Object> run(@RequestParam(required = false) String domain,
                            @RequestParam(name = "round_trip", defaultValue = "false") boolean roundTrip) {
        Caller caller = Caller.current().require(Caller.ADMIN);
        String checked = domain(caller, domain);
        Deliverability.Run run = deliverability.run(caller.orgId(), checked, roundTrip, "api");
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", run.id());
        body.put("report", run.report());
        body.put("alerted", run.alerted().stream().map(Check::id).toList());
        return body;
    }

    @GetMapping("/api/email/deliverability/history")
    Map<String, Object> history(@RequestParam(required = false) String domain,
                                @RequestParam(defaultValue = "30") int limit) {
        Caller caller = Caller.current().require(Caller.ADMIN, Caller.FOUNDER);
        if (limit < 1 || limit > 500) {
            throw Problem.refused("limit must be between 1 and 500.");
        }
        List<Deliverability.RunSummary> runs = deliverability.history(caller.orgId(),
                Optional.ofNullable(domain).filter(d -> !d.isBlank()).map(d -> domain(caller, d)), limit);
        return Map.of("runs", runs, "count", runs.size());
    }

    @GetMapping("/api/email/deliverability/runs/{id}")
    JsonNode report(@PathVariable long id) {
        Caller caller = Caller.current().require(Caller.ADMIN, Caller.FOUNDER);
        return deliverability.report(caller.orgId(), id)
                .orElseThrow(() -> Problem.notFound("Deliverability run not found"));
    }

    /** The founder dashboard's card: the latest report's status and every check that is not OK right now. */
    @GetMapping("/api/founder/email/deliverability")
    Map<String, Object> founder() {
        Caller caller = Caller.current().requireOr("FOUNDER_ACCESS_REQUIRED", Caller.FOUNDER, Caller.ADMIN);
        Optional<JsonNode> latest = deliverability.latest(caller.orgId());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("success", true);
        body.put("status", latest.map(r -> r.path("status").asString()).orElse("UNKNOWN"));
        body.put("checked_at", latest.map(r -> r.path("checked_at").asString()).orElse(null));
        body.put("problems", deliverability.openProblems(caller.orgId()));
        return body;
    }

    private String domain(Caller caller, String requested) {
        String own = organizations.byId(caller.orgId()).map(Organizations.Organization::emailDomain).orElse("");
        return deliverability.checkedDomain(own, requested);
    }
}
