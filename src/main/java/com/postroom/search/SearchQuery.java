package com.postroom.search;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import com.postroom.store.View;

/**
 * A search in Gmail's syntax, parsed into a tree: words and {@code "phrases"}, {@code operator:value}, {@code -term},
 * {@code OR} (binding tighter than terms side by side, as in Gmail), parentheses; terms side by side must all match. A malformed query is a {@link Malformed} whose message
 * names the problem and where it is, so the API can answer 400 with it.
 */
public sealed interface SearchQuery {

    Set<String> OPERATORS = Set.of("from", "to", "cc", "bcc", "subject", "label", "in", "is", "has", "filename",
            "before", "after", "older_than", "newer_than");

    record And(List<SearchQuery> terms) implements SearchQuery {
    }

    record Or(List<SearchQuery> terms) implements SearchQuery {
    }

    record Not(SearchQuery term) implements SearchQuery {
    }

    /** Plain text: a word (or several words that must all appear) or an exact phrase. */
    record Text(String text, boolean phrase) implements SearchQuery {
    }

    /** {@code name:value}, the value already checked for the operator (dates parsed, {@code in:} known, ...). */
    record Operator(String name, String value) implements SearchQuery {
    }

    /** Matches everything: the empty query. */
    record All() implements SearchQuery {
    }

    final class Malformed extends RuntimeException {
        public Malformed(String message) {
            super(message, null, false, false);
        }
    }

    static SearchQuery parse(String query) {
        return new Parser(query == null ? "" : query).parse();
    }

    /** Every positive text term, for ranking and highlighting. */
    static List<Text> positiveTexts(SearchQuery q) {
        List<Text> out = new ArrayList<>();
        collect(q, false, out);
        return out;
    }

    private static void collect(SearchQuery q, boolean negated, List<Text> out) {
        if (q instanceof And a) {
            a.terms().forEach(t -> collect(t, negated, out));
        } else if (q instanceof Or o) {
            o.terms().forEach(t -> collect(t, negated, out));
        } else if (q instanceof Not n) {
            collect(n.term(), !negated, out);
        } else if (q instanceof Text t && !negated) {
            out.add(t);
        }
    }

    /** The values of every operator of this name in the query, negated or not. */
    static List<String> operatorValues(SearchQuery q, String name) {
        return leaves(q).stream().filter(t -> t instanceof Operator op && op.name().equals(name))
                .map(t -> ((Operator) t).value()).toList();
    }

    /** The texts and operators of a query, negated or not, in order. */
    static List<SearchQuery> leaves(SearchQuery q) {
        List<SearchQuery> out = new ArrayList<>();
        if (q instanceof And a) {
            a.terms().forEach(t -> out.addAll(leaves(t)));
        } else if (q instanceof Or o) {
            o.terms().forEach(t -> out.addAll(leaves(t)));
        } else if (q instanceof Not n) {
            out.addAll(leaves(n.term()));
        } else {
            out.add(q);
        }
        return out;
    }

    /** Whether the query names a view with {@code in:}; without one, search leaves out spam and trash as Gmail does. */
    static boolean namesFolder(SearchQuery q) {
        if (q instanceof And a) {
            return a.terms().stream().anyMatch(SearchQuery::namesFolder);
        } else if (q instanceof Or o) {
            return o.terms().stream().anyMatch(SearchQuery::namesFolder);
        } else if (q instanceof Not n) {
            return namesFolder(n.term());
        }
        return q instanceof Operator op && op.name().equals("in");
    }

    /** Recursive descent over the query string; positions in messages are 1-based characters. */
    final class Parser {
        private final String s;
        private int pos;

        Parser(String s) {
            this.s = s;
        }

        SearchQuery parse() {
            if (s.length() > 2000) {
                throw new Malformed("The query is too long: keep it under 2000 characters.");
            }
            skipSpace();
            if (pos >= s.length()) {
                return new All();
            }
            SearchQuery q = and();
            skipSpace();
            if (pos < s.length()) {
                throw new Malformed("Unexpected ')' at position " + (pos + 1) + ": it closes no '('.");
            }
            return q;
        }

        /** Terms side by side, all of which must match. */
        private SearchQuery and() {
            List<SearchQuery> terms = new ArrayList<>();
            skipSpace();
            while (!atEndOfGroup()) {
                if (peekWord("OR") || peekChar('|')) {
                    throw new Malformed("'OR' at position " + (pos + 1) + " needs a term before it.");
                }
                terms.add(or());
                skipSpace();
            }
            if (terms.isEmpty()) {
                throw new Malformed(pos >= s.length() ? "The query ends where a term was expected."
                        : "A term was expected at position " + (pos + 1) + ".");
            }
            return terms.size() == 1 ? terms.get(0) : new And(terms);
        }

        /**
         * Terms joined by OR. As in Gmail, OR binds tighter than terms side by side: {@code a OR b c} is
         * {@code (a OR b) c}.
         */
        private SearchQuery or() {
            List<SearchQuery> alternatives = new ArrayList<>();
            alternatives.add(unary());
            skipSpace();
            while (peekWord("OR") || peekChar('|')) {
                pos += peekChar('|') ? 1 : 2;
                skipSpace();
                if (atEndOfGroup()) {
                    throw new Malformed("'OR' at position " + pos + " needs a term after it.");
                }
                alternatives.add(unary());
                skipSpace();
            }
            return alternatives.size() == 1 ? alternatives.get(0) : new Or(alternatives);
        }

        private SearchQuery unary() {
            if (peekChar('-') && pos + 1 < s.length() && !Character.isWhitespace(s.charAt(pos + 1))) {
                pos++;
                return new Not(unary());
            }
            return primary();
        }

        private SearchQuery primary() {
            int start = pos;
            char c = s.charAt(pos);
            if (c == '(') {
                pos++;
                skipSpace();
                if (peekChar(')')) {
                    throw new Malformed("Empty parentheses at position " + (start + 1) + ".");
                }
                SearchQuery inner = and();
                skipSpace();
                if (!peekChar(')')) {
                    throw new Malformed("The '(' at position " + (start + 1) + " is never closed.");
                }
                pos++;
                return inner;
            }
            if (c == '"') {
                return new Text(quoted(), true);
            }
            String word = bareWord();
            int colon = word.indexOf(':');
            if (colon > 0) {
                String name = word.substring(0, colon).toLowerCase(Locale.ROOT);
                if (OPERATORS.contains(name)) {
                    String value = word.substring(colon + 1);
                    if (value.isEmpty() && pos < s.length() && s.charAt(pos) == '"') {
                        value = quoted();
                    }
                    if (value.isBlank()) {
                        throw new Malformed("'" + name + ":' at position " + (start + 1) + " needs a value, for "
                                + "example " + example(name) + ".");
                    }
                    return operator(name, value, start);
                }
            }
            return new Text(word, false);
        }

        private String quoted() {
            int start = pos;
            int end = s.indexOf('"', pos + 1);
            if (end < 0) {
                throw new Malformed("The quote at position " + (start + 1) + " is never closed.");
            }
            pos = end + 1;
            String phrase = s.substring(start + 1, end).strip();
            if (phrase.isEmpty()) {
                throw new Malformed("Empty quotes at position " + (start + 1) + ".");
            }
            return phrase;
        }

        private String bareWord() {
            int start = pos;
            while (pos < s.length()) {
                char c = s.charAt(pos);
                if (Character.isWhitespace(c) || c == '(' || c == ')' || c == '"') {
                    break;
                }
                pos++;
            }
            if (pos == start) {
                throw new Malformed("Unexpected '" + s.charAt(pos) + "' at position " + (pos + 1) + ".");
            }
            return s.substring(start, pos);
        }

        private Operator operator(String name, String raw, int start) {
            String value = raw.strip();
            String lower = value.toLowerCase(Locale.ROOT);
            String where = " at position " + (start + 1);
            switch (name) {
                case "in" -> {
                    if (!View.SEARCHABLE.contains(lower)) {
                        throw new Malformed("'in:" + value + "'" + where + " is not a folder: use one of "
                                + String.join(", ", View.SEARCHABLE) + ".");
                    }
                    return new Operator(name, lower);
                }
                case "is" -> {
                    if (!Set.of("unread", "read", "starred", "unstarred").contains(lower)) {
                        throw new Malformed("'is:" + value + "'" + where
                                + " is not known: use is:unread, is:read, is:starred or is:unstarred.");
                    }
                    return new Operator(name, lower);
                }
                case "has" -> {
                    if (!Set.of("attachment", "attachments").contains(lower)) {
                        throw new Malformed("'has:" + value + "'" + where + " is not known: use has:attachment.");
                    }
                    return new Operator(name, "attachment");
                }
                case "before", "after" -> {
                    return new Operator(name, date(name, value, where).toString());
                }
                case "older_than", "newer_than" -> {
                    if (!lower.matches("\\d{1,4}[dmy]")) {
                        throw new Malformed("'" + name + ":" + value + "'" + where + " needs a number and d, m or y, "
                                + "for example " + name + ":7d.");
                    }
                    return new Operator(name, lower);
                }
                default -> {
                    return new Operator(name, value);
                }
            }
        }

        private static LocalDate date(String name, String value, String where) {
            String iso = value.replace('/', '-');
            String[] parts = iso.split("-");
            try {
                if (parts.length == 3) {
                    return LocalDate.of(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]),
                            Integer.parseInt(parts[2]));
                }
            } catch (NumberFormatException | java.time.DateTimeException e) {
                // reported below
            }
            throw new Malformed("'" + name + ":" + value + "'" + where
                    + " is not a date: write it as YYYY/MM/DD, for example " + name + ":2026/01/31.");
        }

        private static String example(String name) {
            return switch (name) {
                case "before", "after" -> name + ":2026/01/31";
                case "older_than", "newer_than" -> name + ":7d";
                case "in" -> "in:inbox";
                case "is" -> "is:unread";
                case "has" -> "has:attachment";
                case "filename" -> "filename:pdf";
                case "label" -> "label:billing";
                default -> name + ":alice@example.com";
            };
        }

        private boolean atEndOfGroup() {
            return pos >= s.length() || s.charAt(pos) == ')';
        }

        private boolean peekChar(char c) {
            return pos < s.length() && s.charAt(pos) == c;
        }

        private boolean peekWord(String w) {
            return s.startsWith(w, pos) && (pos + w.length() == s.length()
                    || Character.isWhitespace(s.charAt(pos + w.length())) || s.charAt(pos + w.length()) == '(');
        }

        private void skipSpace() {
            while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
                pos++;
            }
        }
    }
}
