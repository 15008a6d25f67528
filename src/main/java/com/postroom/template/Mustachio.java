package com.postroom.template;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

import tools.jackson.databind.JsonNode;

/**
 * Postmark's template language (Mustachio, a Mustache dialect), used by the Postmark API's templates and by the
 * statement templates an organization edits, enough for what Postmark's templates use: variables
 * ({@code {{name}}}, HTML-escaped where the output is HTML; {@code {{{name}}}} and {@code {{& name}}} raw), dotted
 * paths ({@code {{patient.name}}}), the current item ({@code {{.}}}) and the scope above ({@code {{../name}}}),
 * sections over lists, objects and truthy values ({@code {{#items}}…{{/items}}}, also {@code {{#each items}}}),
 * inverted sections ({@code {{^items}}…{{/items}}}), and layouts (the content goes where the layout says
 * {@code {{{@content}}}}). A missing value renders as nothing, as in Postmark. Parsing finds unclosed and mismatched
 * sections with their line and column, which {@code POST /templates/validate} reports.
 */
public final class Mustachio {

    /** A syntax error where the template has it (1-based). */
    public record Problem(String message, int line, int column) {
    }

    public sealed interface Node permits Text, Var, Section {
    }

    public record Text(String text) implements Node {
    }

    public record Var(String path, boolean escape) implements Node {
    }

    public record Section(String path, boolean inverted, List<Node> children) implements Node {
    }

    /** A parsed template, or its problems. */
    public record Parsed(List<Node> nodes, List<Problem> problems) {
        public boolean valid() {
            return problems.isEmpty();
        }
    }

    private Mustachio() {
    }

    public static Parsed parse(String template) {
        List<Problem> problems = new ArrayList<>();
        Deque<Section> open = new ArrayDeque<>();
        Deque<int[]> openAt = new ArrayDeque<>();
        List<Node> root = new ArrayList<>();
        int i = 0;
        String t = template == null ? "" : template;
        while (i < t.length()) {
            int start = t.indexOf("{{", i);
            if (start < 0) {
                add(open, root, new Text(t.substring(i)));
                break;
            }
            if (start > i) {
                add(open, root, new Text(t.substring(i, start)));
            }
            boolean triple = t.startsWith("{{{", start);
            int end = t.indexOf(triple ? "}}}" : "}}", start + (triple ? 3 : 2));
            if (end < 0) {
                problems.add(at(t, start, "A '" + (triple ? "{{{" : "{{") + "' is never closed."));
                break;
            }
            String tag = t.substring(start + (triple ? 3 : 2), end).strip();
            i = end + (triple ? 3 : 2);
            if (triple) {
                add(open, root, new Var(tag, false));
            } else if (tag.startsWith("!")) {
                continue; // a comment
            } else if (tag.startsWith("#") || tag.startsWith("^")) {
                String path = tag.substring(1).strip();
                if (path.startsWith("each ")) {
                    path = path.substring(5).strip();
                }
                if (path.isEmpty()) {
                    problems.add(at(t, start, "A section needs a name, such as {{#items}}."));
                    continue;
                }
                Section s = new Section(path, tag.startsWith("^"), new ArrayList<>());
                add(open, root, s);
                open.push(s);
                openAt.push(new int[] {start});
            } else if (tag.startsWith("/")) {
                String path = tag.substring(1).strip();
                if (open.isEmpty()) {
                    problems.add(at(t, start, "'{{/" + path + "}}' closes a section that was never opened."));
                } else if (!open.peek().path().equals(path) && !path.equals("each")) {
                    problems.add(at(t, start, "'{{/" + path + "}}' closes '" + open.peek().path()
                            + "', which must be closed first with {{/" + open.peek().path() + "}}."));
                    open.pop();
                    openAt.pop();
                } else {
                    open.pop();
                    openAt.pop();
                }
            } else if (tag.startsWith("&")) {
                add(open, root, new Var(tag.substring(1).strip(), false));
            } else if (tag.isEmpty()) {
                problems.add(at(t, start, "'{{}}' names nothing."));
            } else {
                add(open, root, new Var(tag, true));
            }
        }
        while (!open.isEmpty()) {
            Section s = open.pop();
            problems.add(at(t, openAt.pop()[0], "The section '" + s.path() + "' is never closed with {{/"
                    + s.path() + "}}."));
        }
        return new Parsed(root, problems);
    }

    private static void add(Deque<Section> open, List<Node> root, Node node) {
        (open.isEmpty() ? root : open.peek().children()).add(node);
    }

    private static Problem at(String t, int offset, String message) {
        int line = 1;
        int lineStart = 0;
        for (int k = 0; k < offset; k++) {
            if (t.charAt(k) == '\n') {
                line++;
                lineStart = k + 1;
            }
        }
        return new Problem(message, line, offset - lineStart + 1);
    }

    /** Renders with {@code model}; {@code html} escapes variables for HTML. */
    public static String render(Parsed parsed, JsonNode model, boolean html) {
        StringBuilder out = new StringBuilder();
        Deque<JsonNode> scopes = new ArrayDeque<>();
        scopes.push(model);
        render(parsed.nodes(), scopes, html, out);
        return out.toString();
    }

    private static void render(List<Node> nodes, Deque<JsonNode> scopes, boolean html, StringBuilder out) {
        for (Node n : nodes) {
            if (n instanceof Text text) {
                out.append(text.text());
            } else if (n instanceof Var v) {
                JsonNode value = lookup(v.path(), scopes);
                String s = value == null || value.isNull() || value.isMissingNode() ? ""
                        : value.isValueNode() ? value.asString() : value.toString();
                out.append(v.escape() && html ? escape(s) : s);
            } else if (n instanceof Section s) {
                JsonNode value = lookup(s.path(), scopes);
                boolean truthy = truthy(value);
                if (s.inverted()) {
                    if (!truthy) {
                        render(s.children(), scopes, html, out);
                    }
                } else if (truthy && value.isArray()) {
                    for (JsonNode item : value.values()) {
                        scopes.push(item);
                        render(s.children(), scopes, html, out);
                        scopes.pop();
                    }
                } else if (truthy) {
                    scopes.push(value);
                    render(s.children(), scopes, html, out);
                    scopes.pop();
                }
            }
        }
    }

    private static boolean truthy(JsonNode v) {
        if (v == null || v.isNull() || v.isMissingNode()) {
            return false;
        }
        if (v.isBoolean()) {
            return v.booleanValue();
        }
        if (v.isArray()) {
            return !v.isEmpty();
        }
        if (v.isNumber()) {
            return v.doubleValue() != 0;
        }
        if (v.isString()) {
            return !v.asString().isEmpty();
        }
        return true;
    }

    /** {@code a.b.c} from the innermost scope that has {@code a}; {@code ../} climbs one scope; {@code .} is this. */
    private static JsonNode lookup(String path, Deque<JsonNode> scopes) {
        List<JsonNode> stack = new ArrayList<>(scopes); // innermost first
        int level = 0;
        String p = path;
        while (p.startsWith("../")) {
            level++;
            p = p.substring(3);
        }
        if (level >= stack.size()) {
            return null;
        }
        if (p.equals(".") || p.equals("this")) {
            return stack.get(level);
        }
        String[] parts = p.split("\\.");
        for (int s = level; s < stack.size(); s++) {
            JsonNode scope = stack.get(s);
            if (scope != null && scope.isObject() && scope.has(parts[0])) {
                JsonNode v = scope.get(parts[0]);
                for (int k = 1; k < parts.length && v != null; k++) {
                    v = v.isObject() ? v.get(parts[k]) : null;
                }
                return v;
            }
            if (level > 0) {
                break; // ../name means that scope, not further out
            }
        }
        return null;
    }

    public static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int k = 0; k < s.length(); k++) {
            char c = s.charAt(k);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
