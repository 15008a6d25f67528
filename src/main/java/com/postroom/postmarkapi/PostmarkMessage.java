package com.postroom.postmarkapi;

import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;

import tools.jackson.databind.JsonNode;

import com.postroom.outbound.Attachment;
import com.postroom.outbound.SendingCore;

/**
 * One message of Postmark's send API, read from its JSON as Postmark reads it: property names in any case (its Java
 * client writes "ContentId", its docs "ContentID"), recipients as comma-separated strings that may carry display
 * names with commas in quotes, attachments in base64. What cannot be read is a {@link PostmarkError} with code 300.
 */
record PostmarkMessage(String from, List<String> to, List<String> cc, List<String> bcc, String toField,
                       String subject, String htmlBody, String textBody, Optional<String> replyTo,
                       Optional<String> tag, Map<String, String> headers, Map<String, Object> metadata,
                       List<Attachment> attachments, String stream, boolean tracking) {

    /** Postmark's limit on To, Cc and Bcc together. */
    static final int MAX_RECIPIENTS = 50;

    static PostmarkMessage parse(JsonNode node) {
        if (node == null || !node.isObject()) {
            throw PostmarkError.invalid(PostmarkError.INVALID_REQUEST, "Each message must be a JSON object.");
        }
        Map<String, JsonNode> fields = PostmarkJson.fields(node);
        String from = text(fields, "from");
        if (from.isBlank()) {
            throw PostmarkError.invalid(PostmarkError.INVALID_REQUEST, "Invalid 'From' address: the 'From' field is "
                    + "required (for example \"Billing <billing@example.com>\").");
        }
        String toField = text(fields, "to");
        List<String> to = recipients("To", toField);
        List<String> cc = recipients("Cc", text(fields, "cc"));
        List<String> bcc = recipients("Bcc", text(fields, "bcc"));
        if (to.isEmpty() && cc.isEmpty() && bcc.isEmpty()) {
            throw PostmarkError.invalid(PostmarkError.INVALID_REQUEST, "Zero recipients specified: set 'To'.");
        }
        int count = to.size() + cc.size() + bcc.size();
        if (count > MAX_RECIPIENTS) {
            throw PostmarkError.invalid(PostmarkError.INVALID_REQUEST, "A message may have at most " + MAX_RECIPIENTS
                    + " recipients in To, Cc and Bcc together; this one has " + count + ".");
        }
        String html = text(fields, "htmlbody");
        String plain = text(fields, "textbody");
        if (html.isEmpty() && plain.isEmpty()) {
            throw PostmarkError.invalid(PostmarkError.INVALID_REQUEST,
                    "Provide either email TextBody or HtmlBody or both.");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        JsonNode h = fields.get("headers");
        if (h != null && h.isArray()) {
            for (JsonNode header : h.values()) {
                Map<String, JsonNode> f = lower(header);
                String name = text(f, "name");
                // Message-ID, Date, MIME-Version, Content-*, Return-Path: libraries that pass on every header of
                // their message send these, and Postmark writes its own instead. X-PM-KeepID asks Postmark to keep
                // the given Message-ID; Postroom always writes its own (bounces and replies are matched by it).
                if (!name.isBlank() && !SendingCore.isStructureHeader(name) && !name.equalsIgnoreCase("X-PM-KeepID")) {
                    headers.put(name, text(f, "value"));
                }
            }
        }
        Map<String, Object> metadata = new LinkedHashMap<>();
        JsonNode m = fields.get("metadata");
        if (m != null && m.isObject()) {
            m.propertyNames().forEach(k -> metadata.put(k, m.get(k).isString() ? m.get(k).asString()
                    : m.get(k).toString()));
        }
        List<Attachment> attachments = new ArrayList<>();
        JsonNode a = fields.get("attachments");
        if (a != null && a.isArray()) {
            for (JsonNode attachment : a.values()) {
                attachments.add(attachment(lower(attachment)));
            }
        }
        String stream = text(fields, "messagestream");
        JsonNode opens = fields.get("trackopens");
        String links = text(fields, "tracklinks");
        boolean tracking = opens != null && opens.asBoolean(false) || !links.isBlank() && !links.equals("None");
        String replyTo = text(fields, "replyto");
        String tag = text(fields, "tag");
        return new PostmarkMessage(from.strip(), to, cc, bcc, toField, text(fields, "subject"), html, plain,
                replyTo.isBlank() ? Optional.empty() : Optional.of(replyTo.strip()),
                tag.isBlank() ? Optional.empty() : Optional.of(tag), headers, metadata, attachments,
                stream.isBlank() ? "outbound" : stream.strip(), tracking);
    }

    int recipientCount() {
        return to.size() + cc.size() + bcc.size();
    }

    List<String> addresses() {
        List<String> out = new ArrayList<>();
        for (List<String> list : List.of(to, cc, bcc)) {
            for (String r : list) {
                try {
                    out.add(new InternetAddress(r).getAddress().toLowerCase(Locale.ROOT));
                } catch (AddressException e) {
                    out.add(r.toLowerCase(Locale.ROOT));
                }
            }
        }
        return out;
    }

    private static Attachment attachment(Map<String, JsonNode> f) {
        String id = text(f, "contentid"); // "ContentID" in Postmark's docs, "ContentId" from its Java client
        if (id.startsWith("cid:")) {
            id = id.substring(4);
        }
        if (id.length() > 2 && id.startsWith("<") && id.endsWith(">")) {
            id = id.substring(1, id.length() - 1); // as a Content-ID header writes it (RFC 2392)
        }
        // A file may have no name (django-anymail sends "" for an inline image that had none): it goes under its
        // content ID, or as "attachment".
        String name = text(f, "name");
        if (name.isBlank()) {
            name = id.isBlank() ? "attachment" : id;
        }
        JsonNode given = f.get("content");
        if (given == null || given.isNull()) {
            throw PostmarkError.invalid(PostmarkError.INVALID_REQUEST, "Attachment '" + name + "' has no 'Content': "
                    + "send the file's bytes in base64.");
        }
        byte[] content = base64(name, text(f, "content"));
        String type = text(f, "contenttype");
        return new Attachment(name, type.isBlank() ? "application/octet-stream" : type, content,
                id.isBlank() ? Optional.empty() : Optional.of(id));
    }

    /**
     * An attachment's bytes from base64 (RFC 4648's alphabet, padding optional). Line breaks and spaces are allowed, as
     * encoders that wrap at 76 characters write them; any other character is an error. Jakarta's and Java's MIME
     * decoders skip what is not base64, so "%%%" would have gone out as an empty file and a damaged string as a
     * damaged one, a statement PDF the patient cannot open, with the API saying OK.
     */
    static byte[] base64(String name, String text) {
        StringBuilder clean = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\r' || c == '\n' || c == ' ' || c == '\t') {
                continue;
            }
            if (!(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/'
                    || c == '=')) {
                throw notBase64(name, "it has '" + (c < ' ' || c > '~' ? String.format("\\u%04x", (int) c)
                        : String.valueOf(c)) + "' at character " + (i + 1));
            }
            clean.append(c);
        }
        try {
            return Base64.getDecoder().decode(clean.toString());
        } catch (IllegalArgumentException e) {
            throw notBase64(name, "its length or its '=' padding is wrong");
        }
    }

    private static PostmarkError notBase64(String name, String why) {
        return PostmarkError.invalid(PostmarkError.INVALID_REQUEST, "The 'Content' of attachment '" + name + "' is "
                + "not valid base64: " + why + ". Encode the file's bytes with the standard alphabet (A-Z, a-z, 0-9, "
                + "+ and /).");
    }

    /** The field's addresses, each as written ("Name <a@b>" or "a@b"); commas inside quoted names stay. */
    private static List<String> recipients(String field, String value) {
        if (value.isBlank()) {
            return List.of();
        }
        try {
            List<String> out = new ArrayList<>();
            for (InternetAddress a : InternetAddress.parse(value, false)) {
                out.add(a.toUnicodeString());
            }
            return out;
        } catch (AddressException e) {
            throw PostmarkError.invalid(PostmarkError.INVALID_REQUEST, "Invalid '" + field + "' address: '" + value
                    + "' is not a comma-separated list of email addresses.");
        }
    }

    private static Map<String, JsonNode> lower(JsonNode node) {
        return PostmarkJson.fields(node);
    }

    private static String text(Map<String, JsonNode> fields, String name) {
        return PostmarkJson.text(fields.get(name));
    }
}
