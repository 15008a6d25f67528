package com.postroom.postmarkapi;

import com.postroom.template.Mustachio;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Postmark's templates: {@code GET/POST /templates}, {@code GET/PUT/DELETE /templates/{idOrAlias}} and {@code POST
 * /templates/validate}, in Mustachio ({@link Mustachio}). A template is checked when it is saved, so a broken one is
 * refused then, with its line and column, rather than when a message is sent with it.
 */
@RestController
class TemplateApi {

    private final PostmarkTemplates templates;
    private final TemplateRendering rendering;
    private final JsonMapper json;

    TemplateApi(PostmarkTemplates templates, TemplateRendering rendering, JsonMapper json) {
        this.templates = templates;
        this.rendering = rendering;
        this.json = json;
    }

    @GetMapping({"/templates", "/templates/"})
    Map<String, Object> list(HttpServletRequest request) {
        PostmarkServers.Server server = PostmarkTokenFilter.server(request);
        int count = intParam(request, "count", 100);
        int offset = intParam(request, "offset", 0);
        if (count < 1 || count > 500 || offset < 0) {
            throw PostmarkError.invalid(PostmarkError.INVALID_REQUEST, "'count' must be 1 to 500, 'offset' at least 0.");
        }
        Optional<String> type = param(request, "templatetype").filter(t -> !t.equalsIgnoreCase("All"))
                .map(TemplateApi::type);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("TotalCount", templates.count(server, type));
        out.put("Templates", templates.list(server, type, count, offset).stream().map(TemplateApi::summary).toList());
        return out;
    }

    @GetMapping({"/templates/{idOrAlias}", "/templates/{idOrAlias}/"})
    Map<String, Object> get(HttpServletRequest request, @PathVariable String idOrAlias) {
        PostmarkServers.Server server = PostmarkTokenFilter.server(request);
        PostmarkTemplates.Template t = found(server, idOrAlias);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("Name", t.name());
        out.put("TemplateId", t.id());
        out.put("Alias", t.alias());
        out.put("Subject", t.subject());
        out.put("HtmlBody", t.htmlBody());
        out.put("TextBody", t.textBody());
        out.put("AssociatedServerId", server.id());
        out.put("Active", true);
        out.put("TemplateType", t.templateType());
        out.put("LayoutTemplate", t.layoutTemplate());
        return out;
    }

    @PostMapping({"/templates", "/templates/"})
    Map<String, Object> create(HttpServletRequest request, @RequestBody(required = false) byte[] body) {
        PostmarkServers.Server server = PostmarkTokenFilter.server(request);
        Map<String, JsonNode> f = fields(body);
        String type = type(text(f, "templatetype").orElse("Standard"));
        PostmarkTemplates.Template t = checked(server, new PostmarkTemplates.Template(0, text(f, "name").orElse(""),
                text(f, "alias").orElse(null), text(f, "subject").orElse(""), text(f, "htmlbody").orElse(""),
                text(f, "textbody").orElse(""), type, text(f, "layouttemplate").orElse(null)));
        if (t.alias() != null && templates.find(server, t.alias()).isPresent()) {
            throw PostmarkError.invalid(TemplateRendering.TEMPLATE_INVALID, "A template with the alias '" + t.alias()
                    + "' already exists on this server.");
        }
        return summary(templates.create(server, t));
    }

    @PutMapping({"/templates/{idOrAlias}", "/templates/{idOrAlias}/"})
    Map<String, Object> update(HttpServletRequest request, @PathVariable String idOrAlias,
                               @RequestBody(required = false) byte[] body) {
        PostmarkServers.Server server = PostmarkTokenFilter.server(request);
        PostmarkTemplates.Template old = found(server, idOrAlias);
        Map<String, JsonNode> f = fields(body);
        PostmarkTemplates.Template t = checked(server, new PostmarkTemplates.Template(old.id(),
                text(f, "name").orElse(old.name()), text(f, "alias").orElse(old.alias()),
                text(f, "subject").orElse(old.subject()), text(f, "htmlbody").orElse(old.htmlBody()),
                text(f, "textbody").orElse(old.textBody()), old.templateType(),
                text(f, "layouttemplate").orElse(old.layoutTemplate())));
        if (t.alias() != null && templates.find(server, t.alias()).filter(o -> o.id() != old.id()).isPresent()) {
            throw PostmarkError.invalid(TemplateRendering.TEMPLATE_INVALID, "A template with the alias '" + t.alias()
                    + "' already exists on this server.");
        }
        templates.update(server, t);
        return summary(t);
    }

    @DeleteMapping({"/templates/{idOrAlias}", "/templates/{idOrAlias}/"})
    Map<String, Object> delete(HttpServletRequest request, @PathVariable String idOrAlias) {
        PostmarkServers.Server server = PostmarkTokenFilter.server(request);
        PostmarkTemplates.Template t = found(server, idOrAlias);
        if (t.templateType().equals("Layout") && t.alias() != null && templates.layoutInUse(server, t.alias())) {
            throw PostmarkError.invalid(TemplateRendering.TEMPLATE_INVALID, "The layout '" + t.alias() + "' is used "
                    + "by templates; give them another layout first.");
        }
        templates.delete(server, t.id());
        return PostmarkError.body(0, "Template " + t.id() + " removed.");
    }

    @PostMapping({"/templates/validate", "/templates/validate/"})
    Map<String, Object> validate(HttpServletRequest request, @RequestBody(required = false) byte[] body) {
        PostmarkServers.Server server = PostmarkTokenFilter.server(request);
        Map<String, JsonNode> f = fields(body);
        return rendering.validate(server, text(f, "subject").orElse(""), text(f, "htmlbody").orElse(""),
                text(f, "textbody").orElse(""), f.get("testrendermodel"),
                type(text(f, "templatetype").orElse("Standard")), text(f, "layouttemplate"));
    }

    private PostmarkTemplates.Template found(PostmarkServers.Server server, String idOrAlias) {
        return templates.find(server, idOrAlias).orElseThrow(() -> PostmarkError.invalid(
                TemplateRendering.TEMPLATE_NOT_FOUND, "The template '" + idOrAlias + "' was not found on this server."));
    }

    /** Refuses what Postmark refuses: no name, a bad alias, no content, a syntax error, a layout without a slot. */
    private PostmarkTemplates.Template checked(PostmarkServers.Server server, PostmarkTemplates.Template t) {
        if (t.name().isBlank()) {
            throw PostmarkError.invalid(PostmarkError.INVALID_REQUEST, "A template needs a 'Name'.");
        }
        if (t.alias() != null && !t.alias().matches("[A-Za-z][A-Za-z0-9._-]{0,99}")) {
            throw PostmarkError.invalid(PostmarkError.INVALID_REQUEST, "An 'Alias' starts with a letter and has "
                    + "only letters, digits, '.', '-' and '_'; got '" + t.alias() + "'.");
        }
        if (t.htmlBody().isBlank() && t.textBody().isBlank()) {
            throw PostmarkError.invalid(PostmarkError.INVALID_REQUEST, "A template needs an 'HtmlBody' or a "
                    + "'TextBody'.");
        }
        if (t.templateType().equals("Standard") && t.subject().isBlank()) {
            throw PostmarkError.invalid(PostmarkError.INVALID_REQUEST, "A Standard template needs a 'Subject'.");
        }
        Map<String, Object> check = rendering.validate(server, t.subject(), t.htmlBody(), t.textBody(), null,
                t.templateType(), t.templateType().equals("Standard") ? Optional.ofNullable(t.layoutTemplate())
                        : Optional.empty());
        if (!Boolean.TRUE.equals(check.get("AllContentIsValid"))) {
            for (String part : List.of("Subject", "HtmlBody", "TextBody")) {
                @SuppressWarnings("unchecked")
                List<Map<String, Object>> errors = (List<Map<String, Object>>) ((Map<String, Object>) check.get(part))
                        .get("ValidationErrors");
                if (!errors.isEmpty()) {
                    Map<String, Object> e = errors.get(0);
                    throw PostmarkError.invalid(TemplateRendering.TEMPLATE_INVALID, "The template's " + part
                            + " is not valid: " + e.get("Message") + " (line " + e.get("Line") + ", column "
                            + e.get("CharacterPosition") + ").");
                }
            }
        }
        return t;
    }

    private static Map<String, Object> summary(PostmarkTemplates.Template t) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("TemplateId", t.id());
        out.put("Name", t.name());
        out.put("Alias", t.alias());
        out.put("Active", true);
        out.put("TemplateType", t.templateType());
        out.put("LayoutTemplate", t.layoutTemplate());
        return out;
    }

    private static String type(String value) {
        if (value.equalsIgnoreCase("Standard")) {
            return "Standard";
        }
        if (value.equalsIgnoreCase("Layout")) {
            return "Layout";
        }
        throw PostmarkError.invalid(PostmarkError.INVALID_REQUEST, "'TemplateType' is 'Standard' or 'Layout'.");
    }

    private Map<String, JsonNode> fields(byte[] body) {
        return PostmarkJson.fields(PostmarkJson.object(json, body));
    }

    private static Optional<String> text(Map<String, JsonNode> f, String name) {
        JsonNode v = f.get(name);
        return v == null || v.isNull() ? Optional.empty() : Optional.of(v.isString() ? v.asString() : v.toString());
    }

    private static Optional<String> param(HttpServletRequest request, String name) {
        return request.getParameterMap().entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                .map(e -> e.getValue()[0]).findFirst();
    }

    private static int intParam(HttpServletRequest request, String name, int fallback) {
        Optional<String> v = param(request, name);
        try {
            return v.map(Integer::parseInt).orElse(fallback);
        } catch (NumberFormatException e) {
            throw PostmarkError.invalid(PostmarkError.INVALID_REQUEST, "'" + name + "' must be a number.");
        }
    }
}
