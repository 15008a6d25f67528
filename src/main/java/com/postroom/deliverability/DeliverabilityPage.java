package com.postroom.deliverability;

import java.util.Map;
import java.util.Optional;

import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import com.postroom.org.Caller;
import com.postroom.org.Organizations;
import com.postroom.problem.Problem;
import com.postroom.web.WebPage;

/** Settings › Deliverability: the doctor's latest report or one from the history, and (admins) a run on demand. */
@WebPage
class DeliverabilityPage {

    private final Deliverability deliverability;
    private final Organizations organizations;
    private final JsonMapper json;

    DeliverabilityPage(Deliverability deliverability, Organizations organizations, JsonMapper json) {
        this.deliverability = deliverability;
        this.organizations = organizations;
        this.json = json;
    }

    @GetMapping("/settings/deliverability")
    String show(@RequestParam(required = false) Long run, Model model) {
        Caller caller = Caller.current().requireOr("Deliverability is for founders and admins.", Caller.FOUNDER,
                Caller.ADMIN);
        Optional<JsonNode> report = run == null ? deliverability.latest(caller.orgId())
                : Optional.of(deliverability.report(caller.orgId(), run)
                .orElseThrow(() -> Problem.notFound("Deliverability run not found")));
        model.addAttribute("report", report.map(r -> json.convertValue(r, Map.class)).orElse(null));
        model.addAttribute("checkedAt", report.map(r -> java.time.format.DateTimeFormatter
                .ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(java.time.ZoneOffset.UTC)
                .format(java.time.Instant.parse(r.path("checked_at").asString()))).orElse(null));
        model.addAttribute("history", deliverability.history(caller.orgId(), Optional.empty(), 20));
        model.addAttribute("domains", deliverability.domains(orgDomain(caller)));
        model.addAttribute("canRun", caller.hasAnyRole(java.util.Set.of(Caller.ADMIN)));
        return "deliverability";
    }

    @PostMapping("/settings/deliverability")
    String run(@RequestParam(required = false) String domain,
               @RequestParam(name = "round_trip", defaultValue = "false") boolean roundTrip) {
        Caller caller = Caller.current().require(Caller.ADMIN);
        String checked = deliverability.checkedDomain(orgDomain(caller), domain);
        Deliverability.Run run = deliverability.run(caller.orgId(), checked, roundTrip, "api");
        return "redirect:/settings/deliverability?run=" + run.id();
    }

    private String orgDomain(Caller caller) {
        return organizations.byId(caller.orgId()).map(Organizations.Organization::emailDomain).orElse("");
    }
}
