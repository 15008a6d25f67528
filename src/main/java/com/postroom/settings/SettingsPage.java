package com.postroom.settings;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

import com.postroom.mail.Identities;
import com.postroom.inbound.MailboxAdmin;
import com.postroom.mail.EmailAddress;
import com.postroom.mail.MailEndpoints;
import com.postroom.org.Caller;
import com.postroom.org.Tokens;
import com.postroom.org.Users;
import com.postroom.problem.Problem;
import com.postroom.web.WebPage;
import com.postroom.api.ApiException;

/**
 * Settings (admins): the identities Postroom sends from (configured in the environment, shown here), the synced
 * mailboxes (add after a test login, remove), users and their roles, and API tokens (made, shown once, revoked). The
 * same services as the API; a refusal is the API's sentence on the page.
 */
@WebPage
class SettingsPage {

    static final int MIN_PASSWORD = 12;

    private final MailEndpoints endpoints;
    private final MailboxAdmin mailboxes;
    private final Users users;
    private final Tokens tokens;
    private final PasswordEncoder passwords;
    private final com.postroom.store.Labels labels;
    private final com.postroom.mailbox.LabelEdits labelEdits;
    private final com.postroom.postmarkapi.PostmarkServers postmarkServers;
    private final com.postroom.postmarkapi.WebhookStatus webhooks;

    SettingsPage(MailEndpoints endpoints, MailboxAdmin mailboxes, Users users, Tokens tokens,
                 PasswordEncoder passwords, com.postroom.store.Labels labels,
                 com.postroom.mailbox.LabelEdits labelEdits, com.postroom.postmarkapi.PostmarkServers postmarkServers,
                 com.postroom.postmarkapi.WebhookStatus webhooks) {
        this.postmarkServers = postmarkServers;
        this.webhooks = webhooks;
        this.labels = labels;
        this.labelEdits = labelEdits;
        this.endpoints = endpoints;
        this.mailboxes = mailboxes;
        this.users = users;
        this.tokens = tokens;
        this.passwords = passwords;
    }

    /** An identity as the page lists it. */
    public record Identity(String flow, String address) {
    }

    /** A user as the page lists them. */
    public record UserRow(long id, String email, List<String> roles, boolean self) {
    }

    @GetMapping("/settings")
    String show(Model model) {
        Caller caller = admin();
        List<Identity> identities = new ArrayList<>();
        Identities ids = endpoints.identities();
        for (Identities.Flow flow : List.of(Identities.Flow.FOUNDER, Identities.Flow.BILLING, Identities.Flow.SUPPORT,
                Identities.Flow.NOREPLY)) {
            identities.add(new Identity(flow.name().toLowerCase(Locale.ROOT),
                    ids.sender(flow).map(EmailAddress::address).orElse("(not configured)")));
        }
        model.addAttribute("identities", identities);
        model.addAttribute("sandbox", endpoints.sandbox());
        model.addAttribute("mailboxes", mailboxes.list(caller.orgId()));
        model.addAttribute("users", users.list(caller.orgId()).stream().map(u -> new UserRow(u.id(), u.email(),
                u.roles().stream().sorted().toList(), u.id() == caller.userId())).toList());
        model.addAttribute("roles", Caller.ALL_ROLES.stream().sorted().toList());
        model.addAttribute("tokens", tokens.list(caller.orgId())); // API tokens only; sign-in sessions are not listed
        model.addAttribute("postmarkServers", postmarkServers.list(caller.orgId()));
        model.addAttribute("webhookProblems", webhooks.problems(caller.orgId(), 20));
        java.util.Set<String> hidden = labels.hiddenSlugs(caller.orgId());
        model.addAttribute("labels", labels.list(caller.orgId()).stream()
                .filter(l -> !com.postroom.mailbox.LabelEdits.SYSTEM.contains(l.slug()))
                .map(l -> new LabelRow(l.id(), l.name(), l.color() == null ? "#e7eaee" : l.color(),
                        hidden.contains(l.slug()))).toList());
        return "settings";
    }

    /**
     * A form that cannot be saved: the page again, with one sentence on what to fix above the forms and what was typed
     * still in them (never a password), rather than an error page. Only for admins; others still get the error page.
     */
    @org.springframework.web.bind.annotation.ExceptionHandler(com.postroom.problem.Problem.class)
    String problem(com.postroom.problem.Problem e, Model model, jakarta.servlet.http.HttpServletRequest request,
                   jakarta.servlet.http.HttpServletResponse response) {
        int status = ApiException.statusOf(e).value();
        if (!"POST".equals(request.getMethod()) || status == 403 || status == 401) {
            // Rethrown, it would skip the pages' error handler and end as a 500 with a stack trace in the log.
            return com.postroom.web.UiErrors.page(e, model, response);
        }
        response.setStatus(status);
        model.addAttribute("problem", e.getMessage());
        model.addAttribute("failedForm", request.getRequestURI().substring(request.getContextPath().length()));
        return show(model);
    }

    @PostMapping("/settings/mailboxes")
    String addMailbox(@RequestParam String host, @RequestParam(required = false) Integer port,
                      @RequestParam(defaultValue = "implicit") String tls, @RequestParam String username,
                      @RequestParam String password, @RequestParam(defaultValue = "INBOX") String folders,
                      RedirectAttributes redirect) {
        Caller caller = admin();
        List<String> list = List.of(folders.split(",")).stream().map(String::strip).filter(f -> !f.isEmpty())
                .toList();
        MailboxAdmin.Added added = mailboxes.add(caller.orgId(), new MailboxAdmin.NewMailbox(host, port, tls,
                username, password, list));
        redirect.addFlashAttribute("notice", "The login works; " + added.mailbox() + " is now synced ("
                + String.join(", ", added.folders()) + ").");
        return "redirect:/settings";
    }

    @PostMapping("/settings/mailboxes/{id}/remove")
    String removeMailbox(@PathVariable long id, RedirectAttributes redirect) {
        mailboxes.remove(admin().orgId(), id);
        redirect.addFlashAttribute("notice", "Mailbox " + id + " is no longer synced; its mail stays in Postroom.");
        return "redirect:/settings";
    }

    @PostMapping("/settings/users")
    String addUser(@RequestParam String email, @RequestParam String password,
                   @RequestParam(name = "roles", required = false) List<String> roles, RedirectAttributes redirect) {
        Caller caller = admin();
        EmailAddress address;
        try {
            address = EmailAddress.parse(email);
        } catch (EmailAddress.InvalidAddressException e) {
            throw Problem.refused("'" + email + "' is not an email address.");
        }
        if (password.length() < MIN_PASSWORD) {
            throw Problem.refused("The password must be at least " + MIN_PASSWORD + " characters long.");
        }
        if (users.byEmail(address.address()).isPresent()) {
            throw new ApiException(org.springframework.http.HttpStatus.CONFLICT, address.address()
                    + " already has an account.");
        }
        users.create(caller.orgId(), address.address(), passwords.encode(password), checkedRoles(roles));
        redirect.addFlashAttribute("notice", address.address() + " can now sign in.");
        return "redirect:/settings";
    }

    @PostMapping("/settings/users/{id}/roles")
    String roles(@PathVariable long id, @RequestParam(name = "roles", required = false) List<String> roles,
                 RedirectAttributes redirect) {
        Caller caller = admin();
        Set<String> wanted = checkedRoles(roles);
        if (id == caller.userId() && !wanted.contains(Caller.ADMIN)) {
            throw Problem.refused("You cannot take the admin role from yourself; ask another admin.");
        }
        if (!users.setRoles(caller.orgId(), id, wanted)) {
            throw Problem.notFound("User not found");
        }
        redirect.addFlashAttribute("notice", "Roles saved.");
        return "redirect:/settings";
    }

    /** A label as the label manager lists it. */
    public record LabelRow(long id, String name, String color, boolean hidden) {
    }

    @PostMapping("/settings/labels")
    String createLabel(@RequestParam String name, @RequestParam(required = false) String color,
                       RedirectAttributes redirect) {
        Caller caller = admin();
        var label = labelEdits.create(caller, name, color);
        redirect.addFlashAttribute("notice", "Label " + label.name() + " created.");
        return "redirect:/settings#labels-title";
    }

    /** Rename, colour and "show in the sidebar", saved together from one row of the label manager. */
    @PostMapping("/settings/labels/{id}")
    String updateLabel(@PathVariable long id, @RequestParam String name, @RequestParam(required = false) String color,
                       @RequestParam(defaultValue = "false") boolean shown, RedirectAttributes redirect) {
        Caller caller = admin();
        var label = labelEdits.update(caller, id, name, color);
        labelEdits.setHidden(caller, id, !shown);
        redirect.addFlashAttribute("notice", "Label " + label.name() + " saved.");
        return "redirect:/settings#labels-title";
    }

    @PostMapping("/settings/labels/{id}/delete")
    String deleteLabel(@PathVariable long id, RedirectAttributes redirect) {
        var label = labelEdits.delete(admin(), id);
        redirect.addFlashAttribute("notice", "Label " + label.name() + " deleted; its mail is where it was.");
        return "redirect:/settings#labels-title";
    }

    @PostMapping("/settings/tokens")
    String createToken(@RequestParam String name, RedirectAttributes redirect) {
        Caller caller = admin();
        String n = name.strip();
        if (n.isEmpty() || n.length() > 100) {
            throw Problem.refused("Give the token a name of 1 to 100 characters, such as billing-service.");
        }
        Tokens.Issued issued = tokens.issueApiToken(caller.orgId(), caller.userId(), n);
        Map<String, Object> shown = new LinkedHashMap<>();
        shown.put("name", issued.name());
        shown.put("token", issued.token());
        redirect.addFlashAttribute("newToken", shown); // shown on the next page only; Postroom keeps its hash
        return "redirect:/settings";
    }

    /**
     * A Postmark server token: shown once, like an API token; {@code senders} comma-separated (empty: any);
     * {@code search_bodies} the box, ticked when the form is shown (an unticked box sends nothing).
     */
    @PostMapping("/settings/postmark-servers")
    String createPostmarkServer(@RequestParam String name, @RequestParam(defaultValue = "") String senders,
                                @RequestParam(name = "search_bodies", defaultValue = "false") boolean searchBodies,
                                RedirectAttributes redirect) {
        Caller caller = admin();
        String n = name.strip();
        if (n.isEmpty() || n.length() > 200) {
            throw Problem.refused("Give the server a name of 1 to 200 characters: the application that uses it.");
        }
        List<String> list = java.util.Arrays.stream(senders.split("[,\\s]+")).map(String::strip)
                .filter(x -> !x.isEmpty()).toList();
        for (String x : list) {
            if (!x.matches("(?i)([^@\\s]+@)?[a-z0-9-]+(\\.[a-z0-9-]+)+")) {
                throw Problem.refused("Senders are addresses (billing@example.com) or domains (example.com); '" + x
                        + "' is neither.");
            }
        }
        var issued = postmarkServers.create(caller.orgId(), caller.userId(), n, list, searchBodies);
        Map<String, Object> shown = new LinkedHashMap<>();
        shown.put("name", issued.name());
        shown.put("token", issued.token());
        redirect.addFlashAttribute("newPostmarkServer", shown);
        return "redirect:/settings#postmark-title";
    }

    @PostMapping("/settings/postmark-servers/{id}/revoke")
    String revokePostmarkServer(@PathVariable long id, RedirectAttributes redirect) {
        if (!postmarkServers.revoke(admin().orgId(), id)) {
            throw Problem.notFound("No active Postmark server " + id + ".");
        }
        redirect.addFlashAttribute("notice", "Postmark server " + id + " is revoked: its token no longer works.");
        return "redirect:/settings#postmark-title";
    }

    /** Whether the text of the mail a Postmark server sends from now on is indexed for search. */
    @PostMapping("/settings/postmark-servers/{id}/search-bodies")
    String searchPostmarkBodies(@PathVariable long id, @RequestParam boolean on, RedirectAttributes redirect) {
        if (!postmarkServers.searchBodies(admin().orgId(), id, on)) {
            throw Problem.notFound("No active Postmark server " + id + ".");
        }
        redirect.addFlashAttribute("notice", on
                ? "The text of the mail Postmark server " + id + " sends from now on is indexed for search."
                : "Mail Postmark server " + id + " sends from now on is found by subject, people and attachment "
                        + "names, not by its text.");
        return "redirect:/settings#postmark-title";
    }

    @PostMapping("/settings/webhook-deliveries/{id}/retry")
    String retryWebhook(@PathVariable long id, RedirectAttributes redirect) {
        if (!webhooks.retry(admin().orgId(), id)) {
            throw Problem.notFound("No failed webhook event " + id + ".");
        }
        redirect.addFlashAttribute("notice", "Webhook event " + id + " will be sent again.");
        return "redirect:/settings#postmark-title";
    }

    @PostMapping("/settings/tokens/{id}/revoke")
    String revoke(@PathVariable long id, RedirectAttributes redirect) {
        Caller caller = admin();
        if (!tokens.existsInOrg(caller.orgId(), id)) {
            throw Problem.notFound("Token not found");
        }
        tokens.revoke(caller.orgId(), id);
        redirect.addFlashAttribute("notice", "Token " + id + " is revoked.");
        return "redirect:/settings";
    }

    private static Caller admin() {
        return Caller.current().requireOr("Settings are for admins.", Caller.ADMIN);
    }

    private static Set<String> checkedRoles(List<String> roles) {
        Set<String> out = new LinkedHashSet<>(roles == null ? List.of() : roles);
        for (String r : out) {
            if (!Caller.ALL_ROLES.contains(r)) {
                throw Problem.refused("'" + r + "' is not a role; roles are " + String.join(", ",
                        Caller.ALL_ROLES.stream().sorted().toList()) + ".");
            }
        }
        if (out.isEmpty()) {
            throw Problem.refused("Give the user at least one role.");
        }
        return out;
    }
}
