package com.postroom.mailbox;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.servlet.http.HttpSession;

import org.springframework.transaction.annotation.Transactional;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;

import com.postroom.audit.AuditLog;
import com.postroom.org.Caller;
import com.postroom.problem.Problem;
import com.postroom.search.MailSearch;
import com.postroom.search.SearchQuery;
import com.postroom.store.MailboxScope;
import com.postroom.store.StoredThread;
import com.postroom.store.Threads;
import com.postroom.store.View;
import com.postroom.web.WebPage;

/**
 * The mailbox in the web UI: the sidebar of views and labels with unread counts, the conversation list of a view,
 * label or search, one conversation, and changes (read, star, archive, trash, spam, labels) on one or many. The same
 * services as /api/mail; changes are written back to IMAP like the API's.
 */
@WebPage
class MailPage {

    static final int PAGE_SIZE = 50;
    /** Search results are counted this far ("1–50 of 131"); beyond, the page says "of more than 1,000". */
    static final int COUNT_CAP = 1000;
    /**
     * System labels the page already shows another way: the paperclip (attachments), the Spam folder, and the text
     * recognised in scans (ocr, found by search). Not listed in the sidebar or as chips; still labels for search
     * (label:attachments) and the API.
     */
    static final java.util.Set<String> SIGNALLED_LABELS = LabelEdits.SYSTEM;

    private final MailboxCounts counts;
    private final Conversations conversations;
    private final MessageDetails details;
    private final MailChanges changes;
    private final MailSearch search;
    private final LabelScope labelScope;
    private final Threads threads;
    private final AuditLog audit;
    private final MailEvents events;
    private final MailboxScopes mailboxes;
    private final com.postroom.store.Messages messages;
    private final Invitations invitations;
    private final com.postroom.postmarkapi.PostmarkServers postmarkServers;

    MailPage(MailboxCounts counts, Conversations conversations, MessageDetails details, MailChanges changes,
             MailSearch search, LabelScope labelScope, Threads threads, AuditLog audit, MailEvents events,
             MailboxScopes mailboxes, com.postroom.store.Messages messages, Invitations invitations,
             com.postroom.postmarkapi.PostmarkServers postmarkServers) {
        this.postmarkServers = postmarkServers;
        this.invitations = invitations;
        this.mailboxes = mailboxes;
        this.messages = messages;
        this.counts = counts;
        this.conversations = conversations;
        this.details = details;
        this.changes = changes;
        this.search = search;
        this.labelScope = labelScope;
        this.threads = threads;
        this.audit = audit;
        this.events = events;
    }

    @GetMapping("/mail")
    String home() {
        return "redirect:/mail/inbox";
    }

    @GetMapping("/mail/{view}")
    String list(@PathVariable String view, @RequestParam Optional<String> label, @RequestParam Optional<String> cursor,
                @RequestParam Optional<UUID> sent, @RequestParam Optional<Long> until,
                @RequestHeader(name = "HX-Request", required = false) String htmx, HttpSession session, Model model) {
        Caller caller = Caller.current();
        LabelScope.Scope scope = scope(caller, view, label);
        Optional<MailboxScope> mailbox = mailboxes.current(session, caller.orgId());
        Conversations.Page page = conversations.list(caller.orgId(), scope.view(), scope.label(), cursor, PAGE_SIZE,
                mailbox);
        model.addAttribute("page", page);
        urls(model, view, label, page);
        if (htmx != null && cursor.isPresent()) {
            return "mail :: rows"; // the next page, appended as the list scrolls
        }
        layout(caller, model, view, label, scope.title(), mailbox);
        // Just sent: the notice with "Undo" for as long as the message waits (the undo window, or until scheduled).
        model.addAttribute("sent", sent.orElse(null));
        model.addAttribute("until", until.orElse(0L));
        model.addAttribute("scheduled", until.map(u -> u > System.currentTimeMillis() + 5 * 60_000).orElse(false));
        return "mail";
    }

    /** A message by id (the dashboard's rows link here): its conversation, in the folder it is in. */
    @GetMapping("/mail/message/{id}")
    String openMessage(@PathVariable UUID id) {
        Caller caller = Caller.current();
        com.postroom.store.StoredMessage m = messages.find(caller.orgId(), id)
                .filter(found -> messages.exists(caller.orgId(), id))
                .orElseThrow(() -> Problem.notFound("Message not found"));
        return "redirect:/mail/" + ("outbound".equals(m.direction()) ? "sent" : "inbox") + "/" + m.threadId();
    }

    @GetMapping("/mail/{view}/{thread}")
    @Transactional
    String open(@PathVariable String view, @PathVariable UUID thread, @RequestParam Optional<String> label,
                @RequestParam(defaultValue = "false") boolean images,
                @RequestHeader(name = "HX-Request", required = false) String htmx, HttpSession session, Model model) {
        Caller caller = Caller.current();
        LabelScope.Scope scope = scope(caller, view, label);
        StoredThread t = threads.find(caller.orgId(), thread)
                .orElseThrow(() -> Problem.notFound("Conversation not found"));
        List<MessageDetails.Detail> messages = details.ofThreadForBrowser(caller.orgId(), thread, images);
        if (view.equals("drafts") && htmx == null) {
            // A draft opens straight in the composer, with Discard; the newest one when a thread has several.
            Optional<UUID> draft = messages.stream().filter(m -> "draft".equals(m.status()))
                    .reduce((first, second) -> second).map(MessageDetails.Detail::id);
            if (draft.isPresent()) {
                return "redirect:/mail/compose?draft=" + draft.get();
            }
        }
        audit.record(caller, AuditLog.THREAD_READ, "email_thread", thread,
                AuditLog.details("messages", messages.size()));
        List<UUID> unread = messages.stream().filter(m -> !m.seen()).map(MessageDetails.Detail::id).toList();
        if (!unread.isEmpty()) {
            changes.apply(caller, MailChanges.Action.READ, unread, List.of(), null); // opening reads, as in Gmail
        }
        model.addAttribute("thread", t);
        // The conversation's labels as removable chips (not the classifier's own, shown another way).
        model.addAttribute("threadLabels", messages.stream().flatMap(m -> m.labels().stream())
                .filter(l -> !SIGNALLED_LABELS.contains(l.slug()))
                .collect(java.util.stream.Collectors.toMap(com.postroom.store.MessageSummary.LabelChip::slug,
                        l -> l, (a, b) -> a, java.util.LinkedHashMap::new)).values());
        model.addAttribute("messages", messages.stream()
                .map(m -> shown(m, invitations.of(caller.orgId(), m)))
                .toList());
        model.addAttribute("images", images);
        model.addAttribute("deliveryProblems", details.deliveryProblems(caller.orgId(), thread));
        model.addAttribute("scheduledAt", details.scheduledTimes(caller.orgId(), thread));
        Optional<MailboxScope> mailbox = mailboxes.current(session, caller.orgId());
        if (htmx != null) {
            // Opened from the list in place: the reading pane, and the row and counts that reading changed.
            rowUrls(model, view, label);
            model.addAttribute("oob", true);
            model.addAttribute("view", view);
            model.addAttribute("label", label.orElse(null));
            model.addAttribute("counts", counts.of(caller.orgId(), mailbox));
            model.addAttribute("rows", conversations.inView(caller.orgId(), scope.view(), scope.label(),
                    List.of(thread), mailbox));
            return "mail-conversation";
        }
        Conversations.Page page = conversations.list(caller.orgId(), scope.view(), scope.label(), Optional.empty(),
                PAGE_SIZE, mailbox);
        model.addAttribute("page", page);
        urls(model, view, label, page);
        layout(caller, model, view, label, scope.title(), mailbox);
        return "mail";
    }

    @GetMapping("/mail/search")
    String search(@RequestParam(defaultValue = "") String q, @RequestParam(defaultValue = "0") int page,
                  @RequestParam(defaultValue = "date") String sort, HttpSession session, Model model) {
        Caller caller = Caller.current();
        Optional<MailboxScope> mailbox = mailboxes.current(session, caller.orgId());
        int p = Math.max(0, Math.min(page, 200));
        boolean byRelevance = sort.equals("relevance");
        model.addAttribute("q", q);
        model.addAttribute("sort", byRelevance ? "relevance" : "date");
        layout(caller, model, "search", Optional.empty(), q.isBlank() ? "Search" : "Search: " + q, mailbox);
        String byDate = "/mail/search?q=" + java.net.URLEncoder.encode(q, java.nio.charset.StandardCharsets.UTF_8);
        String base = byDate + (byRelevance ? "&sort=relevance" : "");
        model.addAttribute("listUrl", base + (p > 0 ? "&page=" + p : ""));
        model.addAttribute("hiddenLabels", SIGNALLED_LABELS);
        if (!q.isBlank()) {
            model.addAttribute("indexing", search.pendingIndexing(caller.orgId()));
            try {
                SearchQuery query = SearchQuery.parse(q);
                if (!SearchQuery.positiveTexts(query).isEmpty()) {
                    // Words are looked for in the text too, except in the mail of these servers (migration 42).
                    model.addAttribute("textUnsearched", postmarkServers.withoutTextSearch(caller.orgId()));
                }
                MailSearch.Page found = search.search(caller.orgId(), query, PAGE_SIZE,
                        p * PAGE_SIZE, mailbox, byRelevance);
                // One row per conversation, at its best (or newest) matching message, as the inbox lists them.
                java.util.Set<UUID> seen = new java.util.HashSet<>();
                model.addAttribute("hits", found.hits().stream().filter(h -> seen.add(h.message().threadId()))
                        .toList());
                model.addAttribute("first", found.hits().isEmpty() ? 0 : p * PAGE_SIZE + 1);
                model.addAttribute("last", p * PAGE_SIZE + found.hits().size());
                // A last page is its own count (a page past the end is not); else counted up to the cap, as the page
                // found its matches.
                boolean last = !found.more() && (p == 0 || !found.hits().isEmpty());
                long total = last ? (long) p * PAGE_SIZE + found.hits().size()
                        : search.countUpTo(caller.orgId(), query, mailbox, COUNT_CAP, found.sparse());
                model.addAttribute("total", total > COUNT_CAP ? "more than " + String.format("%,d", COUNT_CAP)
                        : String.format("%,d", total));
                model.addAttribute("olderUrl", found.more() ? base + "&page=" + (p + 1) : null);
                model.addAttribute("newerUrl", p > 0 ? base + (p > 1 ? "&page=" + (p - 1) : "") : null);
                model.addAttribute("otherSortUrl", byRelevance ? byDate : byDate + "&sort=relevance");
            } catch (SearchQuery.Malformed e) {
                model.addAttribute("searchError", e.getMessage());
            }
        }
        return "mail";
    }

    /**
     * What the search box suggests while typing: the operators, {@code label:} with each label and {@code from:} with
     * the people who wrote lately. Fetched when the box is first used, not with every page.
     */
    @GetMapping(value = "/mail/suggestions", produces = "application/json")
    @org.springframework.web.bind.annotation.ResponseBody
    List<String> suggestions() {
        Caller caller = Caller.current();
        List<String> out = new ArrayList<>(List.of("from:", "to:", "subject:", "label:", "has:attachment", "is:unread",
                "is:starred", "in:", "before:", "after:", "filename:"));
        counts.of(caller.orgId(), Optional.empty()).labels().stream()
                .filter(l -> !SIGNALLED_LABELS.contains(l.slug())).forEach(l -> out.add("label:" + l.slug()));
        messages.knownAddresses(caller.orgId()).stream().limit(100).forEach(a -> out.add("from:" + a));
        return out;
    }

    /** The mailbox switcher: one synced mailbox's mail, or (no id) all of the organization's. */
    @PostMapping("/mail/mailbox")
    String switchMailbox(@RequestParam Optional<Long> id, HttpSession session) {
        Caller caller = Caller.current();
        if (id.isEmpty()) {
            session.removeAttribute(MailboxScopes.SESSION_KEY);
        } else {
            MailboxScope scope = mailboxes.find(caller.orgId(), id.get())
                    .orElseThrow(() -> Problem.notFound("Mailbox not found"));
            session.setAttribute(MailboxScopes.SESSION_KEY, scope.mailboxId());
        }
        return "redirect:/mail/inbox";
    }

    /** Only a path of the mailbox itself: never another site (an open redirect). */
    static String safeBack(String back) {
        return back.startsWith("/mail") && !back.startsWith("//") && !back.contains("\\") && !back.contains("\r")
                && !back.contains("\n") ? back : "/mail/inbox";
    }

    private LabelScope.Scope scope(Caller caller, String view, Optional<String> label) {
        View v = View.of(view).orElseThrow(() -> Problem.notFound("No such folder: " + view));
        return labelScope.of(caller.orgId(), v, label);
    }

    /**
     * The list's addresses, made here once for the page and for the rows fragment that infinite scroll appends (which
     * has no layout model): the list itself, a conversation in it (rowBase + id + labelQuery), and its next page.
     */
    private static void urls(Model model, String view, Optional<String> label, Conversations.Page page) {
        String labelQuery = rowUrls(model, view, label);
        String listUrl = "/mail/" + view + labelQuery;
        model.addAttribute("moreUrl", page.nextCursor() == null ? null
                : listUrl + (labelQuery.isEmpty() ? "?" : "&") + "cursor=" + page.nextCursor());
    }

    /** What a row needs to link to its conversation (also for rows sent back after a change); the label query. */
    static String rowUrls(Model model, String view, Optional<String> label) {
        String labelQuery = label.map(l -> "?label=" + java.net.URLEncoder.encode(l,
                java.nio.charset.StandardCharsets.UTF_8)).orElse("");
        model.addAttribute("listUrl", "/mail/" + view + labelQuery);
        model.addAttribute("rowBase", "/mail/" + view + "/");
        model.addAttribute("labelQuery", labelQuery);
        model.addAttribute("hiddenLabels", SIGNALLED_LABELS);
        return labelQuery;
    }

    private void layout(Caller caller, Model model, String view, Optional<String> label, String title,
                        Optional<MailboxScope> mailbox) {
        model.addAttribute("newest", events.shownBy(caller.orgId())); // mail beyond this is announced live
        model.addAttribute("counts", counts.of(caller.orgId(), mailbox));
        model.addAttribute("hiddenLabels", SIGNALLED_LABELS);
        List<MailboxScopes.Choice> choices = mailboxes.choices(caller.orgId());
        model.addAttribute("mailboxes", choices.size() > 1 ? choices : List.of());
        model.addAttribute("currentMailbox", mailbox.map(MailboxScope::mailboxId).orElse(null));
        model.addAttribute("view", view);
        model.addAttribute("label", label.orElse(null));
        model.addAttribute("title", title);
        List<QuickFilter> filters = new ArrayList<>(List.of(new QuickFilter("All", "in:inbox"),
                new QuickFilter("Billing", "label:billing"), new QuickFilter("Legal", "label:legal"),
                new QuickFilter("Compliance", "label:compliance"),
                new QuickFilter("Has attachments", "has:attachment")));
        model.addAttribute("filters", filters);
    }

    /** One of the old UI's quick filters, as a search. */
    public record QuickFilter(String name, String query) {
    }

    /** A plain-text message as shown: its own words, and the history it quotes (behind "…"), each with links. */
    static Shown shown(MessageDetails.Detail m, Invitations.Shown parts) {
        if (m.html() != null && !m.html().isBlank()) {
            return new Shown(m, List.of(), List.of(), parts.invite(), parts.files());
        }
        String text = m.text() == null ? "" : m.text();
        int quoted = com.postroom.store.Summaries.quotedHistoryStart(text);
        return new Shown(m, Linkify.segments(text.substring(0, quoted).stripTrailing()),
                Linkify.segments(text.substring(quoted)), parts.invite(), parts.files());
    }

    /** Its own words, the history it quotes, its calendar invitation (or null) and its files (the event once). */
    public record Shown(MessageDetails.Detail m, List<Linkify.Segment> text, List<Linkify.Segment> quoted,
                        CalendarInvite invite, List<MessageDetails.AttachmentInfo> files) {
    }
}
