package com.postroom.web;

import jakarta.servlet.http.HttpSession;

import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;

import com.postroom.org.Caller;

/** The sign-in page, and where a signed-in user lands. */
@WebPage
class LoginPage {

    /** Set by the security configuration when a sign-in fails; shown once. */
    static final String LOGIN_ERROR = "postroom.login.error";
    /** The email typed in a failed sign-in, shown again in the form. */
    static final String LOGIN_EMAIL = "postroom.login.email";

    @GetMapping("/login")
    String login(HttpSession session, Model model,
                 @RequestParam(name = "signed-out", required = false) String signedOut) {
        Authentication auth = SecurityContextHolder.getContext().getAuthentication();
        if (auth != null && auth.getPrincipal() instanceof Caller) {
            return "redirect:/";
        }
        Object error = session.getAttribute(LOGIN_ERROR);
        session.removeAttribute(LOGIN_ERROR);
        Object email = session.getAttribute(LOGIN_EMAIL);
        session.removeAttribute(LOGIN_EMAIL);
        model.addAttribute("email", error == null ? "" : email);
        model.addAttribute("error", error);
        model.addAttribute("signedOut", signedOut != null);
        return "login";
    }

    @GetMapping("/")
    String home() {
        return "redirect:/mail/inbox";
    }
}
