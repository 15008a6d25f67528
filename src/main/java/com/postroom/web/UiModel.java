package com.postroom.web;

import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ModelAttribute;

import com.postroom.org.Caller;

/** What every page's layout needs: who is signed in and what the navigation may show them. */
@ControllerAdvice(annotations = WebPage.class)
@org.springframework.core.annotation.Order(org.springframework.core.Ordered.HIGHEST_PRECEDENCE)
class UiModel {

    /** The signed-in user as the layout shows them, or null on the sign-in page. */
    public record Viewer(String email, boolean admin, boolean founder, boolean billing) {
    }

    @ModelAttribute("viewer")
    Viewer viewer() {
        var auth = SecurityContextHolder.getContext().getAuthentication();
        if (auth == null || !(auth.getPrincipal() instanceof Caller c)) {
            return null;
        }
        return new Viewer(c.email(), c.hasAnyRole(java.util.Set.of(Caller.ADMIN)),
                c.hasAnyRole(java.util.Set.of(Caller.FOUNDER, Caller.ADMIN)),
                c.hasAnyRole(java.util.Set.of(Caller.BILLING, Caller.ADMIN)));
    }
}
