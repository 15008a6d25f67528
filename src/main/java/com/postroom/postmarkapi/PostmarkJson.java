package com.postroom.postmarkapi;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Request bodies as Postmark reads them: JSON (else ErrorCode 402), property names in any case. */
final class PostmarkJson {

    private PostmarkJson() {
    }

    /** The body as one JSON object. */
    static JsonNode object(JsonMapper json, byte[] body) {
        JsonNode node = any(json, body);
        if (!node.isObject()) {
            throw PostmarkError.invalid(PostmarkError.INVALID_JSON, "The body must be a JSON object.");
        }
        return node;
    }

    /** The body as JSON of any shape (a batch is an array). */
    static JsonNode any(JsonMapper json, byte[] body) {
        if (body == null || body.length == 0) {
            throw PostmarkError.invalid(PostmarkError.INVALID_JSON, "Received invalid JSON input: the body is empty.");
        }
        try {
            return json.readTree(body);
        } catch (JacksonException e) {
            throw PostmarkError.invalid(PostmarkError.INVALID_JSON, "Received invalid JSON input.");
        }
    }

    /** An object's property by name in any case (missing when it has none; a non-object has none). */
    static JsonNode get(JsonNode node, String name) {
        if (node == null || !node.isObject()) {
            return tools.jackson.databind.node.MissingNode.getInstance();
        }
        JsonNode exact = node.get(name);
        if (exact != null) {
            return exact;
        }
        for (String n : node.propertyNames()) {
            if (n.equalsIgnoreCase(name)) {
                return node.get(n);
            }
        }
        return tools.jackson.databind.node.MissingNode.getInstance();
    }

    /** A value as text: a string as it is, a number or other value as JSON writes it, null or absent as "". */
    static String text(JsonNode v) {
        return v == null || v.isNull() || v.isMissingNode() ? "" : v.isString() ? v.asString() : v.toString();
    }

    /** An object's properties by lower-case name ("ContentID" and "ContentId" are one); empty for a non-object. */
    static Map<String, JsonNode> fields(JsonNode node) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        if (node != null && node.isObject()) {
            node.propertyNames().forEach(name -> out.put(name.toLowerCase(Locale.ROOT), node.get(name)));
        }
        return out;
    }
}
