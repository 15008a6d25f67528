package com.postroom.statement;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import com.postroom.config.PostroomSettings;
import com.postroom.problem.Problem;
import com.postroom.template.Mustachio;

/**
 * The wording of each statement kind, in Mustachio (the language of Postmark's templates): the organization's own,
 * edited in the web UI and kept in {@code statement_template}; else a file under TEMPLATES_DIR
 * ({@code statements/<kind>.html|.txt}); else the built-in one. The details block (the charges table and totals) is
 * its own template, rendered first and offered to every kind as {@code {{{StatementDetails}}}}.
 */
@Service
class StatementTemplates {

    /** A kind's subject, HTML and text; {@code edited} when the organization's own, with when it was saved. */
    record Template(String kind, String subject, String html, String text, boolean edited,
                    OffsetDateTime updatedAt) {
        public String label() {
            return Statement.label(kind);
        }
    }

    /** What a template renders to. */
    record Rendered(String subject, String html, String text) {
    }

    private final JdbcClient jdbc;
    private final JsonMapper json;
    private final Optional<Path> overrides;

    StatementTemplates(JdbcClient jdbc, JsonMapper json, PostroomSettings settings) {
        this.jdbc = jdbc;
        this.json = json;
        this.overrides = settings.templatesDir();
        overrides.ifPresent(StatementTemplates::checkOverrides);
    }

    /**
     * The files under TEMPLATES_DIR/statements, checked at start: a file written for the Thymeleaf templates of
     * earlier versions would otherwise be sent with its {@code th:} attributes as text, and a Mustachio mistake
     * would only show when a statement is sent.
     */
    /** What only a Thymeleaf template has: a th: attribute, an inlined [(${...})] or a [# th:...] block. */
    private static final java.util.regex.Pattern THYMELEAF = java.util.regex.Pattern.compile(
            "\\sth:[a-z]+=|\\[\\(\\$\\{|\\[# th:");

    static void checkOverrides(Path dir) {
        Path statements = dir.resolve("statements");
        if (!Files.isDirectory(statements)) {
            return;
        }
        try (var files = Files.list(statements)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".html") || f.toString().endsWith(".txt"))
                    .sorted().toList()) {
                String text = Files.readString(file, StandardCharsets.UTF_8);
                if (THYMELEAF.matcher(text).find()) {
                    throw new com.postroom.config.ConfigurationError(file + " is a Thymeleaf template; statement "
                            + "templates are written in Mustachio now ({{PatientName}}, {{#charges}}...{{/charges}}, "
                            + "{{{StatementDetails}}}; see docs/api.md): rewrite it, or remove it and edit the wording "
                            + "on the Statements page.");
                }
                Mustachio.Parsed parsed = Mustachio.parse(text);
                if (!parsed.valid()) {
                    Mustachio.Problem p = parsed.problems().get(0);
                    throw new com.postroom.config.ConfigurationError(file + " has a mistake at line " + p.line()
                            + ", column " + p.column() + ": " + p.message());
                }
            }
        } catch (IOException e) {
            throw new com.postroom.config.ConfigurationError("TEMPLATES_DIR " + dir + " cannot be read: "
                    + e.getMessage());
        }
    }

    /** The template a statement of this kind is sent with now. */
    Template effective(long orgId, String kind) {
        return edited(orgId, kind).orElseGet(() -> builtIn(kind));
    }

    /** Every kind, in the order of {@link Statement#KINDS_IN_ORDER}, as it is sent now. */
    List<Template> all(long orgId) {
        return Statement.KINDS_IN_ORDER.stream().map(kind -> effective(orgId, kind)).toList();
    }

    /** The kind as shipped (or as TEMPLATES_DIR replaces it): what "Back to the built-in" restores. */
    Template builtIn(String kind) {
        return new Template(kind, Statement.defaultSubject(kind), file(kind + ".html"), file(kind + ".txt"), false,
                null);
    }

    private Optional<Template> edited(long orgId, String kind) {
        return jdbc.sql("SELECT subject, html_body, text_body, updated_at FROM statement_template WHERE org_id = ? "
                        + "AND kind = ?")
                .params(orgId, kind)
                .query((rs, n) -> new Template(kind, rs.getString(1), rs.getString(2), rs.getString(3), true,
                        rs.getObject(4, OffsetDateTime.class)))
                .optional();
    }

    /** Saves the organization's wording once all three parts parse; a mistake is refused with where it is. */
    void save(long orgId, Long userId, String kind, String subject, String html, String text) {
        check("Subject", subject);
        check("HTML", html);
        check("Text", text);
        if (subject.isBlank()) {
            throw Problem.refused("The subject is empty; write one, such as Statement #{{StatementNumber}}.");
        }
        jdbc.sql("INSERT INTO statement_template (org_id, kind, subject, html_body, text_body, updated_by) "
                        + "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (org_id, kind) DO UPDATE SET subject = EXCLUDED.subject, "
                        + "html_body = EXCLUDED.html_body, text_body = EXCLUDED.text_body, "
                        + "updated_by = EXCLUDED.updated_by, updated_at = now()")
                .params(orgId, kind, subject.strip(), html, text, userId).update();
    }

    /** Back to the built-in wording; false when the kind was not edited. */
    boolean reset(long orgId, String kind) {
        return jdbc.sql("DELETE FROM statement_template WHERE org_id = ? AND kind = ?").params(orgId, kind)
                .update() == 1;
    }

    /** Renders a template with a statement's merge fields; values are escaped in the HTML only. */
    Rendered render(Template t, Map<String, Object> variables) {
        JsonNode model = json.valueToTree(variables);
        ((tools.jackson.databind.node.ObjectNode) model).put("StatementDetails", "");
        String detailsHtml = Mustachio.render(parsed("details", file("_details.html")), model, true);
        String detailsText = Mustachio.render(parsed("details", file("_details.txt")), model, false);
        JsonNode forHtml = ((tools.jackson.databind.node.ObjectNode) model.deepCopy())
                .put("StatementDetails", detailsHtml);
        JsonNode forText = ((tools.jackson.databind.node.ObjectNode) model.deepCopy())
                .put("StatementDetails", detailsText);
        return new Rendered(Mustachio.render(parsed("Subject", t.subject()), forText, false).strip()
                .replaceAll("[\\r\\n]+", " "),
                Mustachio.render(parsed("HTML", t.html()), forHtml, true),
                Mustachio.render(parsed("Text", t.text()), forText, false));
    }

    private static void check(String part, String template) {
        if (template == null) {
            throw Problem.refused("The " + part + " part is missing.");
        }
        parsed(part, template);
    }

    private static Mustachio.Parsed parsed(String part, String template) {
        Mustachio.Parsed parsed = Mustachio.parse(template);
        if (!parsed.valid()) {
            Mustachio.Problem p = parsed.problems().get(0);
            throw Problem.refused("The " + part + " template has a mistake at line " + p.line() + ", column "
                    + p.column() + ": " + p.message());
        }
        return parsed;
    }

    /** A built-in file, or the one of the same name under TEMPLATES_DIR. */
    private String file(String name) {
        if (overrides.isPresent()) {
            Path file = overrides.get().resolve("statements").resolve(name);
            if (Files.isRegularFile(file)) {
                try {
                    return Files.readString(file, StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new UncheckedIOException("Could not read " + file, e);
                }
            }
        }
        return BUILT_IN.computeIfAbsent(name, StatementTemplates::builtInFile);
    }

    /** The jar's files never change while it runs; TEMPLATES_DIR's are read each time, so an edit needs no restart. */
    private static final Map<String, String> BUILT_IN = new java.util.concurrent.ConcurrentHashMap<>();

    private static String builtInFile(String name) {
        try (InputStream in = StatementTemplates.class.getResourceAsStream("/templates/statements/" + name)) {
            if (in == null) {
                throw new IllegalStateException("No built-in statement template " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
