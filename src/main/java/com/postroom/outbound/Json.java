package com.postroom.outbound;

import java.util.List;

import tools.jackson.core.io.JsonStringEncoder;

/**
 * JSON text written by hand on the delivery path, where a generator made per message cost more than the text itself.
 * Strings are escaped by Jackson's own encoder, so what it writes is what the object mapper would.
 */
final class Json {

    private static final JsonStringEncoder ENCODER = JsonStringEncoder.getInstance();

    private Json() {
    }

    /** A string value, quoted and escaped; {@code null} as JSON's null. */
    static StringBuilder string(StringBuilder out, String value) {
        if (value == null) {
            return out.append("null");
        }
        out.append('"');
        ENCODER.quoteAsString(value, out);
        return out.append('"');
    }

    /** An array of strings. */
    static StringBuilder strings(StringBuilder out, List<String> values) {
        out.append('[');
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            string(out, values.get(i));
        }
        return out.append(']');
    }
}
