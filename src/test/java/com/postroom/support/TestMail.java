package com.postroom.support;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

/** Builds RFC 822 messages for tests, as a real client would write them (CRLF, MIME, base64 attachments). */
public final class TestMail {

    private String from = "Alice Example <alice@example.org>";
    private String to = "founder@postroom.test";
    private String cc;
    private String subject = "Hello";
    private String text = "Hello there.";
    private String html;
    private String messageId = "<" + UUID.randomUUID() + "@example.org>";
    private String inReplyTo;
    private String date = "Tue, 24 Nov 2026 09:00:00 +0000";
    private final List<String> headers = new ArrayList<>();
    private final List<String[]> attachments = new ArrayList<>();

    public static TestMail message() {
        return new TestMail();
    }

    public TestMail from(String from) {
        this.from = from;
        return this;
    }

    public TestMail to(String to) {
        this.to = to;
        return this;
    }

    public TestMail cc(String cc) {
        this.cc = cc;
        return this;
    }

    public TestMail subject(String subject) {
        this.subject = subject;
        return this;
    }

    public TestMail text(String text) {
        this.text = text;
        return this;
    }

    public TestMail html(String html) {
        this.html = html;
        return this;
    }

    public TestMail messageId(String id) {
        this.messageId = id;
        return this;
    }

    public TestMail inReplyTo(String id) {
        this.inReplyTo = id;
        return this;
    }

    public TestMail header(String line) {
        headers.add(line);
        return this;
    }

    /** An attachment; {@code contentId} non-null makes it an inline part referenced as cid:contentId. */
    public TestMail attach(String filename, String type, byte[] content, String contentId) {
        attachments.add(new String[] {filename, type, Base64.getMimeEncoder().encodeToString(content), contentId});
        return this;
    }

    public String messageId() {
        return messageId;
    }

    /** The Date header (RFC 5322), for mail whose order matters. */
    public TestMail date(String rfc5322) {
        this.date = rfc5322;
        return this;
    }

    public byte[] bytes() {
        StringBuilder m = new StringBuilder();
        m.append("From: ").append(from).append("\r\nTo: ").append(to).append("\r\n");
        if (cc != null) {
            m.append("Cc: ").append(cc).append("\r\n");
        }
        m.append("Subject: ").append(subject).append("\r\nMessage-ID: ").append(messageId).append("\r\n");
        if (inReplyTo != null) {
            m.append("In-Reply-To: ").append(inReplyTo).append("\r\nReferences: ").append(inReplyTo).append("\r\n");
        }
        m.append("Date: ").append(date).append("\r\nMIME-Version: 1.0\r\n");
        headers.forEach(h -> m.append(h).append("\r\n"));
        String body = html == null ? part("text/plain", text)
                : "Content-Type: multipart/alternative; boundary=\"alt\"\r\n\r\n--alt\r\n" + part("text/plain", text)
                + "\r\n--alt\r\n" + part("text/html", html) + "\r\n--alt--\r\n";
        if (attachments.isEmpty()) {
            m.append(body);
        } else {
            m.append("Content-Type: multipart/mixed; boundary=\"mix\"\r\n\r\n--mix\r\n").append(body);
            for (String[] a : attachments) {
                m.append("\r\n--mix\r\nContent-Type: ").append(a[1]).append("; name=\"").append(a[0])
                        .append("\"\r\nContent-Transfer-Encoding: base64\r\n");
                if (a[3] != null) {
                    m.append("Content-ID: <").append(a[3]).append(">\r\nContent-Disposition: inline; filename=\"")
                            .append(a[0]).append("\"\r\n");
                } else {
                    m.append("Content-Disposition: attachment; filename=\"").append(a[0]).append("\"\r\n");
                }
                m.append("\r\n").append(a[2]).append("\r\n");
            }
            m.append("--mix--\r\n");
        }
        return m.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String part(String type, String content) {
        return "Content-Type: " + type + "; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + content + "\r\n";
    }
}
