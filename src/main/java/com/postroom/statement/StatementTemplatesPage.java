package com.postroom.statement;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;

import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

import com.postroom.org.Caller;
import com.postroom.problem.Problem;
import com.postroom.web.WebPage;

/**
 * Statements › templates: each kind's subject, HTML and text as the organization sends them, edited in Mustachio
 * with a preview from a sample statement, and a way back to the built-in wording. For billing and admins.
 */
@WebPage
class StatementTemplatesPage {

    /** What the preview is rendered from: a statement like the ones the billing side sends. */
    static final Statement SAMPLE = new Statement("initial_statement", "patient@example.com", "Jordan Sample",
            "S-1042", LocalDate.of(2026, 11, 1), LocalDate.of(2026, 12, 1), LocalDate.of(2026, 10, 12),
            List.of(new Statement.Charge("ALS emergency transport", LocalDate.of(2026, 10, 12),
                    new BigDecimal("1250.50"))), new BigDecimal("1250.50"), new BigDecimal("800.00"), BigDecimal.ZERO,
            new BigDecimal("450.50"), new BigDecimal("200.00"), new BigDecimal("250.50"), "Example Ambulance",
            "(555) 010-0199", "billing@example.com");

    private final StatementTemplates templates;

    StatementTemplatesPage(StatementTemplates templates) {
        this.templates = templates;
    }

    @GetMapping("/settings/statements")
    String list(Model model) {
        Caller caller = editor();
        model.addAttribute("templates", templates.all(caller.orgId()));
        return "statement-templates";
    }

    @GetMapping("/settings/statements/{kind}")
    String edit(@PathVariable String kind, Model model) {
        Caller caller = editor();
        return form(model, templates.effective(caller.orgId(), known(kind)), null);
    }

    /** Saves, or with {@code preview} renders what was typed without saving; a mistake keeps the typed text. */
    @PostMapping("/settings/statements/{kind}")
    String save(@PathVariable String kind, @RequestParam String subject, @RequestParam String html,
                @RequestParam String text, @RequestParam(required = false) String preview, Model model,
                RedirectAttributes redirect) {
        Caller caller = editor();
        String k = known(kind);
        // What was typed, marked edited only if the kind is edited already (a preview saves nothing).
        StatementTemplates.Template typed = new StatementTemplates.Template(k, subject, html, text,
                templates.effective(caller.orgId(), k).edited(), null);
        try {
            if (preview != null) {
                return form(model, typed, null);
            }
            templates.save(caller.orgId(), caller.userId(), k, subject, html, text);
        } catch (Problem e) {
            model.addAttribute("problem", e.getMessage());
            model.addAttribute("template", typed);
            model.addAttribute("label", label(k));
            return "statement-template";
        }
        redirect.addFlashAttribute("notice", "Saved: " + label(k) + " statements are sent with this wording now.");
        return "redirect:/settings/statements/" + k;
    }

    @PostMapping("/settings/statements/{kind}/reset")
    String reset(@PathVariable String kind, RedirectAttributes redirect) {
        Caller caller = editor();
        String k = known(kind);
        redirect.addFlashAttribute("notice", templates.reset(caller.orgId(), k)
                ? label(k) + " statements use the built-in wording again." : label(k) + " was not edited.");
        return "redirect:/settings/statements/" + k;
    }

    private String form(Model model, StatementTemplates.Template t, String problem) {
        model.addAttribute("template", t);
        model.addAttribute("label", label(t.kind()));
        model.addAttribute("problem", problem);
        try {
            // The merge fields do not depend on the kind; the template does.
            StatementTemplates.Rendered r = templates.render(t, StatementRenderer.variables(SAMPLE));
            model.addAttribute("preview", r);
        } catch (Problem e) {
            model.addAttribute("problem", e.getMessage());
        }
        return "statement-template";
    }

    private static String label(String kind) {
        return Statement.label(kind);
    }

    private static String known(String kind) {
        if (!Statement.KINDS.contains(kind)) {
            throw Problem.notFound("No statement kind '" + kind + "'; the kinds are "
                    + String.join(", ", Statement.KINDS_IN_ORDER) + ".");
        }
        return kind;
    }

    private static Caller editor() {
        return Caller.current().requireOr("Statement templates are for billing and admins.", Caller.BILLING,
                Caller.ADMIN);
    }
}
