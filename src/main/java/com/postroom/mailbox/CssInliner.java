package com.postroom.mailbox;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jsoup.select.Elements;
import org.jsoup.select.Selector;

/**
 * Moves a message's {@code <style>} rules onto the elements they select, as {@code style} attributes, the way mail
 * clients without style sheets are served ("CSS inlining"). The sanitizer keeps no style sheet (a sheet could restyle
 * whatever page shows the message), so without this Outlook's mail, where every line is a {@code <p
 * class=MsoNormal>} whose margin the sheet sets to 0, came out double-spaced, and a newsletter's hidden preview text
 * showed. The declarations still go through the sanitizer's CSS allowlist afterwards; this only decides where they
 * apply. Handled: type, class, id and attribute selectors with combinators, in order of specificity, then source
 * order, then the element's own style (which wins, as in a browser, unless the sheet says {@code !important}).
 * Skipped: at-rules ({@code @media}, {@code @font-face}, {@code @import}, {@code @page}) and selectors with
 * pseudo-classes other than {@code :link}, which cannot be expressed as an element's own style.
 */
final class CssInliner {

    /** Bounds the work a hostile message can cause: rules read and elements styled. */
    static final int MAX_RULES = 400;
    static final int MAX_APPLICATIONS = 20_000;

    private static final Pattern COMMENTS = Pattern.compile("/\\*.*?\\*/|<!--|-->", Pattern.DOTALL);
    private static final Pattern IMPORTANT = Pattern.compile("(?i)!\\s*important\\s*$");

    private CssInliner() {
    }

    private record Rule(String selector, int specificity, int order, String declarations) {
    }

    private record Styled(int specificity, int order, String declarations) {
    }

    /** Inlines the document's style sheets into it and removes them. */
    static void inline(Document doc) {
        Elements sheets = doc.select("style");
        if (sheets.isEmpty()) {
            return;
        }
        StringBuilder css = new StringBuilder();
        for (Element sheet : sheets) {
            css.append(sheet.data()).append('\n');
        }
        sheets.remove();
        List<Rule> rules = rules(COMMENTS.matcher(css).replaceAll(" "));
        rules.sort(Comparator.comparingInt(Rule::specificity).thenComparingInt(Rule::order));
        Map<Element, List<Styled>> styled = new IdentityHashMap<>();
        int applications = 0;
        for (Rule rule : rules) {
            Elements matched;
            try {
                matched = doc.select(rule.selector());
            } catch (Selector.SelectorParseException | IllegalArgumentException e) {
                continue; // a selector jsoup cannot read: skipped, as a browser skips what it does not understand
            }
            for (Element e : matched) {
                if (++applications > MAX_APPLICATIONS) {
                    break;
                }
                styled.computeIfAbsent(e, k -> new ArrayList<>())
                        .add(new Styled(rule.specificity(), rule.order(), rule.declarations()));
            }
        }
        styled.forEach(CssInliner::apply);
    }

    private static void apply(Element e, List<Styled> sheetStyles) {
        StringBuilder normal = new StringBuilder();
        StringBuilder important = new StringBuilder();
        for (Styled s : sheetStyles) {
            for (String declaration : s.declarations().split(";")) {
                String d = declaration.strip();
                if (d.isEmpty() || !d.contains(":")) {
                    continue;
                }
                (IMPORTANT.matcher(d).find() ? important : normal).append(d).append(';');
            }
        }
        String own = e.attr("style").strip();
        StringBuilder style = new StringBuilder(normal);
        if (!own.isEmpty()) {
            style.append(own).append(own.endsWith(";") ? "" : ";");
        }
        style.append(important);
        if (!style.isEmpty()) {
            e.attr("style", style.toString());
        }
    }

    /** The plain rules of a style sheet, at-rules and their blocks left out. */
    static List<Rule> rules(String css) {
        List<Rule> rules = new ArrayList<>();
        int i = 0;
        int order = 0;
        int n = css.length();
        while (i < n && rules.size() < MAX_RULES) {
            char c = css.charAt(i);
            if (Character.isWhitespace(c) || c == '}' || c == ';') {
                i++;
                continue;
            }
            if (c == '@') {
                i = skipAtRule(css, i);
                continue;
            }
            int open = css.indexOf('{', i);
            if (open < 0) {
                break;
            }
            int close = css.indexOf('}', open);
            if (close < 0) {
                close = n;
            }
            String selectors = css.substring(i, open);
            String declarations = css.substring(open + 1, close);
            order++;
            for (String selector : selectors.split(",")) {
                String s = selector.strip().replaceAll("(?i):link\\b", "");
                if (isPlain(s)) {
                    rules.add(new Rule(s, specificity(s), order, declarations));
                }
            }
            i = close + 1;
        }
        return rules;
    }

    /**
     * A selector this inliner applies. Not: pseudo-classes (":" — also jsoup's own :matches(regex), :contains ...),
     * and "~=", which in CSS matches a word but in jsoup a regular expression that a hostile message could make
     * backtrack for ever. Bounded in length.
     */
    static boolean isPlain(String selector) {
        return !selector.isEmpty() && selector.length() <= 200 && !selector.contains(":")
                && !selector.contains("~=") && !selector.contains("@");
    }

    /** Past an at-rule: to its ';' or past its block, nested blocks included. */
    private static int skipAtRule(String css, int at) {
        int n = css.length();
        int depth = 0;
        for (int i = at; i < n; i++) {
            char c = css.charAt(i);
            if (c == ';' && depth == 0) {
                return i + 1;
            }
            if (c == '{') {
                depth++;
            } else if (c == '}') {
                depth--;
                if (depth <= 0) {
                    return i + 1;
                }
            }
        }
        return n;
    }

    /** CSS specificity as one number: ids, then classes and attributes, then types. */
    static int specificity(String selector) {
        int ids = 0;
        int classes = 0;
        int types = 0;
        for (String compound : selector.split("[\\s>+~]+")) {
            if (compound.isEmpty()) {
                continue;
            }
            ids += count(compound, '#');
            classes += count(compound, '.') + count(compound, '[');
            char first = compound.charAt(0);
            if (first != '#' && first != '.' && first != '[' && first != '*') {
                types++;
            }
        }
        return ids * 10_000 + classes * 100 + types;
    }

    private static int count(String s, char c) {
        int count = 0;
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == c) {
                count++;
            }
        }
        return count;
    }

    /** The body's own style (and Outlook's {@code bgcolor}) around its content, since only its content is kept. */
    static String bodyStyle(Element body) {
        String style = body.attr("style").strip();
        String bgcolor = body.attr("bgcolor").strip();
        if (!bgcolor.isEmpty() && !style.toLowerCase(Locale.ROOT).contains("background")) {
            style = "background-color:" + bgcolor + ";" + style;
        }
        return style;
    }
}
