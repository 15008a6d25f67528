package com.postroom.compat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import com.postroom.contact.ContactSubmissions;
import com.postroom.mail.Identities;
import com.postroom.config.PostroomSettings;
import com.postroom.mail.EmailAddress;
import com.postroom.mail.MailEndpoints;
import com.postroom.org.Organizations;
import com.postroom.outbound.OutboundDraft;
import com.postroom.outbound.SendingCore;
import com.postroom.problem.Problem;

/**
 * The public contact form ({@code POST /api/contact} and {@code /api/v1/contact}). A submission is stored, then sent
 * to SUPPORT_EMAIL from the no-reply identity with Reply-To set to the submitter, so that answering it in any mail
 * client reaches them. At most CONTACT_LIMIT_PER_HOUR submissions per client address per hour.
 */
@RestController
public class ContactController {

    public static final String THANKS = "Thank you for your message. We'll get back to you soon.";

    private final ContactSubmissions submissions;
    private final Organizations organizations;
    private final SendingCore core;
    private final MailEndpoints endpoints;
    private final int limitPerHour;

    ContactController(ContactSubmissions submissions, Organizations organizations, SendingCore core, MailEndpoints endpoints,
                      PostroomSettings settings) {
        this.submissions = submissions;
        this.organizations = organizations;
        this.core = core;
        this.endpoints = endpoints;
        this.limitPerHour = settings.contactLimitPerHour();
    }

    record ContactForm(String name, String email, String organization, String subject, String message) {
    }

    @PostMapping({"/api/contact", "/api/v1/contact"})
    @Transactional
    ResponseEntity<Object> submit(@RequestBody ContactForm form, HttpServletRequest request) {
        String name = trim(form.name());
        String message = form.message() == null ? "" : form.message().strip();
        if (name.length() < 2 || name.length() > 200) {
            throw Problem.refused("name must be 2 to 200 characters.");
        }
        EmailAddress email;
        try {
            email = EmailAddress.parse(trim(form.email()));
        } catch (EmailAddress.InvalidAddressException e) {
            throw Problem.refused("email must be a valid email address.");
        }
        if (message.length() < 10 || message.length() > 5000) {
            throw Problem.refused("message must be 10 to 5000 characters.");
        }
        String subject = trim(form.subject());
        if (subject.length() > 200 || trim(form.organization()).length() > 200) {
            throw Problem.refused("subject and organization must be at most 200 characters.");
        }
        String ip = request.getRemoteAddr();
        if (submissions.lastHourLocked(ip) >= limitPerHour) {
            return ResponseEntity.status(HttpStatus.TOO_MANY_REQUESTS).header(HttpHeaders.RETRY_AFTER, "3600")
                    .body(Map.of("detail", "Too many messages from your address; please try again in an hour."));
        }
        long orgId = organizations.primary().orElseThrow().id();
        long reference = submissions.add(new ContactSubmissions.Submission(orgId, name, email.address(),
                emptyToNull(form.organization()), emptyToNull(subject), message, ip));
        var supportAddress = endpoints.identities().sender(Identities.Flow.SUPPORT);
        if (supportAddress.isPresent()) {
            String text = "New contact form message (reference " + reference + ")\n\n"
                    + "Name: " + name + "\nEmail: " + email.address() + "\n"
                    + (form.organization() != null && !form.organization().isBlank()
                    ? "Organization: " + trim(form.organization()) + "\n" : "")
                    + "Subject: " + (subject.isEmpty() ? "(none)" : subject) + "\n\n" + message + "\n";
            SendingCore.Queued queued = core.queue(OutboundDraft.builder(orgId, Identities.Flow.NOREPLY)
                    .to(List.of(supportAddress.get().address())).replyTo(email.withDisplayName(name).address())
                    .subject("Contact form: " + (subject.isEmpty() ? "New message" : subject) + " (" + name + ")")
                    .text(text).metadata(Map.of("contact_reference_id", reference)).build());
            submissions.mailed(reference, queued.message().id());
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("ok", true);
        out.put("message", THANKS);
        out.put("reference_id", reference);
        return ResponseEntity.ok(out);
    }

    /** The subject goes into a mail header; line breaks are flattened rather than rejected for a public form. */
    private static String trim(String value) {
        return value == null ? "" : value.replaceAll("[\\r\\n]+", " ").strip();
    }

    private static String emptyToNull(String value) {
        return value == null || value.isBlank() ? null : trim(value);
    }
}
