package com.postroom.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;

import org.junit.jupiter.api.Test;

import com.postroom.mail.EmailAddress;

class MimeComposerTest {

    private static MimeComposer.Composition composition(String text, String html, List<Attachment> attachments) {
        return new MimeComposer.Composition(EmailAddress.parse("Zoë Billing <billing@example.com>"), List.of(),
                List.of(EmailAddress.parse("patient@example.org")), List.of(), "Rechnung für Mai – Ärztlicher Dienst",
                text, html, attachments, "<abc.def@example.com>", "<parent@example.com>",
                List.of("<root@example.com>", "<parent@example.com>"), Map.of());
    }

    private static MimeMessage parse(byte[] bytes) throws Exception {
        return new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(bytes));
    }

    @Test
    void theComposersBufferKeepsEveryByteInOrderAsItGrows() {
        MimeComposer.Bytes out = new MimeComposer.Bytes(1);
        java.io.ByteArrayOutputStream expected = new java.io.ByteArrayOutputStream();
        java.util.Random random = new java.util.Random(7);
        for (int i = 0; i < 5000; i++) {
            if (random.nextBoolean()) {
                int b = random.nextInt(256);
                out.write(b);
                expected.write(b);
            } else {
                byte[] chunk = new byte[random.nextInt(300)];
                random.nextBytes(chunk);
                int off = chunk.length == 0 ? 0 : random.nextInt(chunk.length);
                out.write(chunk, off, chunk.length - off);
                expected.write(chunk, off, chunk.length - off);
            }
        }
        assertThat(out.toByteArray()).isEqualTo(expected.toByteArray());
    }

    @Test
    void theDateIsRfc5322sInUtcAndReadsBackAsTheMomentOfComposing() throws Exception {
        long before = System.currentTimeMillis() / 1000 * 1000;
        MimeMessage parsed = new MimeMessage(Session.getInstance(new Properties()),
                new ByteArrayInputStream(MimeComposer.compose(composition("Hallo", "", List.of()))));
        long after = System.currentTimeMillis();
        assertThat(parsed.getHeader("Date")[0]).matches("[A-Z][a-z]{2}, \\d{1,2} [A-Z][a-z]{2} \\d{4} "
                + "\\d{2}:\\d{2}:\\d{2} \\+0000");
        assertThat(parsed.getSentDate().getTime()).isBetween(before, after);
    }

    @Test
    void headersAreEncodedAndTheChosenMessageIdIsKept() throws Exception {
        byte[] bytes = MimeComposer.compose(composition("Hallo", "", List.of()));
        String raw = new String(bytes, StandardCharsets.US_ASCII);
        assertThat(raw).contains("Message-ID: <abc.def@example.com>").contains("In-Reply-To: <parent@example.com>")
                .contains("References: <root@example.com> <parent@example.com>").contains("Date: ")
                .contains("Subject: =?UTF-8?");
        assertThat(raw.lines()).allMatch(l -> l.length() <= 998);
        assertThat(raw.chars()).allMatch(c -> c < 128);
        MimeMessage m = parse(bytes);
        assertThat(m.getSubject()).isEqualTo("Rechnung für Mai – Ärztlicher Dienst");
        assertThat(m.getFrom()[0].toString()).contains("=?UTF-8?").contains("billing@example.com");
        assertThat(m.getContentType()).startsWith("text/plain");
    }

    @Test
    void htmlOnlyMailGetsAPlainTextAlternative() throws Exception {
        MimeMessage m = parse(MimeComposer.compose(composition("", "<p>Hello <b>there</b></p><p>Bye</p>", List.of())));
        Multipart alternative = (Multipart) m.getContent();
        assertThat(alternative.getContentType()).startsWith("multipart/alternative");
        assertThat(alternative.getBodyPart(0).getContent().toString()).contains("Hello there").contains("Bye");
        assertThat(alternative.getBodyPart(1).getContentType()).startsWith("text/html");
    }

    @Test
    void attachmentsUseRfc2231FileNamesAndInlineImagesSitBesideTheHtml() throws Exception {
        Attachment pdf = Attachment.file("Übersicht März.pdf", "application/pdf", "%PDF-1.4".getBytes());
        Attachment logo = new Attachment("logo.png", "image/png", new byte[] {1, 2, 3}, Optional.of("logo@postroom"));
        byte[] bytes = MimeComposer.compose(composition("text", "<img src=\"cid:logo@postroom\">", List.of(pdf, logo)));
        String raw = new String(bytes, StandardCharsets.US_ASCII);
        assertThat(raw).contains("filename*=UTF-8''");
        MimeMessage m = parse(bytes);
        Multipart mixed = (Multipart) m.getContent();
        assertThat(mixed.getContentType()).startsWith("multipart/mixed");
        assertThat(mixed.getCount()).isEqualTo(2);
        assertThat(mixed.getBodyPart(1).getFileName()).isEqualTo("Übersicht März.pdf");
        assertThat(mixed.getBodyPart(1).getDisposition()).isEqualTo(Part.ATTACHMENT);
        Multipart alternative = (Multipart) mixed.getBodyPart(0).getContent();
        Multipart related = (Multipart) alternative.getBodyPart(1).getContent();
        assertThat(related.getContentType()).startsWith("multipart/related");
        assertThat(related.getBodyPart(1).getHeader("Content-ID")[0]).isEqualTo("<logo@postroom>");
        assertThat(related.getBodyPart(1).getDisposition()).isEqualTo(Part.INLINE);
    }

    /**
     * A content ID that the HTML does not refer to (Postmark's PHP client gives every file its name as one) makes an
     * ordinary attachment, without the Content-ID; a reference in another case still counts (URL schemes are not
     * case-sensitive).
     */
    @Test
    void aContentIdTheHtmlDoesNotReferToMakesAnOrdinaryAttachment() throws Exception {
        Attachment pdf = new Attachment("statement.pdf", "application/pdf", "%PDF".getBytes(),
                Optional.of("statement.pdf"));
        Attachment logo = new Attachment("logo.png", "image/png", new byte[] {1}, Optional.of("Logo@postroom"));
        MimeMessage m = parse(MimeComposer.compose(composition("text", "<img src='CID:logo@POSTROOM'>",
                List.of(pdf, logo))));
        Multipart mixed = (Multipart) m.getContent();
        assertThat(mixed.getCount()).isEqualTo(2);
        assertThat(mixed.getBodyPart(1).getFileName()).isEqualTo("statement.pdf");
        assertThat(mixed.getBodyPart(1).getDisposition()).isEqualTo(Part.ATTACHMENT);
        assertThat(mixed.getBodyPart(1).getHeader("Content-ID")).isNull();
        Multipart related = (Multipart) ((Multipart) mixed.getBodyPart(0).getContent()).getBodyPart(1).getContent();
        assertThat(related.getBodyPart(1).getHeader("Content-ID")[0]).isEqualTo("<Logo@postroom>");
        assertThat(pdf.shownIn("<p>statement.pdf, cid:statement.pd</p>")).isFalse();
        assertThat(pdf.shownIn("")).isFalse();
    }

    /** 120 non-ASCII characters were one 1,000-character header line; now RFC 2231 continuations of short lines. */
    @Test
    void aLongNonAsciiFileNameIsWrittenInShortContinuationLines() throws Exception {
        String name = "Kostenübersicht " + "患者請求書".repeat(20) + " März–April " + "ä".repeat(40) + ".pdf";
        Attachment pdf = Attachment.file(name, "application/pdf", "%PDF-1.4".getBytes());
        byte[] bytes = MimeComposer.compose(composition("text", "", List.of(pdf)));
        String raw = new String(bytes, StandardCharsets.US_ASCII);
        assertThat(raw).contains("filename*0*=UTF-8''").contains("filename*1*=").contains("name*0*=UTF-8''");
        assertThat(raw.lines()).allMatch(l -> l.length() <= 78);
        Multipart mixed = (Multipart) parse(bytes).getContent();
        assertThat(mixed.getBodyPart(1).getFileName()).isEqualTo(name);
        assertThat(mixed.getBodyPart(1).getDisposition()).isEqualTo(Part.ATTACHMENT);
        assertThat(mixed.getBodyPart(1).getContentType()).startsWith("application/pdf");
        assertThat(new com.postroom.mime.MailParser().parse(com.postroom.mime.RawMail.of(bytes)).attachments())
                .extracting(com.postroom.mime.ParsedMail.Part::filename).containsExactly(name);
        assertThat(MimeComposer.encodedSegments("invoice-2026-03.pdf")).isEmpty();
        assertThat(MimeComposer.encodedSegments("Übersicht.pdf")).containsExactly("UTF-8''%C3%9Cbersicht.pdf");
    }

    @Test
    void longLinesAreEncodedSoNoLineExceedsTheLimit() throws Exception {
        byte[] bytes = MimeComposer.compose(composition("word ".repeat(2000), "", List.of()));
        assertThat(new String(bytes, StandardCharsets.US_ASCII).lines()).allMatch(l -> l.length() <= 998);
        assertThat(parse(bytes).getContent().toString()).startsWith("word word");
    }

    @Test
    void theTransferEncodingChosenUpFrontIsTheOneAngusWouldChoose() throws Exception {
        List<String> texts = List.of("", "Your statement is attached.\r\nThank you.", "bare\nline feeds\n",
                "word ".repeat(300), "x".repeat(998), "x".repeat(999), "Ren\u00e9e's claim for Jos\u00e9", "\u00e9\u00e8",
                "\u8acb\u6c42\u66f8\u3092\u304a\u9001\u308a\u3057\u307e\u3059", "tab\tand\u0001control", "delete\u007f",
                "emoji \ud83d\ude91 ambulance", "lone \ud83d surrogate", "<p>HTML</p>\r\n", "\r\r\n\n");
        for (String text : texts) {
            jakarta.activation.DataHandler handler = new jakarta.activation.DataHandler(text,
                    "text/plain; charset=UTF-8");
            assertThat(MimeComposer.transferEncoding(text)).as(text)
                    .isEqualTo(jakarta.mail.internet.MimeUtility.getEncoding(handler));
        }
        // And the message says so: a mostly non-ASCII body goes base64, and reads back the same.
        String japanese = "\u8acb\u6c42\u66f8\u3092\u304a\u9001\u308a\u3057\u307e\u3059";
        MimeMessage parsed = parse(MimeComposer.compose(composition(japanese, "", List.of())));
        assertThat(parsed.getEncoding()).isEqualTo("base64");
        assertThat(parsed.getContent()).isEqualTo(japanese);
    }

    /** Texts at the edges of quoted-printable: line breaks of every kind, spaces before them, '=', long lines. */
    private static List<String> edgeTexts() {
        List<String> texts = new java.util.ArrayList<>(List.of("", " ", "  ", "a ", " a", "=", "x=y", "tab\tend",
                "space before CRLF \r\nnext", "space before LF \nnext", "space before CR \rnext", "\r\r\n\n\r",
                "x".repeat(75), "x".repeat(76), "x".repeat(77), "x".repeat(74) + " ", "x".repeat(75) + " ",
                "x".repeat(73) + "=", "x".repeat(74) + "=", "x".repeat(2000), "word ".repeat(400),
                "Ren\u00e9e's claim for Jos\u00e9 \u20ac12.50", "x".repeat(1000) + " \u00e9",
                "lone \ud83d surrogate" + "y".repeat(999), "delete\u007f" + "z".repeat(999)));
        java.util.Random random = new java.util.Random(11);
        String[] alphabet = {"a", "b", " ", " ", "\r", "\n", "\r\n", "=", "\t", "\u00e9", "\u20ac", ".", "xxxxxxxxxx"};
        for (int i = 0; i < 400; i++) {
            StringBuilder text = new StringBuilder();
            int length = random.nextInt(300);
            for (int k = 0; k < length; k++) {
                text.append(alphabet[random.nextInt(alphabet.length)]);
            }
            texts.add(text.toString());
        }
        return texts;
    }

    /** What Angus's own encoder writes for these bytes in this transfer encoding. */
    private static byte[] angus(byte[] bytes, String encoding) throws Exception {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (java.io.OutputStream encoder = jakarta.mail.internet.MimeUtility.encode(out, encoding)) {
            encoder.write(bytes);
        }
        return out.toByteArray();
    }

    @Test
    void quotedPrintableIsByteForByteWhatAngusWrites() throws Exception {
        for (String text : edgeTexts()) {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            assertThat(MimeComposer.quotedPrintable(bytes)).as(text).isEqualTo(angus(bytes, "quoted-printable"));
        }
    }

    @Test
    void aTextBodyIsWrittenAsAngusWouldWriteItAndReadsBack() throws Exception {
        for (String text : edgeTexts()) {
            String encoding = MimeComposer.transferEncoding(text);
            byte[] composed = MimeComposer.compose(composition(text, "", List.of()));
            String all = new String(composed, StandardCharsets.ISO_8859_1);
            byte[] body = all.substring(all.indexOf("\r\n\r\n") + 4).getBytes(StandardCharsets.ISO_8859_1);
            if (!encoding.equals("base64")) { // base64 is still Angus's own (mostly non-ASCII text)
                assertThat(body).as(text).isEqualTo(angus(text.getBytes(StandardCharsets.UTF_8), encoding));
            }
            MimeMessage parsed = parse(composed);
            assertThat(parsed.getEncoding()).isEqualTo(encoding);
            assertThat(parsed.getContentType()).isEqualTo("text/plain; charset=UTF-8");
            // Quoted-printable makes every line break CRLF; base64 keeps the bytes; 7bit is sent as it is (the SMTP
            // client makes its line breaks CRLF).
            String expected = encoding.equals("quoted-printable") ? text.replaceAll("\r\n|\r|\n", "\r\n") : text;
            assertThat(parsed.getContent()).as(text).isEqualTo(expected.replace('\ud83d', '?'));
        }
    }

    @Test
    void textAndHtmlAlternativesAreEachEncodedAndReadBack() throws Exception {
        String text = "Your statement of " + "account ".repeat(200) + "is ready = \u20ac 12.50\n";
        String html = "<p>Your statement of " + "account ".repeat(200) + "is ready = &euro; 12.50</p>";
        MimeMessage parsed = parse(MimeComposer.compose(composition(text, html, List.of())));
        Multipart alternative = (Multipart) parsed.getContent();
        assertThat(alternative.getContentType()).startsWith("multipart/alternative");
        assertThat(alternative.getBodyPart(0).getContentType()).isEqualTo("text/plain; charset=UTF-8");
        assertThat(((jakarta.mail.internet.MimePart) alternative.getBodyPart(0)).getEncoding())
                .isEqualTo("quoted-printable");
        assertThat(alternative.getBodyPart(0).getContent()).isEqualTo(text.replace("\n", "\r\n"));
        assertThat(alternative.getBodyPart(1).getContentType()).isEqualTo("text/html; charset=UTF-8");
        assertThat(alternative.getBodyPart(1).getContent()).isEqualTo(html);
    }
}
