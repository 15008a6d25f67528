package com.postroom.postmarkapi;

import com.postroom.template.Mustachio;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.springframework.stereotype.Component;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A stored template with a model, as Postmark renders it: the subject and the text body as they are, the HTML body
 * with every {@code {{variable}}} HTML-escaped, and a Standard template inside its layout (where the layout says
 * {@code {{{@content}}}}).
 */
@Component
class TemplateRendering {

    static final int TEMPLATE_NOT_FOUND = 1101;
    static final int TEMPLATE_INVALID = 1105;
    /** Where a layout puts the template's content. */
    private static final String CONTENT = "{{{@content}}}";
    private static final String MARK = "\u0000postroom-layout-content\u0000";

    record Rendered(String subject, String html, String text) {
    }

    private final PostmarkTemplates templates;
    private final JsonMapper json;

    TemplateRendering(PostmarkTemplates templates, JsonMapper json) {
        this.templates = templates;
        this.json = json;
    }

    Rendered render(PostmarkServers.Server server, PostmarkTemplates.Template t, JsonNode model) {
        // An empty model may come as [] (PHP encodes an empty array so: Postmark's PHP client).
        JsonNode m = model == null || model.isNull() || model.isMissingNode() || model.isArray() && model.isEmpty()
                ? json.createObjectNode() : model;
        String subject = render("Subject", t.subject(), m, false);
        String html = render("HtmlBody", t.htmlBody(), m, true);
        String text = render("TextBody", t.textBody(), m, false);
        if (t.layoutTemplate() != null && !t.layoutTemplate().isBlank()) {
            PostmarkTemplates.Template layout = templates.find(server, t.layoutTemplate())
                    .filter(l -> l.templateType().equals("Layout"))
                    .orElseThrow(() -> PostmarkError.invalid(TEMPLATE_NOT_FOUND, "The layout '" + t.layoutTemplate()
                            + "' of template '" + t.name() + "' was not found."));
            html = inLayout("HtmlBody", layout.htmlBody(), html, m, true);
            text = inLayout("TextBody", layout.textBody(), text, m, false);
        }
        return new Rendered(subject, html, text);
    }

    private String inLayout(String field, String layout, String content, JsonNode model, boolean html) {
        if (layout == null || layout.isBlank()) {
            return content;
        }
        String marked = layout.replaceAll("\\{\\{\\{\\s*@content\\s*\\}\\}\\}", MARK);
        return render(field, marked, model, html).replace(MARK, content);
    }

    private static String render(String field, String template, JsonNode model, boolean html) {
        Mustachio.Parsed parsed = Mustachio.parse(template);
        if (!parsed.valid()) {
            Mustachio.Problem p = parsed.problems().get(0);
            throw PostmarkError.invalid(TEMPLATE_INVALID, "The template's " + field + " is not valid: " + p.message()
                    + " (line " + p.line() + ", column " + p.column() + ").");
        }
        return Mustachio.render(parsed, model, html);
    }

    /** {@code POST /templates/validate}'s answer: each part valid or its errors, rendered with the test model. */
    Map<String, Object> validate(PostmarkServers.Server server, String subject, String htmlBody, String textBody,
                                 JsonNode model, String type, Optional<String> layout) {
        // An empty model may come as [] (PHP encodes an empty array so: Postmark's PHP client).
        JsonNode m = model == null || model.isNull() || model.isMissingNode() || model.isArray() && model.isEmpty()
                ? json.createObjectNode() : model;
        Map<String, Object> out = new LinkedHashMap<>();
        boolean all = true;
        Map<String, Object> suggested = new LinkedHashMap<>();
        for (String[] part : new String[][] {{"HtmlBody", htmlBody}, {"TextBody", textBody}, {"Subject", subject}}) {
            String content = part[1] == null ? "" : part[1];
            Mustachio.Parsed parsed = Mustachio.parse(content);
            Map<String, Object> field = new LinkedHashMap<>();
            List<Map<String, Object>> errors = new ArrayList<>();
            for (Mustachio.Problem p : parsed.problems()) {
                errors.add(Map.of("Message", p.message(), "Line", p.line(), "CharacterPosition", p.column()));
            }
            if (type.equals("Layout") && !part[0].equals("Subject") && !content.isBlank()
                    && !content.replaceAll("\\s", "").contains(CONTENT)) {
                errors.add(Map.of("Message", "A layout must say where the content goes: " + CONTENT + ".",
                        "Line", 1, "CharacterPosition", 1));
            }
            field.put("ContentIsValid", errors.isEmpty());
            field.put("ValidationErrors", errors);
            String rendered = null;
            if (parsed.valid()) {
                rendered = Mustachio.render(parsed, m, part[0].equals("HtmlBody"));
                suggest(parsed.nodes(), suggested);
            }
            field.put("RenderedContent", rendered);
            all &= errors.isEmpty();
            out.put(part[0], field);
        }
        layout.filter(l -> !l.isBlank()).ifPresent(l -> {
            if (templates.find(server, l).filter(t -> t.templateType().equals("Layout")).isEmpty()) {
                throw PostmarkError.invalid(TEMPLATE_NOT_FOUND, "The layout '" + l + "' was not found.");
            }
        });
        out.put("AllContentIsValid", all);
        out.put("SuggestedTemplateModel", suggested);
        return out;
    }

    /** A model with every name the template uses, as Postmark suggests one ("name_Value", lists of one item). */
    @SuppressWarnings("unchecked")
    private static void suggest(List<Mustachio.Node> nodes, Map<String, Object> into) {
        for (Mustachio.Node n : nodes) {
            if (n instanceof Mustachio.Var v && !v.path().startsWith("@") && !v.path().startsWith(".")
                    && !v.path().startsWith("../")) {
                String[] parts = v.path().split("\\.");
                Map<String, Object> at = into;
                for (int i = 0; i < parts.length - 1; i++) {
                    Object next = at.computeIfAbsent(parts[i], k -> new LinkedHashMap<String, Object>());
                    if (!(next instanceof Map)) {
                        break;
                    }
                    at = (Map<String, Object>) next;
                }
                at.putIfAbsent(parts[parts.length - 1], parts[parts.length - 1] + "_Value");
            } else if (n instanceof Mustachio.Section s && !s.path().startsWith(".")) {
                Map<String, Object> item = new LinkedHashMap<>();
                suggest(s.children(), item);
                into.putIfAbsent(s.path(), s.inverted() ? Boolean.FALSE : item.isEmpty() ? Boolean.TRUE
                        : List.of(item));
            }
        }
    }
}
