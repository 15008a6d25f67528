package com.postroom.outbound;

import java.util.Optional;

import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

import jakarta.servlet.http.HttpServletResponse;

import com.postroom.org.Organizations;

/**
 * Where a bulk message's unsubscribe link leads, without signing in. POST is RFC 8058's one-click (the receiver, such
 * as Gmail, posts {@code List-Unsubscribe=One-Click} for the user) and the page's own button; GET only shows the page
 * with that button, because mail scanners open every link and must not unsubscribe anyone.
 */
@Controller
class UnsubscribeController {

    private final Unsubscribes unsubscribes;
    private final Organizations organizations;

    UnsubscribeController(Unsubscribes unsubscribes, Organizations organizations) {
        this.unsubscribes = unsubscribes;
        this.organizations = organizations;
    }

    @GetMapping("/unsubscribe/{token}")
    String page(@PathVariable String token, Model model, HttpServletResponse response) {
        model.addAttribute("token", token);
        return show(unsubscribes.find(token), false, model, response);
    }

    @PostMapping("/unsubscribe/{token}")
    String unsubscribe(@PathVariable String token,
                       @RequestParam(name = "List-Unsubscribe", required = false) String oneClick, Model model,
                       HttpServletResponse response) {
        Optional<Unsubscribes.Link> link = unsubscribes.use(token,
                "One-Click".equals(oneClick) ? "one-click from the mail program" : "unsubscribe page");
        return show(link, true, model, response);
    }

    private String show(Optional<Unsubscribes.Link> link, boolean done, Model model, HttpServletResponse response) {
        response.setHeader("Cache-Control", "no-store");
        if (link.isEmpty()) {
            response.setStatus(HttpStatus.NOT_FOUND.value());
            model.addAttribute("unknown", true);
            return "unsubscribe";
        }
        Unsubscribes.Link l = link.get();
        model.addAttribute("unknown", false);
        model.addAttribute("done", done || l.used());
        model.addAttribute("stream", l.stream());
        model.addAttribute("masked", masked(l.address()));
        model.addAttribute("organization", organizations.byId(l.orgId()).map(o -> o.name()).orElse(""));
        return "unsubscribe";
    }

    /** Enough of the address to recognise it, not enough to learn it from a forwarded link: j***@example.com. */
    static String masked(String address) {
        int at = address.indexOf('@');
        return at <= 0 ? "***" : address.charAt(0) + "***" + address.substring(at);
    }
}
