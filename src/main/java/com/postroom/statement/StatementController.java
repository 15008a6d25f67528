package com.postroom.statement;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

import com.postroom.mail.Identities;
import com.postroom.org.Caller;
import com.postroom.org.Organizations;
import com.postroom.outbound.Attachment;
import com.postroom.api.Idempotency;
import com.postroom.outbound.OutboundDraft;
import com.postroom.outbound.SendingCore;
import com.postroom.problem.Problem;

/** {@code POST /api/email/statements}: a patient statement rendered from a template, with its PDF, from billing. */
@RestController
class StatementController {

    private final StatementRenderer renderer;
    private final SendingCore core;
    private final Idempotency idempotency;
    private final Organizations organizations;

    StatementController(StatementRenderer renderer, SendingCore core, Idempotency idempotency,
                        Organizations organizations) {
        this.renderer = renderer;
        this.core = core;
        this.idempotency = idempotency;
        this.organizations = organizations;
    }

    record StatementRequest(String template, String to, String patientName, String statementNumber,
                            LocalDate statementDate, LocalDate dueDate, LocalDate serviceDate,
                            List<Statement.Charge> charges, BigDecimal totalCharges, BigDecimal insurancePaid,
                            BigDecimal adjustments, BigDecimal balanceDue, BigDecimal paymentAmount,
                            BigDecimal remainingBalance, String companyName, String companyPhone,
                            String companyEmail) {
    }

    @PostMapping("/api/email/statements")
    ResponseEntity<Object> send(@RequestBody StatementRequest r,
                                @RequestHeader(name = Idempotency.HEADER, required = false) String key) {
        Caller caller = Caller.current().require(Caller.ADMIN, Caller.BILLING, Caller.FOUNDER);
        String kind = r.template() == null ? "initial_statement" : r.template();
        if (!Statement.KINDS.contains(kind)) {
            throw Problem.refused("template must be one of " + String.join(", ",
                    Statement.KINDS.stream().sorted().toList()) + "; got '" + kind + "'.");
        }
        require(r.to(), "to");
        require(r.patientName(), "patient_name");
        require(r.statementNumber(), "statement_number");
        if (r.balanceDue() == null) {
            throw Problem.refused("'balance_due' is required.");
        }
        var org = organizations.byId(caller.orgId()).orElseThrow();
        var billing = core.senderFor(Identities.Flow.BILLING)
                .orElseThrow(() -> Problem.refused("Email not configured for this organization"));
        Statement statement = new Statement(kind, r.to(), r.patientName(), r.statementNumber(), r.statementDate(),
                r.dueDate(), r.serviceDate(), r.charges() == null ? List.of() : r.charges(), r.totalCharges(),
                r.insurancePaid(), r.adjustments(), r.balanceDue(), r.paymentAmount(), r.remainingBalance(),
                r.companyName() != null ? r.companyName() : org.name(),
                r.companyPhone() != null ? r.companyPhone() : org.phone() == null ? "" : org.phone(),
                r.companyEmail() != null ? r.companyEmail() : billing.address());
        return idempotency.run(caller.orgId(), "email.statements", key, r, () -> {
            StatementRenderer.Rendered rendered = renderer.render(caller.orgId(), statement);
            SendingCore.Queued queued = core.queue(OutboundDraft.builder(caller.orgId(), Identities.Flow.BILLING)
                    .createdBy(caller.userId()).to(List.of(r.to())).subject(rendered.subject())
                    .stream(Statement.STREAM)
                    .text(rendered.text()).html(rendered.html()).classification("billing")
                    .attach(Attachment.file("statement-" + safe(r.statementNumber()) + ".pdf", "application/pdf",
                            rendered.pdf()))
                    .metadata(Map.of("statement_number", r.statementNumber(), "template", kind)).build());
            return ResponseEntity.status(HttpStatus.CREATED)
                    .body(Map.of("message", queued.message(), "decision", queued.decision()));
        });
    }

    private static void require(String value, String field) {
        if (value == null || value.isBlank()) {
            throw Problem.refused("'" + field + "' is required.");
        }
    }

    private static String safe(String value) {
        return value.replaceAll("[^A-Za-z0-9._-]", "_");
    }
}
