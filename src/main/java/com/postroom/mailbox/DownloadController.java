package com.postroom.mailbox;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.UUID;

import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import com.postroom.audit.AuditLog;
import com.postroom.org.Caller;
import com.postroom.problem.Problem;
import com.postroom.search.MailSearch;
import com.postroom.store.Messages;
import com.postroom.store.RawStore;

/**
 * Downloads: a message's raw {@code .eml} and an attachment, both streamed and always as a download
 * ({@code Content-Disposition: attachment}, {@code nosniff}, a sandboxing CSP), so a hostile file is never rendered
 * by the browser in Postroom's origin. Only raster images may be shown inline (for {@code cid:} images in mail).
 */
@RestController
class DownloadController {

    private static final Set<String> TYPE_KEPT = Set.of("image/png", "image/jpeg", "image/gif", "image/webp",
            "application/pdf", "text/plain", "text/csv", "application/zip", "application/msword",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/vnd.ms-excel");

    static final int EXPORT_LIMIT = 10_000;

    private final Messages messages;
    private final RawStore raw;
    private final AuditLog audit;
    private final MailSearch search;
    private final PdfPreview pdfPreview;
    private final StoredAttachments attachments;
    private final AttachedMessages attached;

    DownloadController(Messages messages, RawStore raw, AuditLog audit, MailSearch search, PdfPreview pdfPreview,
                       StoredAttachments attachments, AttachedMessages attached) {
        this.attached = attached;
        this.pdfPreview = pdfPreview;
        this.attachments = attachments;
        this.messages = messages;
        this.raw = raw;
        this.audit = audit;
        this.search = search;
    }

    /**
     * Exports the messages of a search (Gmail operators, {@code in:anywhere} to include spam and trash) or of one
     * thread as an mbox file that any mail client or archive tool reads: each message's exact raw bytes, oldest first.
     * For compliance officers and admins; audited with the query and the number of messages.
     */
    @GetMapping("/api/mail/export")
    void export(@RequestParam(defaultValue = "") String q, @RequestParam(name = "thread_id") java.util.Optional<UUID> threadId,
                HttpServletResponse response) throws IOException {
        Caller caller = Caller.current().require(Caller.ADMIN, Caller.COMPLIANCE);
        java.util.List<UUID> ids;
        if (threadId.isPresent()) {
            ids = messages.idsOfThread(caller.orgId(), threadId.get());
            if (ids.isEmpty()) {
                throw Problem.notFound("Thread not found");
            }
        } else {
            ids = search.ids(caller.orgId(), MailApiController.parse(q), EXPORT_LIMIT + 1, 0);
        }
        if (ids.size() > EXPORT_LIMIT) {
            throw Problem.refused("The query matches more than " + EXPORT_LIMIT + " messages; narrow it "
                    + "(for example with after: and before:) and export in parts.");
        }
        java.util.List<Messages.Envelope> rows = messages.envelopes(caller.orgId(), ids);
        audit.record(caller, AuditLog.EXPORTED, threadId.isPresent() ? "email_thread" : "search",
                threadId.map(UUID::toString).orElse(q), AuditLog.details("messages", rows.size()));
        response.setContentType("application/mbox");
        secure(response, ContentDisposition.attachment().filename("postroom-export.mbox").build());
        try (MboxOutputStream mbox = new MboxOutputStream(new java.io.BufferedOutputStream(response.getOutputStream(),
                65536))) {
            for (Messages.Envelope row : rows) {
                mbox.startMessage(row.sender(), row.createdAt());
                raw.copyTo(row.id(), mbox);
                mbox.endMessage();
            }
        }
    }

    /** The message exactly as the server had it (RFC 822), or as Postroom sent it. */
    @GetMapping({"/api/email/messages/{id}/raw", "/api/mail/messages/{id}/raw", "/mail/messages/{id}/raw"})
    void raw(@PathVariable UUID id, HttpServletResponse response) throws IOException {
        Caller caller = Caller.current();
        if (!messages.exists(caller.orgId(), id)) {
            throw Problem.notFound("Message not found");
        }
        long size = raw.size(id).orElseThrow(() -> Problem.notFound(
                "This message has no raw form: it was blocked before it was ever composed."));
        audit.record(caller, AuditLog.RAW_DOWNLOADED, "email_message", id, AuditLog.details("bytes", size));
        // Written here, chunk by chunk, on the request's own thread (no async dispatch to re-authenticate).
        response.setContentType("message/rfc822");
        response.setContentLengthLong(size);
        secure(response, ContentDisposition.attachment().filename(id + ".eml").build());
        raw.copyTo(id, response.getOutputStream());
    }

    // /mail/... is the same download for the web UI's session (the /api routes take bearer tokens only).
    @GetMapping({"/api/mail/attachments/{id}", "/api/email/attachments/{id}", "/mail/attachments/{id}"})
    void attachment(@PathVariable UUID id, @RequestParam(defaultValue = "false") boolean inline,
                    HttpServletResponse response) throws IOException {
        Caller caller = Caller.current();
        StoredAttachments.Row a = attachments.find(caller.orgId(), id);
        String type = a.type();
        // Only the four raster types that the page also embeds for cid: images.
        boolean showInline = inline && InlineImages.RASTER.contains(type);
        if (!showInline) {
            audit.record(caller, AuditLog.ATTACHMENT_DOWNLOADED, "email_attachment", id,
                    AuditLog.details("message_id", a.messageId(), "filename", a.filename()));
        }
        attachments.withPart(a, part -> serve(response, part, type, a.filename(), id,
                showInline ? ContentDisposition.inline() : ContentDisposition.attachment()));
    }

    /** A file inside an attached message (a scan in a forwarded message), served as any attachment is. */
    @GetMapping({"/api/mail/attachments/{id}/message/files/{path}", "/mail/attachments/{id}/message/files/{path}"})
    void attachedFile(@PathVariable UUID id, @PathVariable String path, HttpServletResponse response)
            throws IOException {
        attached.withFile(Caller.current(), id, path, (file, part) -> serve(response, part,
                file.contentType() == null ? "" : file.contentType().toLowerCase(java.util.Locale.ROOT),
                file.filename(), id, ContentDisposition.attachment()));
    }

    /** A part's decoded bytes, streamed with its kept type (else octet-stream), a safe name and the sandboxing headers. */
    private static void serve(HttpServletResponse response, jakarta.mail.Part part, String type, String filename,
                              UUID id, ContentDisposition.Builder disposition)
            throws IOException, jakarta.mail.MessagingException {
        response.setContentType(TYPE_KEPT.contains(type) ? type : "application/octet-stream");
        secure(response, disposition.filename(safeName(AttachmentNames.orDefault(filename, type, id)),
                StandardCharsets.UTF_8).build());
        try (InputStream content = part.getInputStream()) {
            OutputStream out = response.getOutputStream();
            content.transferTo(out);
            out.flush();
        }
    }

    /**
     * A picture of a PDF attachment's first page (PNG, rendered here), so a reader sees what a statement or claim
     * is before downloading it; the PDF itself never opens in the browser.
     */
    @GetMapping({"/api/mail/attachments/{id}/preview", "/mail/attachments/{id}/preview"})
    void preview(@PathVariable UUID id, HttpServletResponse response) throws IOException {
        StoredAttachments.Row a = attachments.find(Caller.current().orgId(), id);
        if (!"application/pdf".equals(a.type())) {
            throw Problem.refused("Only PDF attachments have a preview; images show as they are.");
        }
        Path pdf = Files.createTempFile("postroom-preview-", ".pdf");
        try {
            attachments.withPart(a, part -> {
                try (InputStream content = part.getInputStream()) {
                    Files.copy(content, pdf, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            });
            byte[] png = pdfPreview.firstPage(pdf);
            response.setContentType("image/png");
            secure(response, ContentDisposition.inline().filename(id + ".png").build());
            response.setContentLength(png.length);
            response.getOutputStream().write(png);
        } catch (PdfPreview.NoPreview e) {
            throw Problem.refused(e.getMessage());
        } finally {
            Files.deleteIfExists(pdf);
        }
    }

    private static String safeName(String name) {
        return name.replaceAll("[\\p{Cntrl}/\\\\]", "_");
    }

    private static void secure(HttpServletResponse response, ContentDisposition disposition) {
        response.setHeader(HttpHeaders.CONTENT_DISPOSITION, disposition.toString());
        response.setHeader("X-Content-Type-Options", "nosniff");
        response.setHeader("Content-Security-Policy", "sandbox; default-src 'none'");
        response.setHeader(HttpHeaders.CACHE_CONTROL, "private, no-store");
    }
}
