package com.postroom.mailbox;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import jakarta.servlet.http.HttpSession;

import org.springframework.stereotype.Component;
import org.springframework.ui.Model;
import org.springframework.web.util.UriComponentsBuilder;

import com.postroom.org.Caller;
import com.postroom.problem.Problem;
import com.postroom.store.MailboxScope;
import com.postroom.store.View;

/**
 * After a change made in place (the list's buttons and keys, through htmx), what the page swaps instead of reloading:
 * each changed conversation's row as the list shows it now, or its removal when it left the list (archived from the
 * inbox), and the sidebar's counts. Everything else on the page (scroll position, the pages loaded so far, the cursor,
 * the selection) is left as it is; the page's script puts the cursor and the ticks back on the rows it swapped.
 */
@Component
class ChangedRows {

    private final Conversations conversations;
    private final MailboxCounts counts;
    private final MailboxScopes mailboxes;
    private final LabelScope labelScope;

    ChangedRows(Conversations conversations, MailboxCounts counts, MailboxScopes mailboxes, LabelScope labelScope) {
        this.conversations = conversations;
        this.counts = counts;
        this.mailboxes = mailboxes;
        this.labelScope = labelScope;
    }

    /** Fills the model of the "mail-changes" fragment for the list at {@code listUrl} (a safe /mail path). */
    void fill(Caller caller, String listUrl, List<UUID> changed, HttpSession session, Model model) {
        var uri = UriComponentsBuilder.fromUriString(listUrl).build();
        List<String> path = uri.getPathSegments();
        String viewId = path.size() > 1 ? path.get(1) : "inbox";
        Optional<String> label = Optional.ofNullable(uri.getQueryParams().getFirst("label"))
                .map(l -> URLDecoder.decode(l, StandardCharsets.UTF_8));
        Optional<MailboxScope> mailbox = mailboxes.current(session, caller.orgId());
        model.addAttribute("counts", counts.of(caller.orgId(), mailbox));
        model.addAttribute("view", viewId);
        model.addAttribute("label", label.orElse(null));
        model.addAttribute("oob", true);
        MailPage.rowUrls(model, viewId, label);
        List<Conversations.Conversation> rows = List.of();
        Optional<View> view = View.of(viewId);
        if (view.isPresent()) {
            try {
                LabelScope.Scope scope = labelScope.of(caller.orgId(), view.get(), label);
                rows = conversations.inView(caller.orgId(), scope.view(), scope.label(), changed, mailbox);
            } catch (Problem labelGone) {
                rows = List.of(); // the label was deleted meanwhile: its list shows nothing
            }
        }
        // Search results are not a view: their rows are left to the page (a change does not make mail stop matching).
        Set<UUID> gone = view.isPresent() ? new HashSet<>(changed) : new HashSet<>();
        rows.forEach(c -> gone.remove(c.threadId()));
        model.addAttribute("rows", rows);
        model.addAttribute("gone", List.copyOf(gone));
    }
}
