package com.postroom.mime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import com.postroom.mail.StreamProviderPin;

/** Real-world breakage, one fixture each (src/test/resources/mail): nothing throws, everything readable is read. */
public class MailParserTest {

    private final MailParser parser = new MailParser();

    public static RawMail fixture(String name) {
        try (InputStream in = MailParserTest.class.getResourceAsStream("/mail/" + name)) {
            return RawMail.of(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private ParsedMail parse(String name) throws UnparseableMail {
        return parser.parse(fixture(name));
    }

    @Test
    void aBodyThatIsNotInItsDeclaredCharsetFallsBackToWindows1252() throws Exception {
        ParsedMail m = parse("wrong-charset.eml");
        assertThat(m.text()).contains("El café está pagado");
        assertThat(m.fromName()).contains("José");
    }

    /** Outlook labels Western mail ISO-8859-1 and writes windows-1252's curly quotes, dashes and euro sign. */
    @Test
    void iso88591IsReadAsWindows1252LikeBrowsersDo() throws Exception {
        ParsedMail m = parse("latin1-smart-quotes.eml");
        assertThat(m.subject()).isEqualTo("Patient’s statement");
        assertThat(m.text()).contains("“Thank you” – the €50 balance is paid.");
    }

    /**
     * A script that labels everything us-ascii and writes UTF-8: the bytes are not ASCII, so the label is wrong and
     * UTF-8 is tried (Jakarta Mail's table maps us-ascii to ISO-8859-1, which reads any byte, and showed "GrÃ¼ÃŸe").
     * Old Macs' label for Mac Roman, which Java knows by another name, is read as Mac Roman.
     */
    @Test
    void bytesThatAreNotAsciiUnderAnAsciiLabelAreReadAsUtf8() throws Exception {
        ParsedMail ascii = parser.parse(RawMail.of(("From: a@example.org\r\nSubject: x\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: text/plain; charset=us-ascii\r\n\r\nGrüße aus der Rechnungsstelle\r\n")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        assertThat(ascii.text()).contains("Grüße aus der Rechnungsstelle");
        byte[] head = ("From: a@example.org\r\nSubject: x\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: text/plain; charset=macintosh\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] body = "Grüße, café".getBytes(java.nio.charset.Charset.forName("x-MacRoman"));
        byte[] mac = java.util.Arrays.copyOf(head, head.length + body.length);
        System.arraycopy(body, 0, mac, head.length, body.length);
        assertThat(parser.parse(RawMail.of(mac)).text()).contains("Grüße, café");
    }

    /** HTML whose part names no charset is read in the one its own meta tag names, as a browser reads it. */
    @Test
    void htmlWithoutAPartCharsetIsReadInItsMetaCharset() throws Exception {
        byte[] head = ("From: a@example.org\r\nSubject: x\r\nMIME-Version: 1.0\r\nContent-Type: text/html\r\n\r\n"
                + "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1251\"></head>"
                + "<body>").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] body = "Счёт оплачен</body></html>".getBytes(java.nio.charset.Charset.forName("windows-1251"));
        byte[] mail = java.util.Arrays.copyOf(head, head.length + body.length);
        System.arraycopy(body, 0, mail, head.length, body.length);
        assertThat(parser.parse(RawMail.of(mail)).html()).contains("Счёт оплачен");
        assertThat(MailParser.metaCharset("<meta charset='Shift_JIS'>".getBytes())).isEqualTo("Shift_JIS");
        assertThat(MailParser.metaCharset("<p>charset=koi8-r is text, not a meta tag</p>".getBytes())).isNull();
    }

    @Test
    void anUnknownCharsetFallsBackToUtf8InHeadersAndBody() throws Exception {
        ParsedMail m = parse("unknown-charset.eml");
        assertThat(m.subject()).isEqualTo("naïve café");
        assertThat(m.fromName()).contains("Renée");
        assertThat(m.text()).contains("A naïve question about the café run.");
    }

    @Test
    void eightBitHeadersAreReadAsUtf8OrLatin1() throws Exception {
        ParsedMail utf8 = parse("8bit-headers.eml");
        assertThat(utf8.subject()).isEqualTo("Größe der Rechnung – bitte prüfen");
        assertThat(utf8.fromName()).contains("Jürgen Groß");
        assertThat(utf8.text()).contains("Die Größe stimmt nicht.");
        ParsedMail latin1 = parse("latin1-header.eml");
        assertThat(latin1.subject()).isEqualTo("Réclamation");
        assertThat(latin1.fromName()).contains("François");
    }

    /** A Reply-To of several addresses keeps them all, so that a reply goes to each (it kept the first). */
    @Test
    void everyReplyToAddressIsKept() throws Exception {
        ParsedMail m = parser.parse(RawMail.of(("From: a@example.com\r\nTo: clerk@postroom.test\r\n"
                + "Reply-To: \"Claims, List\" <claims@lists.example.org>, Jane <JANE@example.com>\r\n"
                + "Subject: x\r\n\r\nbody\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        assertThat(m.replyTo()).contains("claims@lists.example.org, jane@example.com");
    }

    /** Outlook and many others encode "Surname, Given": decoded before parsing, the comma made it two addresses. */
    @Test
    void encodedDisplayNamesWithCommasQuotesAndBracketsStayOneName() throws Exception {
        ParsedMail m = parse("encoded-display-names.eml");
        assertThat(m.from()).contains("hans.mueller@example.de");
        assertThat(m.fromName()).contains("Müller, Hans");
        assertThat(m.to()).containsExactly("jd@example.com", "lea@example.fr");
        assertThat(m.cc()).containsExactly("ivanov@example.ru");
        assertThat(m.replyTo()).contains("billing@example.de");
        // An encoded word inside quotes (not allowed, but sent): its decoded quote is escaped, the name stays whole.
        assertThat(EncodedWords.decodeAddressHeader("\"=?UTF-8?Q?Doe=2C_J=22D=22?=\" <jd@example.com>"))
                .isEqualTo("\"Doe, J\\\"D\\\"\" <jd@example.com>");
    }

    @Test
    void groupsGiveTheirMembersAndAnEmptyGroupNoAddress() throws Exception {
        ParsedMail m = parse("group-addresses.eml");
        assertThat(m.to()).isEmpty();
        assertThat(m.cc()).containsExactly("ann@example.org", "bob@example.org", "carol@example.org");
    }

    /** A legacy mailer writes its headers raw in the body's charset; Thunderbird reads them so, and so does Postroom. */
    @Test
    void eightBitHeadersThatAreNotUtf8AreReadInTheBodysCharset() throws Exception {
        ParsedMail m = parse("koi8-headers.eml");
        assertThat(m.subject()).isEqualTo("Счет на оплату");
        assertThat(m.fromName()).contains("Володя");
        assertThat(m.text()).contains("Счет во вложении.");
        // The key a message is found by when fetched again stays the one versions before this reading computed,
        // so a message stored then is not stored a second time.
        RawMail raw = fixture("koi8-headers.eml");
        assertThat(ContentKey.of(raw, m.headers()))
                .isEqualTo("f8d3e53797f0fabbd1808ca82a89a1099b0ea6f1bb900e2a94bcd62eec0d8a49");
    }

    /** Scripts write From as words and an address, or two addresses; RFC 5322 allows comments and spaces inside one. */
    @Test
    void addressesWithWordsCommentsAndObsoleteSpacesAreStillOneAddress() throws Exception {
        ParsedMail words = parser.parse(RawMail.of(("From: Big Bug bb@bug.example\r\nTo: a@x.example b@x.example\r\n"
                + "Cc: Pete(A wonderful \\) chap) <pete(his account)@silly.test(his host)>"
                + "\r\nSubject: x\r\n\r\nbody\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        assertThat(words.from()).contains("bb@bug.example");
        assertThat(words.fromName()).contains("Big Bug");
        assertThat(words.to()).containsExactly("a@x.example");
        assertThat(words.cc()).containsExactly("pete@silly.test");
        ParsedMail obsolete = parser.parse(RawMail.of(("From: John Doe <jdoe@machine(comment).  example>\r\n"
                + "Subject: x\r\n\r\nb\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        assertThat(obsolete.from()).as("RFC 5322 A.6.3").contains("jdoe@machine.example");
        ParsedMail old = parser.parse(RawMail.of(("From: jdoe@example.org (John Doe)\r\nSubject: x\r\n\r\nb\r\n")
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        assertThat(old.from()).contains("jdoe@example.org");
        assertThat(old.fromName()).as("the old form's comment is its name").contains("John Doe");
    }

    @Test
    void aFileNameInRawUtf8IsReadAsUtf8() throws Exception {
        assertThat(parse("utf8-filename.eml").attachments()).extracting(ParsedMail.Part::filename)
                .containsExactly("Rechnungsübersicht.pdf");
    }

    /**
     * Some MTAs report with the status fields only: the message shows them rather than nothing. Some send a second
     * status part in prose; the fields are kept whichever part holds them.
     */
    @Test
    void aReportWithoutTextShowsItsStatusFields() throws Exception {
        ParsedMail m = parse("report-without-text.eml");
        assertThat(m.text()).startsWith("Reporting-MTA: dns; mx.example.com")
                .contains("Diagnostic-Code: smtp; 550 5.1.1 User unknown");
        assertThat(m.deliveryStatus()).hasValueSatisfying(s -> assertThat(s).contains("Final-Recipient", "Action: failed",
                "This Message was undeliverable"));
        assertThat(m.returnedMessageId()).contains("<statement-7@postroom.test>");
    }

    @Test
    void brokenAndMissingBoundariesKeepTheText() throws Exception {
        ParsedMail broken = parse("broken-boundary.eml");
        assertThat(broken.text()).contains("The text that should still be readable.");
        ParsedMail cut = parse("missing-end-boundary.eml");
        assertThat(cut.text()).contains("First part arrived.");
        assertThat(cut.attachments()).extracting(ParsedMail.Part::filename).containsExactly("scan.pdf");
    }

    /**
     * Inside the Boot jar a pool thread's context class loader (the common ForkJoinPool's, which parses a batch on all
     * cores) cannot see Angus, and Jakarta Mail finds its stream provider through that loader: every multipart
     * message parsed there fell back to "plain text, no attachments". A loader that sees only the JDK stands in for it.
     */
    @Test
    void aThreadWhoseClassLoaderCannotSeeAngusStillParsesTheStructure() throws Exception {
        StreamProviderPin.install();
        AtomicReference<Object> outcome = new AtomicReference<>();
        Thread pool = new Thread(() -> {
            try {
                outcome.set(parse("missing-end-boundary.eml"));
            } catch (Throwable e) {
                outcome.set(e);
            }
        });
        ClassLoader jdkOnly = new URLClassLoader(new URL[0], null);
        pool.setContextClassLoader(jdkOnly);
        pool.start();
        pool.join();
        assertThat(outcome.get()).isInstanceOfSatisfying(ParsedMail.class, m -> {
            assertThat(m.warnings()).noneMatch(w -> w.contains("MIME structure could not be read"));
            assertThat(m.attachments()).extracting(ParsedMail.Part::filename).containsExactly("scan.pdf");
        });
        assertThat(pool.getContextClassLoader()).isSameAs(jdkOnly);
    }

    /** RFC 2045 5.2: an unreadable Content-Type is text/plain, so the text stays the body, not a nameless file. */
    @Test
    void aContentTypeWithoutSubtypeIsPlainText() throws Exception {
        ParsedMail m = parse("no-subtype.eml");
        assertThat(m.text()).contains("Its text is still the body.");
        assertThat(m.attachments()).isEmpty();
        assertThat(m.warnings()).containsExactly("Part 1 has a malformed Content-Type; read as text/plain.");
    }

    @Test
    void malformedParameterListsAreSalvagedAndTheStructureFound() throws Exception {
        ParsedMail m = parse("double-semicolon.eml");
        assertThat(m.text()).isEqualTo("The invoice for Zoë is attached.");
        assertThat(m.attachments()).singleElement().satisfies(p -> {
            assertThat(p.filename()).isEqualTo("Invoice 7.pdf");
            assertThat(p.contentType()).isEqualTo("application/pdf");
            assertThat(p.size()).isEqualTo(9);
        });
    }

    /** A mailer cut the header inside "boundary": the report is still found (first "--" line) and read as a bounce. */
    @Test
    void aMultipartWhoseBoundaryParameterIsCutOffIsStillRead() throws Exception {
        ParsedMail m = parse("cut-boundary-parameter.eml");
        assertThat(m.text()).contains("The original message could not be delivered.")
                .doesNotContain("--JAB03225");
        assertThat(m.deliveryStatus()).hasValueSatisfying(s -> assertThat(s).contains("Status: 5.1.1"));
        assertThat(m.returnedMessageId()).contains("<statement-42@postroom.test>");
    }

    /** RFC 2046 5.1.5: the parts of a digest are messages unless they say otherwise. */
    @Test
    void aDigestsPartsAreMessages() throws Exception {
        ParsedMail m = parse("digest.eml");
        assertThat(m.attachments()).extracting(ParsedMail.Part::filename, ParsedMail.Part::contentType)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("First posting.eml", "message/rfc822"),
                        org.assertj.core.groups.Tuple.tuple("Second posting.eml", "message/rfc822"));
        assertThat(m.text()).isEmpty();
    }

    @Test
    void datesAsMailersAndScriptsWriteThem() {
        assertThat(MailParser.date("Mon, 2 Jun 2025 14:03:00 +0200 (CEST)")).hasValue(at(12, 3));
        assertThat(MailParser.date("2 Jun 2025 14:03 +0200")).hasValue(at(12, 3));
        assertThat(MailParser.date("Mon, 2 Jun 2025 14:03:00 +02:00")).hasValue(at(12, 3));
        assertThat(MailParser.date("Mon, 2 Jun 2025 14:03:00 GMT+0200")).hasValue(at(12, 3));
        assertThat(MailParser.date("Mon, 2 Jun 2025 14:03:00 UTC-04:00")).hasValue(at(18, 3));
        assertThat(MailParser.date("Mon,  2 Jun 2025 14:03:00 -0400 (EDT)")).hasValue(at(18, 3));
        assertThat(MailParser.date("Mon, 2 Jun 2025 14:03:00 EDT")).hasValue(at(18, 3));
        assertThat(MailParser.date("2025-06-02T14:03:00+02:00")).hasValue(at(12, 3));
        assertThat(MailParser.date("2025-06-02 14:03:00Z")).hasValue(at(14, 3));
        assertThat(MailParser.date("sometime last week")).isEmpty();
    }

    private static java.time.OffsetDateTime at(int hour, int minute) {
        return java.time.OffsetDateTime.of(2025, 6, 2, hour, minute, 0, 0, java.time.ZoneOffset.UTC);
    }

    /** No empty line after the headers (a script), or one that holds a space (RFC 5322 would read it as folding). */
    @Test
    void aHeaderSectionWithoutItsEmptyLineStillHasItsBody() throws Exception {
        ParsedMail script = parse("no-blank-line.eml");
        assertThat(script.subject()).isEqualTo("Nightly totals");
        assertThat(script.text()).isEqualTo("Totals for June 2: 14 claims, $2,310.00.\r\nNext run: tomorrow.\r\n");
        assertThat(script.warnings()).singleElement().asString().contains("did not end with an empty line");

        ParsedMail spaced = parse("space-line-separator.eml");
        assertThat(spaced.text()).startsWith("The \"blank line\" above holds a space.").contains("Second paragraph.");
        assertThat(spaced.headers().raw("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));

        ParsedMail scan = parse("attachment-without-blank-line.eml");
        assertThat(scan.attachments()).singleElement().satisfies(p -> {
            assertThat(p.filename()).isEqualTo("scan.pdf");
            assertThat(p.size()).isEqualTo(9);
        });
    }

    @Test
    void aStrayLineAmongHeadersThatDoEndIsLeftAlone() {
        byte[] stray = "From: a@x.example\r\nSubject: s\r\nstray line\r\n".getBytes();
        assertThat(RawMail.missingSeparator(stray, true)).isEqualTo(-1);
        assertThat(RawMail.missingSeparator(stray, false)).as("no empty line at all: the body").isEqualTo(31);
        byte[] folded = "Subject: a long\r\nsubject folded wrongly\r\nFrom: a@x.example\r\n".getBytes();
        assertThat(RawMail.missingSeparator(folded, false)).as("a field follows: headers").isEqualTo(-1);
        byte[] mbox = "From a@x Mon Jan  1 00:00:00 2001\r\nFrom: a@x.example\r\n".getBytes();
        assertThat(RawMail.missingSeparator(mbox, false)).isEqualTo(-1);
        assertThat(RawMail.missingSeparator("garbage\r\nFrom: a@x\r\n".getBytes(), false)).isEqualTo(-1);
    }

    @Test
    void noMessageIdIsReportedAsAbsent() throws Exception {
        assertThat(parse("no-message-id.eml").messageId()).isEmpty();
    }

    @Test
    void aNestedMessageIsOneAttachmentNamedAfterItsSubject() throws Exception {
        ParsedMail m = parse("nested-rfc822.eml");
        assertThat(m.text()).contains("See the forwarded message.").doesNotContain("The inner text.");
        assertThat(m.attachments()).singleElement().satisfies(p -> {
            assertThat(p.contentType()).isEqualTo("message/rfc822");
            assertThat(p.filename()).isEqualTo("Original claim.eml");
            assertThat(p.size()).isGreaterThan(300);
        });
    }

    /** RFC 2046 forbids encoding a message/rfc822 part; some webmails do it, and it is read as Thunderbird reads it. */
    @Test
    void aBase64EncodedAttachedMessageIsDecoded() throws Exception {
        String inner = "From: a@example.org\r\nSubject: Run sheet 12\r\n\r\nThe inner text.\r\n";
        ParsedMail m = parser.parse(RawMail.of(("From: b@example.org\r\nSubject: FW\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nSee below."
                + "\r\n--b\r\nContent-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                + java.util.Base64.getMimeEncoder().encodeToString(inner.getBytes(java.nio.charset.StandardCharsets.US_ASCII))
                + "\r\n--b--\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        assertThat(m.attachments()).singleElement().satisfies(p -> {
            assertThat(p.filename()).isEqualTo("Run sheet 12.eml");
            assertThat(p.size()).isEqualTo(inner.length());
        });
    }

    /** A signed message's signature (S/MIME, OpenPGP) is not a file the sender attached: not listed, no paperclip. */
    @Test
    void theSignatureOfASignedMessageIsNotAnAttachment() throws Exception {
        for (String type : java.util.List.of("application/pkcs7-signature; name=smime.p7s",
                "application/pgp-signature; name=signature.asc")) {
            ParsedMail m = parser.parse(RawMail.of(("From: a@example.org\r\nSubject: Signed\r\nMIME-Version: 1.0\r\n"
                    + "Content-Type: multipart/signed; protocol=\"x\"; micalg=sha-256; boundary=s\r\n\r\n--s\r\n"
                    + "Content-Type: multipart/mixed; boundary=m\r\n\r\n--m\r\nContent-Type: text/plain\r\n\r\n"
                    + "Signed text.\r\n--m\r\nContent-Type: application/pdf; name=claim.pdf\r\n"
                    + "Content-Disposition: attachment; filename=claim.pdf\r\n\r\n%PDF-1.4\r\n--m--\r\n--s\r\n"
                    + "Content-Type: " + type + "\r\nContent-Disposition: attachment\r\n\r\nMIIG\r\n--s--\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
            assertThat(m.text()).contains("Signed text.");
            assertThat(m.attachments()).as(type).extracting(ParsedMail.Part::filename).containsExactly("claim.pdf");
        }
    }

    @Test
    void aZeroBytePartIsAnEmptyAttachment() throws Exception {
        assertThat(parse("zero-byte-part.eml").attachments()).singleElement().satisfies(p -> {
            assertThat(p.size()).isZero();
            assertThat(p.sha256()).isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        });
    }

    @Test
    void headerLinesOfThousandsOfCharactersAreFine() throws Exception {
        ParsedMail m = parse("long-header.eml");
        assertThat(m.subject()).startsWith("Long subject-words").hasSizeGreaterThan(3000);
        assertThat(m.references()).hasSize(120).startsWith("<ref0@example.org>");
        assertThat(m.headers().raw("X-Long")).hasValueSatisfying(v -> assertThat(v).hasSize(3000));
    }

    @Test
    void winmailDatIsKeptAsAnAttachment() throws Exception {
        assertThat(parse("winmail.eml").attachments()).singleElement().satisfies(p -> {
            assertThat(p.filename()).isEqualTo("winmail.dat");
            assertThat(p.contentType()).isEqualTo("application/ms-tnef");
            assertThat(p.size()).isEqualTo(1028);
        });
    }

    @Test
    void rfc2231AndRfc2047NamesAreDecoded() throws Exception {
        ParsedMail m = parse("rfc2231-filename.eml");
        assertThat(m.subject()).isEqualTo("€ rates");
        assertThat(m.attachments()).extracting(ParsedMail.Part::filename).containsExactly("€ rates 2026.pdf");
    }

    @Test
    void inlineImagesKeepTheirContentId() throws Exception {
        ParsedMail m = parse("inline-cid.eml");
        assertThat(m.html()).contains("cid:logo123@example.org");
        assertThat(m.text()).contains("Logo below.");
        assertThat(m.attachments()).singleElement().satisfies(p -> {
            assertThat(p.contentId()).isEqualTo("logo123@example.org");
            assertThat(p.inline()).isTrue();
        });
        assertThat(m.hasAttachments()).isFalse();
    }

    /** A picture with a Content-ID that the HTML never shows (Apple Mail, phones) is listed as an attachment. */
    @Test
    void anInlinePartTheHtmlDoesNotShowIsAnAttachment() throws Exception {
        ParsedMail m = parse("unreferenced-inline.eml");
        assertThat(m.attachments()).extracting(ParsedMail.Part::contentId, ParsedMail.Part::inline)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("logo@ems.example", true),
                        org.assertj.core.groups.Tuple.tuple("6F1C2A4E-0042@ems.example", false));
        assertThat(m.hasAttachments()).isTrue();
        var bothInline = m.attachments().stream().map(p -> new ParsedMail.Part(p.path(), p.filename(),
                p.contentType(), p.size(), p.sha256(), p.contentId(), true)).toList();
        assertThat(MailParser.shownOrAttached(bothInline, "<img src=\"CID:6f1c2a4e-0042@ems.example\">"))
                .extracting(ParsedMail.Part::inline).containsExactly(false, true);
        assertThat(MailParser.shownOrAttached(bothInline, "<img src=\"cid:6F1C2A4E-0042@ems.example.net\">"))
                .as("another id that starts the same").extracting(ParsedMail.Part::inline).containsExactly(false, false);
    }

    /** A patch or a log sent inline with a file name (mutt, git send-email) is read in the message, as Thunderbird shows it. */
    @Test
    void namedTextMarkedInlineIsShownAndListed() throws Exception {
        ParsedMail m = parse("inline-patch.eml");
        assertThat(m.text()).startsWith("The fix is below, as mutt sends it.\n--- a/Statement.java")
                .contains("+    return total.setScale(2, RoundingMode.HALF_EVEN); // €").doesNotContain("not shown");
        assertThat(m.attachments()).extracting(ParsedMail.Part::filename, ParsedMail.Part::inline)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("notes.diff", false),
                        org.assertj.core.groups.Tuple.tuple("0001-round-totals.patch", false));

        ParsedMail besideHtml = parse("inline-named-text-beside-html.eml");
        assertThat(besideHtml.text()).as("not the snippet of an HTML mail").isEmpty();
        assertThat(besideHtml.attachments()).extracting(ParsedMail.Part::filename).containsExactly("run.log");
    }

    @Test
    void garbageWithoutHeadersIsUnparseable() {
        assertThatThrownBy(() -> parse("garbage.eml")).isInstanceOf(UnparseableMail.class)
                .hasMessageContaining("no header section");
        assertThatThrownBy(() -> parser.parse(RawMail.of(new byte[0]))).isInstanceOf(UnparseableMail.class);
    }

    @Test
    void theSameMessageHasTheSameKeyAndADifferentBodyADifferentOne() throws Exception {
        RawMail a = fixture("dup-message-id-a.eml");
        RawMail b = fixture("dup-message-id-b.eml");
        String keyA = ContentKey.of(a, parser.parse(a).headers());
        assertThat(ContentKey.of(fixture("dup-message-id-a.eml"), parser.parse(a).headers())).isEqualTo(keyA);
        assertThat(ContentKey.of(b, parser.parse(b).headers())).isNotEqualTo(keyA);
    }

    @Test
    void traceHeadersAddedOnTheWayDoNotChangeTheKey() throws Exception {
        byte[] original = fixture("no-message-id.eml").headerBlock();
        RawMail plain = fixture("no-message-id.eml");
        byte[] withTrace = ("Received: from mx by postroom; Mon, 2 Nov 2026 10:06:01 +0000\r\nDelivered-To: x@y\r\n"
                + new String(readAll(plain), java.nio.charset.StandardCharsets.ISO_8859_1))
                .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        RawMail traced = RawMail.of(withTrace);
        assertThat(original).isNotEmpty();
        assertThat(ContentKey.of(traced, parser.parse(traced).headers()))
                .isEqualTo(ContentKey.of(plain, parser.parse(plain).headers()));
    }

    private static byte[] readAll(RawMail raw) throws IOException {
        try (InputStream in = raw.open()) {
            return in.readAllBytes();
        }
    }

    @Test
    void encodedWordsSplitAcrossAMultiByteCharacterAreJoined() {
        // "é" is C3 A9 in UTF-8; some mailers cut it between two encoded words.
        assertThat(EncodedWords.decode("=?UTF-8?B?Y2Fmww==?= =?UTF-8?B?qQ==?=")).isEqualTo("café");
        assertThat(EncodedWords.decode("Re: =?ISO-8859-1?Q?R=E9clamation?= urgent")).isEqualTo("Re: Réclamation urgent");
    }
}
