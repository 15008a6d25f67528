package com.postroom.postmark;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;

import jakarta.activation.DataHandler;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.internet.MimeUtility;
import jakarta.mail.util.ByteArrayDataSource;

import org.springframework.stereotype.Component;

import com.postroom.mime.Attachments;
import com.postroom.mime.ContentKey;
import com.postroom.inbound.Incoming;
import com.postroom.inbound.Ingest;
import com.postroom.mime.RawMail;
import com.postroom.store.Labels;
import com.postroom.store.StoredMessage;
import com.postroom.store.Messages;
import com.postroom.org.Organizations;
import com.postroom.problem.Problem;

import tools.jackson.databind.JsonNode;

/**
 * Postmark's inbound payload into the same pipeline as IMAP mail. {@code RawEmail} is used as it is when Postmark
 * sends it; otherwise a MIME message is rebuilt from the fields. Postmark retries, so the content key is Postmark's
 * own MessageID: a retry finds the stored message and answers with it instead of storing it again.
 */
@Component
public class PostmarkInbound {

    private final Ingest ingest;
    private final Organizations organizations;
    private final Messages messages;
    private final Attachments attachments;
    private final Labels labels;

    PostmarkInbound(Ingest ingest, Organizations organizations, Messages messages, Attachments attachments,
                    Labels labels) {
        this.ingest = ingest;
        this.organizations = organizations;
        this.messages = messages;
        this.attachments = attachments;
        this.labels = labels;
    }

    public Map<String, Object> ingest(JsonNode p) {
        long orgId = organization(p);
        byte[] raw = text(p, "RawEmail").isBlank() ? rebuild(p) : text(p, "RawEmail").getBytes(StandardCharsets.UTF_8);
        raw = withSpamVerdict(p, raw);
        // Postmark's MessageID identifies a delivery across its retries. A payload without one (a test, a relay
        // that strips it) is identified by the payload itself, which a retry repeats byte for byte; not by the
        // rebuilt MIME, whose boundaries are new each time.
        String postmarkId = text(p, "MessageID");
        String key = postmarkId.isBlank() ? ContentKey.external("postmark-payload", p.toString())
                : ContentKey.external("postmark", postmarkId);
        Incoming incoming = new Incoming(RawMail.of(raw), Optional.empty(), Optional.of(key), Optional.empty(),
                Set.of(), false, "postmark");
        Ingest.Result result = ingest.store(orgId, List.of(incoming), db -> {
        });
        UUID id = result.items().get(0).messageId();
        StoredMessage message = messages.find(orgId, id).orElseThrow();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("message", message);
        out.put("attachments", attachments.of(orgId, id));
        out.put("labels", labels.slugsOf(id));
        out.put("decision", message.meta().get("decision"));
        return out;
    }

    /** An address in a plain To/Cc text: inside angle brackets, else the first word with an @. */
    private static final java.util.regex.Pattern ADDRESS_IN_TEXT =
            java.util.regex.Pattern.compile("<([^<>@\\s]+@[^<>\\s]+)>|([^\\s<>\"]+@[^\\s<>\"]+)");

    /** The organization that owns a recipient's domain: OriginalRecipient first, then To, Cc, Bcc. */
    private long organization(JsonNode p) {
        List<String> candidates = new ArrayList<>();
        candidates.add(text(p, "OriginalRecipient"));
        for (String field : List.of("ToFull", "CcFull", "BccFull")) {
            JsonNode list = p.get(field);
            if (list != null && list.isArray()) {
                list.forEach(n -> candidates.add(text(n, "Email")));
            }
        }
        // Payloads that name the recipients only as text ("To": "Billing <billing@x>, y@z"), as the original's
        // tests and some relays send them.
        for (String field : List.of("To", "Cc", "Bcc")) {
            for (String part : text(p, field).split(",")) {
                java.util.regex.Matcher m = ADDRESS_IN_TEXT.matcher(part);
                if (m.find()) {
                    candidates.add(m.group(1) != null ? m.group(1) : m.group(2));
                }
            }
        }
        for (String address : candidates) {
            int at = address.lastIndexOf('@');
            if (at > 0) {
                var org = organizations.byDomain(address.substring(at + 1).strip().toLowerCase(Locale.ROOT));
                if (org.isPresent()) {
                    return org.get().id();
                }
            }
        }
        throw Problem.notFound("Unknown org domain");
    }

    /**
     * Postmark's spam verdict as top-level fields ({@code SpamStatus}, {@code SpamScore}, as the original's payloads
     * carry it) becomes the X-Spam-* headers the classifier reads, unless the message has its own.
     */
    static byte[] withSpamVerdict(JsonNode p, byte[] raw) {
        String status = text(p, "SpamStatus");
        String score = text(p, "SpamScore");
        if (status.isBlank() && score.isBlank()) {
            return raw;
        }
        String head = new String(raw, 0, Math.min(raw.length, 64 * 1024), StandardCharsets.ISO_8859_1);
        int end = head.indexOf("\r\n\r\n") >= 0 ? head.indexOf("\r\n\r\n") : head.indexOf("\n\n");
        String headers = (end < 0 ? head : head.substring(0, end)).toLowerCase(Locale.ROOT);
        StringBuilder add = new StringBuilder();
        if (!status.isBlank() && !headers.contains("\nx-spam-status:") && !headers.startsWith("x-spam-status:")) {
            add.append("X-Spam-Status: ").append(status.replaceAll("[\\r\\n]", " ")).append("\r\n");
        }
        if (!score.isBlank() && !headers.contains("\nx-spam-score:") && !headers.startsWith("x-spam-score:")) {
            add.append("X-Spam-Score: ").append(score.replaceAll("[\\r\\n]", " ")).append("\r\n");
        }
        byte[] prefix = add.toString().getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[prefix.length + raw.length];
        System.arraycopy(prefix, 0, out, 0, prefix.length);
        System.arraycopy(raw, 0, out, prefix.length, raw.length);
        return out;
    }

    /** A MIME message with the payload's headers, bodies and attachments. */
    static byte[] rebuild(JsonNode p) {
        try {
            MimeMessage m = new MimeMessage(Session.getInstance(new Properties()));
            JsonNode headers = p.get("Headers");
            if (headers != null && headers.isArray()) {
                for (JsonNode h : headers) {
                    String name = text(h, "Name");
                    if (!name.isBlank() && name.matches("[!-9;-~]+")) {
                        m.addHeader(name, MimeUtility.fold(name.length() + 2, text(h, "Value")));
                    }
                }
            }
            setIfPresent(m, "From", text(p, "From").isBlank() ? null : p.get("From").asString());
            setIfPresent(m, "To", text(p, "To"));
            setIfPresent(m, "Cc", text(p, "Cc"));
            setIfPresent(m, "Reply-To", text(p, "ReplyTo"));
            setIfPresent(m, "Date", text(p, "Date"));
            m.setSubject(text(p, "Subject"), "UTF-8");
            // The sender's Message-ID when Postmark passed it among the headers; saveChanges() would replace it.
            String messageId = Optional.ofNullable(m.getHeader("Message-ID", null))
                    .orElse(text(p, "MessageID").isBlank() ? null
                            : "<" + text(p, "MessageID") + "@inbound.postmarkapp.com>");
            MimeMultipart alternative = new MimeMultipart("alternative");
            MimeBodyPart plain = new MimeBodyPart();
            plain.setText(text(p, "TextBody"), "UTF-8");
            alternative.addBodyPart(plain);
            if (!text(p, "HtmlBody").isBlank()) {
                MimeBodyPart html = new MimeBodyPart();
                html.setText(text(p, "HtmlBody"), "UTF-8", "html");
                alternative.addBodyPart(html);
            }
            JsonNode files = p.get("Attachments");
            if (files == null || !files.isArray() || files.isEmpty()) {
                m.setContent(alternative);
            } else {
                MimeMultipart mixed = new MimeMultipart("mixed");
                MimeBodyPart body = new MimeBodyPart();
                body.setContent(alternative);
                mixed.addBodyPart(body);
                for (JsonNode a : files) {
                    MimeBodyPart part = new MimeBodyPart();
                    byte[] content;
                    try {
                        content = Base64.getMimeDecoder().decode(text(a, "Content"));
                    } catch (IllegalArgumentException e) {
                        throw Problem.refused("Attachment '" + text(a, "Name") + "' is not valid base64.");
                    }
                    String type = text(a, "ContentType").isBlank() ? "application/octet-stream" : text(a, "ContentType");
                    part.setDataHandler(new DataHandler(new ByteArrayDataSource(content, type)));
                    part.setHeader("Content-Transfer-Encoding", "base64"); // the file's bytes exactly, as sent
                    part.setFileName(text(a, "Name"));
                    String cid = text(a, "ContentID").isBlank() ? text(a, "ContentId") : text(a, "ContentID");
                    if (!cid.isBlank()) {
                        part.setContentID("<" + cid.replaceAll("^<|>$", "").replaceFirst("^cid:", "") + ">");
                        part.setDisposition(MimeBodyPart.INLINE);
                    } else {
                        part.setDisposition(MimeBodyPart.ATTACHMENT);
                    }
                    mixed.addBodyPart(part);
                }
                m.setContent(mixed);
            }
            m.saveChanges();
            if (messageId != null) {
                m.setHeader("Message-ID", messageId);
            } else {
                m.removeHeader("Message-ID"); // the parser then makes a stable one from the content
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            m.writeTo(out);
            return out.toByteArray();
        } catch (MessagingException e) {
            throw Problem.refused("The payload could not be turned into a message: " + e.getMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void setIfPresent(MimeMessage m, String name, String value) throws MessagingException {
        if (value != null && !value.isBlank()) {
            m.setHeader(name, MimeUtility.fold(name.length() + 2, encodeIfNeeded(value)));
        }
    }

    private static String encodeIfNeeded(String value) {
        for (char c : value.toCharArray()) {
            if (c > 127) {
                try {
                    return MimeUtility.encodeText(value, "UTF-8", "B");
                } catch (java.io.UnsupportedEncodingException e) {
                    return value;
                }
            }
        }
        return value;
    }

    static String text(JsonNode node, String field) {
        JsonNode v = node == null ? null : node.get(field);
        return v == null || v.isNull() ? "" : v.isString() ? v.asString() : v.toString();
    }
}
