package com.postroom.mailbox;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import jakarta.servlet.http.HttpSession;

import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

import com.postroom.org.Caller;
import com.postroom.problem.Problem;
import com.postroom.store.Messages;
import com.postroom.web.WebPage;

/**
 * The list's and the conversation's buttons and keys (archive, delete, spam, read, star, labels): the change, then back
 * to the same list with a sentence saying what happened and an Undo that applies the opposite change (the {@code z}
 * key presses it). Nothing selected is a sentence too, not an error page. In Trash, Delete deletes forever (after the
 * browser's confirmation), which a legal hold or the retention period may refuse: then the notice says why.
 */
@WebPage
class MailActions {

    /** What Undo sends back: the opposite action on the same conversations. */
    record Undo(String action, List<UUID> threads, String label) {
    }

    static final String DELETE_FOREVER = "delete_forever";

    private final MailChanges changes;
    private final MessageDeletion deletion;
    private final Messages messages;
    private final ChangedRows rows;

    MailActions(MailChanges changes, MessageDeletion deletion, Messages messages, ChangedRows rows) {
        this.rows = rows;
        this.changes = changes;
        this.deletion = deletion;
        this.messages = messages;
    }

    /** What a change did: the sentence that says so, and the Undo to offer (if any). */
    record Outcome(String notice, Undo undo) {
    }

    /**
     * A change from the list or the open conversation. From a page with script (htmx) the answer is only what changed
     * (rows, counts, the notice, the conversation closed when it left the list); without script, back to the list.
     */
    @PostMapping("/mail/changes")
    String change(@RequestParam String action, @RequestParam(name = "thread", required = false) List<UUID> selected,
                  @RequestParam Optional<UUID> only, @RequestParam Optional<String> label,
                  @RequestParam(name = "to") Optional<String> destination,
                  @RequestParam(defaultValue = "/mail/inbox") String back, @RequestParam Optional<String> pane,
                  @RequestHeader(name = "HX-Request", required = false) String htmx, HttpSession session,
                  Model model, RedirectAttributes redirect) {
        Caller caller = Caller.current();
        List<UUID> ids = only.map(List::of).orElse(selected == null ? List.of() : selected);
        Outcome outcome = apply(caller, action, ids, label.filter(l -> !l.isBlank()), destination);
        String list = MailPage.safeBack(back);
        if (htmx == null) {
            if (outcome.notice() != null) {
                redirect.addFlashAttribute("notice", outcome.notice());
            }
            if (outcome.undo() != null) {
                redirect.addFlashAttribute("undo", outcome.undo());
            }
            return "redirect:" + list;
        }
        rows.fill(caller, list, ids, session, model);
        model.addAttribute("notice", outcome.notice());
        model.addAttribute("undo", outcome.undo());
        // The open conversation closes when a change sends it away (archive, delete, spam, move, mark unread), as in
        // Gmail; a star or a label leaves it open.
        model.addAttribute("closePane", pane.isPresent() && !Set.of("star", "unstar", "add_label", "remove_label")
                .contains(action));
        return "mail-changes";
    }

    private Outcome apply(Caller caller, String action, List<UUID> ids, Optional<String> label,
                          Optional<String> destination) {
        if (ids.isEmpty()) {
            return new Outcome("Select a conversation first: check its box (x), or open it.", null);
        }
        if ((action.equals("add_label") || action.equals("remove_label")) && label.isEmpty()) {
            return new Outcome("Choose a label first.", null);
        }
        if (action.equals("move")) {
            Optional<MailChanges.Action> move = destination.flatMap(MailActions::moveTo);
            if (move.isEmpty()) {
                return new Outcome("Choose where to move them: Inbox, Archive, Spam or Trash.", null);
            }
            return apply(caller, move.get().id(), ids, label, Optional.empty());
        }
        if (action.equals(DELETE_FOREVER)) {
            return new Outcome(deleteForever(caller, ids), null);
        }
        MailChanges.Action a = MailChanges.Action.of(action)
                .orElseThrow(() -> Problem.refused("Unknown action '" + action + "'."));
        changes.apply(caller, a, List.of(), ids, label.orElse(null));
        if (a == MailChanges.Action.STAR || a == MailChanges.Action.UNSTAR) {
            return new Outcome(null, null); // the star itself shows it
        }
        return new Outcome(done(a, ids.size(), label.orElse("")),
                opposite(a).map(undo -> new Undo(undo.id(), ids, label.orElse(""))).orElse(null));
    }

    private String deleteForever(Caller caller, List<UUID> threads) {
        if (!caller.hasAnyRole(Set.of(Caller.ADMIN, Caller.FOUNDER, Caller.MEDICAL_DIRECTOR))) {
            return "Only admins, founders and medical directors can delete forever; the conversations stay in Trash.";
        }
        int deleted = 0;
        List<String> kept = new ArrayList<>();
        for (UUID thread : threads) {
            for (UUID id : messages.idsOfThread(caller.orgId(), thread)) {
                try {
                    deletion.delete(caller, id);
                    deleted++;
                } catch (Problem p) {
                    if (p.kind() != Problem.Kind.LOCKED && p.kind() != Problem.Kind.NOT_FOUND) {
                        throw p;
                    }
                    if (p.kind() == Problem.Kind.LOCKED && !kept.contains(p.getMessage())) {
                        kept.add(p.getMessage());
                    }
                }
            }
        }
        String done = deleted == 1 ? "1 message deleted forever." : deleted + " messages deleted forever.";
        if (kept.isEmpty()) {
            return done;
        }
        return (deleted == 0 ? "Not deleted: " : done + " Some were kept: ") + String.join(" ", kept);
    }

    /** "Move to": the folder chosen, as the change that puts mail there. */
    static Optional<MailChanges.Action> moveTo(String folder) {
        return switch (folder) {
            case "inbox" -> Optional.of(MailChanges.Action.INBOX);
            case "archive" -> Optional.of(MailChanges.Action.ARCHIVE);
            case "spam" -> Optional.of(MailChanges.Action.SPAM);
            case "trash" -> Optional.of(MailChanges.Action.TRASH);
            default -> Optional.empty();
        };
    }

    static String done(MailChanges.Action a, int n, String label) {
        String what = n == 1 ? "1 conversation" : n + " conversations";
        return switch (a) {
            case ARCHIVE -> what + " archived.";
            case TRASH -> what + " moved to Trash.";
            case SPAM -> what + " marked as spam.";
            case NOT_SPAM -> what + " marked as not spam.";
            case INBOX -> what + " moved to the inbox.";
            case RESTORE -> what + " restored.";
            case READ -> what + " marked read.";
            case UNREAD -> what + " marked unread.";
            case STAR -> what + " starred.";
            case UNSTAR -> what + " no longer starred.";
            case ADD_LABEL -> what + " labelled " + label + ".";
            case REMOVE_LABEL -> "Label " + label + " removed from " + what + ".";
        };
    }

    /** The change that undoes another one. */
    static Optional<MailChanges.Action> opposite(MailChanges.Action a) {
        return Optional.of(switch (a) {
            case ARCHIVE -> MailChanges.Action.INBOX;
            case INBOX -> MailChanges.Action.ARCHIVE;
            case TRASH -> MailChanges.Action.RESTORE;
            case RESTORE -> MailChanges.Action.TRASH;
            case SPAM -> MailChanges.Action.NOT_SPAM;
            case NOT_SPAM -> MailChanges.Action.SPAM;
            case READ -> MailChanges.Action.UNREAD;
            case UNREAD -> MailChanges.Action.READ;
            case STAR -> MailChanges.Action.UNSTAR;
            case UNSTAR -> MailChanges.Action.STAR;
            case ADD_LABEL -> MailChanges.Action.REMOVE_LABEL;
            case REMOVE_LABEL -> MailChanges.Action.ADD_LABEL;
        });
    }
}
