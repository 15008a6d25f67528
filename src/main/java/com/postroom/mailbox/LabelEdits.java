package com.postroom.mailbox;

import java.util.Locale;

import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import com.postroom.audit.AuditLog;
import com.postroom.org.Caller;
import com.postroom.problem.Problem;
import com.postroom.store.Labels;

/**
 * Creating, renaming, colouring, hiding and deleting labels, for the API and the label manager in Settings: the same
 * checks (a name of letters or digits, a colour like #1a73e8) and the same audit entry from both.
 */
@Service
public class LabelEdits {

    /**
     * Labels Postroom itself applies (the classifier's): attachments, spam, ocr are shown another way (the paperclip,
     * the Spam folder, search), so the web UI does not list them and the label manager leaves them alone.
     */
    public static final java.util.Set<String> SYSTEM = java.util.Set.of("attachments", "spam", "ocr");

    private final Labels labels;
    private final AuditLog audit;

    LabelEdits(Labels labels, AuditLog audit) {
        this.labels = labels;
        this.audit = audit;
    }

    @Transactional
    public Labels.Label create(Caller caller, String name, String color) {
        String n = name(name);
        String slug = Labels.slugOf(n).orElseThrow(() -> Problem.refused("name needs at least one letter or digit."));
        Labels.Label label = labels.create(caller.orgId(), n, slug, color(color))
                .orElseThrow(() -> Problem.conflict("A label '" + slug + "' exists already."));
        audit.record(caller, AuditLog.LABEL_CHANGED, "email_label", label.id(), AuditLog.details("created", slug));
        return label;
    }

    /** Renames or recolours; a null name or colour keeps what the label has. */
    @Transactional
    public Labels.Label update(Caller caller, long id, String name, String color) {
        String n = name == null ? null : name(name);
        Labels.Label label = labels.update(caller.orgId(), id, n, color == null ? null : color(color))
                .orElseThrow(() -> Problem.notFound("Label not found"));
        audit.record(caller, AuditLog.LABEL_CHANGED, "email_label", id, AuditLog.details("name", n, "color", color));
        return label;
    }

    /** Hides the label from the sidebar's list, or shows it there again. */
    @Transactional
    public void setHidden(Caller caller, long id, boolean hidden) {
        if (!labels.setHidden(caller.orgId(), id, hidden)) {
            throw Problem.notFound("Label not found");
        }
        audit.record(caller, AuditLog.LABEL_CHANGED, "email_label", id, AuditLog.details("hidden", hidden));
    }

    /** Deletes the label; the mail it labelled stays where it is. */
    @Transactional
    public Labels.Label delete(Caller caller, long id) {
        Labels.Label label = labels.find(caller.orgId(), id).orElseThrow(() -> Problem.notFound("Label not found"));
        labels.delete(caller.orgId(), id);
        audit.record(caller, AuditLog.LABEL_CHANGED, "email_label", id, AuditLog.details("deleted", label.slug()));
        return label;
    }

    private static String name(String name) {
        if (name == null || name.isBlank()) {
            throw Problem.refused("name is required.");
        }
        if (name.strip().length() > 100 || name.chars().anyMatch(Character::isISOControl)) {
            throw Problem.refused("name must be at most 100 characters, without control characters.");
        }
        return name.strip();
    }

    private static String color(String color) {
        if (color == null || color.isBlank()) {
            return null;
        }
        if (!color.matches("#[0-9a-fA-F]{6}")) {
            throw Problem.refused("color must look like #1a73e8.");
        }
        return color.toLowerCase(Locale.ROOT);
    }
}
