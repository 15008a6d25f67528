package com.postroom.mailbox;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.multipart.MultipartFile;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

import com.postroom.mail.Identities;
import com.postroom.config.PostroomSettings;
import com.postroom.mail.MailEndpoints;
import com.postroom.org.Caller;
import com.postroom.outbound.Attachment;
import com.postroom.outbound.OutboundDraft;
import com.postroom.outbound.SendingCore;
import com.postroom.problem.Problem;
import com.postroom.store.Messages;
import com.postroom.store.StoredMessage;
import com.postroom.store.Threads;
import com.postroom.web.WebPage;
import com.postroom.api.ApiException;

/**
 * Compose in the web UI: a new message, a reply (to the sender, or to all), a forward, or a draft taken back by
 * "Undo". Sent through the same sending core as POST /api/email/send, held for the undo window (UNDO_SEND_WINDOW) or
 * until a scheduled time, during which "Undo" takes it back into Drafts.
 */
@WebPage
class ComposePage {

    private final SendingCore core;
    private final MessageDetails details;
    private final Messages messages;
    private final Threads threads;
    private final MailEndpoints endpoints;
    private final Duration undoWindow;
    private final StoredAttachments attachments;
    private final long maxFileBytes;

    ComposePage(SendingCore core, MessageDetails details, Messages messages, Threads threads, MailEndpoints endpoints,
                PostroomSettings settings, StoredAttachments attachments) {
        this.attachments = attachments;
        this.core = core;
        this.details = details;
        this.messages = messages;
        this.threads = threads;
        this.endpoints = endpoints;
        this.undoWindow = settings.web().undoSendWindow();
        this.maxFileBytes = maxFileBytes(settings);
    }

    /** Files grow by a third when encoded for mail (base64); what is left of the message limit is for them. */
    static long maxFileBytes(PostroomSettings settings) {
        return settings.outbound().maxMessageBytes() * 3 / 4 - 64 * 1024;
    }

    /** What the form starts with. */
    public record Form(String from, String to, String cc, String bcc, String subject, String body, String bodyHtml,
                       UUID thread, UUID draft, String heading, List<StoredAttachments.Row> forwarded) {
        Form(String from, String to, String cc, String bcc, String subject, String body, String bodyHtml,
             UUID thread, UUID draft, String heading) {
            this(from, to, cc, bcc, subject, body, bodyHtml, thread, draft, heading, List.of());
        }
    }

    @GetMapping("/mail/compose")
    String form(@RequestParam Optional<UUID> reply, @RequestParam(defaultValue = "false") boolean all,
                @RequestParam Optional<UUID> forward, @RequestParam Optional<UUID> draft,
                @RequestParam(defaultValue = "false") boolean window, Model model) {
        Caller caller = Caller.current();
        List<String> senders = senders(caller);
        Form form = new Form(senders.get(0), "", "", "", "", "", "", null, null, "New message");
        if (reply.isPresent()) {
            form = replyForm(find(caller, reply.get()), senders, all, "");
        } else if (forward.isPresent()) {
            MessageDetails.Detail m = find(caller, forward.get());
            // From: the address the mail was sent to, when it is one of ours (as for a reply).
            String from = m.to().stream().map(a -> a.toLowerCase(Locale.ROOT)).filter(senders::contains).findFirst()
                    .or(() -> m.cc().stream().map(a -> a.toLowerCase(Locale.ROOT)).filter(senders::contains)
                            .findFirst())
                    .orElse(senders.get(0));
            form = new Form(from, "", "", "", prefixed("Fwd: ", m.subject()), "\n\n---------- Forwarded "
                    + "message ----------\nFrom: " + m.from() + "\nDate: " + when(m) + "\nSubject: " + m.subject()
                    + "\nTo: " + String.join(", ", m.to()) + "\n\n" + Optional.ofNullable(m.text()).orElse(""),
                    "", m.threadId(), null, "Forward", attachments.ofMessage(caller.orgId(), m.id()));
        } else if (draft.isPresent()) {
            MessageDetails.Detail m = find(caller, draft.get());
            // The HTML as it was typed (stored cleaned), not as a reader is shown it: that one is laid out for reading,
            // with line breaks and indentation that the editor would show as blank lines and leading spaces.
            String typed = messages.find(caller.orgId(), m.id()).map(StoredMessage::bodyHtml).orElse("");
            form = new Form(m.from(), String.join(", ", m.to()), String.join(", ", m.cc()),
                    String.join(", ", m.bcc()), m.subject(), Optional.ofNullable(m.text()).orElse(""),
                    ComposedHtml.clean(typed), m.threadId(),
                    "draft".equals(m.status()) ? m.id() : null, "Draft",
                    // A message taken back with Undo keeps its files: they come back ticked, and go with the send.
                    attachments.ofMessage(caller.orgId(), m.id()));
        }
        model.addAttribute("form", form);
        model.addAttribute("senders", senders);
        model.addAttribute("known", known(caller.orgId()));
        model.addAttribute("title", form.heading());
        model.addAttribute("maxFileBytes", maxFileBytes);
        model.addAttribute("windowed", window); // in the window over the mailbox: no page header, Send leaves it
        return "compose";
    }

    @PostMapping("/mail/compose")
    String send(Model model, jakarta.servlet.http.HttpServletResponse response, @RequestParam String from, @RequestParam(defaultValue = "") String to,
                @RequestParam(defaultValue = "") String cc, @RequestParam(defaultValue = "") String bcc,
                @RequestParam(defaultValue = "") String subject, @RequestParam(defaultValue = "") String body,
                @RequestParam(name = "body_html", defaultValue = "") String bodyHtml,
                @RequestParam Optional<UUID> thread, @RequestParam Optional<UUID> draft,
                @RequestParam(defaultValue = "") String schedule, @RequestParam(name = "tz_offset",
                defaultValue = "0") int tzOffsetMinutes,
                @RequestParam(name = "files", required = false) List<MultipartFile> files,
                @RequestParam(name = "forward_attachment", required = false) List<UUID> forwarded) {
        Caller caller = Caller.current();
        List<StoredAttachments.Row> carried = forwarded == null ? List.of()
                : forwarded.stream().distinct().map(id -> attachments.find(caller.orgId(), id)).toList();
        if (!senders(caller).contains(from.toLowerCase(Locale.ROOT))) {
            throw Problem.forbidden("You cannot send as " + from + "; choose one of your addresses.");
        }
        try {
            return queue(caller, from, to, cc, bcc, subject, body, ComposedHtml.clean(bodyHtml), thread, draft,
                    schedule, tzOffsetMinutes, files, carried);
        } catch (com.postroom.problem.Problem e) {
            // Back to the form with what was typed and one sentence on what to fix (attachments must be chosen again).
            response.setStatus(ApiException.statusOf(e).value());
            model.addAttribute("error", e.getMessage());
            model.addAttribute("form", new Form(from, to, cc, bcc, subject, body, ComposedHtml.clean(bodyHtml),
                    thread.orElse(null),
                    draft.orElse(null), "New message", carried));
            model.addAttribute("senders", senders(caller));
            model.addAttribute("known", known(caller.orgId()));
            model.addAttribute("title", "New message");
            return "compose";
        }
    }

    private String queue(Caller caller, String from, String to, String cc, String bcc, String subject, String body,
                         String html, Optional<UUID> thread, Optional<UUID> draft, String schedule, int tzOffsetMinutes,
                         List<MultipartFile> files, List<StoredAttachments.Row> carried) {
        Instant notBefore = schedule.isBlank() ? Instant.now().plus(undoWindow) : scheduled(schedule, tzOffsetMinutes);
        OutboundDraft.Builder out = OutboundDraft.builder(caller.orgId(), Identities.Flow.GENERIC)
                .sentBy(caller).from(from).to(addresses(to)).cc(addresses(cc)).bcc(addresses(bcc))
                .subject(subject).text(body).html(html).notBefore(notBefore);
        thread.ifPresent(out::threadId);
        for (MultipartFile f : files == null ? List.<MultipartFile>of() : files) {
            if (f.isEmpty()) {
                continue;
            }
            try {
                out.attach(Attachment.file(Optional.ofNullable(f.getOriginalFilename()).orElse("attachment"),
                        Optional.ofNullable(f.getContentType()).orElse("application/octet-stream"), f.getBytes()));
            } catch (IOException e) {
                throw Problem.badInput("The attachment " + f.getOriginalFilename() + " could not be read.");
            }
        }
        for (StoredAttachments.Row a : carried) {
            try {
                out.attach(Attachment.file(Optional.ofNullable(a.filename()).filter(n -> !n.isBlank())
                        .orElse("attachment"), a.type().isEmpty() ? "application/octet-stream" : a.type(),
                        attachments.bytes(a)));
            } catch (IOException e) {
                throw Problem.refused("The forwarded attachment " + a.filename()
                        + " could not be read; remove it and send again.");
            }
        }
        SendingCore.Queued queued = core.queue(out.build());
        draft.ifPresent(d -> messages.discardDraft(caller.orgId(), d));
        return "redirect:/mail/" + (SendingCore.isScheduled(notBefore) ? "scheduled" : "sent") + "?sent=" + queued.message().id() + "&until="
                + notBefore.toEpochMilli();
    }

    /**
     * Autosave: the composer posts what is typed every few seconds; the first save makes a draft (Drafts), later ones
     * update it. Answers the draft's id, or nothing once the draft has been sent.
     */
    @PostMapping(value = "/mail/drafts", produces = "text/plain")
    @org.springframework.web.bind.annotation.ResponseBody
    String autosave(@RequestParam String from, @RequestParam(defaultValue = "") String to,
                    @RequestParam(defaultValue = "") String cc, @RequestParam(defaultValue = "") String bcc,
                    @RequestParam(defaultValue = "") String subject, @RequestParam(defaultValue = "") String body,
                    @RequestParam(name = "body_html", defaultValue = "") String bodyHtml,
                    @RequestParam Optional<UUID> thread, @RequestParam Optional<UUID> draft) {
        Caller caller = Caller.current();
        if (!senders(caller).contains(from.toLowerCase(Locale.ROOT))) {
            throw Problem.forbidden("You cannot write as " + from + "; choose one of your addresses.");
        }
        UUID threadId = thread.filter(t -> threads.find(caller.orgId(), t).isPresent())
                .orElse(null);
        if (draft.isPresent()) {
            Messages.Draft d = new Messages.Draft(caller.orgId(), caller.userId(), threadId, from, addresses(to),
                    addresses(cc), addresses(bcc), subject, body, ComposedHtml.clean(bodyHtml));
            return messages.updateDraft(draft.get(), d) ? draft.get().toString() : "";
        }
        UUID t = threadId != null ? threadId : threads.create(caller.orgId(), subject).id();
        return messages.insertDraft(new Messages.Draft(caller.orgId(), caller.userId(), t, from, addresses(to),
                addresses(cc), addresses(bcc), subject, body, ComposedHtml.clean(bodyHtml))).toString();
    }

    /** Discard: the draft being written (saved by autosave, or opened from Drafts) is gone; nothing is sent. */
    @PostMapping("/mail/drafts/discard")
    String discard(@RequestParam Optional<UUID> draft, RedirectAttributes redirect) {
        Caller caller = Caller.current();
        draft.ifPresent(id -> messages.discardDraft(caller.orgId(), id));
        redirect.addFlashAttribute("notice", "Draft discarded.");
        return "redirect:/mail/drafts";
    }

    @PostMapping("/mail/sent/{id}/undo")
    String undo(@PathVariable UUID id, RedirectAttributes redirect) {
        Caller caller = Caller.current();
        if (core.cancel(caller.orgId(), caller.userId(), id)) {
            redirect.addFlashAttribute("notice", "Sending cancelled; the message is back in Drafts.");
            return "redirect:/mail/compose?draft=" + id;
        }
        redirect.addFlashAttribute("notice", "Too late to undo: the message has already gone out.");
        return "redirect:/mail/sent";
    }

    private List<String> senders(Caller caller) {
        List<String> senders = com.postroom.outbound.SenderPolicy.choices(caller.roles(), endpoints.identities())
                .stream().map(com.postroom.mail.EmailAddress::address).toList();
        if (senders.isEmpty()) {
            throw Problem.forbidden("Your role cannot send mail, or no sending address is configured.");
        }
        return senders;
    }

    /** A reply (or reply all) to a message: to its sender (or Reply-To), from the address it was sent to. */
    private static Form replyForm(MessageDetails.Detail m, List<String> senders, boolean all, String typed) {
        Set<String> own = new LinkedHashSet<>(senders);
        String to = "outbound".equals(m.direction()) ? String.join(", ", m.to())
                : Optional.ofNullable(m.replyTo()).filter(r -> !r.isBlank()).orElse(m.from());
        List<String> cc = new ArrayList<>();
        if (all) {
            m.to().stream().filter(a -> !own.contains(a.toLowerCase(Locale.ROOT)) && !to.contains(a))
                    .forEach(cc::add);
            m.cc().stream().filter(a -> !own.contains(a.toLowerCase(Locale.ROOT))).forEach(cc::add);
        }
        String from = m.to().stream().filter(own::contains).findFirst().orElse(senders.get(0));
        return new Form(from, to, String.join(", ", cc), "", prefixed("Re: ", m.subject()),
                typed + "\n\n" + quote(m), "", m.threadId(), null, all ? "Reply all" : "Reply");
    }

    /**
     * The reply box under a conversation's last message: what was typed goes to the sender at once (after the undo
     * window), quoting the message, as Reply and Send would.
     */
    @PostMapping("/mail/reply/{id}")
    String quickReply(@PathVariable UUID id, @RequestParam(defaultValue = "") String body,
                      @RequestParam(defaultValue = "false") boolean all, RedirectAttributes redirect) {
        Caller caller = Caller.current();
        if (body.isBlank()) {
            redirect.addFlashAttribute("notice", "Type a reply first.");
            return "redirect:/mail/message/" + id;
        }
        MessageDetails.Detail m = find(caller, id);
        Form f = replyForm(m, senders(caller), all, body.strip());
        return queue(caller, f.from(), f.to(), f.cc(), "", f.subject(), f.body(), "", Optional.of(m.threadId()),
                Optional.empty(), "", 0, List.of(), List.of());
    }

    private MessageDetails.Detail find(Caller caller, UUID id) {
        return details.find(caller.orgId(), id, false).orElseThrow(() -> Problem.notFound("Message not found"));
    }

    private static Instant scheduled(String local, int tzOffsetMinutes) {
        try {
            // datetime-local has no zone; the page sends the browser's offset (minutes behind UTC, as JavaScript has it).
            Instant at = LocalDateTime.parse(local).toInstant(ZoneOffset.UTC).plus(Duration.ofMinutes(tzOffsetMinutes));
            if (at.isBefore(Instant.now().minusSeconds(60))) {
                throw Problem.refused("The scheduled time " + local + " has passed; pick a later one.");
            }
            return at;
        } catch (DateTimeParseException e) {
            throw Problem.refused("The scheduled time must look like 2026-11-25T09:00; got '" + local
                    + "'.");
        }
    }

    private static List<String> addresses(String field) {
        return Arrays.stream(field.split("[,;\\n]")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    private static String prefixed(String prefix, String subject) {
        String s = subject == null ? "" : subject;
        return s.toLowerCase(Locale.ROOT).startsWith(prefix.toLowerCase(Locale.ROOT)) ? s : prefix + s;
    }

    private static String when(MessageDetails.Detail m) {
        return String.valueOf(m.date() != null ? m.date() : m.createdAt());
    }

    private static String quote(MessageDetails.Detail m) {
        String text = Optional.ofNullable(m.text()).orElse("");
        return "On " + when(m) + ", " + m.from() + " wrote:\n" + text.lines().map(l -> "> " + l)
                .reduce((a, b) -> a + "\n" + b).orElse("");
    }

    private List<String> known(long orgId) {
        return messages.knownAddresses(orgId);
    }
}
